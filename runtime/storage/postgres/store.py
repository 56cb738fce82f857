"""The PostgreSQL store: several app and worker processes share one database.

Plain SQL over a psycopg connection pool, no ORM. Each document kind has
its table (schema in migrations/): the document as JSONB plus, as columns,
the fields queries filter and sort on, with partial indexes for the
worklists, due jobs, the pending outbox and the monitor.

**Commit.** A `Changes` is serialised first (an unstorable document stops
the step before the database is touched); then one transaction reads what
the commit rules ask (sent with BEGIN: one round trip), checks it with the
rules every store applies (`rules.check_changes`), and writes everything
with guards against what changed meanwhile (a second round trip; COMMIT is
the third): see `writes`.

**Live views.** A commit that adds a work item or changes what worklists
show sends `NOTIFY` in its transaction (delivered only if it commits); the
first `worklist_marker` call starts this process's one listening connection
(`live.Listener`), and from then on the marker moves with every such commit
of any process on the database, and once after a lost connection is back.

**Claims.** Due jobs and outbox entries are claimed with `SELECT ... FOR
UPDATE SKIP LOCKED` and a lease (owner, until) stored on the row and timed
by the database's clock; commits never touch the lease columns, so an
entry being sent stays with its sender until it is marked sent.

Reads return fresh objects parsed from each row's JSON. Text keys sort by
code point (COLLATE "C") and times are timestamptz (microseconds), so
every order is the embedded stores' order. JSONB keeps objects' keys in
its own order and cannot hold the character U+0000: a step with such a
document is refused whole with a `StoreError` saying so.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import psycopg
from psycopg import errors
from psycopg_pool import ConnectionPool, PoolTimeout
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json

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
    WorkItemStatus,
)
from runtime.errors import ConflictError, NotFound, StoreError
from runtime.storage.base import (
    Changes,
    ClosedCaseDays,
    ClosedDay,
    OpenWorkCount,
    Store,
    WorkOrder,
    WorkQuery,
    check_attachment,
)
from runtime.storage.indexes import closed_case, customer_search_field, job_order, outbox_order, work_entry
from runtime.storage.postgres.live import CHANNEL, Listener, Marker, new_sender
from runtime.storage.postgres.schema import check_schema, display_url
from runtime.storage.postgres.writes import Known, Texts, write, write_as_they_are
from runtime.storage.rules import check_changes

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

    def __init__(self, pool: ConnectionPool, url: str) -> None:
        self._pool = pool
        self._url = url
        self.where = display_url(url)
        self._closed = False
        self._marker = Marker()
        self._sender = new_sender()
        self._listener: Listener | None = None
        self._listener_lock = threading.Lock()

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
        return cls(pool, url)

    # Writing --------------------------------------------------------------------------------------

    def commit(self, changes: Changes) -> None:
        """Apply `changes` in one transaction; each committed `Case`, `Contact` and `Record` object gets its new
        revision."""
        self._check_ready()
        if changes.is_empty():
            return
        texts = Texts(changes)  # every document as JSON text, before the database is touched
        with self._connection() as connection, connection.pipeline(), connection.transaction():
            known = Known.read(connection, changes)  # sent with BEGIN: one round trip
            revisions = check_changes(changes, known)
            write(connection, changes, revisions, texts)
            work_changed = any(known.work_entries.get(item.id) != work_entry(vars(item))
                               for item in changes.work_items)
            if work_changed:
                connection.execute(b"SELECT pg_notify(%s, %s)", (CHANNEL, self._sender))  # sent if this commits
        for (case, _), revision in zip(changes.cases, revisions, strict=True):
            case.revision = revision
        for doc in [*changes.contacts, *changes.records]:
            doc.revision += 1
        if work_changed:
            self._marker.move()  # at once, not only when this process's own notification arrives

    def load(self, changes: Changes) -> None:
        """Write `changes` as they are, in one transaction, keeping each case's and contact's revision.

        For copying a whole store into an empty database (`copy_store`): the commit rules are not applied
        and a document whose id is already stored is left as it was.
        """
        self._check_ready()
        texts = Texts(changes, as_they_are=True)
        with self._connection() as connection, connection.transaction(), connection.pipeline():
            write_as_they_are(connection, changes, texts)

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
        where, params = _case_filter(process_key, customer_id, active)
        return self._models(Case, self._column(
            f"SELECT doc::text FROM cases WHERE {where} ORDER BY started_at, id", params))

    def case_ids(self, *, process_key: str | None = None, customer_id: str | None = None, active: bool | None = None,
                 started_since: datetime | None = None, started_until: datetime | None = None) -> list[str]:
        where, params = _case_filter(process_key, customer_id, active, started_since, started_until)
        return self._column(f"SELECT id FROM cases WHERE {where} ORDER BY started_at, id", params)

    def version_case_counts(self, process_key: str) -> dict[int, tuple[int, int]]:
        rows = self._rows("SELECT version, count(*), count(*) FILTER (WHERE active) FROM cases "
                          "WHERE process_key = %s GROUP BY version", (process_key,))
        return {version: (started, open_) for version, started, open_ in rows}

    def audit_heads(self) -> dict[str, tuple[int, str]]:
        return {case_id: (count, head) for case_id, count, head in
                self._rows("SELECT id, audit_count, audit_head FROM cases ORDER BY id")}

    def closed_case_days(self, since: datetime, until: datetime) -> ClosedCaseDays:
        """Summed here from the facts each case closed in the range keeps in its document (the fields
        `indexes.closed_case` reads, not whole cases), so the cost grows with the cases in the range."""
        rows = self._rows(
            "SELECT id, revision, jsonb_build_object('process_key', process_key, 'closed_at', doc->'closed_at', "
            "'started_at', doc->'started_at', 'due_at', doc->'due_at', 'root_cause', doc->'root_cause', "
            "'facts', doc->'facts')::text FROM cases WHERE closed_at >= %s AND closed_at < %s ORDER BY closed_at, id",
            (since, until))
        days: dict[tuple[date, str], ClosedDay] = {}
        without: list[tuple[str, int]] = []
        for case_id, revision, fields in rows:
            closed = closed_case(from_json(fields))
            if closed is None:
                without.append((case_id, revision))
            else:
                days.setdefault((closed.day, closed.process_key), ClosedDay(closed.day, closed.process_key)).add(
                    closed)
        return ClosedCaseDays([days[key] for key in sorted(days)], without)

    # Work items -------------------------------------------------------------------------------------

    def work_item(self, item_id: str) -> WorkItem:
        return self._one(WorkItem, "SELECT doc::text FROM work_items WHERE id = %s", item_id,
                         f"no work item '{item_id}'")

    def work_item_case(self, item_id: str) -> str:
        [case_id] = self._column("SELECT case_id FROM work_items WHERE id = %s", (item_id,)) or [None]
        if case_id is None:
            raise NotFound(f"no work item '{item_id}'")
        return case_id

    def work_items(self, query: WorkQuery) -> list[WorkItem]:
        """A page of `query`; with queues, each queue's first items from its index, then merged."""
        self._check_ready()
        queues = None if query.queues is None else list(dict.fromkeys(query.queues))
        if query.limit <= 0 or queues == []:
            return []
        sql, params = _work_query(query, queues)
        return self._models(WorkItem, self._column(sql, params))

    def count_work_items(self, query: WorkQuery) -> int:
        """A COUNT with the worklist query's filters (the same partial indexes serve it)."""
        self._check_ready()
        queues = None if query.queues is None else list(dict.fromkeys(query.queues))
        if queues == []:
            return 0
        where, params = _work_filter(query)
        if queues is not None:
            where.append("queue = ANY(%(queues)s::text[])")
            params["queues"] = queues
        [count] = self._column(f"SELECT count(*) FROM work_items WHERE {' AND '.join(where)}", params)
        return count

    def count_open_work_items(self) -> dict[str, int]:
        """Folds the per-queue changes steps appended since the last count into the counts, then reads them."""
        with self._connection() as connection, connection.transaction():
            connection.execute(
                b"WITH moved AS (DELETE FROM open_work_changes RETURNING queue, delta) "
                b"INSERT INTO open_work_counts (queue, open) SELECT queue, sum(delta) FROM moved GROUP BY queue "
                b"ON CONFLICT (queue) DO UPDATE SET open = open_work_counts.open + EXCLUDED.open")
            rows = connection.execute(b"SELECT queue, open FROM open_work_counts WHERE open > 0").fetchall()
        return {queue: count for queue, count in rows}

    def open_work_counts(self, now: datetime) -> list[OpenWorkCount]:
        """One GROUP BY over the open items (`SlaStatus.at` written as conditions on their deadlines)."""
        rows = self._rows(
            "SELECT GROUPING(queue) = 0, coalesce(queue, process_key), count(*), "
            "count(*) FILTER (WHERE due_at > %(now)s AND (warning_at IS NULL OR warning_at > %(now)s)), "
            "count(*) FILTER (WHERE due_at > %(now)s AND warning_at <= %(now)s), "
            "count(*) FILTER (WHERE due_at <= %(now)s), min(created_at) "
            "FROM work_items WHERE status = 'open' GROUP BY GROUPING SETS ((queue), (process_key))", {"now": now})
        counts = [OpenWorkCount("queue" if by_queue else "process", name, pending, on_track, at_risk, breached, oldest)
                  for by_queue, name, pending, on_track, at_risk, breached, oldest in rows]
        return sorted(counts, key=lambda count: (count.by != "queue", count.name))

    def worklist_marker(self) -> int:
        """Changes with every commit of any process on the database that adds a work item or changes what
        worklists show; the first call starts listening (see the module's docstring)."""
        self._check_ready()
        with self._listener_lock:
            if self._listener is None:
                self._listener = Listener(self._url, self._sender, self._marker.move)
                self._listener.start()
        return self._marker.value

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

    # Records ----------------------------------------------------------------------------------------------

    def record(self, kind: str, key: str) -> Record:
        texts = self._column("SELECT doc::text FROM records WHERE kind = %s AND key = %s AND NOT removed",
                             (kind, key))
        if not texts:
            raise NotFound(f"no {kind} '{key}'")
        return self._model(Record, texts[0])

    def records(self, kind: str) -> list[Record]:
        return self._models(Record, self._column(
            "SELECT doc::text FROM records WHERE kind = %s AND NOT removed ORDER BY key", (kind,)))

    def record_kinds(self) -> list[str]:
        return self._column("SELECT DISTINCT kind FROM records ORDER BY kind")

    def record_revision(self, kind: str, key: str) -> int:
        [revision] = self._column("SELECT revision FROM records WHERE kind = %s AND key = %s", (kind, key)) or [0]
        return revision

    def user(self, user_id: str) -> User:
        return self._one(User, "SELECT doc::text FROM users WHERE id = %s", user_id, f"no user '{user_id}'")

    def users(self) -> list[User]:
        return self._models(User, self._column("SELECT doc::text FROM users ORDER BY id"))

    # Closing --------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close every connection; closing twice is harmless."""
        if not self._closed:
            self._closed = True
            with self._listener_lock:
                if self._listener is not None:
                    self._listener.stop()
            self._pool.close()

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


def _case_filter(process_key: str | None, customer_id: str | None, active: bool | None,
                 started_since: datetime | None = None, started_until: datetime | None = None,
                 ) -> tuple[str, dict[str, Any]]:
    """The condition on cases matching every given filter (started in [since, until)), and its parameters."""
    where = ["TRUE"]
    if process_key is not None:
        where.append("process_key = %(process_key)s")
    if customer_id is not None:
        where.append("customer_id = %(customer_id)s")
    if active is not None:
        where.append("active" if active else "NOT active")
    if started_since is not None:
        where.append("started_at >= %(since)s")
    if started_until is not None:
        where.append("started_at < %(until)s")
    return " AND ".join(where), {"process_key": process_key, "customer_id": customer_id, "since": started_since,
                                 "until": started_until}


def _work_filter(query: WorkQuery) -> tuple[list[str], dict[str, Any]]:
    """The conditions of `query` but its queues, and their parameters. The open status is written literally,
    so the partial indexes of open items apply."""
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
    return where, {"status": status, "assignee": query.assignee, "case_id": query.case_id,
                   "process_key": query.process_key, "now": query.now}


def _work_query(query: WorkQuery, queues: list[str] | None) -> tuple[str, dict[str, Any]]:
    """SQL and parameters of a worklist page (`_work_filter`); with queues, each queue's first `offset + limit`
    items come from its own index and only those are merged (as the embedded stores merge their per-queue
    lists)."""
    where, params = _work_filter(query)
    order = _PRIORITY_ORDER if query.order is WorkOrder.PRIORITY else _DEADLINE_ORDER
    offset = max(query.offset, 0)
    params |= {"limit": query.limit, "offset": offset, "first": offset + query.limit, "queues": queues}
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
