"""The one storage interface every backend implements.

The engine never talks to a database directly: it reads documents through a
`Store` and hands each step's writes to `Store.commit` as one `Changes`,
which is applied completely or not at all. Callers depend only on this
module, so a server database can replace the embedded store without
changing them. Every implementation passes tests/storage (the contract).
"""

from __future__ import annotations

import os
import re
import socket
from abc import ABC, abstractmethod
from bisect import insort
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, Self

from models.customers import Customer, SearchField
from runtime.documents import (
    ATTACHMENT_LIMIT,
    Attachment,
    AuditEvent,
    Case,
    Contact,
    Job,
    OutboxEntry,
    Record,
    SealedEvent,
    SlaStatus,
    User,
    Version,
    WorkItem,
    WorkItemStatus,
    WorkOrder,
)
from runtime.errors import AttachmentTooLarge, NotFound, StoreError

_ATTACHMENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
_RECORD_KIND = re.compile(r"[a-z][a-z_]{0,39}")


def check_attachment(attachment_id: str, content: bytes) -> None:
    """Refuse an id that is not a plain file name (letters, digits, - and _) and content over the limit."""
    if not _ATTACHMENT_ID.fullmatch(attachment_id):
        raise StoreError(f"'{attachment_id}' cannot name an attachment; use letters, digits, '-' and '_'")
    if len(content) > ATTACHMENT_LIMIT:
        raise AttachmentTooLarge(f"the file has {len(content):,} bytes; an attachment may have at most "
                                 f"{ATTACHMENT_LIMIT // (1024 * 1024)} MB ({ATTACHMENT_LIMIT:,} bytes)")



def check_record_kind(kind: str) -> None:
    """Refuse a kind of record that is not a plain lowercase name (stores may use it in file names)."""
    if not _RECORD_KIND.fullmatch(kind):
        raise StoreError(f"'{kind}' cannot name a kind of record; use lowercase letters and '_'")


def lease_owner(holder: object) -> str:
    """A name for who claims jobs or outbox entries: this host and process, and the claiming object in it."""
    return f"{socket.gethostname()}:{os.getpid()}:{id(holder):x}"


def attachment_order(attachment: Attachment) -> tuple[datetime, str]:
    """Attachments oldest first."""
    return attachment.added_at, attachment.id


@dataclass
class Changes:
    """Everything one step writes, committed together or not at all.

    `cases` pairs each case with the revision it was read at (None for a new
    case): if the stored revision differs, the whole commit is refused with
    a `ConflictError` (optimistic concurrency). A stored case gets revision + 1
    (1 for a new case), which the store also sets on the caller's `Case` object
    once the commit succeeded.
    """

    cases: list[tuple[Case, int | None]] = field(default_factory=list)
    work_items: list[WorkItem] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    outbox: list[OutboxEntry] = field(default_factory=list)
    audit: list[SealedEvent] = field(default_factory=list)  # new events as the step sealed them
    versions: list[tuple[Version, dict[str, Any]]] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)  # their bytes put before (put_attachment_content)
    records: list[Record] = field(default_factory=list)  # each as read (revision), or new (revision 0)

    def is_empty(self) -> bool:
        return not any(vars(self).values())


#: Where a work item stands against its service level at a moment (as `SlaStatus.at` decides).
SLA_STATUSES = tuple(status.value for status in SlaStatus)


@dataclass(frozen=True)
class WorkQuery:
    """Which work items to list, in `order`.

    `unassigned` keeps only items nobody has claimed; `sla` keeps only items with
    that status (one of `SLA_STATUSES`) at the moment `now`; items without a
    deadline have no SLA status.
    """

    queues: tuple[str, ...] | None = None
    assignee: str | None = None
    case_id: str | None = None
    process_key: str | None = None
    status: WorkItemStatus = WorkItemStatus.OPEN
    limit: int = 50
    offset: int = 0
    unassigned: bool = False
    sla: str | None = None
    now: datetime | None = None
    order: WorkOrder = WorkOrder.DEADLINE

    def __post_init__(self) -> None:
        if self.unassigned and self.assignee is not None:
            raise ValueError("a work query asks for items of an assignee or for unassigned items, not both")
        if self.sla is not None and self.sla not in SLA_STATUSES:
            raise ValueError(f"unknown SLA status '{self.sla}' (choose: {', '.join(SLA_STATUSES)})")
        if self.sla is not None and self.now is None:
            raise ValueError("a work query by SLA status needs the moment (`now`) it is judged at")


class ClosedCase(NamedTuple):
    """What one closed case adds to its `ClosedDay` (durations in microseconds, `closed` since 1970)."""

    process_key: str
    day: date
    closed: int
    resolution: int
    first_response: int | None
    first_time_right: bool
    tasks_with_sla: int
    tasks_on_time: int
    case_sla_met: bool | None  # None: the process has no case SLA
    root_cause: str | None
    waits: tuple[tuple[str, int], ...]  # (node, microseconds)
    edges: tuple[tuple[str, int], ...]  # (edge, times followed)


@dataclass
class ClosedDay:
    """The cases of one process closed on one local day, summed for the monitor's figures.

    Durations are whole microseconds; `resolutions` and `first_responses` are kept sorted, so a
    median over many days takes a few bisections per day (`runtime.metrics`). `first` and `last`
    are when its first and last case closed (microseconds since 1970).
    """

    day: date
    process_key: str
    cases: int = 0
    first: int = 0
    last: int = 0
    resolutions: list[int] = field(default_factory=list)
    first_responses: list[int] = field(default_factory=list)
    first_time_right: int = 0
    tasks_with_sla: int = 0
    tasks_on_time: int = 0
    case_slas: int = 0
    case_slas_met: int = 0
    root_causes: dict[str, int] = field(default_factory=dict)
    waits: dict[str, list[int]] = field(default_factory=dict)  # node -> [waits, microseconds in all]
    edges: dict[str, int] = field(default_factory=dict)

    def add(self, case: ClosedCase) -> None:
        self.first = case.closed if not self.cases else min(self.first, case.closed)
        self.last = case.closed if not self.cases else max(self.last, case.closed)
        self.cases += 1
        insort(self.resolutions, case.resolution)
        if case.first_response is not None:
            insort(self.first_responses, case.first_response)
        self.first_time_right += case.first_time_right
        self.tasks_with_sla += case.tasks_with_sla
        self.tasks_on_time += case.tasks_on_time
        if case.case_sla_met is not None:
            self.case_slas += 1
            self.case_slas_met += case.case_sla_met
        self.count_root_cause(case.root_cause, 1)
        for node, wait in case.waits:
            total = self.waits.setdefault(node, [0, 0])
            total[0] += 1
            total[1] += wait
        for edge, times in case.edges:
            self.edges[edge] = self.edges.get(edge, 0) + times

    def count_root_cause(self, root_cause: str | None, change: int) -> None:
        """Count a case's root cause in (1) or out (-1); given after the flow ended, it may come later."""
        if root_cause is not None:
            count = self.root_causes.get(root_cause, 0) + change
            if count:
                self.root_causes[root_cause] = count
            else:
                del self.root_causes[root_cause]


@dataclass(frozen=True)
class ClosedCaseDays:
    """`Store.closed_case_days`: the sums per day and process, and (id, revision) of the cases in the range closed
    before their facts were kept (none in a store created since)."""

    days: list[ClosedDay]
    without_facts: list[tuple[str, int]]


@dataclass(frozen=True)
class OpenWorkCount:
    """The open work items of one queue or one process (`by`: "queue" or "process") at a moment: how many, how
    many are on track, at risk and breached then (`SlaStatus.at`; items without a due time are none of these),
    and when the oldest was created."""

    by: str
    name: str
    pending: int
    on_track: int
    at_risk: int
    breached: int
    oldest: datetime | None


class Store(ABC):
    """Versions, cases, work items, jobs, outbox, audit events, customers, contacts and users.

    Every read returns fresh objects: a caller may change what it got without
    affecting the store or other readers until it commits.
    """

    @abstractmethod
    def commit(self, changes: Changes) -> None:
        """Apply `changes` atomically and durably; raise ConflictError on a stale case revision."""

    # Versions -------------------------------------------------------------
    @abstractmethod
    def versions(self, process_key: str | None = None) -> list[Version]:
        """Published versions, oldest first; of one process or of all."""

    @abstractmethod
    def bundle_document(self, version_hash: str) -> dict[str, Any]:
        """The bundle JSON of a published version, by content hash."""

    def latest_version(self, process_key: str) -> Version | None:
        """The highest-numbered version (not the last published by the clock, which tests may turn back)."""
        return max(self.versions(process_key), key=lambda version: version.number, default=None)

    def version(self, process_key: str, number: int) -> Version:
        for version in self.versions(process_key):
            if version.number == number:
                return version
        raise NotFound(f"process '{process_key}' has no version {number}")

    # Cases ----------------------------------------------------------------
    @abstractmethod
    def case(self, case_id: str) -> Case:
        """The case, or NotFound."""

    @abstractmethod
    def cases(self, *, process_key: str | None = None, customer_id: str | None = None,
              active: bool | None = None) -> list[Case]:
        """Cases matching every given filter, oldest first."""

    @abstractmethod
    def case_ids(self, *, process_key: str | None = None, customer_id: str | None = None, active: bool | None = None,
                 started_since: datetime | None = None, started_until: datetime | None = None) -> list[str]:
        """Ids of the cases matching every given filter (started at or after `started_since`, before
        `started_until`), oldest first; from an index, without reading the cases."""

    @abstractmethod
    def version_case_counts(self, process_key: str) -> dict[int, tuple[int, int]]:
        """Per version number of a process: (cases started on it, those still open); from an index (cases moved
        to another version count there)."""

    @abstractmethod
    def audit_heads(self) -> dict[str, tuple[int, str]]:
        """Every case's audit trail as (number of events, hash of the newest); from an index, without reading the
        cases. Anchoring (`runtime.anchors`) checkpoints these."""

    @abstractmethod
    def closed_case_days(self, since: datetime, until: datetime) -> ClosedCaseDays:
        """The facts of the cases closed at or after `since` and before `until`, summed per local closing day and
        process (`ClosedDay`), by day then process.

        Days wholly inside the range come from sums kept at commit, so the cost grows with the days, not the
        cases; a day only partly inside is summed over its cases closed inside the range. Cases closed before
        their facts were kept are listed apart (the caller derives theirs). SQL: sums and sorted duration arrays
        grouped by day and process over a facts table.
        """

    # Work items -----------------------------------------------------------
    @abstractmethod
    def work_item(self, item_id: str) -> WorkItem:
        """The work item, or NotFound."""

    @abstractmethod
    def work_item_case(self, item_id: str) -> str:
        """The id of the case a work item belongs to, or NotFound; from an index, without reading the item (a step
        reads the case before its items, so a commit that finds the case unchanged finds its items unchanged)."""

    @abstractmethod
    def work_items(self, query: WorkQuery) -> list[WorkItem]:
        """A page of work items; served from an index, not by scanning every item."""

    @abstractmethod
    def count_work_items(self, query: WorkQuery) -> int:
        """How many work items match `query` (its offset and limit aside); from an index, without reading them."""

    @abstractmethod
    def count_open_work_items(self) -> dict[str, int]:
        """Open work items per queue."""

    @abstractmethod
    def open_work_counts(self, now: datetime) -> list[OpenWorkCount]:
        """Per queue, then per process, sorted by name: the open work items and where they stand at `now`; from
        an index, in a time that does not grow with the number of items (SQL: a GROUP BY over open items)."""

    @abstractmethod
    def worklist_marker(self) -> int:
        """A number that changes whenever a work item is added or changes what worklists show (status, queue,
        assignee, deadlines, priority); kept in memory, so it sees this process's commits (and, on PostgreSQL,
        every other process's too). Pages compare it to refresh only when something changed."""

    # Jobs and outbox --------------------------------------------------------
    @abstractmethod
    def due_jobs(self, now: datetime, limit: int = 100) -> list[Job]:
        """Jobs not yet done whose due time has come, earliest first."""

    @abstractmethod
    def claim_due_jobs(self, now: datetime, owner: str, lease: timedelta, limit: int = 100) -> list[Job]:
        """Jobs due at `now` (as `due_jobs`) that no other owner holds, now each held by `owner` for `lease`.

        So several workers sharing a store fire disjoint batches: firing a job commits it done in the
        job's own step, and a job whose step failed or whose worker died is taken over by another owner
        once the lease has run out (measured by the store's own clock); `owner` may take it again at once.
        """

    @abstractmethod
    def job(self, job_id: str) -> Job:
        """The job, or NotFound."""

    @abstractmethod
    def case_jobs(self, case_id: str) -> list[Job]:
        """Every job of a case."""

    @abstractmethod
    def outbox(self, *, case_id: str | None = None, due_before: datetime | None = None) -> list[OutboxEntry]:
        """Entries of a case, or those pending delivery by `due_before` (all pending if neither); oldest first."""

    @abstractmethod
    def claim_outbox(self, now: datetime, owner: str, lease: timedelta, limit: int = 100) -> list[OutboxEntry]:
        """Entries due for delivery at `now` (as `outbox(due_before=now)`, oldest first) that no other owner
        holds, now each held by `owner` for `lease`, as `claim_due_jobs` holds jobs. Saving an entry does
        not end the lease, so an entry being sent stays with its sender until it is marked sent."""

    # Audit ----------------------------------------------------------------
    @abstractmethod
    def audit_events(self, case_id: str) -> list[AuditEvent]:
        """The case's audit trail in order."""

    # Customers and users ----------------------------------------------------
    @abstractmethod
    def customer(self, customer_id: str) -> Customer:
        """The customer, or NotFound."""

    @abstractmethod
    def customers(self) -> list[Customer]:
        """All customers."""

    @abstractmethod
    def find_customers(self, field: SearchField, key: str, limit: int = 50) -> list[Customer]:
        """Customers whose `field` matches `key`, by name then id; served from an index, not by reading them all.

        `key` is in the normal form of `models.customers` (`name_key`, `phone_key`, ...). A name
        matches when every part of `key` starts a part of the customer's name; an address key is
        a postcode (every house number there) or a postcode and house number; others match exactly.
        """

    @abstractmethod
    def contact(self, contact_id: str) -> Contact:
        """The contact, or NotFound."""

    @abstractmethod
    def contacts(self, *, customer_id: str | None = None) -> list[Contact]:
        """Contacts with a customer (or all), oldest first; by customer served from an index."""

    @abstractmethod
    def user(self, user_id: str) -> User:
        """The user, or NotFound."""

    @abstractmethod
    def users(self) -> list[User]:
        """All users."""

    # Records ----------------------------------------------------------------
    @abstractmethod
    def record(self, kind: str, key: str) -> Record:
        """The record of `kind` with `key`, or NotFound (also when it was removed)."""

    @abstractmethod
    def records(self, kind: str) -> list[Record]:
        """Every record of `kind` (removed ones not), by key."""

    @abstractmethod
    def record_kinds(self) -> list[str]:
        """Every kind of which a record was ever committed, sorted (to copy a whole store)."""

    @abstractmethod
    def record_revision(self, kind: str, key: str) -> int:
        """The stored revision of a record, also of a removed one (0: there never was one); a new record with
        this key is committed at this revision."""

    # Attachments ------------------------------------------------------------
    @abstractmethod
    def put_attachment_content(self, attachment_id: str, content: bytes) -> None:
        """Keep a file's bytes under a new id, before the commit whose `Changes.attachments` records it.

        Bytes that no committed `Attachment` names are never read back. Refuses what
        `check_attachment` refuses (`AttachmentTooLarge` over `ATTACHMENT_LIMIT`).
        """

    @abstractmethod
    def attachments(self, case_id: str) -> list[Attachment]:
        """The case's attachments, oldest first."""

    @abstractmethod
    def attachment_content(self, case_id: str, attachment_id: str) -> bytes:
        """The bytes of an attachment committed to the case, or NotFound."""

    def attachment(self, case_id: str, attachment_id: str) -> Attachment:
        """One attachment of the case, or NotFound."""
        found = next((a for a in self.attachments(case_id) if a.id == attachment_id), None)
        if found is None:
            raise NotFound(f"case '{case_id}' has no attachment '{attachment_id}'")
        return found

    @abstractmethod
    def close(self) -> None:
        """Release files and locks; the store cannot be used afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
