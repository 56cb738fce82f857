"""The PostgreSQL store: several app and worker processes share one database.

Plain SQL over a psycopg connection pool, no ORM. Each document kind has
its table (schema in migrations/): the document as JSONB plus, as columns,
the fields queries filter and sort on, with partial indexes for the
worklists, due jobs, the pending outbox and the monitor.

**Commit.** A `Changes` is serialised first (an unstorable document stops
the step before the database is touched), then one transaction reads what
the commit rules ask about (`rules.check_changes`: revisions, owners,
existing audit events, versions, attachment bytes; one round trip in a
pipeline with BEGIN), checks them with the same rules as the embedded
stores, and writes everything (a second round trip; COMMIT is the third). The rules' answers may be stale
by then, so every write also guards itself: a case or contact is updated
only `WHERE revision = <read revision>` (zero rows: `ConflictError`), a new
one inserted only if absent, a work item or job updated only while it
belongs to the same case, a version number only with the same content, and
audit events are inserted, never updated (a trigger refuses changes).
Conflicts found by the database (a deadlock, a duplicate event) roll the
whole step back like any other refusal. A place for `NOTIFY` after the
writes is marked in `commit`.

**Claims.** Due jobs and outbox entries are claimed with `SELECT ... FOR
UPDATE SKIP LOCKED` and a lease (owner, until) stored on the row and timed
by the database's clock; commits never touch the lease columns, so an
entry being sent stays with its sender until it is marked sent.

Reads return fresh objects parsed from each row's JSON. Text keys sort by
code point (COLLATE "C") and times are timestamptz (microseconds), so
every order is the embedded stores' order. JSONB keeps objects' keys in
its own order and cannot hold the character U+0000: such a document is
refused with a `StoreError` naming it.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import psycopg
from psycopg import errors
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json, to_json

from models.customers import Customer, SearchField
from runtime.documents import (
    AWAITING_DELIVERY,
    Attachment,
    AuditEvent,
    Case,
    CaseStatus,
    Contact,
    Job,
    OutboxEntry,
    User,
    Version,
    WorkItem,
    WorkItemStatus,
)
from runtime.storage.base import (
    Changes,
    ConflictError,
    NotFound,
    Store,
    StoreError,
    WorkOrder,
    WorkQuery,
    check_attachment,
)
from runtime.storage.indexes import (
    WorkEntry,
    customer_entry,
    customer_search_field,
    customer_search_keys,
    job_order,
    outbox_order,
    work_entry,
)
from runtime.storage.postgres.schema import check_schema, display_url
from runtime.storage.rules import (
    case_conflict,
    check_changes,
    contact_conflict,
    document_text,
    owner_conflict,
    version_conflict,
)

M = TypeVar("M", bound=BaseModel)

_OPEN = str(WorkItemStatus.OPEN)
_AWAITING = "status IN (" + ", ".join(f"'{status.value}'" for status in sorted(AWAITING_DELIVERY)) + ")"
_DEADLINE_ORDER = "{t}due_at ASC NULLS LAST, {t}priority DESC, {t}created_at, {t}id"
_PRIORITY_ORDER = "{t}priority DESC, {t}due_at ASC NULLS LAST, {t}created_at, {t}id"
_SLA = {  # the rules of `runtime.casework.sla_status`, as `indexes._sla_matches` applies them
    "breached": "due_at <= %(now)s",
    "at risk": "due_at > %(now)s AND warning_at <= %(now)s",
    "on track": "due_at > %(now)s AND (warning_at IS NULL OR warning_at > %(now)s)",
}
_LEASE_FREE = "(lease_until IS NULL OR lease_until < clock_timestamp() OR lease_owner = %(owner)s)"


class PostgresStore(Store):
    """Documents in a PostgreSQL database with the current schema; use `PostgresStore.open`."""

    def __init__(self, pool: ConnectionPool, where: str) -> None:
        self._pool = pool
        self.where = where
        self._closed = False
        self._markers = itertools.count(1)
        self._marker = next(self._markers)

    @classmethod
    def open(cls, url: str, *, pool_size: int = 10, timeout: float = 30.0) -> PostgresStore:
        """Connect to the database at `url` (refused with a clear message unless its schema is current)."""
        where = display_url(url)
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
                check_schema(connection, where)
        except psycopg.Error as error:
            raise StoreError(f"cannot open the database {where}: {_reason(error)}") from None
        pool = ConnectionPool(url, min_size=1, max_size=pool_size, timeout=timeout, open=False,
                              kwargs={"autocommit": True}, configure=_configure, name=where)
        try:
            pool.open(wait=True, timeout=timeout)
        except PoolTimeout:
            pool.close()
            raise StoreError(f"cannot open the database {where}: no connection within {timeout:.0f} s") from None
        return cls(pool, where)

    # Writing --------------------------------------------------------------------------------------

    def commit(self, changes: Changes) -> None:
        """Apply `changes` in one transaction; each committed `Case` and `Contact` object gets its new revision."""
        self._check_ready()
        if changes.is_empty():
            return
        rows = _Rows(changes)  # every document as JSON text, before the database is touched
        with self._connection() as connection, connection.pipeline(), connection.transaction():
            known = _Known.read(connection, changes)  # sent with BEGIN: one round trip
            revisions = check_changes(changes, known)
            _write(connection, changes, revisions, rows)
            # NOTIFY for live views in other processes goes here: sent when (and only if) this commits.
        for (case, _), revision in zip(changes.cases, revisions, strict=True):
            case.revision = revision
        for contact in changes.contacts:
            contact.revision += 1
        if any(known.work_entries.get(item.id) != work_entry(vars(item)) for item in changes.work_items):
            self._marker = next(self._markers)

    def load(self, changes: Changes) -> None:
        """Write `changes` as they are, in one transaction, keeping each case's and contact's revision.

        For copying a whole store into an empty database (`copy_store`): the commit rules are not applied
        and a document whose id is already stored is left as it was.
        """
        self._check_ready()
        rows = _Rows(changes)
        with self._connection() as connection, connection.transaction(), connection.pipeline():
            for case, _ in changes.cases:
                _write_case(connection, case, None, case.revision, _revised(case, case.revision))
            for contact in changes.contacts:
                _write_contact(connection, contact, None, contact.revision, _revised(contact, contact.revision))
            _write_documents(connection, changes, rows)

    def put_attachment_content(self, attachment_id: str, content: bytes) -> None:
        check_attachment(attachment_id, content)
        self._execute("INSERT INTO attachment_contents (id, content) VALUES (%s, %s) "
                      "ON CONFLICT (id) DO UPDATE SET content = EXCLUDED.content", (attachment_id, bytes(content)))

    # Claims ----------------------------------------------------------------------------------------

    def claim_due_jobs(self, now: datetime, owner: str, lease: timedelta, limit: int = 100) -> list[Job]:
        texts = self._column(
            f"UPDATE jobs SET lease_owner = %(owner)s, lease_until = clock_timestamp() + %(lease)s "
            f"WHERE id IN (SELECT id FROM jobs WHERE NOT done AND due_at <= %(now)s AND {_LEASE_FREE} "
            "ORDER BY due_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED) RETURNING doc::text",
            {"owner": owner, "lease": lease, "now": now, "limit": max(limit, 0)})
        return sorted(self._models(Job, texts), key=job_order)

    def claim_outbox(self, now: datetime, owner: str, lease: timedelta, limit: int = 100) -> list[OutboxEntry]:
        texts = self._column(
            f"UPDATE outbox SET lease_owner = %(owner)s, lease_until = clock_timestamp() + %(lease)s "
            f"WHERE id IN (SELECT id FROM outbox WHERE {_AWAITING} AND next_attempt_at <= %(now)s "
            f"AND {_LEASE_FREE} ORDER BY created_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED) "
            "RETURNING doc::text",
            {"owner": owner, "lease": lease, "now": now, "limit": max(limit, 0)})
        return sorted(self._models(OutboxEntry, texts), key=outbox_order)

    # Versions ---------------------------------------------------------------------------------------

    def versions(self, process_key: str | None = None) -> list[Version]:
        where = "" if process_key is None else "WHERE process_key = %(key)s"
        return self._models(Version, self._column(
            f"SELECT doc::text FROM versions {where} ORDER BY published_at, process_key, number",
            {"key": process_key}))

    def bundle_document(self, version_hash: str) -> dict[str, Any]:
        [text] = self._column("SELECT doc::text FROM bundles WHERE hash = %s", (version_hash,)) or [None]
        if text is None:
            raise NotFound(f"no published version has the hash '{version_hash}'")
        return from_json(text)

    # Cases ------------------------------------------------------------------------------------------

    def case(self, case_id: str) -> Case:
        return self._one(Case, "SELECT doc::text FROM cases WHERE id = %s", case_id, f"no case '{case_id}'")

    def cases(self, *, process_key: str | None = None, customer_id: str | None = None,
              active: bool | None = None) -> list[Case]:
        where = ["TRUE"]
        if process_key is not None:
            where.append("process_key = %(process_key)s")
        if customer_id is not None:
            where.append("customer_id = %(customer_id)s")
        if active is not None:
            where.append("active" if active else "NOT active")
        return self._models(Case, self._column(
            f"SELECT doc::text FROM cases WHERE {' AND '.join(where)} ORDER BY started_at, id",
            {"process_key": process_key, "customer_id": customer_id}))

    def closed_case_revisions(self, since: datetime, until: datetime) -> list[tuple[str, int]]:
        rows = self._rows("SELECT id, revision FROM cases WHERE closed_at >= %s AND closed_at < %s "
                          "ORDER BY closed_at, id", (since, until))
        return [(case_id, revision) for case_id, revision in rows]

    # Work items -------------------------------------------------------------------------------------

    def work_item(self, item_id: str) -> WorkItem:
        return self._one(WorkItem, "SELECT doc::text FROM work_items WHERE id = %s", item_id,
                         f"no work item '{item_id}'")

    def work_items(self, query: WorkQuery) -> list[WorkItem]:
        """A page of `query`; with queues, each queue's first items from its index, then merged."""
        self._check_ready()
        queues = None if query.queues is None else list(dict.fromkeys(query.queues))
        if query.limit <= 0 or queues == []:
            return []
        sql, params = _work_query(query, queues)
        return self._models(WorkItem, self._column(sql, params))

    def count_open_work_items(self) -> dict[str, int]:
        """Folds the per-queue changes steps appended since the last count into the counts, then reads them."""
        with self._connection() as connection, connection.transaction():
            connection.execute(
                b"WITH moved AS (DELETE FROM open_work_changes RETURNING queue, delta) "
                b"INSERT INTO open_work_counts (queue, open) SELECT queue, sum(delta) FROM moved GROUP BY queue "
                b"ON CONFLICT (queue) DO UPDATE SET open = open_work_counts.open + EXCLUDED.open")
            rows = connection.execute(b"SELECT queue, open FROM open_work_counts WHERE open > 0").fetchall()
        return {queue: count for queue, count in rows}

    def worklist_marker(self) -> int:
        """Changes with every commit of this process that adds a work item or changes what worklists show."""
        self._check_ready()
        return self._marker

    # Jobs and outbox ----------------------------------------------------------------------------------

    def due_jobs(self, now: datetime, limit: int = 100) -> list[Job]:
        return self._models(Job, self._column(
            "SELECT doc::text FROM jobs WHERE NOT done AND due_at <= %s ORDER BY due_at, id LIMIT %s",
            (now, max(limit, 0))))

    def job(self, job_id: str) -> Job:
        return self._one(Job, "SELECT doc::text FROM jobs WHERE id = %s", job_id, f"no job '{job_id}'")

    def case_jobs(self, case_id: str) -> list[Job]:
        return self._models(Job, self._column(
            "SELECT doc::text FROM jobs WHERE case_id = %s ORDER BY due_at, id", (case_id,)))

    def outbox(self, *, case_id: str | None = None, due_before: datetime | None = None) -> list[OutboxEntry]:
        """Entries of a case (every status), or pending ones due by `due_before`; with neither, all pending."""
        where = [] if case_id is not None and due_before is None else [_AWAITING]
        if case_id is not None:
            where.append("case_id = %(case_id)s")
        if due_before is not None:
            where.append("next_attempt_at <= %(due)s")
        return self._models(OutboxEntry, self._column(
            f"SELECT doc::text FROM outbox WHERE {' AND '.join(where)} ORDER BY created_at, id",
            {"case_id": case_id, "due": due_before}))

    # Audit --------------------------------------------------------------------------------------------

    def audit_events(self, case_id: str) -> list[AuditEvent]:
        return self._models(AuditEvent, self._column(
            "SELECT doc::text FROM audit_events WHERE case_id = %s ORDER BY seq, id", (case_id,)))

    # Attachments --------------------------------------------------------------------------------------

    def attachments(self, case_id: str) -> list[Attachment]:
        return self._models(Attachment, self._column(
            "SELECT doc::text FROM attachments WHERE case_id = %s ORDER BY added_at, id", (case_id,)))

    def attachment_content(self, case_id: str, attachment_id: str) -> bytes:
        rows = self._rows("SELECT content FROM attachments JOIN attachment_contents USING (id) "
                          "WHERE case_id = %s AND id = %s", (case_id, attachment_id))
        if not rows:
            raise NotFound(f"case '{case_id}' has no attachment '{attachment_id}'")
        return bytes(rows[0][0])

    # Customers, contacts and users ----------------------------------------------------------------------

    def customer(self, customer_id: str) -> Customer:
        return self._one(Customer, "SELECT doc::text FROM customers WHERE id = %s", customer_id,
                         f"no customer '{customer_id}'")

    def customers(self) -> list[Customer]:
        return self._models(Customer, self._column("SELECT doc::text FROM customers ORDER BY id"))

    def find_customers(self, field: SearchField, key: str, limit: int = 50) -> list[Customer]:
        key = key.strip()
        if not key or limit <= 0:
            return []
        if field is SearchField.NAME:  # every part of the key starts a part of the name
            parts = sorted(set(key.split()), key=len, reverse=True)
            matches = [("name", _like_prefix(part)) for part in parts]
            found = " AND ".join("id IN (SELECT customer_id FROM customer_keys WHERE kind = %s AND key LIKE %s)"
                                 for _ in matches)
        else:
            matches = [(customer_search_field(field, key), key)]
            found = "id IN (SELECT customer_id FROM customer_keys WHERE kind = %s AND key = %s)"
        params = [value for match in matches for value in match]
        return self._models(Customer, self._column(
            f"SELECT doc::text FROM customers WHERE {found} ORDER BY name_key, id LIMIT %s", (*params, limit)))

    def contact(self, contact_id: str) -> Contact:
        return self._one(Contact, "SELECT doc::text FROM contacts WHERE id = %s", contact_id,
                         f"no contact '{contact_id}'")

    def contacts(self, *, customer_id: str | None = None) -> list[Contact]:
        where = "" if customer_id is None else "WHERE customer_id = %(customer_id)s"
        return self._models(Contact, self._column(f"SELECT doc::text FROM contacts {where} ORDER BY at, id",
                                                  {"customer_id": customer_id}))

    def user(self, user_id: str) -> User:
        return self._one(User, "SELECT doc::text FROM users WHERE id = %s", user_id, f"no user '{user_id}'")

    def users(self) -> list[User]:
        return self._models(User, self._column("SELECT doc::text FROM users ORDER BY id"))

    # Closing --------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close every connection; closing twice is harmless."""
        if not self._closed:
            self._closed = True
            self._pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Helpers ----------------------------------------------------------------------------------------------

    def _check_ready(self) -> None:
        if self._closed:
            raise StoreError(f"the store on {self.where} is closed")

    @contextlib.contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        """A pooled connection; the database's errors become StoreErrors that say what happened."""
        self._check_ready()
        try:
            with self._pool.connection() as connection:
                yield connection
        except (errors.DeadlockDetected, errors.SerializationFailure) as error:
            raise ConflictError(f"another step changed the same documents at the same moment ({_reason(error)}); "
                                "reload and try again") from None
        except errors.UniqueViolation as error:
            raise StoreError(f"something with that id is already stored ({_reason(error)}); "
                             "the audit log is append-only") from None
        except (errors.ForeignKeyViolation, errors.RaiseException) as error:
            raise StoreError(f"the database refused the step: {_reason(error)}") from None
        except errors.UntranslatableCharacter as error:
            raise StoreError(f"the step cannot be stored: {_reason(error)} (JSONB cannot hold the character "
                             "U+0000; remove it)") from None
        except errors.DataError as error:
            raise StoreError(f"the step cannot be stored: {_reason(error)}") from None
        except PoolTimeout:
            raise StoreError(f"no connection to {self.where} became free in time; the database is overloaded "
                             "or unreachable") from None
        except psycopg.OperationalError as error:
            raise StoreError(f"lost the connection to {self.where}: {_reason(error)}") from None

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        with self._connection() as connection:
            return connection.execute(sql.encode(), params).fetchall()

    def _column(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        return [row[0] for row in self._rows(sql, params)]

    def _execute(self, sql: str, params: Sequence[Any]) -> None:
        with self._connection() as connection:
            connection.execute(sql.encode(), params)

    def _one(self, model: type[M], sql: str, doc_id: str, missing: str) -> M:
        texts = self._column(sql, (doc_id,))
        if not texts:
            raise NotFound(missing)
        return self._model(model, texts[0])

    def _models(self, model: type[M], texts: Iterable[str]) -> list[M]:
        return [self._model(model, text) for text in texts]

    def _model(self, model: type[M], text: str) -> M:
        try:
            return model.model_validate_json(text)
        except ValidationError as error:
            problem = error.errors()[0]
            where = ".".join(map(str, problem["loc"]))
            raise StoreError(f"{self.where} holds a damaged {model.__name__} ({where}: {problem['msg']}); "
                             "restore it from a backup") from None


def _configure(connection: psycopg.Connection) -> None:
    """Times without a zone are UTC, as `indexes.micros` takes them."""
    connection.execute("SET TIME ZONE 'UTC'")


def _reason(error: psycopg.Error) -> str:
    return (error.diag.message_primary or str(error)).strip() if error.diag else str(error).strip()


def _like_prefix(text: str) -> str:
    """A LIKE pattern for text starting with `text`."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _work_query(query: WorkQuery, queues: list[str] | None) -> tuple[str, dict[str, Any]]:
    """SQL and parameters of a worklist page. The open status is written literally, so the partial indexes
    of open items apply; with queues, each queue's first `offset + limit` items come from its own index and
    only those are merged (as the embedded stores merge their per-queue lists)."""
    status = str(query.status)
    where = [f"status = '{_OPEN}'" if status == _OPEN else "status = %(status)s"]
    if query.assignee is not None:
        where.append("assignee = %(assignee)s")
    if query.unassigned:
        where.append("assignee IS NULL")
    if query.case_id is not None:
        where.append("case_id = %(case_id)s")
    if query.process_key is not None:
        where.append("process_key = %(process_key)s")
    if query.sla is not None:
        where.append(_SLA[query.sla])
    order = _PRIORITY_ORDER if query.order is WorkOrder.PRIORITY else _DEADLINE_ORDER
    offset = max(query.offset, 0)
    params = {"status": status, "assignee": query.assignee, "case_id": query.case_id,
              "process_key": query.process_key, "now": query.now, "limit": query.limit, "offset": offset,
              "first": offset + query.limit, "queues": queues}
    keys = "id, due_at, priority, created_at"
    if queues is None:
        page = (f"SELECT {keys} FROM work_items WHERE {' AND '.join(where)} ORDER BY {order.format(t='')} "
                "LIMIT %(limit)s OFFSET %(offset)s")
    else:
        where.append('queue = q.queue COLLATE "C"')
        page = (f"SELECT w.* FROM unnest(%(queues)s::text[]) AS q (queue) CROSS JOIN LATERAL "
                f"(SELECT {keys} FROM work_items WHERE {' AND '.join(where)} ORDER BY {order.format(t='')} "
                f"LIMIT %(first)s) AS w ORDER BY {order.format(t='w.')} LIMIT %(limit)s OFFSET %(offset)s")
    # The page is found from the index columns alone; only its own rows' documents are then read.
    sql = (f"SELECT w.doc::text FROM ({page}) AS page JOIN work_items w ON w.id = page.id "
           f"ORDER BY {order.format(t='page.')}")
    return sql, params


# Commit: what the rules ask, and the writes ---------------------------------------------------------------


@dataclass
class _Known:
    """What the commit rules ask about stored documents (`rules.Stored`), read in the commit's transaction."""

    case_revisions: dict[str, int] = field(default_factory=dict)
    contact_revisions: dict[str, int] = field(default_factory=dict)
    work_entries: dict[str, WorkEntry] = field(default_factory=dict)
    job_cases: dict[str, str] = field(default_factory=dict)
    audit_events: set[tuple[str, str]] = field(default_factory=set)
    version_hashes: dict[tuple[str, int], str] = field(default_factory=dict)
    attachment_contents: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, connection: psycopg.Connection, changes: Changes) -> _Known:
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
        )

    def case_revision(self, case_id: str) -> int | None:
        return self.case_revisions.get(case_id)

    def contact_revision(self, contact_id: str) -> int | None:
        return self.contact_revisions.get(contact_id)

    def work_item_case(self, item_id: str) -> str | None:
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


class _Rows:
    """The JSON text of every document of a commit, by `id()` of the object; StoreError naming one that cannot
    be written as JSON. Cases and contacts are written with their new revision."""

    def __init__(self, changes: Changes) -> None:
        self.texts: dict[int, str] = {}
        docs: list[BaseModel] = [*changes.work_items, *changes.jobs, *changes.outbox, *changes.audit,
                                 *changes.customers, *changes.users, *changes.attachments]
        for doc in docs:
            self.texts[id(doc)] = document_text(doc.model_dump_json, doc).decode()
        for version, bundle in changes.versions:
            self.texts[id(version)] = document_text(version.model_dump_json, version).decode()
            self.texts[id(bundle)] = document_text(lambda b=bundle: to_json(b), version).decode()

    def __getitem__(self, doc: object) -> str:
        return self.texts[id(doc)]


def _revised(doc: Case | Contact, revision: int) -> str:
    return document_text(doc.model_copy(update={"revision": revision}).model_dump_json, doc).decode()


def _write(connection: psycopg.Connection, changes: Changes, revisions: list[int], rows: _Rows) -> None:
    """Write every document of `changes` (checked by the rules); a write that finds the row changed since the
    rules read it refuses the step like the rules would."""
    revised = [(case, read_at, revision, _revised(case, revision))
               for (case, read_at), revision in zip(changes.cases, revisions, strict=True)]
    contacts = [(contact, _revised(contact, contact.revision + 1)) for contact in changes.contacts]
    with connection.pipeline():
        case_writes = [(case, read_at, _write_case(connection, case, read_at, revision, text))
                       for case, read_at, revision, text in sorted(revised, key=lambda r: r[0].id)]
        contact_writes = [(contact, _write_contact(connection, contact, contact.revision or None,
                                                   contact.revision + 1, text))
                          for contact, text in sorted(contacts, key=lambda c: c[0].id)]
        version_writes, item_writes, job_writes = _write_documents(connection, changes, rows)
    for case, read_at, cursor in case_writes:
        if cursor.rowcount == 0:
            stored = connection.execute("SELECT revision FROM cases WHERE id = %s", (case.id,)).fetchone()
            raise ConflictError(case_conflict(case.id, read_at, stored[0] if stored else None))
    for contact, cursor in contact_writes:
        if cursor.rowcount == 0:
            stored = connection.execute("SELECT revision FROM contacts WHERE id = %s", (contact.id,)).fetchone()
            raise ConflictError(contact_conflict(contact.id, contact.revision, stored[0] if stored else 0))
    for version, cursor in version_writes:
        if cursor.rowcount == 0:
            raise ConflictError(version_conflict(version))
    for kind, table, docs, cursor in (("work item", "work_items", changes.work_items, item_writes),
                                      ("job", "jobs", changes.jobs, job_writes)):
        if cursor is not None and cursor.rowcount < len({doc.id for doc in docs}):
            _refuse_moved(connection, kind, table, docs)


def _write_documents(connection: psycopg.Connection, changes: Changes,
                     rows: _Rows) -> tuple[list[tuple[Version, psycopg.Cursor]], psycopg.Cursor | None,
                                           psycopg.Cursor | None]:
    """Write everything but cases and contacts; the cursors whose row counts tell whether a guard refused."""
    _write_bundles(connection, changes, rows)
    version_writes = [(version, _write_version(connection, version, rows[version])) for version, _ in changes.versions]
    item_writes = _write_work_items(connection, changes.work_items, rows)
    job_writes = _write_jobs(connection, changes.jobs, rows)
    _write_others(connection, changes, rows)
    return version_writes, item_writes, job_writes


def _write_case(connection: psycopg.Connection, case: Case, read_at: int | None, revision: int,
                text: str) -> psycopg.Cursor:
    values = (revision, case.process_key, case.customer_id, case.status is CaseStatus.ACTIVE, case.started_at,
              case.closed_at, text)
    if read_at is None:
        return connection.execute(
            b"INSERT INTO cases (revision, process_key, customer_id, active, started_at, closed_at, doc, id) "
            b"VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s) ON CONFLICT (id) DO NOTHING", (*values, case.id))
    return connection.execute(
        b"UPDATE cases SET revision = %s, process_key = %s, customer_id = %s, active = %s, started_at = %s, "
        b"closed_at = %s, doc = %s::jsonb WHERE id = %s AND revision = %s", (*values, case.id, read_at))


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


def _write_bundles(connection: psycopg.Connection, changes: Changes, rows: _Rows) -> None:
    for version, bundle in changes.versions:
        connection.execute(b"INSERT INTO bundles (hash, doc) VALUES (%s, %s::jsonb) ON CONFLICT (hash) DO NOTHING",
                           (version.hash, rows[bundle]))


def _write_version(connection: psycopg.Connection, version: Version, text: str) -> psycopg.Cursor:
    """Insert the version, or replace it when the same number has the same content; no row: other content."""
    return connection.execute(
        b"INSERT INTO versions (process_key, number, hash, published_at, doc) VALUES (%s, %s, %s, %s, %s::jsonb) "
        b"ON CONFLICT (process_key, number) DO UPDATE SET published_at = EXCLUDED.published_at, doc = EXCLUDED.doc "
        b"WHERE versions.hash = EXCLUDED.hash",
        (version.process_key, version.number, version.hash, version.published_at, text))


def _write_work_items(connection: psycopg.Connection, items: list[WorkItem], rows: _Rows) -> psycopg.Cursor | None:
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
          item.warning_at, item.priority, item.created_at, rows[item]) for item in _last_of_each(items)])
    return cursor


def _write_jobs(connection: psycopg.Connection, jobs: list[Job], rows: _Rows) -> psycopg.Cursor | None:
    """Upsert the jobs (never their lease); a row that belongs to another case is left alone."""
    if not jobs:
        return None
    cursor = connection.cursor()
    cursor.executemany(
        b"INSERT INTO jobs (id, case_id, due_at, done, doc) VALUES (%s, %s, %s, %s, %s::jsonb) "
        b"ON CONFLICT (id) DO UPDATE SET due_at = EXCLUDED.due_at, done = EXCLUDED.done, doc = EXCLUDED.doc "
        b"WHERE jobs.case_id = EXCLUDED.case_id",
        [(job.id, job.case_id, job.due_at, job.done, rows[job]) for job in _last_of_each(jobs)])
    return cursor


def _write_others(connection: psycopg.Connection, changes: Changes, rows: _Rows) -> None:
    """Outbox entries (never their lease), audit events (inserted only), attachments, customers, users."""
    cursor = connection.cursor()
    if changes.outbox:
        cursor.executemany(
            b"INSERT INTO outbox (id, case_id, status, next_attempt_at, created_at, doc) "
            b"VALUES (%s, %s, %s, %s, %s, %s::jsonb) ON CONFLICT (id) DO UPDATE SET case_id = EXCLUDED.case_id, "
            b"status = EXCLUDED.status, next_attempt_at = EXCLUDED.next_attempt_at, "
            b"created_at = EXCLUDED.created_at, doc = EXCLUDED.doc",
            [(entry.id, entry.case_id, str(entry.status), entry.next_attempt_at, entry.created_at, rows[entry])
             for entry in _last_of_each(changes.outbox)])
    if changes.audit:
        cursor.executemany(b"INSERT INTO audit_events (case_id, id, seq, doc) VALUES (%s, %s, %s, %s::jsonb)",
                           [(event.case_id, event.id, event.seq, rows[event]) for event in changes.audit])
    if changes.attachments:
        cursor.executemany(
            b"INSERT INTO attachments (case_id, id, added_at, doc) VALUES (%s, %s, %s, %s::jsonb) "
            b"ON CONFLICT (case_id, id) DO UPDATE SET added_at = EXCLUDED.added_at, doc = EXCLUDED.doc",
            [(a.case_id, a.id, a.added_at, rows[a]) for a in _last_of_each(changes.attachments)])
    if changes.customers:
        customers = _last_of_each(changes.customers)
        entries = [customer_entry(from_json(rows[customer])) for customer in customers]
        cursor.executemany(
            b"INSERT INTO customers (id, name_key, doc) VALUES (%s, %s, %s::jsonb) "
            b"ON CONFLICT (id) DO UPDATE SET name_key = EXCLUDED.name_key, doc = EXCLUDED.doc",
            [(entry.id, entry.name, rows[customer]) for customer, entry in zip(customers, entries, strict=True)])
        cursor.execute(b"DELETE FROM customer_keys WHERE customer_id = ANY(%s)", ([entry.id for entry in entries],))
        keys = [(entry.id, kind, key) for entry in entries
                for kind, key in [*customer_search_keys(entry), *(("name", part) for part in set(entry.name.split()))]]
        if keys:
            cursor.executemany(b"INSERT INTO customer_keys (customer_id, kind, key) VALUES (%s, %s, %s)", keys)
    if changes.users:
        cursor.executemany(b"INSERT INTO users (id, doc) VALUES (%s, %s::jsonb) "
                           b"ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc",
                           [(user.id, rows[user]) for user in _last_of_each(changes.users)])


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
