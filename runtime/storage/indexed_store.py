"""What both embedded stores answer from their in-memory indexes alone, written once.

`MemoryStore` and `TinyDBStore` keep the same `Indexes` under a lock; the
questions those indexes answer without reading any document (open work per
queue, the worklist's change marker, the sums of cases closed per day, what the
commit rules ask about stored revisions and owners) need nothing
store-specific beyond "is the store usable" (`_check_ready`). Both admit one
process, so claims on jobs and outbox entries are leases kept in memory.
"""

from __future__ import annotations

import threading
import time
from abc import abstractmethod
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta

from runtime.documents import Job, OutboxEntry, WorkItem, WorkItemStatus
from runtime.errors import NotFound
from runtime.storage.base import ClosedCaseDays, ClosedDay, OpenWorkCount, Store, WorkQuery
from runtime.storage.indexes import Indexes, closed_case, matching_items, micros, moment


class Leases:
    """Who holds which job or outbox entry, until when (in `time.monotonic` seconds)."""

    def __init__(self) -> None:
        self._held: dict[tuple[str, str], tuple[str, float]] = {}

    def __len__(self) -> int:
        return len(self._held)

    def take(self, kind: str, ids: Iterable[str], owner: str, lease: timedelta, limit: int) -> set[str]:
        """Of `ids` in order, the first `limit` that nobody else holds, now held by `owner`."""
        now = time.monotonic()
        self._held = {key: held for key, held in self._held.items() if held[1] > now}
        taken: set[str] = set()
        for doc_id in ids:
            if len(taken) >= limit:
                break
            holder = self._held.get((kind, doc_id))
            if holder is None or holder[0] == owner:
                self._held[(kind, doc_id)] = (owner, now + lease.total_seconds())
                taken.add(doc_id)
        return taken


class IndexedStore(Store):
    """A store holding `_indexes` and `_leases` under `_lock`; subclasses say when it may be read (`_check_ready`)."""

    _lock: threading.RLock
    _indexes: Indexes
    _leases: Leases

    @abstractmethod
    def _check_ready(self) -> None:
        """Raise StoreError when the store is closed (or otherwise unusable)."""

    def case_ids(self, *, process_key: str | None = None, customer_id: str | None = None, active: bool | None = None,
                 started_since: datetime | None = None, started_until: datetime | None = None) -> list[str]:
        since = None if started_since is None else micros(started_since)
        until = None if started_until is None else micros(started_until)
        with self._lock:
            self._check_ready()
            return self._indexes.cases.ids(process_key, customer_id, active, since, until)

    def version_case_counts(self, process_key: str) -> dict[int, tuple[int, int]]:
        with self._lock:
            self._check_ready()
            return self._indexes.cases.version_counts(process_key)

    def audit_heads(self) -> dict[str, tuple[int, str]]:
        with self._lock:
            self._check_ready()
            return self._indexes.cases.audit_heads()

    def closed_case_days(self, since: datetime, until: datetime) -> ClosedCaseDays:
        partly: dict[tuple[date, str], ClosedDay] = {}
        with self._lock:
            self._check_ready()
            whole, inside, without = self._indexes.cases.closed_case_days(micros(since), micros(until))
            for case_id in inside:  # only days cut by the range's ends: their cases are read
                closed = closed_case(vars(self.case(case_id)))
                assert closed is not None
                partly.setdefault((closed.day, closed.process_key), ClosedDay(closed.day, closed.process_key)).add(
                    closed)
        days = sorted([*whole, *partly.values()], key=lambda day: (day.day, day.process_key))
        return ClosedCaseDays(days, without)

    def work_item_case(self, item_id: str) -> str:
        with self._lock:
            self._check_ready()
            case_id = self._indexes.work.case_of(item_id)
        if case_id is None:
            raise NotFound(f"no work item '{item_id}'")
        return case_id

    def work_items(self, query: WorkQuery) -> list[WorkItem]:
        with self._lock:
            self._check_ready()
            if query.case_id is None and query.status is WorkItemStatus.OPEN:
                return [self._listed_work_item(entry.case_id, entry.id) for entry in self._indexes.work.page(query)]
            start = max(query.offset, 0)
            return matching_items(self._items_of_cases(query), query)[start:start + max(query.limit, 0)]

    def count_work_items(self, query: WorkQuery) -> int:
        with self._lock:
            self._check_ready()
            if query.case_id is None and query.status is WorkItemStatus.OPEN:
                return self._indexes.work.count(query)
            return len(matching_items(self._items_of_cases(query), query))

    def _items_of_cases(self, query: WorkQuery) -> Iterator[WorkItem]:
        """The items of the query's status of its case, or of every case with items of that status (not open: a
        tool's question, not a page's); the index knows each item's status, so only those items are read."""
        status = str(query.status)
        cases = [query.case_id] if query.case_id is not None else self._indexes.work.cases_with(status)
        status_of = self._indexes.work.status_of
        return (self._listed_work_item(case_id, item_id) for case_id in cases
                for item_id in self._case_work_item_ids(case_id) if status_of(item_id) == status)

    @abstractmethod
    def _listed_work_item(self, case_id: str, item_id: str) -> WorkItem:
        """A work item of `case_id` that the index lists."""

    @abstractmethod
    def _case_work_item_ids(self, case_id: str) -> list[str]:
        """The ids of every work item of a case (none for an unknown case)."""

    def count_open_work_items(self) -> dict[str, int]:
        with self._lock:
            self._check_ready()
            return self._indexes.work.open_counts()

    def open_work_counts(self, now: datetime) -> list[OpenWorkCount]:
        with self._lock:
            self._check_ready()
            found = self._indexes.work.open_figures(micros(now))
        return [OpenWorkCount(by, name, pending, on_track, at_risk, breached,
                              None if oldest is None else moment(oldest))
                for by, name, pending, on_track, at_risk, breached, oldest in found]

    def worklist_marker(self) -> int:
        with self._lock:
            self._check_ready()
            return self._indexes.work.changes

    # Claims ------------------------------------------------------------------------------------

    def claim_due_jobs(self, now: datetime, owner: str, lease: timedelta, limit: int = 100) -> list[Job]:
        with self._lock:
            candidates = self.due_jobs(now, max(limit, 0) + len(self._leases))
            taken = self._leases.take("job", (job.id for job in candidates), owner, lease, limit)
            return [job for job in candidates if job.id in taken]

    def claim_outbox(self, now: datetime, owner: str, lease: timedelta, limit: int = 100) -> list[OutboxEntry]:
        with self._lock:
            candidates = self.outbox(due_before=now)
            taken = self._leases.take("outbox", (entry.id for entry in candidates), owner, lease, limit)
            return [entry for entry in candidates if entry.id in taken]

    # What the commit rules ask (`rules.Stored`) ----------------------------------------------------

    def case_revision(self, case_id: str) -> int | None:
        return self._indexes.cases.revision(case_id)

    def contact_revision(self, contact_id: str) -> int | None:
        return self._indexes.contacts.revision(contact_id)

    def work_item_owner(self, item_id: str) -> str | None:
        return self._indexes.work.case_of(item_id)

    def job_case(self, job_id: str) -> str | None:
        return self._indexes.jobs.case_of(job_id)
