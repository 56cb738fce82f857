"""In-memory indexes shared by every store: worklists, due jobs, pending outbox, cases.

A worklist page over 100,000 open work items must not read 100,000
documents, so both stores keep small index entries (the fields a query
filters or sorts on, plus the owning case) in sorted Python lists and
answer queries from them; only the page itself is then loaded. The
embedded store saves the entries as a snapshot (`Indexes.snapshot`, one
column per field, so loading it is a few C-level loops) and rebuilds them
from documents when the snapshot is lost (`Indexes.from_documents`).

Groupings only some pages need (cases by process, customer or activity,
work items by case) are built on first use and then kept up to date, so
opening a store does not pay for them. Bulk loads run with the garbage
collector paused and then freeze what they built (`gc.freeze`): the
hundreds of thousands of entries live as long as the store and hold no
reference cycles, so scanning them in every full collection (a pause of a
tenth of a second per 100,000 cases) would find nothing; entries replaced
later are still freed by reference counting.

Entries are fed documents as mappings: JSON dicts read back from files or
`vars(model)` of a pydantic document; times may be `datetime` or ISO text.
Sort orders, shared by both stores so that they answer alike:

- work items: deadline (none last), then priority descending (a higher
  number is more urgent), then created, then id;
- jobs: due time, then id (done jobs are kept only to find their case);
- outbox entries and cases: created/started, then id.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import islice
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

from runtime.documents import AWAITING_DELIVERY, AuditEvent, CaseStatus, Job, OutboxEntry, Version, WorkItemStatus
from runtime.storage.base import WorkQuery
from runtime.storage.sorted_keys import SortedKeys

NO_DEADLINE = 2**62  # sorts after every real deadline
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_OPEN = str(WorkItemStatus.OPEN)
_NO_KEYS = SortedKeys()  # shared and never changed: what an unknown list name gives
T = TypeVar("T", bound=tuple)


def micros(value: datetime | str) -> int:
    """Microseconds since 1970 (UTC); naive times are taken as UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _MICROSECOND


def _optional_micros(value: datetime | str | None) -> int | None:
    return None if value is None else micros(value)


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """Build many long-lived objects without collector pauses, then keep the collector off them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if enabled:
            gc.enable()


# Cases --------------------------------------------------------------------


class CaseEntry(NamedTuple):
    id: str
    started: int
    process_key: str
    customer_id: str | None
    active: bool
    revision: int


def case_entry(doc: Mapping[str, Any]) -> CaseEntry:
    return CaseEntry(doc["id"], micros(doc["started_at"]), doc["process_key"], doc.get("customer_id"),
                     doc["status"] == CaseStatus.ACTIVE, doc["revision"])


def _case_order(entry: CaseEntry) -> tuple[int, str]:
    return (entry.started, entry.id)


class _CaseGroups:
    """Case ids by process, by customer, and the active ones."""

    def __init__(self, entries: Iterable[CaseEntry]) -> None:
        self.by_process: dict[str, set[str]] = {}
        self.by_customer: dict[str, set[str]] = {}
        self.active: set[str] = set()
        for entry in entries:
            self.add(entry)

    def add(self, entry: CaseEntry) -> None:
        self.by_process.setdefault(entry.process_key, set()).add(entry.id)
        if entry.customer_id is not None:
            self.by_customer.setdefault(entry.customer_id, set()).add(entry.id)
        if entry.active:
            self.active.add(entry.id)

    def remove(self, entry: CaseEntry) -> None:
        _discard(self.by_process, entry.process_key, entry.id)
        _discard(self.by_customer, entry.customer_id, entry.id)
        self.active.discard(entry.id)


class CaseIndex:
    """Cases by id (with their revision); by process, customer and activity once asked."""

    def __init__(self) -> None:
        self.entries: dict[str, CaseEntry] = {}
        self._groups: _CaseGroups | None = None

    def put(self, doc: Mapping[str, Any]) -> None:
        entry = case_entry(doc)
        old = self.entries.get(entry.id)
        self.entries[entry.id] = entry
        if self._groups is not None:
            if old is not None:
                self._groups.remove(old)
            self._groups.add(entry)

    def load(self, entries: Iterable[CaseEntry]) -> None:
        self.entries = {entry.id: entry for entry in entries}
        self._groups = None

    def revision(self, case_id: str) -> int | None:
        entry = self.entries.get(case_id)
        return None if entry is None else entry.revision

    def ids(self, process_key: str | None, customer_id: str | None, active: bool | None) -> list[str]:
        """Ids of cases matching every given filter, oldest first."""
        candidates: list[Iterable[str]] = [self.entries]
        if process_key is not None or customer_id is not None or active:
            if self._groups is None:
                self._groups = _CaseGroups(self.entries.values())
            if process_key is not None:
                candidates.append(self._groups.by_process.get(process_key, ()))
            if customer_id is not None:
                candidates.append(self._groups.by_customer.get(customer_id, ()))
            if active:
                candidates.append(self._groups.active)
        source = min(candidates, key=len)  # type: ignore[arg-type]
        found = [self.entries[case_id] for case_id in source]
        found = [e for e in found if _case_matches(e, process_key, customer_id, active)]
        return [e.id for e in sorted(found, key=_case_order)]


def _case_matches(entry: CaseEntry, process_key: str | None, customer_id: str | None, active: bool | None) -> bool:
    return ((process_key is None or entry.process_key == process_key)
            and (customer_id is None or entry.customer_id == customer_id)
            and (active is None or entry.active == active))


def _discard(groups: dict[Any, set[str]], group: Any, member: str) -> None:
    members = groups.get(group)
    if members is not None:
        members.discard(member)
        if not members:
            del groups[group]


# Work items -----------------------------------------------------------------

SortKey = tuple[int, int, int, str]  # deadline, -priority, created, id
ListName = tuple[str, str, str | None]  # status, field, value


class WorkEntry(NamedTuple):
    id: str
    case_id: str
    status: str
    queue: str
    assignee: str | None
    process_key: str
    due: int | None
    priority: int
    created: int

    @property
    def key(self) -> SortKey:
        return (NO_DEADLINE if self.due is None else self.due, -self.priority, self.created, self.id)


def work_entry(doc: Mapping[str, Any]) -> WorkEntry:
    return WorkEntry(doc["id"], doc["case_id"], str(doc["status"]), doc["queue"], doc.get("assignee"),
                     doc["process_key"], _optional_micros(doc.get("due_at")), doc["priority"],
                     micros(doc["created_at"]))


def _list_names(entry: WorkEntry) -> list[ListName]:
    names: list[ListName] = [
        (entry.status, "all", None),
        (entry.status, "queue", entry.queue),
        (entry.status, "process", entry.process_key),
    ]
    if entry.assignee is not None:
        names.append((entry.status, "assignee", entry.assignee))
    return names


class WorkIndex:
    """Every work item's entry, with sorted lists per status and queue/assignee/process.

    Lists of open items are built at load; lists of another status the
    first time a query asks for that status. Once built, lists are kept
    up to date, as is the grouping by case.
    """

    def __init__(self) -> None:
        self.entries: dict[str, WorkEntry] = {}
        self._by_case: dict[str, set[str]] | None = None
        self._lists: dict[ListName, SortedKeys] = {}
        self._listed: set[str] = {_OPEN}

    def put(self, doc: Mapping[str, Any]) -> None:
        entry = work_entry(doc)
        old = self.entries.get(entry.id)
        if old == entry:
            return
        if old is not None:
            self._unlist(old)
        self.entries[entry.id] = entry
        if self._by_case is not None:
            self._by_case.setdefault(entry.case_id, set()).add(entry.id)
        self._list(entry)

    def load(self, entries: Iterable[WorkEntry]) -> None:
        """Replace everything by `entries` (a snapshot or a rebuild)."""
        self.entries = {entry.id: entry for entry in entries}
        self._by_case = None
        self._lists = {}
        self._listed = set()
        self._build_lists(_OPEN)

    def case_of(self, item_id: str) -> str | None:
        entry = self.entries.get(item_id)
        return None if entry is None else entry.case_id

    def in_list_order(self) -> list[WorkEntry]:
        """Every entry; the open ones first, in worklist order."""
        open_items = [self.entries[key[3]] for key in self._keys(_OPEN, "all", None)]
        return open_items + [entry for entry in self.entries.values() if entry.status != _OPEN]

    def open_counts(self) -> dict[str, int]:
        return {name: len(keys) for (status, field, name), keys in self._lists.items()
                if status == _OPEN and field == "queue" and name is not None}

    def page(self, query: WorkQuery) -> list[WorkEntry]:
        """The entries of one page of `query`, in worklist order."""
        start = max(query.offset, 0)
        if query.limit <= 0 or (query.queues is not None and not query.queues):
            return []
        if query.case_id is not None:
            return self._case_page(query, start)
        lists, exact = self._source(query)
        if exact:  # every key in the list matches: a page is a slice
            return [self.entries[key[3]] for key in lists[0].slice(start, start + query.limit)]
        keys = iter(lists[0]) if len(lists) == 1 else heapq.merge(*lists)
        queues = None if query.queues is None else frozenset(query.queues)
        matching = (e for e in map(self.entries.__getitem__, (k[3] for k in keys)) if _matches(e, query, queues))
        return list(islice(matching, start, start + query.limit))

    def _case_page(self, query: WorkQuery, start: int) -> list[WorkEntry]:
        if self._by_case is None:
            self._by_case = {}
            for entry in self.entries.values():
                self._by_case.setdefault(entry.case_id, set()).add(entry.id)
        entries = [self.entries[item_id] for item_id in self._by_case.get(query.case_id, ())]  # type: ignore[arg-type]
        queues = None if query.queues is None else frozenset(query.queues)
        found = sorted((e for e in entries if e.status == query.status and _matches(e, query, queues)),
                       key=lambda e: e.key)
        return found[start:start + query.limit]

    def _source(self, query: WorkQuery) -> tuple[list[SortedKeys], bool]:
        """The smallest set of sorted lists holding every match, and whether all their keys match."""
        status = str(query.status)
        self._build_lists(status)
        choices: list[list[SortedKeys]] = [[self._keys(status, "all", None)]]
        if query.queues is not None:
            choices.append([self._keys(status, "queue", queue) for queue in dict.fromkeys(query.queues)])
        if query.assignee is not None:
            choices.append([self._keys(status, "assignee", query.assignee)])
        if query.process_key is not None:
            choices.append([self._keys(status, "process", query.process_key)])
        filters = len(choices) - 1
        smallest = min(choices, key=lambda lists: sum(map(len, lists)))
        exact = filters == 0 or (filters == 1 and smallest is not choices[0] and len(smallest) == 1)
        return smallest, exact

    def _keys(self, status: str, field: str, name: str | None) -> SortedKeys:
        return self._lists.get((status, field, name)) or _NO_KEYS

    def _build_lists(self, status: str) -> None:
        if status in self._listed:
            return
        keyed = [(entry.key, entry) for entry in self.entries.values() if entry.status == status]
        keyed.sort(key=_first)
        lists: defaultdict[ListName, list[SortKey]] = defaultdict(list)
        everything = lists[(status, "all", None)]
        for key, entry in keyed:
            everything.append(key)
            lists[(status, "queue", entry.queue)].append(key)
            lists[(status, "process", entry.process_key)].append(key)
            if entry.assignee is not None:
                lists[(status, "assignee", entry.assignee)].append(key)
        self._lists.update((name, SortedKeys(keys)) for name, keys in lists.items() if keys)
        self._listed.add(status)

    def _list(self, entry: WorkEntry) -> None:
        if entry.status in self._listed:
            key = entry.key
            for name in _list_names(entry):
                keys = self._lists.get(name)
                if keys is None:
                    keys = self._lists[name] = SortedKeys()
                keys.add(key)

    def _unlist(self, entry: WorkEntry) -> None:
        if entry.status not in self._listed:
            return
        key = entry.key
        for name in _list_names(entry):
            keys = self._lists[name]
            keys.remove(key)
            if not keys:
                del self._lists[name]


def _first(pair: tuple[SortKey, WorkEntry]) -> SortKey:
    return pair[0]


def _matches(entry: WorkEntry, query: WorkQuery, queues: frozenset[str] | None) -> bool:
    return ((queues is None or entry.queue in queues)
            and (query.assignee is None or entry.assignee == query.assignee)
            and (query.case_id is None or entry.case_id == query.case_id)
            and (query.process_key is None or entry.process_key == query.process_key))


# Jobs and outbox ----------------------------------------------------------------


class JobEntry(NamedTuple):
    id: str
    case_id: str
    due: int
    done: bool


def job_entry(doc: Mapping[str, Any]) -> JobEntry:
    return JobEntry(doc["id"], doc["case_id"], micros(doc["due_at"]), bool(doc["done"]))


class JobIndex:
    """Every job's owning case; the jobs not yet done also by due time."""

    def __init__(self) -> None:
        self.entries: dict[str, JobEntry] = {}
        self._due = SortedKeys()  # (due, id) of the jobs not done

    def put(self, doc: Mapping[str, Any]) -> None:
        entry = job_entry(doc)
        old = self.entries.get(entry.id)
        if old is not None and not old.done:
            self._due.remove((old.due, old.id))
        self.entries[entry.id] = entry
        if not entry.done:
            self._due.add((entry.due, entry.id))

    def load(self, entries: Iterable[JobEntry]) -> None:
        self.entries = {entry.id: entry for entry in entries}
        self._due = SortedKeys((entry.due, entry.id) for entry in self.entries.values() if not entry.done)

    def case_of(self, job_id: str) -> str | None:
        entry = self.entries.get(job_id)
        return None if entry is None else entry.case_id

    def in_due_order(self) -> list[JobEntry]:
        """Every entry; those not done first, by due time."""
        waiting = [self.entries[job_id] for _, job_id in self._due]
        return waiting + [entry for entry in self.entries.values() if entry.done]

    def due(self, now: datetime, limit: int) -> list[JobEntry]:
        due = islice(self._due.below((micros(now) + 1,)), max(limit, 0))
        return [self.entries[job_id] for _, job_id in due]


class OutboxEntryKey(NamedTuple):
    id: str
    case_id: str
    next_attempt: int
    created: int


def outbox_entry(doc: Mapping[str, Any]) -> OutboxEntryKey:
    return OutboxEntryKey(doc["id"], doc["case_id"], micros(doc["next_attempt_at"]), micros(doc["created_at"]))


class OutboxIndex:
    """Outbox entries still pending delivery, by next attempt time."""

    def __init__(self) -> None:
        self.entries: dict[str, OutboxEntryKey] = {}
        self._by_attempt = SortedKeys()  # (next attempt, id)

    def put(self, doc: Mapping[str, Any]) -> None:
        old = self.entries.pop(doc["id"], None)
        if old is not None:
            self._by_attempt.remove((old.next_attempt, old.id))
        if doc["status"] in AWAITING_DELIVERY:
            entry = outbox_entry(doc)
            self.entries[entry.id] = entry
            self._by_attempt.add((entry.next_attempt, entry.id))

    def load(self, entries: Iterable[OutboxEntryKey]) -> None:
        self.entries = {entry.id: entry for entry in entries}
        self._by_attempt = SortedKeys((entry.next_attempt, entry.id) for entry in self.entries.values())

    def in_attempt_order(self) -> list[OutboxEntryKey]:
        return [self.entries[entry_id] for _, entry_id in self._by_attempt]

    def pending(self, due_before: datetime | None) -> list[OutboxEntryKey]:
        """Pending entries whose next attempt is due by `due_before` (all if None), oldest first."""
        keys = iter(self._by_attempt) if due_before is None else self._by_attempt.below((micros(due_before) + 1,))
        found = [self.entries[entry_id] for _, entry_id in keys]
        return sorted(found, key=lambda e: (e.created, e.id))


# All of them ------------------------------------------------------------------------


class Indexes:
    """The four indexes of a store, fed by document kind, saved as one snapshot."""

    def __init__(self) -> None:
        self.cases = CaseIndex()
        self.work = WorkIndex()
        self.jobs = JobIndex()
        self.outbox = OutboxIndex()

    def put(self, kind: str, doc: Mapping[str, Any]) -> None:
        """Index one document of `kind` ("case", "work_items", "jobs", "outbox"; others are ignored)."""
        index = self._by_kind().get(kind)
        if index is not None:
            index.put(doc)

    def _by_kind(self) -> dict[str, CaseIndex | WorkIndex | JobIndex | OutboxIndex]:
        return {"case": self.cases, "work_items": self.work, "jobs": self.jobs, "outbox": self.outbox}

    def snapshot(self) -> dict[str, list[list[Any]]]:
        """Every entry, JSON-ready as one list per field.

        Entries come in the order their sorted lists keep (open work items by
        worklist order, jobs by due time, ...), so loading sorts sorted data.
        """
        return {
            "cases": _columns(list(self.cases.entries.values()), CaseEntry),
            "work_items": _columns(self.work.in_list_order(), WorkEntry),
            "jobs": _columns(self.jobs.in_due_order(), JobEntry),
            "outbox": _columns(self.outbox.in_attempt_order(), OutboxEntryKey),
        }

    def canonical(self) -> dict[str, list[list[Any]]]:
        """The snapshot with every index's entries sorted by id: equal indexes give equal results."""
        return {name: [list(row) for row in sorted(zip(*columns, strict=True))]
                for name, columns in self.snapshot().items()}

    @classmethod
    def from_snapshot(cls, columns: Mapping[str, list[list[Any]]]) -> Indexes:
        """Indexes from `snapshot()` columns; KeyError/TypeError/ValueError if they are malformed."""
        with long_lived():
            indexes = cls()
            indexes.cases.load(_rows(columns["cases"], CaseEntry))
            indexes.work.load(_rows(columns["work_items"], WorkEntry))
            indexes.jobs.load(_rows(columns["jobs"], JobEntry))
            indexes.outbox.load(_rows(columns["outbox"], OutboxEntryKey))
            return indexes

    @classmethod
    def from_documents(cls, docs: Iterable[tuple[str, Mapping[str, Any]]]) -> Indexes:
        """Indexes of (kind, document) pairs, as `put` would build them but sorting once (a full rebuild)."""
        with long_lived():
            found: dict[str, list[Any]] = {"case": [], "work_items": [], "jobs": [], "outbox": []}
            for kind, doc in docs:
                if kind == "case":
                    found[kind].append(case_entry(doc))
                elif kind == "work_items":
                    found[kind].append(work_entry(doc))
                elif kind == "jobs":
                    found[kind].append(job_entry(doc))
                elif kind == "outbox" and doc["status"] in AWAITING_DELIVERY:
                    found[kind].append(outbox_entry(doc))
            indexes = cls()
            indexes.cases.load(found["case"])
            indexes.work.load(found["work_items"])
            indexes.jobs.load(found["jobs"])
            indexes.outbox.load(found["outbox"])
            return indexes

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Indexes) and self.canonical() == other.canonical()

    __hash__ = None  # type: ignore[assignment]


def _columns(entries: list[T], kind: type[T]) -> list[list[Any]]:
    return [list(map(itemgetter(field), entries)) for field in range(len(kind._fields))]  # type: ignore[attr-defined]


def _rows(columns: list[list[Any]], kind: type[T]) -> Iterator[T]:
    fields = kind._fields  # type: ignore[attr-defined]
    if len(columns) != len(fields) or len({len(column) for column in columns}) > 1:
        raise ValueError(f"{kind.__name__} columns do not match its fields {fields}")
    return map(partial(tuple.__new__, kind), zip(*columns, strict=True))


# Orders of documents read outside the indexes ---------------------------------------


def version_order(version: Version) -> tuple[int, str, int]:
    """Versions oldest first: by publishing time, then process and number."""
    return (micros(version.published_at), version.process_key, version.number)


def job_order(job: Job) -> tuple[int, str]:
    return (micros(job.due_at), job.id)


def outbox_order(entry: OutboxEntry) -> tuple[int, str]:
    return (micros(entry.created_at), entry.id)


def audit_order(event: AuditEvent) -> tuple[int, str]:
    return (event.seq, event.id)
