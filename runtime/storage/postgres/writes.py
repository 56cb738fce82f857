"""The PostgreSQL store's commit: what the commit rules ask, read in the transaction, and the guarded writes.

`Known.read` answers the rules' questions (`rules.Stored`) about a commit in
one pipelined round trip; `write` then writes every document, each write
guarding itself against what changed since (a case, contact or record only
at the revision read, a work item or job only in its own case, a version
number only with the same content), so a race ends as the rules would have
ended it. `write_as_they_are` is the unguarded path for copying a store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import psycopg
from psycopg.rows import dict_row
from pydantic import BaseModel
from pydantic_core import from_json, to_json

from runtime.documents import Case, CaseStatus, Contact, Job, Record, Version, WorkItem
from runtime.errors import ConflictError, StoreError
from runtime.storage.base import Changes
from runtime.storage.indexes import WorkEntry, customer_entry, customer_search_keys, work_entry
from runtime.storage.rules import (
    case_conflict,
    contact_conflict,
    document_text,
    owner_conflict,
    record_conflict,
    version_conflict,
)


@dataclass
class Known:
    """What the commit rules ask about stored documents (`rules.Stored`), read in the commit's transaction."""

    case_revisions: dict[str, int] = field(default_factory=dict)
    contact_revisions: dict[str, int] = field(default_factory=dict)
    work_entries: dict[str, WorkEntry] = field(default_factory=dict)
    job_cases: dict[str, str] = field(default_factory=dict)
    audit_events: set[tuple[str, str]] = field(default_factory=set)
    version_hashes: dict[tuple[str, int], str] = field(default_factory=dict)
    attachment_contents: set[str] = field(default_factory=set)
    record_revisions: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def read(cls, connection: psycopg.Connection, changes: Changes) -> Known:
        """Everything the rules may ask about `changes`, in one round trip."""
        case_ids = {case.id for case, _ in changes.cases}
        for docs in (changes.work_items, changes.jobs, changes.outbox, changes.audit, changes.attachments):
            case_ids.update(doc.case_id for doc in docs)
        events = [event.id for event in changes.audit]
        queries: list[tuple[str, str, list[Any], tuple[Any, ...]]] = [  # name, SQL, ids (none: skip), parameters
            ("cases", "SELECT id, revision FROM cases WHERE id = ANY(%s)", sorted(case_ids), ()),
            ("contacts", "SELECT id, revision FROM contacts WHERE id = ANY(%s)", [c.id for c in changes.contacts], ()),
            ("work", "SELECT id, case_id, status, queue, assignee, process_key, due_at, priority, created_at, "
                     "warning_at FROM work_items WHERE id = ANY(%s)", [item.id for item in changes.work_items], ()),
            ("jobs", "SELECT id, case_id FROM jobs WHERE id = ANY(%s)", [job.id for job in changes.jobs], ()),
            ("audit", "SELECT case_id, id FROM audit_events WHERE id = ANY(%s) AND case_id = ANY(%s)", events,
             (sorted({event.case_id for event in changes.audit}),)),
            ("versions", "SELECT process_key, number, hash FROM versions WHERE process_key = ANY(%s)",
             sorted({version.process_key for version, _ in changes.versions}), ()),
            ("attachments", "SELECT id FROM attachment_contents WHERE id = ANY(%s)",
             [attachment.id for attachment in changes.attachments], ()),
            ("records", "SELECT kind, key, revision FROM records WHERE (kind, key) IN "
                        "(SELECT * FROM unnest(%s::text[], %s::text[]))",
             [record.kind for record in changes.records], ([record.key for record in changes.records],)),
        ]
        cursors = {}
        with connection.pipeline():
            for name, sql, ids, more in queries:
                if ids:
                    cursors[name] = connection.cursor(row_factory=dict_row).execute(sql.encode(), (ids, *more))
        rows = {name: cursor.fetchall() for name, cursor in cursors.items()}
        return cls(
            case_revisions={row["id"]: row["revision"] for row in rows.get("cases", ())},
            contact_revisions={row["id"]: row["revision"] for row in rows.get("contacts", ())},
            work_entries={row["id"]: work_entry(row) for row in rows.get("work", ())},
            job_cases={row["id"]: row["case_id"] for row in rows.get("jobs", ())},
            audit_events={(row["case_id"], row["id"]) for row in rows.get("audit", ())},
            version_hashes={(row["process_key"], row["number"]): row["hash"] for row in rows.get("versions", ())},
            attachment_contents={row["id"] for row in rows.get("attachments", ())},
            record_revisions={(row["kind"], row["key"]): row["revision"] for row in rows.get("records", ())},
        )

    def case_revision(self, case_id: str) -> int | None:
        return self.case_revisions.get(case_id)

    def contact_revision(self, contact_id: str) -> int | None:
        return self.contact_revisions.get(contact_id)

    def work_item_owner(self, item_id: str) -> str | None:
        entry = self.work_entries.get(item_id)
        return None if entry is None else entry.case_id

    def job_case(self, job_id: str) -> str | None:
        return self.job_cases.get(job_id)

    def has_audit_event(self, case_id: str, event_id: str) -> bool:
        return (case_id, event_id) in self.audit_events

    def version_hash(self, process_key: str, number: int) -> str | None:
        return self.version_hashes.get((process_key, number))

    def has_attachment_content(self, attachment_id: str) -> bool:
        return attachment_id in self.attachment_contents

    def record_revision(self, kind: str, key: str) -> int:
        return self.record_revisions.get((kind, key), 0)


class Texts:
    """The JSON text of every document of a commit, by `id()` of the object, made before the database is
    touched; StoreError naming a document that cannot be written as JSON. Cases, contacts and records are written
    at the revision the commit gives them (one more than read), or as they are (`as_they_are`, for a copy)."""

    def __init__(self, changes: Changes, *, as_they_are: bool = False) -> None:
        self.texts: dict[int, str] = {}
        docs: list[BaseModel] = [*changes.work_items, *changes.jobs, *changes.outbox,
                                 *changes.customers, *changes.users, *changes.attachments]
        for doc in docs:
            self.texts[id(doc)] = document_text(doc.model_dump_json, doc).decode()
        for version, bundle in changes.versions:
            self.texts[id(version)] = document_text(version.model_dump_json, version).decode()
            self.texts[id(bundle)] = document_text(lambda b=bundle: to_json(b), version).decode()
        for case, read_at in changes.cases:
            self._revised(case, case.revision if as_they_are else (read_at or 0) + 1)
        for doc in [*changes.contacts, *changes.records]:
            self._revised(doc, doc.revision if as_they_are else doc.revision + 1)

    def _revised(self, doc: Case | Contact | Record, revision: int) -> None:
        revised = doc.model_copy(update={"revision": revision})
        self.texts[id(doc)] = document_text(revised.model_dump_json, doc).decode()

    def __getitem__(self, doc: object) -> str:
        return self.texts[id(doc)]


def write(connection: psycopg.Connection, changes: Changes, revisions: list[int], texts: Texts) -> None:
    """Write every document of `changes` (checked by the rules); a write that finds the row changed since the
    rules read it refuses the step like the rules would."""
    cases = sorted(zip(changes.cases, revisions, strict=True), key=lambda pair: pair[0][0].id)
    with connection.pipeline():
        case_writes = [(case, read_at, _write_case(connection, case, read_at, revision, texts[case]))
                       for (case, read_at), revision in cases]
        contact_writes = [(contact, _write_contact(connection, contact, contact.revision or None,
                                                   contact.revision + 1, texts[contact]))
                          for contact in sorted(changes.contacts, key=lambda contact: contact.id)]
        record_writes = [(record, _write_record(connection, record, record.revision or None, record.revision + 1,
                                                texts[record]))
                         for record in sorted(changes.records, key=lambda record: (record.kind, record.key))]
        version_writes, item_writes, job_writes = _write_documents(connection, changes, texts)
    for case, read_at, cursor in case_writes:
        if cursor.rowcount == 0:
            stored = connection.execute("SELECT revision FROM cases WHERE id = %s", (case.id,)).fetchone()
            raise ConflictError(case_conflict(case.id, read_at, stored[0] if stored else None))
    for contact, cursor in contact_writes:
        if cursor.rowcount == 0:
            stored = connection.execute("SELECT revision FROM contacts WHERE id = %s", (contact.id,)).fetchone()
            raise ConflictError(contact_conflict(contact.id, contact.revision, stored[0] if stored else 0))
    for record, cursor in record_writes:
        if cursor.rowcount == 0:
            stored = connection.execute("SELECT revision FROM records WHERE kind = %s AND key = %s",
                                        (record.kind, record.key)).fetchone()
            raise ConflictError(record_conflict(record, stored[0] if stored else 0))
    for version, cursor in version_writes:
        if cursor.rowcount == 0:
            raise ConflictError(version_conflict(version))
    for kind, table, docs, cursor in (("work item", "work_items", changes.work_items, item_writes),
                                      ("job", "jobs", changes.jobs, job_writes)):
        if cursor is not None and cursor.rowcount < len({doc.id for doc in docs}):
            _refuse_moved(connection, kind, table, docs)


def write_as_they_are(connection: psycopg.Connection, changes: Changes, texts: Texts) -> None:
    """Write `changes` as they are (`Texts(changes, as_they_are=True)`), without any guard (`load`)."""
    for case, _ in changes.cases:
        _write_case(connection, case, None, case.revision, texts[case])
    for contact in changes.contacts:
        _write_contact(connection, contact, None, contact.revision, texts[contact])
    for record in changes.records:
        _write_record(connection, record, None, record.revision, texts[record])
    _write_documents(connection, changes, texts)


def _write_documents(connection: psycopg.Connection, changes: Changes,
                     texts: Texts) -> tuple[list[tuple[Version, psycopg.Cursor]], psycopg.Cursor | None,
                                           psycopg.Cursor | None]:
    """Write everything but cases and contacts; the cursors whose row counts tell whether a guard refused."""
    _write_bundles(connection, changes, texts)
    version_writes = [(version, _write_version(connection, version, texts[version])) for version, _ in changes.versions]
    item_writes = _write_work_items(connection, changes.work_items, texts)
    job_writes = _write_jobs(connection, changes.jobs, texts)
    _write_others(connection, changes, texts)
    return version_writes, item_writes, job_writes


def _write_case(connection: psycopg.Connection, case: Case, read_at: int | None, revision: int,
                text: str) -> psycopg.Cursor:
    values = (revision, case.process_key, case.customer_id, case.status is CaseStatus.ACTIVE, case.started_at,
              case.closed_at, case.version, case.audit_count, case.audit_head, text)
    if read_at is None:
        return connection.execute(
            b"INSERT INTO cases (revision, process_key, customer_id, active, started_at, closed_at, version, "
            b"audit_count, audit_head, doc, id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s) "
            b"ON CONFLICT (id) DO NOTHING", (*values, case.id))
    return connection.execute(
        b"UPDATE cases SET revision = %s, process_key = %s, customer_id = %s, active = %s, started_at = %s, "
        b"closed_at = %s, version = %s, audit_count = %s, audit_head = %s, doc = %s::jsonb "
        b"WHERE id = %s AND revision = %s", (*values, case.id, read_at))


def _write_contact(connection: psycopg.Connection, contact: Contact, read_at: int | None, revision: int,
                   text: str) -> psycopg.Cursor:
    values = (revision, contact.customer_id, contact.at, text, contact.id)
    if read_at is None:
        return connection.execute(
            b"INSERT INTO contacts (revision, customer_id, at, doc, id) VALUES (%s, %s, %s, %s::jsonb, %s) "
            b"ON CONFLICT (id) DO NOTHING", values)
    return connection.execute(
        b"UPDATE contacts SET revision = %s, customer_id = %s, at = %s, doc = %s::jsonb WHERE id = %s "
        b"AND revision = %s", (*values, read_at))


def _write_record(connection: psycopg.Connection, record: Record, read_at: int | None, revision: int,
                  text: str) -> psycopg.Cursor:
    """Insert a new record (no row: the key is taken) or update it at the revision read (no row: it moved)."""
    values = (revision, record.removed, text, record.kind, record.key)
    if read_at is None:
        return connection.execute(
            b"INSERT INTO records (revision, removed, doc, kind, key) VALUES (%s, %s, %s::jsonb, %s, %s) "
            b"ON CONFLICT (kind, key) DO NOTHING", values)
    return connection.execute(
        b"UPDATE records SET revision = %s, removed = %s, doc = %s::jsonb WHERE kind = %s AND key = %s "
        b"AND revision = %s", (*values, read_at))


def _write_bundles(connection: psycopg.Connection, changes: Changes, texts: Texts) -> None:
    for version, bundle in changes.versions:
        connection.execute(b"INSERT INTO bundles (hash, doc) VALUES (%s, %s::jsonb) ON CONFLICT (hash) DO NOTHING",
                           (version.hash, texts[bundle]))


def _write_version(connection: psycopg.Connection, version: Version, text: str) -> psycopg.Cursor:
    """Insert the version, or replace it when the same number has the same content; no row: other content."""
    return connection.execute(
        b"INSERT INTO versions (process_key, number, hash, published_at, doc) VALUES (%s, %s, %s, %s, %s::jsonb) "
        b"ON CONFLICT (process_key, number) DO UPDATE SET published_at = EXCLUDED.published_at, doc = EXCLUDED.doc "
        b"WHERE versions.hash = EXCLUDED.hash",
        (version.process_key, version.number, version.hash, version.published_at, text))


def _write_work_items(connection: psycopg.Connection, items: list[WorkItem], texts: Texts) -> psycopg.Cursor | None:
    """Upsert the work items; a row that belongs to another case is left alone (and counted missing)."""
    if not items:
        return None
    cursor = connection.cursor()
    cursor.executemany(
        b"INSERT INTO work_items (id, case_id, status, queue, assignee, process_key, due_at, warning_at, priority, "
        b"created_at, doc) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb) ON CONFLICT (id) DO UPDATE "
        b"SET status = EXCLUDED.status, queue = EXCLUDED.queue, assignee = EXCLUDED.assignee, "
        b"process_key = EXCLUDED.process_key, due_at = EXCLUDED.due_at, warning_at = EXCLUDED.warning_at, "
        b"priority = EXCLUDED.priority, created_at = EXCLUDED.created_at, doc = EXCLUDED.doc "
        b"WHERE work_items.case_id = EXCLUDED.case_id",
        [(item.id, item.case_id, str(item.status), item.queue, item.assignee, item.process_key, item.due_at,
          item.warning_at, item.priority, item.created_at, texts[item]) for item in _last_of_each(items)])
    return cursor


def _write_jobs(connection: psycopg.Connection, jobs: list[Job], texts: Texts) -> psycopg.Cursor | None:
    """Upsert the jobs (never their lease); a row that belongs to another case is left alone."""
    if not jobs:
        return None
    cursor = connection.cursor()
    cursor.executemany(
        b"INSERT INTO jobs (id, case_id, due_at, done, doc) VALUES (%s, %s, %s, %s, %s::jsonb) "
        b"ON CONFLICT (id) DO UPDATE SET due_at = EXCLUDED.due_at, done = EXCLUDED.done, doc = EXCLUDED.doc "
        b"WHERE jobs.case_id = EXCLUDED.case_id",
        [(job.id, job.case_id, job.due_at, job.done, texts[job]) for job in _last_of_each(jobs)])
    return cursor


def _write_others(connection: psycopg.Connection, changes: Changes, texts: Texts) -> None:
    """Outbox entries (never their lease), audit events (inserted only), attachments, customers, users."""
    cursor = connection.cursor()
    if changes.outbox:
        cursor.executemany(
            b"INSERT INTO outbox (id, case_id, status, next_attempt_at, created_at, doc) "
            b"VALUES (%s, %s, %s, %s, %s, %s::jsonb) ON CONFLICT (id) DO UPDATE SET case_id = EXCLUDED.case_id, "
            b"status = EXCLUDED.status, next_attempt_at = EXCLUDED.next_attempt_at, "
            b"created_at = EXCLUDED.created_at, doc = EXCLUDED.doc",
            [(entry.id, entry.case_id, str(entry.status), entry.next_attempt_at, entry.created_at, texts[entry])
             for entry in _last_of_each(changes.outbox)])
    if changes.audit:
        cursor.executemany(b"INSERT INTO audit_events (case_id, id, seq, doc) VALUES (%s, %s, %s, %s::jsonb)",
                           [(event.case_id, event.id, event.seq, event.text.decode()) for event in changes.audit])
    if changes.attachments:
        cursor.executemany(
            b"INSERT INTO attachments (case_id, id, added_at, doc) VALUES (%s, %s, %s, %s::jsonb) "
            b"ON CONFLICT (case_id, id) DO UPDATE SET added_at = EXCLUDED.added_at, doc = EXCLUDED.doc",
            [(a.case_id, a.id, a.added_at, texts[a]) for a in _last_of_each(changes.attachments)])
    if changes.customers:
        customers = _last_of_each(changes.customers)
        entries = [customer_entry(from_json(texts[customer])) for customer in customers]
        cursor.executemany(
            b"INSERT INTO customers (id, name_key, doc) VALUES (%s, %s, %s::jsonb) "
            b"ON CONFLICT (id) DO UPDATE SET name_key = EXCLUDED.name_key, doc = EXCLUDED.doc",
            [(entry.id, entry.name, texts[customer]) for customer, entry in zip(customers, entries, strict=True)])
        cursor.execute(b"DELETE FROM customer_keys WHERE customer_id = ANY(%s)", ([entry.id for entry in entries],))
        keys = [(entry.id, kind, key) for entry in entries
                for kind, key in [*customer_search_keys(entry), *(("name", part) for part in set(entry.name.split()))]]
        if keys:
            cursor.executemany(b"INSERT INTO customer_keys (customer_id, kind, key) VALUES (%s, %s, %s)", keys)
    if changes.users:
        cursor.executemany(b"INSERT INTO users (id, doc) VALUES (%s, %s::jsonb) "
                           b"ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc",
                           [(user.id, texts[user]) for user in _last_of_each(changes.users)])


D = TypeVar("D", bound=BaseModel)


def _last_of_each(docs: list[D]) -> list[D]:
    """The documents by id, the last of each id winning (as in every store), in id order (a fixed lock order)."""
    return sorted({doc.id: doc for doc in docs}.values(), key=lambda doc: doc.id)


def _refuse_moved(connection: psycopg.Connection, kind: str, table: str, docs: Sequence[WorkItem | Job]) -> None:
    """Raise the rules' error for the first document that belongs to another case than it says."""
    owners = dict(connection.execute(f"SELECT id, case_id FROM {table} WHERE id = ANY(%s)".encode(),
                                     ([doc.id for doc in docs],)).fetchall())
    for doc in docs:
        if owners.get(doc.id, doc.case_id) != doc.case_id:
            raise StoreError(owner_conflict(kind, doc.id, owners[doc.id], doc.case_id))
    raise StoreError(f"{kind}s of the step could not be written; reload and try again")
