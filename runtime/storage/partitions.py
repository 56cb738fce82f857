"""Partitions of the embedded store: small TinyDB files, one per case, found by name.

A single TinyDB file for everything is rewritten whole on every insert,
so a step at 20,000 cases costs 180 ms. Here each case is its own TinyDB
file holding the case and its work items, jobs, outbox entries and audit
events, so a step rewrites only the files of the cases it touched, however
many cases are stored. The other partitions:

    cases/<2 hex>/<case id>.json   tables case, work_items, jobs, outbox, audit
    versions.json                  table versions (metadata of every published version)
    versions/<hash>.json           table bundle: one bundle, stored once by content hash
    customers/<2 hex>.json         table customers, 256 buckets by hash of the id
    contacts/<2 hex>.json          table contacts, 256 buckets by hash of the id
    users.json                     table users
    records/<kind>/<1 hex>.json    table records: drafts, scenarios, answered requests, settings; 16 buckets a kind

The two hex digits are the start of the SHA-1 of the id, spreading 100,000
cases over 256 folders. A file name is the id itself when it is a safe
lowercase name (uuid-based ids are), else `~` and a hash of it, so ids that
differ only in letter case never share a file on case-insensitive disks.

Each file is a plain TinyDB JSON file (any TinyDB can open a copy). Its
tables are read and written through TinyDB's `Table` API over
`PartitionStorage`, a `Storage` that keeps the file's content in memory:
the store decides when and how it reaches the disk (journal first, then an
atomic replacement at a checkpoint). Documents are found by their own key
(`id`, or process/number for versions) through an id → doc_id map kept per
partition, never through TinyDB's per-process next-id cache.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic_core import from_json, to_json
from tinydb.storages import Storage
from tinydb.table import Document, Table

from runtime.errors import StoreError
from runtime.storage.base import check_record_kind
from runtime.storage.files import read_bytes

CASE_TABLES = ("case", "work_items", "jobs", "outbox", "audit")
INDEXED_TABLES = (*CASE_TABLES, "customers", "contacts")
_SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,99}")
Tables = dict[str, dict[str, dict[str, Any]]]


# Names and places ----------------------------------------------------------------


def _bucket(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()[:2]


def _file_name(name: str) -> str:
    if _SAFE_NAME.fullmatch(name) and not name.endswith(".tmp"):
        return name
    return "~" + hashlib.sha256(name.encode()).hexdigest()[:40]


def case_key(case_id: str) -> str:
    return f"case/{case_id}"


def bundle_key(version_hash: str) -> str:
    return f"bundle/{version_hash}"


def customer_key(customer_id: str) -> str:
    return f"customers/{_bucket(customer_id)}"


def contact_key(contact_id: str) -> str:
    return f"contacts/{_bucket(contact_id)}"


def record_key(kind: str, key: str) -> str:
    """The partition of a record: one of its kind's `RECORD_BUCKETS` buckets."""
    check_record_kind(kind)
    return f"record/{kind}/{_bucket(key)[0]}"


def record_keys(kind: str) -> list[str]:
    """Every partition a record of `kind` may be in."""
    prefix = record_key(kind, "").rsplit("/", 1)[0]
    return [f"{prefix}/{number:x}" for number in range(RECORD_BUCKETS)]


RECORD_BUCKETS = 16
CUSTOMER_KEYS = tuple(f"customers/{number:02x}" for number in range(256))
VERSIONS_KEY = "versions"
USERS_KEY = "users"


def relative_path(key: str) -> str:
    """Where the partition named `key` lives, relative to the data folder."""
    kind, _, name = key.partition("/")
    if kind == "case":
        return f"cases/{_bucket(name)}/{_file_name(name)}.json"
    if kind == "bundle":
        return f"versions/{_file_name(name)}.json"
    if kind in ("customers", "contacts"):
        return f"{kind}/{name}.json"
    if kind == "record":
        return f"records/{name}.json"
    if key in (VERSIONS_KEY, USERS_KEY):
        return f"{key}.json"
    raise StoreError(f"unknown partition '{key}' in the journal; was it written by a newer Flowdesk?")


def case_files(directory: Path) -> Iterator[Path]:
    """Every case partition file in the data folder (for a full rebuild of the indexes)."""
    cases = directory / "cases"
    if cases.is_dir():
        for folder in sorted(cases.iterdir()):
            if folder.is_dir():
                yield from sorted(folder.glob("*.json"))


def indexed_files(directory: Path) -> Iterator[Path]:
    """Every partition file whose documents the indexes hold: cases, customers, contacts."""
    yield from case_files(directory)
    for kind in ("customers", "contacts"):
        yield from sorted((directory / kind).glob("*.json"))


# Keys of documents ------------------------------------------------------------------


def _version_key(doc: Mapping[str, Any]) -> str:
    return f"{doc['process_key']}/{doc['number']}"


_DOC_KEYS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "versions": _version_key,
    "bundle": lambda doc: doc["hash"],
    "records": lambda doc: doc["key"],
}


def doc_key(table: str, doc: Mapping[str, Any]) -> str:
    """The key a document is found by in its table."""
    key = _DOC_KEYS.get(table)
    return key(doc) if key is not None else doc["id"]


# TinyDB -----------------------------------------------------------------------------


class PartitionStorage(Storage):
    """A TinyDB storage whose content stays in memory; the store persists it (see module doc)."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def read(self) -> Tables:
        return self.tables

    def write(self, data: Tables) -> None:
        self.tables = data


class Partition:
    """One partition file's tables, with the key → doc_id map of each table."""

    def __init__(self, path: Path, tables: Tables) -> None:
        self.path = path
        self.storage = PartitionStorage(tables)
        self._tables: dict[str, Table] = {}
        self._doc_ids: dict[str, dict[str, int]] = {}
        self._next_id: dict[str, int] = {}
        for name, docs in tables.items():
            ids = {doc_key(name, doc): int(doc_id) for doc_id, doc in docs.items()}
            self._doc_ids[name] = ids
            self._next_id[name] = max(ids.values(), default=0) + 1

    def table(self, name: str) -> Table:
        table = self._tables.get(name)
        if table is None:
            table = self._tables[name] = Table(self.storage, name, cache_size=0)
        return table

    def get(self, name: str, key: str) -> dict[str, Any] | None:
        doc_id = self._doc_ids.get(name, {}).get(key)
        return None if doc_id is None else self.table(name).get(doc_id=doc_id)

    def has(self, name: str, key: str) -> bool:
        return key in self._doc_ids.get(name, {})

    def keys(self, name: str) -> list[str]:
        """The keys of the documents of table `name`."""
        return list(self._doc_ids.get(name, {}))

    def all(self, name: str) -> list[Document]:
        return self.table(name).all() if name in self._doc_ids else []

    def put(self, name: str, docs: list[dict[str, Any]]) -> None:
        """Insert or replace `docs` by key; of two with one key the last wins."""
        latest = {doc_key(name, doc): doc for doc in docs}
        ids = self._doc_ids.setdefault(name, {})
        table = self.table(name)
        new = []
        for key, doc in latest.items():
            doc_id = ids.get(key)
            if doc_id is None:
                doc_id = ids[key] = self._next_id.get(name, 1)
                self._next_id[name] = doc_id + 1
                new.append(Document(doc, doc_id))
            else:
                table.update(_replace_by(doc), doc_ids=[doc_id])
        if new:
            table.insert_multiple(new)

    def encode(self) -> bytes:
        """The file content: TinyDB's JSON layout."""
        return to_json(self.storage.tables)


def _replace_by(doc: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def replace(stored: dict[str, Any]) -> None:
        stored.clear()
        stored.update(doc)

    return replace


def load_partition(path: Path) -> Partition:
    """The partition in `path` (empty if there is no such file); StoreError if it is damaged."""
    data = read_bytes(path)
    if data is None:
        return Partition(path, {})
    try:
        tables = from_json(data)
        return Partition(path, tables)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise StoreError(f"{path} is damaged ({type(error).__name__}: {error}); restore it from a backup "
                         "of the data folder") from error
