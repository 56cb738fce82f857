"""What both embedded stores answer from their in-memory indexes alone, written once.

`MemoryStore` and `TinyDBStore` keep the same `Indexes` under a lock; the
questions those indexes answer without reading any document (open work per
queue, the worklist's change marker, which cases closed when, what the
commit rules ask about stored revisions and owners) need nothing
store-specific beyond "is the store usable" (`_check_ready`). Both admit one
process, so claims on jobs and outbox entries are leases kept in memory.
"""

from __future__ import annotations

import threading
import time
from abc import abstractmethod
from collections.abc import Iterable
from datetime import datetime, timedelta

from runtime.documents import Job, OutboxEntry
from runtime.errors import NotFound
from runtime.storage.base import Store, WorkQuery
from runtime.storage.indexes import Indexes, micros


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

    def closed_case_revisions(self, since: datetime, until: datetime) -> list[tuple[str, int]]:
        with self._lock:
            self._check_ready()
            return self._indexes.cases.closed_between(micros(since), micros(until))

    def work_item_case(self, item_id: str) -> str:
        with self._lock:
            self._check_ready()
            case_id = self._indexes.work.case_of(item_id)
        if case_id is None:
            raise NotFound(f"no work item '{item_id}'")
        return case_id

    def count_work_items(self, query: WorkQuery) -> int:
        with self._lock:
            self._check_ready()
            return self._indexes.work.count(query)

    def count_open_work_items(self) -> dict[str, int]:
        with self._lock:
            self._check_ready()
            return self._indexes.work.open_counts()

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
