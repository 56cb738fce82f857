"""In-memory indexes shared by every store: worklists, due jobs, pending outbox, cases, customers, contacts.

A worklist page over 100,000 open work items must not read 100,000
documents, so both stores keep small index entries (the fields a query
filters or sorts on, plus the owning case) in sorted lists
(`sortedcontainers.SortedList`: cheap inserts, removals and positions at
100,000 keys) and answer queries from them; only the page itself is then loaded. The
embedded store saves the entries as a snapshot (`Indexes.snapshot`, one
column per field, so loading it is a few C-level loops) and rebuilds them
from documents when the snapshot is lost (`Indexes.from_documents`).

Groupings only some pages need (cases by process, customer or activity,
open work per queue, assignee, process and priority, each queue's SLA clock)
are built on first use and then kept up to date, so opening a store does not
pay for them. Work items no longer open are kept as (case, status) only: a
case's own items are listed from the case. The facts of closed cases are
summed per local day and process (`ClosedDay`). Bulk loads run with the garbage
collector paused and then freeze what they built (`gc.freeze`): the
hundreds of thousands of entries live as long as the store and hold no
reference cycles, so scanning them in every full collection (a pause of a
tenth of a second per 100,000 cases) would find nothing; entries replaced
later are still freed by reference counting.

Entries are fed documents as mappings: JSON dicts read back from files or
`vars(model)` of a pydantic document; times may be `datetime` or ISO text.
Sort orders, shared by both stores so that they answer alike:

- work items: deadline (none last), then priority descending (a higher
  number is more urgent), then created, then id; in priority order, the
  lists of each priority (highest first) one after the other;
- jobs: due time, then id (done jobs are kept only to find their case);
- outbox entries and cases: created/started, then id;
- contacts: time, then id; customers found by a search: name, then id.

Customers are indexed by the normal form of what agents search by
(`models.customers`: name parts, number, phone, e-mail, postcode + house
number), so finding one among 100,000 reads only the matches.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import itertools
from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from functools import partial
from itertools import islice
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

from sortedcontainers import SortedList

from models.customers import SearchField, address_key, email_key, name_key, number_key, phone_key, postcode_key
from runtime.documents import (
    AWAITING_DELIVERY,
    AuditEvent,
    CaseStatus,
    Job,
    OutboxEntry,
    SlaStatus,
    Version,
    WorkItem,
    WorkItemStatus,
)
from runtime.storage.base import ClosedCase, ClosedDay, WorkOrder, WorkQuery

NO_DEADLINE = 2**62  # sorts after every real deadline
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_OPEN = str(WorkItemStatus.OPEN)
_NO_KEYS = SortedList()  # shared and never changed: what an unknown list name gives
T = TypeVar("T", bound=tuple)
#: Which layout `Indexes.snapshot` writes; a snapshot of another is rebuilt from the documents. 2: closed days;
#: 3: of the work items no longer open only their case and status.
SNAPSHOT_VERSION = 3


def micros(value: datetime | str) -> int:
    """Microseconds since 1970 (UTC); naive times are taken as UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _MICROSECOND


def moment(value: int) -> datetime:
    """The UTC moment of `micros` microseconds since 1970."""
    return _EPOCH + value * _MICROSECOND


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
    closed: int | None = None
    audit_count: int = 0  # how many events the case's trail has, and the newest one's hash
    audit_head: str = ""
    version: int = 0  # the number of the process version it runs on
    root_cause: str | None = None
    day: int | None = None  # the local day it closed on (an ordinal), once its facts were kept


def case_entry(doc: Mapping[str, Any]) -> CaseEntry:
    facts = _fields(doc.get("facts"))
    return CaseEntry(doc["id"], micros(doc["started_at"]), doc["process_key"], doc.get("customer_id"),
                     doc["status"] == CaseStatus.ACTIVE, doc["revision"], _optional_micros(doc.get("closed_at")),
                     doc.get("audit_count", 0), doc.get("audit_head", ""), doc.get("version", 0),
                     doc.get("root_cause"), None if facts is None else _day(facts["day"]).toordinal())


def closed_case(doc: Mapping[str, Any]) -> ClosedCase | None:
    """What a closed case with facts adds to its day's sums (None for any other case)."""
    facts = _fields(doc.get("facts"))
    if facts is None or doc.get("closed_at") is None:
        return None
    closed, started, due = micros(doc["closed_at"]), micros(doc["started_at"]), _optional_micros(doc.get("due_at"))
    first_response = facts.get("first_response")
    return ClosedCase(
        doc["process_key"], _day(facts["day"]), closed, closed - started,
        None if first_response is None else _micros_of(first_response), bool(facts.get("first_time_right", True)),
        facts.get("tasks_with_sla", 0), facts.get("tasks_on_time", 0), None if due is None else closed <= due,
        doc.get("root_cause"), tuple((node, _micros_of(wait)) for node, wait in facts.get("waits", ())),
        tuple(facts.get("edges", {}).items()))


def _fields(value: Any) -> Mapping[str, Any] | None:
    """A nested document as a mapping, whether it came as JSON or as a model (`vars` of a pydantic document)."""
    if value is None or isinstance(value, Mapping):
        return value
    return vars(value)


def _day(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _micros_of(seconds: float) -> int:
    return round(seconds * 1_000_000)


def _grouped_by(entry: CaseEntry) -> tuple[str, str | None, bool]:
    """What `_CaseGroups` groups a case by: most steps change none of it."""
    return (entry.process_key, entry.customer_id, entry.active)


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
    """Cases by id (with their revision); by process, customer and activity once asked; the facts of closed cases
    summed per local day and process (`ClosedDay`), and the closed cases that have no facts."""

    def __init__(self) -> None:
        self.entries: dict[str, CaseEntry] = {}
        self._groups: _CaseGroups | None = None
        self.closed_days: dict[tuple[int, str], ClosedDay] = {}
        self._without_facts = SortedList()  # (closed, id) of closed cases stored before facts were kept

    def put(self, doc: Mapping[str, Any]) -> None:
        entry = case_entry(doc)
        old = self.entries.get(entry.id)
        self.entries[entry.id] = entry
        if self._groups is not None and (old is None or _grouped_by(old) != _grouped_by(entry)):
            if old is not None:
                self._groups.remove(old)
            self._groups.add(entry)
        self._count_closed(old, entry, doc)

    def _count_closed(self, old: CaseEntry | None, entry: CaseEntry, doc: Mapping[str, Any]) -> None:
        """Add a case to its day's sums when its facts arrive; later only its root cause can change (facts are
        kept once, in the step that closes it)."""
        if entry.day is not None:
            key = (entry.day, entry.process_key)
            if old is None or old.day is None:
                closed = closed_case(doc)
                assert closed is not None
                self.closed_days.setdefault(key, ClosedDay(closed.day, entry.process_key)).add(closed)
            elif old.root_cause != entry.root_cause:
                self.closed_days[key].count_root_cause(old.root_cause, -1)
                self.closed_days[key].count_root_cause(entry.root_cause, 1)
        before, after = _without_facts(old), _without_facts(entry)
        if before != after:
            if before is not None:
                self._without_facts.remove(before)
            if after is not None:
                self._without_facts.add(after)

    def load(self, entries: Iterable[CaseEntry], closed_days: Iterable[ClosedDay]) -> None:
        self.entries = {entry.id: entry for entry in entries}
        self._groups = None
        self.closed_days = {(day.day.toordinal(), day.process_key): day for day in closed_days}
        self._without_facts = SortedList((e.closed, e.id) for e in self.entries.values()
                                         if e.day is None and e.closed is not None)

    def closed_case_days(self, since: int, until: int) -> tuple[list[ClosedDay], list[str], list[tuple[str, int]]]:
        """For closings at or after `since` and before `until` (microseconds): copies of the sums of the days
        wholly inside, the ids of the cases inside of days partly inside, and (id, revision) of the cases without
        facts inside."""
        whole, partly = [], set()
        for key, day in self.closed_days.items():
            if day.last < since or day.first >= until:
                continue
            if since <= day.first and day.last < until:
                whole.append(_copy_day(day))
            else:
                partly.add(key)
        inside = [e.id for e in self.entries.values() if (e.day, e.process_key) in partly
                  and e.closed is not None and since <= e.closed < until] if partly else []
        without = [(case_id, self.entries[case_id].revision) for _, case_id in
                   self._without_facts.irange((since,), (until,), inclusive=(True, False))]
        return whole, inside, without

    def revision(self, case_id: str) -> int | None:
        entry = self.entries.get(case_id)
        return None if entry is None else entry.revision

    def ids(self, process_key: str | None, customer_id: str | None, active: bool | None,
            started_since: int | None = None, started_until: int | None = None) -> list[str]:
        """Ids of cases matching every given filter (start times in microseconds, the upper bound excluded),
        oldest first."""
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
        found = [e for e in found if _case_matches(e, process_key, customer_id, active)
                 and (started_since is None or e.started >= started_since)
                 and (started_until is None or e.started < started_until)]
        return [e.id for e in sorted(found, key=_case_order)]


    def version_counts(self, process_key: str) -> dict[int, tuple[int, int]]:
        counts: dict[int, list[int]] = {}
        for entry in self.entries.values():
            if entry.process_key == process_key:
                count = counts.setdefault(entry.version, [0, 0])
                count[0] += 1
                count[1] += entry.active
        return {version: (started, active) for version, (started, active) in counts.items()}

    def audit_heads(self) -> dict[str, tuple[int, str]]:
        return {e.id: (e.audit_count, e.audit_head) for e in self.entries.values()}



def _without_facts(entry: CaseEntry | None) -> tuple[int, str] | None:
    return (entry.closed, entry.id) if entry is not None and entry.closed is not None and entry.day is None else None


def _copy_day(day: ClosedDay) -> ClosedDay:
    return ClosedDay(day.day, day.process_key, day.cases, day.first, day.last, list(day.resolutions),
                     list(day.first_responses), day.first_time_right, day.tasks_with_sla, day.tasks_on_time,
                     day.case_slas, day.case_slas_met, dict(day.root_causes),
                     {node: list(wait) for node, wait in day.waits.items()}, dict(day.edges))


def closed_day_json(day: ClosedDay) -> dict[str, Any]:
    return asdict(day) | {"day": day.day.isoformat()}


def closed_day_of(data: Mapping[str, Any]) -> ClosedDay:
    return ClosedDay(**(dict(data) | {"day": date.fromisoformat(data["day"])}))


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
ListName = tuple[str, str | int | None]  # field, value
_work_changes = itertools.count(1)  # one sequence for every work index: a replaced index never repeats a marker


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
    warning: int | None

    @property
    def key(self) -> SortKey:
        return (NO_DEADLINE if self.due is None else self.due, -self.priority, self.created, self.id)


def work_entry(doc: Mapping[str, Any]) -> WorkEntry:
    return WorkEntry(doc["id"], doc["case_id"], str(doc["status"]), doc["queue"], doc.get("assignee"),
                     doc["process_key"], _optional_micros(doc.get("due_at")), doc["priority"],
                     micros(doc["created_at"]), _optional_micros(doc.get("warning_at")))


def _names_in(entry: WorkEntry, field: str) -> tuple[str | int | None, ...]:
    """The names of the lists of `field` that hold `entry` (none or one)."""
    if field == "all":
        return (None,)
    if field == "assignee":
        return () if entry.assignee is None else (entry.assignee,)
    if field == "unassigned":
        return (None,) if entry.assignee is None else ()
    return (getattr(entry, _FIELD_ATTRIBUTES[field]),)


_FIELD_ATTRIBUTES = {"queue": "queue", "process": "process_key", "priority": "priority"}
_FIELDS = ("all", "queue", "process", "priority", "assignee", "unassigned")


def _list_names(entry: WorkEntry) -> list[ListName]:
    names: list[ListName] = [("all", None), ("queue", entry.queue), ("process", entry.process_key),
                             ("priority", entry.priority)]
    names.append(("unassigned", None) if entry.assignee is None else ("assignee", entry.assignee))
    return names


class WorkIndex:
    """The open work items' entries, with sorted lists per queue/assignee/process/priority/unassigned; of the items
    no longer open only their case and status.

    Pages of open work come from the lists, all in deadline order; the lists of
    one field (all items, per queue, ...) are built together the first time a
    query needs one of them, so opening a store builds none, and are kept up to
    date once built. A case's own items, of any status, are few: the stores list
    them from the case (`matching_items`). Keeping 100,000 closed cases' half a
    million completed items as (case, status) pairs keeps the snapshot small.
    `changes` takes a new value whenever an item is added or changed.
    """

    def __init__(self) -> None:
        self.entries: dict[str, WorkEntry] = {}  # open items
        self.closed: dict[str, tuple[str, str]] = {}  # item id -> (case id, status) of the items no longer open
        self.changes = next(_work_changes)
        self._lists: dict[ListName, SortedList] = {}
        self._built: set[str] = set(_FIELDS)  # the fields whose lists are built (an empty index has them all)
        self._clocks: dict[tuple[str, str], _SlaClock] | None = None  # open items per queue and process

    def put(self, doc: Mapping[str, Any]) -> None:
        entry = work_entry(doc)
        old = self.entries.get(entry.id)
        if old == entry or (old is None and self.closed.get(entry.id) == (entry.case_id, entry.status)):
            return
        if old is not None:
            self._unlist(old)
            del self.entries[entry.id]
        if entry.status == _OPEN:
            self.closed.pop(entry.id, None)
            self.entries[entry.id] = entry
            self._list(entry)
        else:
            self.closed[entry.id] = (entry.case_id, entry.status)
        self.changes = next(_work_changes)

    def load(self, entries: Iterable[WorkEntry], closed: Mapping[str, tuple[str, str]]) -> None:
        """Replace everything by the open items' `entries` and the `closed` ones (a snapshot or a rebuild)."""
        self.entries = {entry.id: entry for entry in entries}
        self.closed = dict(closed)
        self.changes = next(_work_changes)
        self._lists = {}
        self._built = set()
        self._clocks = None

    def case_of(self, item_id: str) -> str | None:
        entry = self.entries.get(item_id)
        if entry is not None:
            return entry.case_id
        closed = self.closed.get(item_id)
        return None if closed is None else closed[0]

    def status_of(self, item_id: str) -> str | None:
        """The status of a work item (None for an unknown one)."""
        if item_id in self.entries:
            return _OPEN
        closed = self.closed.get(item_id)
        return None if closed is None else closed[1]

    def cases_with(self, status: str) -> list[str]:
        """Ids of the cases with items of a status other than open, sorted."""
        return sorted({case_id for case_id, item_status in self.closed.values() if item_status == status})

    def in_list_order(self) -> list[WorkEntry]:
        """Every open item's entry, in worklist order."""
        return [self.entries[key[3]] for key in self._keys("all", None)]

    def open_counts(self) -> dict[str, int]:
        self._build("queue")
        return {name: len(keys) for (field, name), keys in self._lists.items()
                if field == "queue" and isinstance(name, str) and keys}

    def open_figures(self, now: int) -> list[tuple[str, str, int, int, int, int, int | None]]:
        """Per queue and per process ("queue"/"process", name): the open items, how many are on track, at risk
        and breached at `now` (microseconds), and when the oldest was created; counted by position in sorted
        deadlines, never by reading the items."""
        if self._clocks is None:  # the open items in dict order: after a snapshot load, that is deadline order
            self._clocks = _sla_clocks(self.entries.values())
        found = []
        for (by, name), clock in sorted(self._clocks.items(), key=_queues_first):
            if not clock.created:
                continue
            breached = clock.due.bisect_right(now)
            at_risk = clock.at_risk(now)
            found.append((by, name, len(clock.created), len(clock.due) - breached - at_risk, at_risk, breached,
                          clock.created[0]))
        return found

    def page(self, query: WorkQuery) -> list[WorkEntry]:
        """The entries of one page of `query`, of open items of any case, in its order.

        Deadline order reads one source; priority order reads the source of each
        priority in turn, highest first (each in deadline order). A source whose
        keys all match is sliced; otherwise its matches are counted off.
        """
        if query.case_id is not None or query.status is not WorkItemStatus.OPEN:
            raise ValueError("the work index pages open items of any case; list a case's items from the case")
        if query.limit <= 0 or (query.queues is not None and not query.queues):
            return []
        priorities: list[int | None] = [None]
        if query.order is WorkOrder.PRIORITY:
            self._build("priority")
            priorities = sorted((p for f, p in self._lists if f == "priority"), reverse=True)  # type: ignore[misc]
        found: list[WorkEntry] = []
        skip = max(query.offset, 0)
        for priority in priorities:
            lists, exact = self._source(query, priority)
            if exact and query.sla is None:
                if skip >= len(lists[0]):
                    skip -= len(lists[0])
                    continue
                found += [self.entries[key[3]] for key in lists[0].islice(skip, skip + query.limit - len(found))]
                skip = 0
            else:
                for entry in self._matching(lists, query, priority):
                    if skip:
                        skip -= 1
                        continue
                    found.append(entry)
                    if len(found) == query.limit:
                        break
            if len(found) == query.limit:
                break
        return found

    def count(self, query: WorkQuery) -> int:
        """How many open items of any case match `query`, whatever its offset and limit."""
        if query.case_id is not None or query.status is not WorkItemStatus.OPEN:
            raise ValueError("the work index counts open items of any case; count a case's items from the case")
        if query.queues is not None and not query.queues:
            return 0
        lists, exact = self._source(query, None)
        if exact and query.sla is None and len(lists) == 1:
            return len(lists[0])
        return sum(1 for _ in self._matching(lists, query, None))

    def _matching(self, lists: list[SortedList], query: WorkQuery, priority: int | None) -> Iterator[WorkEntry]:
        """The entries of `lists` (each in deadline order) that match `query` and `priority`, in deadline order."""
        keys: Iterable[SortKey] = iter(lists[0]) if len(lists) == 1 else heapq.merge(*lists)
        sla, now = query.sla, 0 if query.now is None else micros(query.now)
        if sla is not None:
            keys = _sla_window(keys, sla, now)
        queues = None if query.queues is None else frozenset(query.queues)
        for key in keys:
            entry = self.entries[key[3]]
            if (_matches(entry, query, queues) and (priority is None or entry.priority == priority)
                    and (sla is None or _sla_matches(entry, sla, now))):
                yield entry

    def _source(self, query: WorkQuery, priority: int | None) -> tuple[list[SortedList], bool]:
        """The smallest set of sorted lists holding every match, and whether all their keys match."""
        choices: list[list[SortedList]] = [[self._keys("all", None)]]
        if query.queues is not None:
            choices.append([self._keys("queue", queue) for queue in dict.fromkeys(query.queues)])
        if query.assignee is not None:
            choices.append([self._keys("assignee", query.assignee)])
        if query.unassigned:
            choices.append([self._keys("unassigned", None)])
        if query.process_key is not None:
            choices.append([self._keys("process", query.process_key)])
        if priority is not None:
            choices.append([self._keys("priority", priority)])
        filters = len(choices) - 1
        smallest = min(choices, key=lambda lists: sum(map(len, lists)))
        exact = filters == 0 or (filters == 1 and smallest is not choices[0] and len(smallest) == 1)
        return smallest, exact

    def _keys(self, field: str, name: str | int | None) -> SortedList:
        self._build(field)
        return self._lists.get((field, name)) or _NO_KEYS

    def _build(self, field: str) -> None:
        """Build the lists of `field` (in one pass over the open items' deadline order)."""
        if field in self._built:
            return
        if field == "all":
            keys = sorted(entry.key for entry in self.entries.values())
            lists: dict[str | int | None, list[SortKey]] = {None: keys} if keys else {}
        else:
            lists = defaultdict(list)
            for key in self._keys("all", None):
                for name in _names_in(self.entries[key[3]], field):
                    lists[name].append(key)
        self._lists.update(((field, name), SortedList(keys)) for name, keys in lists.items())
        self._built.add(field)

    def _list(self, entry: WorkEntry) -> None:
        key = entry.key
        for name in _list_names(entry):
            if name[0] in self._built:
                keys = self._lists.get(name)
                if keys is None:
                    keys = self._lists[name] = SortedList()
                keys.add(key)
        if self._clocks is not None:
            for group in _clock_names(entry):
                clock = self._clocks.get(group)
                if clock is None:
                    clock = self._clocks[group] = _SlaClock()
                clock.add(entry)

    def _unlist(self, entry: WorkEntry) -> None:
        if self._clocks is not None:
            for group in _clock_names(entry):
                self._clocks[group].remove(entry)
        key = entry.key
        for name in _list_names(entry):
            if name[0] in self._built:
                self._lists[name].remove(key)  # an emptied list stays: the next item of its queue or person fills it


def matching_items(items: Iterable[WorkItem], query: WorkQuery) -> list[WorkItem]:
    """The items among `items` (a case's own, or those of a few cases) that `query` asks for, in its order, its
    offset and limit aside: what stores answer without the work index."""
    status = str(query.status)
    queues = None if query.queues is None else frozenset(query.queues)
    sla, now = query.sla, 0 if query.now is None else micros(query.now)
    found = []
    for item in items:
        entry = work_entry(vars(item))
        if entry.status == status and _matches(entry, query, queues) and (sla is None or _sla_matches(entry, sla, now)):
            found.append((entry, item))
    order = _priority_order if query.order is WorkOrder.PRIORITY else _deadline_order
    found.sort(key=lambda pair: order(pair[0]))
    return [item for _, item in found]


class _SlaClock:
    """The open items of one queue or process as moments (microseconds): when each is due (if it has a deadline),
    from when until when each is at risk (its warning before its due time), and when each was created. Counting at
    a moment is bisecting, whatever the number of items; equal moments are kept once per item. The monitor's
    figures need only these, not the queue's worklist order, so its first call builds no worklist."""

    __slots__ = ("created", "due", "risk_from", "risk_until")

    def __init__(self, due: Iterable[int] = (), risk_from: Iterable[int] = (), risk_until: Iterable[int] = (),
                 created: Iterable[int] = ()) -> None:
        self.due = SortedList(due)
        self.risk_from = SortedList(risk_from)
        self.risk_until = SortedList(risk_until)
        self.created = SortedList(created)

    def add(self, entry: WorkEntry) -> None:
        if entry.due is not None:
            self.due.add(entry.due)
        if _at_risk_before_due(entry):
            self.risk_from.add(entry.warning)
            self.risk_until.add(entry.due)
        self.created.add(entry.created)

    def remove(self, entry: WorkEntry) -> None:
        if entry.due is not None:
            self.due.remove(entry.due)
        if _at_risk_before_due(entry):
            self.risk_from.remove(entry.warning)
            self.risk_until.remove(entry.due)
        self.created.remove(entry.created)

    def at_risk(self, now: int) -> int:
        """How many items are at risk at `now`: warned, and not yet due (`SlaStatus.at`)."""
        return self.risk_from.bisect_right(now) - self.risk_until.bisect_right(now)


def _at_risk_before_due(entry: WorkEntry) -> bool:
    """Whether the item is ever at risk: it has a warning before its due time (else it goes from on track to
    breached)."""
    return entry.warning is not None and entry.due is not None and entry.warning < entry.due


def _queues_first(group: tuple[tuple[str, str], _SlaClock]) -> tuple[bool, str]:
    (by, name), _ = group
    return (by != "queue", name)


def _clock_names(entry: WorkEntry) -> tuple[tuple[str, str], tuple[str, str]]:
    return (("queue", entry.queue), ("process", entry.process_key))


def _sla_clocks(entries: Iterable[WorkEntry]) -> dict[tuple[str, str], _SlaClock]:
    """The clocks of open `entries` per queue and process, each sorted once."""
    moments: defaultdict[tuple[str, str], tuple[list[int], ...]] = defaultdict(lambda: ([], [], [], []))
    for entry in entries:
        risky = _at_risk_before_due(entry)
        for group in _clock_names(entry):
            due, risk_from, risk_until, created = moments[group]
            if entry.due is not None:
                due.append(entry.due)
            if risky:
                risk_from.append(entry.warning)  # type: ignore[arg-type]
                risk_until.append(entry.due)  # type: ignore[arg-type]
            created.append(entry.created)
    return {group: _SlaClock(*lists) for group, lists in moments.items()}


def _deadline_order(entry: WorkEntry) -> SortKey:
    return entry.key


def _priority_order(entry: WorkEntry) -> tuple[int, SortKey]:
    return (-entry.priority, entry.key)


def _matches(entry: WorkEntry, query: WorkQuery, queues: frozenset[str] | None) -> bool:
    return ((queues is None or entry.queue in queues)
            and (query.assignee is None or entry.assignee == query.assignee)
            and (not query.unassigned or entry.assignee is None)
            and (query.case_id is None or entry.case_id == query.case_id)
            and (query.process_key is None or entry.process_key == query.process_key))


def _sla_matches(entry: WorkEntry, sla: str, now: int) -> bool:
    """Whether `entry` has SLA status `sla` at `now`."""
    return SlaStatus.at(now, entry.due, entry.warning) == sla


def _sla_window(keys: Iterable[SortKey], sla: str, now: int) -> Iterator[SortKey]:
    """The keys (in deadline order) whose deadline can give status `sla` at `now`: breached ones are a prefix."""
    if sla == "breached":
        return itertools.takewhile(lambda key: key[0] <= now, keys)
    later = itertools.dropwhile(lambda key: key[0] <= now, keys)
    return itertools.takewhile(lambda key: key[0] != NO_DEADLINE, later)


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
        self._due = SortedList()  # (due, id) of the jobs not done

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
        self._due = SortedList((entry.due, entry.id) for entry in self.entries.values() if not entry.done)

    def case_of(self, job_id: str) -> str | None:
        entry = self.entries.get(job_id)
        return None if entry is None else entry.case_id

    def in_due_order(self) -> list[JobEntry]:
        """Every entry; those not done first, by due time."""
        waiting = [self.entries[job_id] for _, job_id in self._due]
        return waiting + [entry for entry in self.entries.values() if entry.done]

    def due(self, now: datetime, limit: int) -> list[JobEntry]:
        due = islice(self._due.irange(maximum=(micros(now) + 1,), inclusive=(True, False)), max(limit, 0))
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
        self._by_attempt = SortedList()  # (next attempt, id)

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
        self._by_attempt = SortedList((entry.next_attempt, entry.id) for entry in self.entries.values())

    def in_attempt_order(self) -> list[OutboxEntryKey]:
        return [self.entries[entry_id] for _, entry_id in self._by_attempt]

    def pending(self, due_before: datetime | None) -> list[OutboxEntryKey]:
        """Pending entries whose next attempt is due by `due_before` (all if None), oldest first."""
        keys = iter(self._by_attempt) if due_before is None else \
            self._by_attempt.irange(maximum=(micros(due_before) + 1,), inclusive=(True, False))
        found = [self.entries[entry_id] for _, entry_id in keys]
        return sorted(found, key=lambda e: (e.created, e.id))


# Customers -------------------------------------------------------------------------


class CustomerEntry(NamedTuple):
    """A customer's search keys, in their normal forms ("" when the customer has none)."""

    id: str
    number: str
    name: str  # name parts separated by one space
    email: str
    phone: str
    postcode: str
    address: str  # postcode and house number
    postal_postcode: str  # the same of the postal address, when letters go elsewhere
    postal_address: str


def customer_entry(doc: Mapping[str, Any]) -> CustomerEntry:
    address, postal = doc["address"], doc.get("postal_address") or {}
    phone = doc.get("phone") or ""
    return CustomerEntry(doc["id"], number_key(doc["number"]), name_key(doc["name"]), email_key(doc.get("email") or ""),
                         phone_key(phone) if phone else "", postcode_key(address["postcode"]),
                         address_key(address["postcode"], address["house_number"]),
                         postcode_key(postal["postcode"]) if postal else "",
                         address_key(postal["postcode"], postal["house_number"]) if postal else "")


def customer_search_keys(entry: CustomerEntry) -> list[tuple[str, str]]:
    """The (kind, key) pairs a customer is found by exactly: number, e-mail, phone, postcodes and addresses."""
    keys = [("number", entry.number), ("email", entry.email), ("phone", entry.phone),
            ("postcode", entry.postcode), ("address", entry.address),
            ("postcode", entry.postal_postcode), ("address", entry.postal_address)]
    return list(dict.fromkeys(key for key in keys if key[1]))  # a postal address may be the same


def customer_search_field(field: SearchField, key: str) -> str:
    """The kind of key (as `customer_search_keys` names them) a search by `field` for `key` looks up."""
    if field is SearchField.ADDRESS:
        return "address" if " " in key else "postcode"
    return _EXACT_FIELDS[field]


def _by_name(entry: CustomerEntry) -> tuple[str, str]:
    return (entry.name, entry.id)


_EXACT_FIELDS = {SearchField.NUMBER: "number", SearchField.EMAIL: "email", SearchField.PHONE: "phone"}


class _CustomerLookup:
    """Customer ids by each exact key (number, e-mail, phone, postcode, address) and by name part.

    Nearly every key belongs to one customer, so a key maps to that id itself
    and only shared keys to a set (100,000 customers would need half a million
    sets otherwise). The distinct name parts are also kept sorted, to find every
    part starting with what was typed.
    """

    def __init__(self, entries: Iterable[CustomerEntry]) -> None:
        self.exact: dict[tuple[str, str], str | set[str]] = {}
        self.name_parts: dict[str, str | set[str]] = {}
        with long_lived():
            for entry in entries:
                self._put(entry)
            self.sorted_parts = sorted(self.name_parts)

    def _put(self, entry: CustomerEntry) -> None:
        for key in customer_search_keys(entry):
            _join(self.exact, key, entry.id)
        for part in set(entry.name.split()):
            _join(self.name_parts, part, entry.id)

    def add(self, entry: CustomerEntry) -> None:
        for part in set(entry.name.split()) - self.name_parts.keys():
            insort(self.sorted_parts, part)
        self._put(entry)

    def remove(self, entry: CustomerEntry) -> None:
        for key in customer_search_keys(entry):
            _leave(self.exact, key, entry.id)
        for part in set(entry.name.split()):
            _leave(self.name_parts, part, entry.id)
            if part not in self.name_parts:
                del self.sorted_parts[bisect_left(self.sorted_parts, part)]

    def by_key(self, key: tuple[str, str]) -> Iterable[str]:
        return _members(self.exact, key)

    def by_name(self, key: str) -> set[str]:
        """Ids of customers with, for every part of `key`, a name part starting with it."""
        found: set[str] | None = None
        for prefix in sorted(set(key.split()), key=len, reverse=True):  # long parts narrow most
            ids: set[str] = set()
            at = bisect_left(self.sorted_parts, prefix)
            while at < len(self.sorted_parts) and self.sorted_parts[at].startswith(prefix):
                ids.update(_members(self.name_parts, self.sorted_parts[at]))
                at += 1
            found = ids if found is None else found & ids
            if not found:
                break
        return found or set()


def _join(groups: dict[Any, str | set[str]], group: Any, member: str) -> None:
    have = groups.get(group)
    if have is None:
        groups[group] = member
    elif isinstance(have, str):
        if have != member:
            groups[group] = {have, member}
    else:
        have.add(member)


def _leave(groups: dict[Any, str | set[str]], group: Any, member: str) -> None:
    have = groups.get(group)
    if have == member:
        del groups[group]
    elif isinstance(have, set):
        have.discard(member)
        if not have:
            del groups[group]


def _members(groups: dict[Any, str | set[str]], group: Any) -> Iterable[str]:
    """The group's members, not to be changed by the caller."""
    have = groups.get(group, ())
    return (have,) if isinstance(have, str) else have


class CustomerIndex:
    """Every customer's search keys; the lookups are built on the first search, then kept up to date."""

    def __init__(self) -> None:
        self.entries: dict[str, CustomerEntry] = {}
        self._lookup: _CustomerLookup | None = None

    def put(self, doc: Mapping[str, Any]) -> None:
        entry = customer_entry(doc)
        old = self.entries.get(entry.id)
        if old == entry:
            return
        self.entries[entry.id] = entry
        if self._lookup is not None:
            if old is not None:
                self._lookup.remove(old)
            self._lookup.add(entry)

    def load(self, entries: Iterable[CustomerEntry]) -> None:
        self.entries = {entry.id: entry for entry in entries}
        self._lookup = None

    def find(self, field: SearchField, key: str, limit: int) -> list[str]:
        """Ids of the customers matching `key` (see `Store.find_customers`), by name then id."""
        key = key.strip()
        if not key or limit <= 0:
            return []
        if self._lookup is None:
            self._lookup = _CustomerLookup(self.entries.values())
        ids: Iterable[str]
        if field is SearchField.NAME:
            ids = self._lookup.by_name(key)
        else:
            ids = self._lookup.by_key((customer_search_field(field, key), key))
        first = heapq.nsmallest(limit, (self.entries[customer_id] for customer_id in ids), key=_by_name)
        return [entry.id for entry in first]


# Contacts ---------------------------------------------------------------------------


class ContactEntry(NamedTuple):
    id: str
    customer_id: str | None
    at: int
    revision: int


def contact_entry(doc: Mapping[str, Any]) -> ContactEntry:
    return ContactEntry(doc["id"], doc.get("customer_id"), micros(doc["at"]), doc["revision"])


class ContactIndex:
    """Every contact's customer and time; the contacts of each customer once asked."""

    def __init__(self) -> None:
        self.entries: dict[str, ContactEntry] = {}
        self._by_customer: dict[str | None, set[str]] | None = None

    def put(self, doc: Mapping[str, Any]) -> None:
        entry = contact_entry(doc)
        old = self.entries.get(entry.id)
        self.entries[entry.id] = entry
        if self._by_customer is not None:
            if old is not None:
                _discard(self._by_customer, old.customer_id, old.id)
            self._by_customer.setdefault(entry.customer_id, set()).add(entry.id)

    def load(self, entries: Iterable[ContactEntry]) -> None:
        self.entries = {entry.id: entry for entry in entries}
        self._by_customer = None

    def revision(self, contact_id: str) -> int | None:
        entry = self.entries.get(contact_id)
        return None if entry is None else entry.revision

    def ids(self, customer_id: str | None) -> list[str]:
        """Ids of the customer's contacts (all contacts if None), oldest first."""
        if customer_id is None:
            found: Iterable[str] = self.entries
        else:
            if self._by_customer is None:
                self._by_customer = {}
                for entry in self.entries.values():
                    self._by_customer.setdefault(entry.customer_id, set()).add(entry.id)
            found = self._by_customer.get(customer_id, ())
        return sorted(found, key=lambda contact_id: (self.entries[contact_id].at, contact_id))


# All of them ------------------------------------------------------------------------


class Indexes:
    """The indexes of a store, fed by document kind, saved as one snapshot."""

    def __init__(self) -> None:
        self.cases = CaseIndex()
        self.work = WorkIndex()
        self.jobs = JobIndex()
        self.outbox = OutboxIndex()
        self.customers = CustomerIndex()
        self.contacts = ContactIndex()
        self._by_kind: dict[str, CaseIndex | WorkIndex | JobIndex | OutboxIndex | CustomerIndex | ContactIndex] = {
            "case": self.cases, "work_items": self.work, "jobs": self.jobs, "outbox": self.outbox,
            "customers": self.customers, "contacts": self.contacts}

    def put(self, kind: str, doc: Mapping[str, Any]) -> None:
        """Index one document of `kind` ("case", "work_items", "jobs", "outbox", "customers", "contacts";
        others are ignored)."""
        index = self._by_kind.get(kind)
        if index is not None:
            index.put(doc)

    def snapshot(self) -> dict[str, Any]:
        """Every entry, JSON-ready as one list per field, and the sums of closed cases per day.

        Entries come in the order their sorted lists keep (open work items by
        worklist order, jobs by due time, ...), so loading sorts sorted data.
        """
        return {
            "version": SNAPSHOT_VERSION,
            "closed_days": [closed_day_json(day) for day in self.cases.closed_days.values()],
            "cases": _columns(list(self.cases.entries.values()), CaseEntry),
            "work_items": _columns(self.work.in_list_order(), WorkEntry),
            "work_closed": [list(self.work.closed), *map(list, zip(*self.work.closed.values(), strict=True))]
            if self.work.closed else [[], [], []],
            "jobs": _columns(self.jobs.in_due_order(), JobEntry),
            "outbox": _columns(self.outbox.in_attempt_order(), OutboxEntryKey),
            "customers": _columns(list(self.customers.entries.values()), CustomerEntry),
            "contacts": _columns(list(self.contacts.entries.values()), ContactEntry),
        }

    def canonical(self) -> dict[str, Any]:
        """The snapshot with every index's entries sorted by id: equal indexes give equal results."""
        snapshot = self.snapshot()
        days = sorted(snapshot.pop("closed_days"), key=itemgetter("day", "process_key"))
        return {name: [list(row) for row in sorted(zip(*columns, strict=True))] if name != "version" else columns
                for name, columns in snapshot.items()} | {"closed_days": days}

    @classmethod
    def from_snapshot(cls, columns: Mapping[str, Any]) -> Indexes:
        """Indexes from `snapshot()` columns; KeyError/TypeError/ValueError if they are malformed or were written
        by an older Flowdesk (another `SNAPSHOT_VERSION`)."""
        if columns.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"written by another Flowdesk (index version {columns.get('version', 1)}, this one "
                             f"reads {SNAPSHOT_VERSION})")
        with long_lived():
            indexes = cls()
            indexes.cases.load(_rows(columns["cases"], CaseEntry), map(closed_day_of, columns["closed_days"]))
            ids, case_ids, statuses = columns["work_closed"]
            indexes.work.load(_rows(columns["work_items"], WorkEntry), dict(zip(ids, zip(case_ids, statuses,
                                                                                         strict=True), strict=True)))
            indexes.jobs.load(_rows(columns["jobs"], JobEntry))
            indexes.outbox.load(_rows(columns["outbox"], OutboxEntryKey))
            indexes.customers.load(_rows(columns["customers"], CustomerEntry))
            indexes.contacts.load(_rows(columns["contacts"], ContactEntry))
            return indexes

    @classmethod
    def from_documents(cls, docs: Iterable[tuple[str, Mapping[str, Any]]]) -> Indexes:
        """Indexes of (kind, document) pairs, as `put` would build them but sorting once (a full rebuild)."""
        with long_lived():
            found: dict[str, list[Any]] = {"case": [], "work_items": [], "jobs": [], "outbox": [], "customers": [],
                                           "contacts": []}
            closed_days: dict[tuple[date, str], ClosedDay] = {}
            closed_items: dict[str, tuple[str, str]] = {}
            for kind, doc in docs:
                if kind == "case":
                    found[kind].append(case_entry(doc))
                    closed = closed_case(doc)
                    if closed is not None:
                        key = (closed.day, closed.process_key)
                        closed_days.setdefault(key, ClosedDay(closed.day, closed.process_key)).add(closed)
                elif kind == "work_items":
                    entry = work_entry(doc)
                    if entry.status == _OPEN:
                        found[kind].append(entry)
                    else:
                        closed_items[entry.id] = (entry.case_id, entry.status)
                elif kind == "jobs":
                    found[kind].append(job_entry(doc))
                elif kind == "outbox" and doc["status"] in AWAITING_DELIVERY:
                    found[kind].append(outbox_entry(doc))
                elif kind == "customers":
                    found[kind].append(customer_entry(doc))
                elif kind == "contacts":
                    found[kind].append(contact_entry(doc))
            indexes = cls()
            indexes.cases.load(found["case"], closed_days.values())
            indexes.work.load(found["work_items"], closed_items)
            indexes.jobs.load(found["jobs"])
            indexes.outbox.load(found["outbox"])
            indexes.customers.load(found["customers"])
            indexes.contacts.load(found["contacts"])
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
