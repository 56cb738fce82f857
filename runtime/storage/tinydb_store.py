"""The embedded store: a data folder of small TinyDB files, a write-ahead journal and in-memory indexes.

Zero set-up and safe against crashes, at a cost per step that does not grow
with the number of cases. The folder holds:

    store.json      format marker
    store.lock      the writer's exclusive flock, with its pid
    journal.jsonl   committed transactions since the last checkpoint, one line each
    index.json      snapshot of the indexes as of the last checkpoint
    cases/ versions/ versions.json customers/ contacts/ users.json   partitions (see `partitions`)
    attachments/<id>   the bytes of each attached file, written whole before the commit that records it

**Commit.** A `Changes` is checked (`rules`), every partition it touches
is loaded (so a damaged file stops the step before its commit point), and
the step becomes one journal line holding the new content of every
document it touches, in every partition (a subprocess case and its parent
alike), with a CRC-32. The line is appended and then applied in memory to
the partitions' TinyDB tables and to the indexes, exactly as recovery
applies it, and the partitions are marked dirty. Nothing is rewritten in
place, and no other file is written yet. The caller is acknowledged once
its line is on disk: the commit point. That wait happens outside the
store's lock, with group commit (`files.Journal`): while one fdatasync runs,
other threads' steps append their lines and share the next one, so 16 agents
at once pay a few flushes, not 16. A step is visible to other threads from
when it is applied; one that a crash catches before its flush is lost with
every later line, which no caller was told had succeeded. If a flush fails,
the store stops (a restart recovers what the journal holds).

**Checkpoint.** When the journal has grown past `checkpoint_bytes` and past
the size of the last index snapshot (so the snapshot's cost per step stays
flat as the store grows), when `max_dirty` partitions wait, and on close:
every dirty partition replaces its file atomically (`files.replace_files`:
temporary file, fsync, rename, folder fsync; many files share one sync),
then the index snapshot is replaced the same way, then the journal is
emptied. This does better than rewriting the touched files at every
commit: a step waits for one fsync instead of two per partition plus one
per folder, and a case touched several times between checkpoints is
written once. A crash at any moment leaves every file whole (old or new)
and the journal still holding every line the files or the snapshot might
lack. A failed automatic checkpoint does not fail the step (it is already
committed); it is logged and tried again later.

**Open.** The journal is read first (a last line cut short by a crash was
never acknowledged and is ignored; damage before intact lines is refused),
then the snapshot, then every journal line newer than the snapshot is
applied again. Applying a line is idempotent (it sets documents to their
committed content), so it does not matter how far the interrupted
checkpoint got. No partition file is read on a normal open. A writer then
checkpoints, which also drops the cut-off line. Without a usable snapshot
the indexes are rebuilt from every case, customer and contact file
(`rebuild_indexes`), the repair path.

**Processes and threads.** The writer holds an exclusive `flock` on
`store.lock`; a second writer is refused with a message naming the pid. A
`read_only` store takes no lock and sees what was committed when it was
opened (documents it has not read yet may be newer). One re-entrant lock
serialises commits and reads within the process. Callers create every id;
TinyDB's integer doc ids are private to each file.

A committed `Case` object gets its new revision set in place, as in
`MemoryStore`. Documents are returned as fresh objects.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticSerializationError, from_json, to_json

from models.customers import Customer, SearchField
from runtime.documents import (
    AWAITING_DELIVERY,
    Attachment,
    AuditEvent,
    Case,
    Contact,
    Job,
    OutboxEntry,
    Record,
    User,
    Version,
    WorkItem,
)
from runtime.errors import NotFound, StoreError
from runtime.storage.base import Changes, attachment_order, check_attachment
from runtime.storage.files import (
    Journal,
    WriterLock,
    atomic_write,
    decode_line,
    encode_line,
    make_directory,
    read_bytes,
    read_journal,
    replace_files,
)
from runtime.storage.indexed_store import IndexedStore, Leases
from runtime.storage.indexes import (
    Indexes,
    audit_order,
    job_order,
    long_lived,
    micros,
    outbox_order,
    version_order,
)
from runtime.storage.partitions import (
    CUSTOMER_KEYS,
    INDEXED_TABLES,
    USERS_KEY,
    VERSIONS_KEY,
    Partition,
    bundle_key,
    case_key,
    contact_key,
    customer_key,
    indexed_files,
    load_partition,
    record_key,
    record_keys,
    relative_path,
)
from runtime.storage.rules import check_changes, describe

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

FORMAT = 1
_MiB = 1024 * 1024


class TinyDBStore(IndexedStore):
    """The embedded default store in one data folder; use `TinyDBStore.open`."""

    def __init__(self, directory: Path, read_only: bool, *, cache_size: int, checkpoint_bytes: int,
                 max_dirty: int) -> None:
        self.directory = directory
        self.read_only = read_only
        self._cache_size = cache_size
        self._checkpoint_bytes = checkpoint_bytes
        self._max_dirty = max_dirty
        self._lock = threading.RLock()
        self._loaded: Indexes | None = None
        self._leases = Leases()
        self._seq = 0
        self._clean: OrderedDict[str, Partition] = OrderedDict()
        self._dirty: dict[str, Partition] = {}
        self._journal: Journal | None = None
        self._writer_lock: WriterLock | None = None
        self._snapshot_size = 0
        self._next_checkpoint_try = 0
        self._closed = False
        self._broken = ""

    @classmethod
    def open(cls, directory: str | Path, read_only: bool = False, *, cache_size: int = 2048,
             checkpoint_bytes: int = 8 * _MiB, max_dirty: int = 10_000) -> TinyDBStore:
        """Open (a writer creates) the store in `directory`.

        `cache_size` clean partitions stay in memory; a checkpoint runs once the
        journal exceeds `checkpoint_bytes` or `max_dirty` partitions wait to be written.
        """
        store = cls(Path(directory), read_only, cache_size=cache_size, checkpoint_bytes=checkpoint_bytes,
                    max_dirty=max_dirty)
        try:
            store._start()
        except BaseException:
            store._release()
            raise
        return store

    # Opening and recovery --------------------------------------------------------------

    def _start(self) -> None:
        if self.read_only:
            if not (self.directory / "store.json").is_file():
                raise StoreError(f"{self.directory} is not a Flowdesk data folder (it has no store.json)")
        else:
            make_directory(self.directory)
            self._writer_lock = WriterLock.acquire(self.directory)
        self._check_format()
        records, torn = self._read_journal()
        if not self.read_only:
            self._journal = Journal(self.directory / "journal.jsonl")
        if not records and not torn and (self.directory / "index.json").is_file():
            return  # a clean start: the snapshot is loaded when an index is first used (`_indexes`)
        snapshot = self._load_snapshot()
        if snapshot is None:
            self._indexes = self._indexes_from_files()
        else:
            self._seq, self._indexes = snapshot
        covered = self._seq if snapshot is not None else -1
        for record in records:
            if record["seq"] > covered:
                self._apply(record)
        if torn:
            log.warning("%s ended in a step cut short by a crash; it was never acknowledged and is ignored",
                        self.directory / "journal.jsonl")
        if not self.read_only:
            self.checkpoint()

    @property
    def _indexes(self) -> Indexes:
        """The indexes, loaded from the snapshot on first use after a clean start (so a start that serves its first
        page needs none of them: at 100,000 cases the snapshot takes about a second to load)."""
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    self._load_clean_snapshot()
        assert self._loaded is not None
        return self._loaded

    @_indexes.setter
    def _indexes(self, indexes: Indexes) -> None:
        self._loaded = indexes

    def _load_clean_snapshot(self) -> None:
        snapshot = self._load_snapshot()
        if snapshot is None:  # unusable after all: rebuild, and save a good one
            self._loaded = self._indexes_from_files()
            if not self.read_only:
                self.checkpoint()
        else:
            self._seq, self._loaded = snapshot

    def _read_journal(self) -> tuple[list[dict[str, Any]], bool]:
        """The journal's records; a reader retries, as the writer may be emptying it while it reads."""
        path = self.directory / "journal.jsonl"
        for _ in range(2 if self.read_only else 0):
            with contextlib.suppress(StoreError):
                return read_journal(path)
            time.sleep(0.05)
        return read_journal(path)

    def _check_format(self) -> None:
        path = self.directory / "store.json"
        data = read_bytes(path)
        if data is None:
            if not self.read_only:
                atomic_write(path, to_json({"format": FORMAT, "created_at": datetime.now().astimezone()}))
            return
        try:
            found = from_json(data)["format"]
        except (ValueError, TypeError, KeyError) as error:
            raise StoreError(f"{path} is damaged; it should read {{\"format\": {FORMAT}}}") from error
        if found != FORMAT:
            raise StoreError(f"{self.directory} holds store format {found}; this Flowdesk reads format {FORMAT} "
                             "(was it written by a newer Flowdesk?)")

    def _load_snapshot(self) -> tuple[int, Indexes] | None:
        path = self.directory / "index.json"
        data = read_bytes(path)
        if data is None:
            return None
        try:
            with long_lived():
                snapshot = decode_line(data)
                if snapshot["format"] != FORMAT:
                    raise ValueError(f"format {snapshot['format']}")
                indexes = Indexes.from_snapshot(snapshot["indexes"])
        except (ValueError, TypeError, KeyError) as error:
            log.warning("%s cannot be used (%s); rebuilding the indexes from every case file", path, error)
            return None
        self._snapshot_size = len(data)
        return int(snapshot["seq"]), indexes

    def _indexes_from_files(self) -> Indexes:
        """Indexes from every indexed partition, those in memory taking precedence over their files."""
        return Indexes.from_documents(self._indexed_documents())

    def _indexed_documents(self) -> Iterator[tuple[str, dict[str, Any]]]:
        pending = {partition.path: partition for partition in self._dirty.values()}
        for path in indexed_files(self.directory):
            partition = pending.pop(path, None) or load_partition(path)
            yield from _documents(partition)
        for partition in pending.values():
            yield from _documents(partition)

    def rebuild_indexes(self) -> None:
        """Repair: rebuild the indexes from every case, customer and contact file (slow) and save a snapshot."""
        with self._lock:
            self._check_writable()
            self._indexes = self._indexes_from_files()
            self.checkpoint()

    def verify_indexes(self) -> bool:
        """Whether the indexes agree with a full rebuild from the partitions (reads every indexed file)."""
        with self._lock:
            self._check_ready()
            return self._indexes_from_files() == self._indexes

    # Committing ----------------------------------------------------------------------------

    def commit(self, changes: Changes) -> None:
        """Apply `changes` as one transaction; each committed `Case` object gets its new revision."""
        with self._lock:
            self._check_writable()
            if changes.is_empty():
                return
            revisions = check_changes(changes, self)
            parts = self._parts(changes, revisions)
            for key in parts:  # a damaged file must stop the step before, not after, its commit point
                self._partition(key)
            line = _encode({"seq": self._seq + 1, "parts": parts})
            journal = self._journal
            assert journal is not None
            ticket = journal.write(line)  # the commit point, once the line is on disk
            try:
                self._apply(decode_line(line))
            except Exception as error:
                self._broken = f"{type(error).__name__}: {error}"
                journal.wait_durable(ticket)
                raise StoreError(f"a committed step could not be applied in memory ({self._broken}); it is safe "
                                 "in the journal: restart Flowdesk to recover") from error
            for (case, _), revision in zip(changes.cases, revisions, strict=True):
                case.revision = revision
            for contact in changes.contacts:
                contact.revision += 1
            for record in changes.records:
                record.revision += 1
            self._maybe_checkpoint()
        try:
            journal.wait_durable(ticket)  # acknowledged only once its own line is on disk (group commit)
        except StoreError as error:
            with self._lock:
                self._broken = self._broken or str(error)
            raise

    def _parts(self, changes: Changes, revisions: list[int]) -> dict[str, dict[str, list[Any]]]:
        """The new content of every document of the step: partition → table → documents."""
        parts: dict[str, dict[str, list[Any]]] = {}

        def add(key: str, table: str, doc: Any) -> None:
            parts.setdefault(key, {}).setdefault(table, []).append(doc)

        for (case, _), revision in zip(changes.cases, revisions, strict=True):
            add(case_key(case.id), "case", _dump(case) | {"revision": revision})
        for table, docs in (("work_items", changes.work_items), ("jobs", changes.jobs), ("outbox", changes.outbox)):
            for doc in docs:
                add(case_key(doc.case_id), table, _dump(doc))
        for event in changes.audit:
            add(case_key(event.case_id), "audit", from_json(event.text))
        for version, bundle in changes.versions:
            add(VERSIONS_KEY, "versions", _dump(version))
            if bundle_key(version.hash) not in parts and not self._has_bundle(version.hash):
                add(bundle_key(version.hash), "bundle", {"hash": version.hash, "document": bundle})
        for customer in changes.customers:
            add(customer_key(customer.id), "customers", _dump(customer))
        for contact in changes.contacts:
            add(contact_key(contact.id), "contacts", _dump(contact) | {"revision": contact.revision + 1})
        for user in changes.users:
            add(USERS_KEY, "users", _dump(user))
        for attachment in changes.attachments:
            add(case_key(attachment.case_id), "attachments", _dump(attachment))
        for record in changes.records:
            add(record_key(record.kind, record.key), "records", _dump(record) | {"revision": record.revision + 1})
        return parts

    def _apply(self, record: dict[str, Any]) -> None:
        """Set every document of a journal record to its committed content, in partitions and indexes."""
        for key, tables in record["parts"].items():
            partition = self._partition(key)
            for table, docs in tables.items():
                partition.put(table, docs)
                for doc in docs:
                    self._indexes.put(table, doc)
            self._clean.pop(key, None)
            self._dirty[key] = partition
        self._seq = record["seq"]

    # Checkpoints ------------------------------------------------------------------------------

    def _maybe_checkpoint(self) -> None:
        assert self._journal is not None
        size = self._journal.size
        due = size >= max(self._checkpoint_bytes, self._snapshot_size) or len(self._dirty) >= self._max_dirty
        if not due or size < self._next_checkpoint_try:
            return
        try:
            self.checkpoint()
        except StoreError as error:  # the step is committed; try again later
            self._next_checkpoint_try = size + self._checkpoint_bytes
            log.warning("checkpoint failed, will retry: %s", error)

    def checkpoint(self) -> None:
        """Write every dirty partition and the index snapshot, then empty the journal."""
        with self._lock:
            self._check_writable()
            replace_files([(partition.path, partition.encode()) for partition in self._dirty.values()])
            snapshot = encode_line({"format": FORMAT, "seq": self._seq, "indexes": self._indexes.snapshot()})
            atomic_write(self.directory / "index.json", snapshot)
            self._snapshot_size = len(snapshot)
            assert self._journal is not None
            self._journal.clear()
            self._next_checkpoint_try = 0
            self._clean.update(self._dirty)
            self._dirty.clear()
            self._trim_cache()

    # Partitions --------------------------------------------------------------------------------

    def _partition(self, key: str) -> Partition:
        partition = self._dirty.get(key)
        if partition is not None:
            return partition
        partition = self._clean.get(key)
        if partition is not None:
            self._clean.move_to_end(key)
            return partition
        partition = load_partition(self.directory / relative_path(key))
        self._clean[key] = partition
        self._trim_cache()
        return partition

    def _trim_cache(self) -> None:
        while len(self._clean) > self._cache_size:
            self._clean.popitem(last=False)

    def _doc(self, key: str, table: str, doc_key: str, model: type[M]) -> M | None:
        partition = self._partition(key)
        doc = partition.get(table, doc_key)
        return None if doc is None else _model(model, doc, partition)

    def _indexed(self, case_id: str, table: str, doc_key: str, model: type[M]) -> M:
        """A document of a case that the indexes say exists."""
        return self._listed(case_key(case_id), table, doc_key, model)

    def _listed(self, key: str, table: str, doc_key: str, model: type[M]) -> M:
        """A document the indexes say exists; its absence means a damaged file."""
        found = self._doc(key, table, doc_key, model)
        if found is None:
            path = self.directory / relative_path(key)
            raise StoreError(f"{path} lacks {model.__name__} '{doc_key}' although the index lists it; "
                             "restore the file from a backup, or rebuild the indexes (rebuild_indexes)")
        return found

    def _all(self, key: str, table: str, model: type[M]) -> list[M]:
        partition = self._partition(key)
        return [_model(model, doc, partition) for doc in partition.all(table)]

    # What the rules ask --------------------------------------------------------------------------

    def has_attachment_content(self, attachment_id: str) -> bool:
        return self._attachment_path(attachment_id).is_file()

    def record_revision(self, kind: str, key: str) -> int:
        doc = self._partition(record_key(kind, key)).get("records", key)
        return 0 if doc is None else int(doc["revision"])

    def has_audit_event(self, case_id: str, event_id: str) -> bool:
        if self._indexes.cases.revision(case_id) is None:
            return False
        return self._partition(case_key(case_id)).has("audit", event_id)

    def version_hash(self, process_key: str, number: int) -> str | None:
        doc = self._partition(VERSIONS_KEY).get("versions", f"{process_key}/{number}")
        return None if doc is None else doc["hash"]

    def _has_bundle(self, version_hash: str) -> bool:
        return self._partition(bundle_key(version_hash)).has("bundle", version_hash)

    # Versions -------------------------------------------------------------------------------------

    def versions(self, process_key: str | None = None) -> list[Version]:
        with self._lock:
            self._check_ready()
            found = self._all(VERSIONS_KEY, "versions", Version)
        return sorted((v for v in found if process_key in (None, v.process_key)), key=version_order)

    def bundle_document(self, version_hash: str) -> dict[str, Any]:
        with self._lock:
            self._check_ready()
            doc = self._partition(bundle_key(version_hash)).get("bundle", version_hash)
            if doc is None:
                raise NotFound(f"no published version has the hash '{version_hash}'")
            return from_json(to_json(doc["document"]))

    # Cases ------------------------------------------------------------------------------------------

    def case(self, case_id: str) -> Case:
        with self._lock:
            self._check_ready()
            if self._indexes.cases.revision(case_id) is None:
                raise NotFound(f"no case '{case_id}'")
            return self._indexed(case_id, "case", case_id, Case)

    def cases(self, *, process_key: str | None = None, customer_id: str | None = None,
              active: bool | None = None) -> list[Case]:
        with self._lock:
            self._check_ready()
            ids = self._indexes.cases.ids(process_key, customer_id, active)
            return [self._indexed(case_id, "case", case_id, Case) for case_id in ids]


    # Work items --------------------------------------------------------------------------------------

    def work_item(self, item_id: str) -> WorkItem:
        with self._lock:
            self._check_ready()
            case_id = self._indexes.work.case_of(item_id)
            if case_id is None:
                raise NotFound(f"no work item '{item_id}'")
            return self._indexed(case_id, "work_items", item_id, WorkItem)

    def _listed_work_item(self, case_id: str, item_id: str) -> WorkItem:
        return self._indexed(case_id, "work_items", item_id, WorkItem)

    def _case_work_item_ids(self, case_id: str) -> list[str]:
        if self._indexes.cases.revision(case_id) is None:
            return []
        return self._partition(case_key(case_id)).keys("work_items")

    # Jobs and outbox ------------------------------------------------------------------------------------

    def due_jobs(self, now: datetime, limit: int = 100) -> list[Job]:
        with self._lock:
            self._check_ready()
            return [self._indexed(e.case_id, "jobs", e.id, Job) for e in self._indexes.jobs.due(now, limit)]

    def job(self, job_id: str) -> Job:
        with self._lock:
            self._check_ready()
            case_id = self._indexes.jobs.case_of(job_id)
            if case_id is None:
                raise NotFound(f"no job '{job_id}'")
            return self._indexed(case_id, "jobs", job_id, Job)

    def case_jobs(self, case_id: str) -> list[Job]:
        with self._lock:
            self._check_ready()
            return sorted(self._of_case(case_id, "jobs", Job), key=job_order)

    def outbox(self, *, case_id: str | None = None, due_before: datetime | None = None) -> list[OutboxEntry]:
        """Entries of a case (every status), or pending ones due by `due_before`; with neither, all pending."""
        with self._lock:
            self._check_ready()
            if case_id is None:
                pending = self._indexes.outbox.pending(due_before)
                return [self._indexed(e.case_id, "outbox", e.id, OutboxEntry) for e in pending]
            found = self._of_case(case_id, "outbox", OutboxEntry)
        if due_before is not None:
            due = micros(due_before)
            found = [e for e in found if e.status in AWAITING_DELIVERY and micros(e.next_attempt_at) <= due]
        return sorted(found, key=outbox_order)

    def _of_case(self, case_id: str, table: str, model: type[M]) -> list[M]:
        if self._indexes.cases.revision(case_id) is None:
            return []
        return self._all(case_key(case_id), table, model)

    # Audit ------------------------------------------------------------------------------------------------

    def audit_events(self, case_id: str) -> list[AuditEvent]:
        with self._lock:
            self._check_ready()
            return sorted(self._of_case(case_id, "audit", AuditEvent), key=audit_order)

    # Attachments --------------------------------------------------------------------------------------------

    def put_attachment_content(self, attachment_id: str, content: bytes) -> None:
        """Write the bytes to attachments/<id> atomically; the commit that records them follows."""
        check_attachment(attachment_id, content)
        with self._lock:
            self._check_writable()
            path = self._attachment_path(attachment_id)
            make_directory(path.parent)
            atomic_write(path, bytes(content))

    def attachments(self, case_id: str) -> list[Attachment]:
        with self._lock:
            self._check_ready()
            return sorted(self._of_case(case_id, "attachments", Attachment), key=attachment_order)

    def attachment_content(self, case_id: str, attachment_id: str) -> bytes:
        with self._lock:
            self._check_ready()
            if self._indexes.cases.revision(case_id) is None or \
                    not self._partition(case_key(case_id)).has("attachments", attachment_id):
                raise NotFound(f"case '{case_id}' has no attachment '{attachment_id}'")
            path = self._attachment_path(attachment_id)
            content = read_bytes(path)
        if content is None:
            raise StoreError(f"{path} is missing although case '{case_id}' lists it; restore it from a backup "
                             "of the data folder")
        return content

    def _attachment_path(self, attachment_id: str) -> Path:
        return self.directory / "attachments" / attachment_id

    # Customers and users ------------------------------------------------------------------------------------

    def customer(self, customer_id: str) -> Customer:
        with self._lock:
            self._check_ready()
            found = self._doc(customer_key(customer_id), "customers", customer_id, Customer)
        if found is None:
            raise NotFound(f"no customer '{customer_id}'")
        return found

    def customers(self) -> list[Customer]:
        with self._lock:
            self._check_ready()
            found = [c for key in CUSTOMER_KEYS for c in self._all(key, "customers", Customer)]
        return sorted(found, key=lambda customer: customer.id)

    def find_customers(self, field: SearchField, key: str, limit: int = 50) -> list[Customer]:
        with self._lock:
            self._check_ready()
            return [self._listed(customer_key(customer_id), "customers", customer_id, Customer)
                    for customer_id in self._indexes.customers.find(field, key, limit)]

    # Contacts -----------------------------------------------------------------------------------------------

    def contact(self, contact_id: str) -> Contact:
        with self._lock:
            self._check_ready()
            found = self._doc(contact_key(contact_id), "contacts", contact_id, Contact)
        if found is None:
            raise NotFound(f"no contact '{contact_id}'")
        return found

    def contacts(self, *, customer_id: str | None = None) -> list[Contact]:
        with self._lock:
            self._check_ready()
            return [self._listed(contact_key(contact_id), "contacts", contact_id, Contact)
                    for contact_id in self._indexes.contacts.ids(customer_id)]

    def user(self, user_id: str) -> User:
        with self._lock:
            self._check_ready()
            found = self._doc(USERS_KEY, "users", user_id, User)
        if found is None:
            raise NotFound(f"no user '{user_id}'")
        return found

    def users(self) -> list[User]:
        with self._lock:
            self._check_ready()
            found = self._all(USERS_KEY, "users", User)
        return sorted(found, key=lambda user: user.id)

    # Records ------------------------------------------------------------------------------------------------

    def record(self, kind: str, key: str) -> Record:
        with self._lock:
            self._check_ready()
            found = self._doc(record_key(kind, key), "records", key, Record)
        if found is None or found.removed:
            raise NotFound(f"no {kind} '{key}'")
        return found

    def records(self, kind: str) -> list[Record]:
        with self._lock:
            self._check_ready()
            found = [record for part in record_keys(kind) for record in self._all(part, "records", Record)]
        return sorted((record for record in found if not record.removed), key=lambda record: record.key)

    def record_kinds(self) -> list[str]:
        """The kinds with a folder under records/, and those only the journal holds yet."""
        with self._lock:
            self._check_ready()
            kinds = {key.split("/")[1] for key in self._dirty if key.startswith("record/")}
            folder = self.directory / "records"
            if folder.is_dir():
                kinds.update(path.name for path in folder.iterdir() if path.is_dir())
        return sorted(kinds)

    # Closing ------------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Checkpoint (a writer), then release the files and the lock; closing twice is harmless."""
        with self._lock:
            if self._closed:
                return
            try:
                if self._journal is not None and not self._broken and (self._dirty or self._journal.size):
                    self.checkpoint()
            finally:
                self._release()

    def _release(self) -> None:
        self._closed = True
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._writer_lock is not None:
            self._writer_lock.release()
            self._writer_lock = None
        self._clean.clear()
        self._dirty.clear()

    def _check_ready(self) -> None:
        if self._closed:
            raise StoreError(f"the store in {self.directory} is closed")
        if self._broken:
            raise StoreError(f"the store in {self.directory} stopped after an internal error ({self._broken}); "
                             "restart Flowdesk to recover from the journal")

    def _check_writable(self) -> None:
        self._check_ready()
        if self.read_only:
            raise StoreError(f"the store in {self.directory} was opened read-only; open it without read_only "
                             "to change it")


def _documents(partition: Partition) -> Iterator[tuple[str, dict[str, Any]]]:
    for table in INDEXED_TABLES:
        for doc in partition.all(table):
            yield table, doc


def _dump(doc: BaseModel) -> dict[str, Any]:
    try:
        return doc.model_dump(mode="json")
    except (PydanticSerializationError, ValueError, TypeError) as error:
        raise StoreError(f"{describe(doc)} cannot be stored: {error}") from error


def _encode(record: dict[str, Any]) -> bytes:
    try:
        return encode_line(record)
    except (PydanticSerializationError, ValueError, TypeError) as error:
        raise StoreError(f"the step cannot be stored: {error}") from error


def _model(model: type[M], doc: dict[str, Any], partition: Partition) -> M:
    try:
        return model.model_validate_json(to_json(doc))
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(map(str, problem["loc"]))
        raise StoreError(f"{partition.path} holds a damaged {model.__name__} '{doc.get('id', '?')}' "
                         f"({where}: {problem['msg']}); restore the file from a backup") from None
