"""The one storage interface every backend implements.

The engine never talks to a database directly: it reads documents through a
`Store` and hands each step's writes to `Store.commit` as one `Changes`,
which is applied completely or not at all. Callers depend only on this
module, so a server database can replace the embedded store without
changing them. Every implementation passes tests/storage (the contract).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.customers import Customer
from models.errors import FlowdeskError
from runtime.documents import AuditEvent, Case, Job, OutboxEntry, User, Version, WorkItem, WorkItemStatus


class StoreError(FlowdeskError):
    """The store cannot do what was asked (locked, unreadable, full)."""


class NotFound(StoreError):
    """No document with that id."""


class ConflictError(StoreError):
    """Someone else changed the case first; reload and try again."""


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
    audit: list[AuditEvent] = field(default_factory=list)
    versions: list[tuple[Version, dict[str, Any]]] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    users: list[User] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not any(vars(self).values())


@dataclass(frozen=True)
class WorkQuery:
    """Which work items to list, in deadline order (no deadline last), then priority, then age."""

    queues: tuple[str, ...] | None = None
    assignee: str | None = None
    case_id: str | None = None
    process_key: str | None = None
    status: WorkItemStatus = WorkItemStatus.OPEN
    limit: int = 50
    offset: int = 0


class Store(ABC):
    """Versions, cases, work items, jobs, outbox, audit events, customers and users.

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
        versions = self.versions(process_key)
        return versions[-1] if versions else None

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

    # Work items -----------------------------------------------------------
    @abstractmethod
    def work_item(self, item_id: str) -> WorkItem:
        """The work item, or NotFound."""

    @abstractmethod
    def work_items(self, query: WorkQuery) -> list[WorkItem]:
        """A page of work items; served from an index, not by scanning every item."""

    @abstractmethod
    def count_open_work_items(self) -> dict[str, int]:
        """Open work items per queue."""

    # Jobs and outbox --------------------------------------------------------
    @abstractmethod
    def due_jobs(self, now: datetime, limit: int = 100) -> list[Job]:
        """Jobs not yet done whose due time has come, earliest first."""

    @abstractmethod
    def job(self, job_id: str) -> Job:
        """The job, or NotFound."""

    @abstractmethod
    def case_jobs(self, case_id: str) -> list[Job]:
        """Every job of a case."""

    @abstractmethod
    def outbox(self, *, case_id: str | None = None, due_before: datetime | None = None) -> list[OutboxEntry]:
        """Entries of a case, or those pending delivery by `due_before` (all pending if neither); oldest first."""

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
    def user(self, user_id: str) -> User:
        """The user, or NotFound."""

    @abstractmethod
    def users(self) -> list[User]:
        """All users."""

    @abstractmethod
    def close(self) -> None:
        """Release files and locks; the store cannot be used afterwards."""
