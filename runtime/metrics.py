"""What a supervisor watches, derived from what the store holds; nothing is counted by hand.

Two kinds of figures:

- **open work** (`open_work`): per queue and per process, the open work items, how many are
  on track / at risk / breached (`SlaStatus.of`) and how old the oldest is;
- **closed cases** (`closed_case_figures`): over the cases closed in a date range,

  - *time to first response*: case start -> the first moment a person claimed or completed one
    of its tasks (the first "task claimed" or "task completed" audit event); cases no person
    worked on have none;
  - *time to resolution*: case start -> closed;
  - *first-time-right*: the share of closed cases without rework: no edge of the flow followed
    twice (a loop back) and no task node given work twice. (Flowdesk cannot reopen a closed case,
    so a closed case was never reopened.)
  - *SLA compliance*: the share of the cases' completed tasks with a due time that were completed
    by it, and of the cases with a case SLA that were closed by its due time;
  - root causes given when closing; closings and resolution times per local day;
  - per process, the *bottleneck view*: per node the average wait (task created -> completed from
    the work items; at a wait node from "waiting" to "timer fired" / "message received"), and per
    edge how often tokens followed it (the "edges" the engine records in each audit event).

Times are in seconds. Medians are the usual middle value (the mean of the two middle ones for an
even count); the 90th percentile is the nearest-rank one: the smallest value that at least 90% of
the values do not exceed.

A closed case rarely changes (a note moves its revision), so its facts (`CaseFacts`) are derived
once from its case, work items and audit events and kept in a `FactsCache` by case id and revision:
a monitor that refreshes every few seconds reads only the cases closed or changed since it last
looked (`Store.closed_case_revisions` lists them from an index without reading any case).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from runtime.documents import AuditEvent, Case, WorkItem, WorkItemStatus
from runtime.service import Runtime
from runtime.storage.base import Store, WorkQuery

#: Audit events that show a person taking up a case's work.
FIRST_RESPONSE_KINDS = frozenset({"task claimed", "task completed"})
#: Audit events that end a wait at a wait node.
WAIT_ENDS = frozenset({"timer fired", "message received"})
#: A page size no list of work items reaches: every matching item is read.
EVERY_ITEM = 10_000_000


# Figures of one case ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What one closed case contributes to the figures."""

    process_key: str
    closed_at: datetime
    resolution: float
    first_response: float | None
    first_time_right: bool
    tasks_with_sla: int
    tasks_on_time: int
    case_sla_met: bool | None  # None: the process has no case SLA
    root_cause: str | None
    waits: tuple[tuple[str, float], ...]  # (node id, seconds) per completed task and per ended wait
    edges: tuple[str, ...]  # every edge followed, as often as followed


def case_facts(case: Case, events: Sequence[AuditEvent], items: Iterable[WorkItem]) -> CaseFacts:
    """The facts of a closed case from its audit trail (in order) and its work items."""
    if case.closed_at is None:
        raise ValueError(f"case {case.id} is not closed")
    first_response = next((seconds(case.started_at, e.at) for e in events if e.kind in FIRST_RESPONSE_KINDS), None)
    edges = tuple(edge for event in events for edge in event.details.get("edges", ()))
    tasks_created = Counter(e.node for e in events if e.kind == "task created")
    rework = any(n > 1 for n in Counter(edges).values()) or any(n > 1 for n in tasks_created.values())
    waits: list[tuple[str, float]] = []
    tasks_with_sla = tasks_on_time = 0
    for item in items:
        if item.status is not WorkItemStatus.COMPLETED or item.completed_at is None:
            continue
        if item.node and not item.adhoc:
            waits.append((item.node, seconds(item.created_at, item.completed_at)))
        if item.due_at is not None:
            tasks_with_sla += 1
            tasks_on_time += item.completed_at <= item.due_at
    waits.extend(_wait_node_waits(events))
    return CaseFacts(
        process_key=case.process_key, closed_at=case.closed_at, resolution=seconds(case.started_at, case.closed_at),
        first_response=first_response, first_time_right=not rework, tasks_with_sla=tasks_with_sla,
        tasks_on_time=tasks_on_time, case_sla_met=None if case.due_at is None else case.closed_at <= case.due_at,
        root_cause=case.root_cause, waits=tuple(waits), edges=edges,
    )


def _wait_node_waits(events: Sequence[AuditEvent]) -> list[tuple[str, float]]:
    started: dict[str, datetime] = {}
    waits = []
    for event in events:
        if event.node is None:
            continue
        if event.kind == "waiting":
            started[event.node] = event.at
        elif event.kind in WAIT_ENDS and event.node in started:
            waits.append((event.node, seconds(started.pop(event.node), event.at)))
    return waits


def seconds(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds()


class FactsCache:
    """Facts of closed cases by case id, valid for the revision they were derived at."""

    def __init__(self) -> None:
        self._facts: dict[str, tuple[int, CaseFacts]] = {}

    def facts(self, store: Store, case_id: str, revision: int) -> CaseFacts:
        """The facts of a closed case at `revision`, read from the store only if not known yet."""
        cached = self._facts.get(case_id)
        if cached is not None and cached[0] == revision:
            return cached[1]
        case = store.case(case_id)
        items = store.work_items(WorkQuery(case_id=case_id, status=WorkItemStatus.COMPLETED, limit=EVERY_ITEM))
        facts = case_facts(case, store.audit_events(case_id), items)
        self._facts[case_id] = (case.revision, facts)
        return facts


# Figures over many cases ---------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile of some durations, in seconds."""

    count: int
    median: float
    p90: float


def spread(values: Iterable[float]) -> Spread | None:
    """Median and nearest-rank 90th percentile; None without values.

    >>> spread([60, 120, 180, 240, 300, 360, 420, 480, 540, 6000])
    Spread(count=10, median=330.0, p90=540)
    """
    ordered = sorted(values)
    if not ordered:
        return None
    return Spread(len(ordered), statistics.median(ordered), ordered[math.ceil(0.9 * len(ordered)) - 1])


def share(part: int, whole: int) -> float | None:
    """`part / whole`, or None when there is nothing to share."""
    return part / whole if whole else None


@dataclass(frozen=True)
class DayFigures:
    day: date
    closed: int
    median_resolution: float


@dataclass
class FlowFigures:
    """The bottleneck view of one process: average wait per node, times each edge was followed."""

    average_wait: dict[str, float] = field(default_factory=dict)
    edge_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ClosedCaseFigures:
    cases: int
    first_response: Spread | None
    resolution: Spread | None
    first_time_right: float | None
    task_sla_compliance: float | None
    case_sla_compliance: float | None
    root_causes: dict[str, int]  # root cause label -> cases, most first
    per_day: list[DayFigures]
    flows: dict[str, FlowFigures]  # process key -> its bottleneck view


def closed_case_figures(runtime: Runtime, since: datetime, until: datetime, *, process_key: str | None = None,
                        cache: FactsCache | None = None) -> ClosedCaseFigures:
    """Figures over the cases closed at or after `since` and before `until` (of one process, if given)."""
    cache = cache or FactsCache()
    facts = [cache.facts(runtime.store, case_id, revision)
             for case_id, revision in runtime.store.closed_case_revisions(since, until)]
    facts = [f for f in facts if process_key in (None, f.process_key)]
    zone = ZoneInfo(runtime.calendar.timezone)
    by_day: dict[date, list[float]] = defaultdict(list)
    for fact in facts:
        by_day[fact.closed_at.astimezone(zone).date()].append(fact.resolution)
    per_day = [DayFigures(day, len(times), statistics.median(times)) for day, times in sorted(by_day.items())]
    case_slas = [f.case_sla_met for f in facts if f.case_sla_met is not None]
    return ClosedCaseFigures(
        cases=len(facts),
        first_response=spread(f.first_response for f in facts if f.first_response is not None),
        resolution=spread(f.resolution for f in facts),
        first_time_right=share(sum(f.first_time_right for f in facts), len(facts)),
        task_sla_compliance=share(sum(f.tasks_on_time for f in facts), sum(f.tasks_with_sla for f in facts)),
        case_sla_compliance=share(sum(case_slas), len(case_slas)),
        root_causes=_root_cause_labels(runtime, facts),
        per_day=per_day,
        flows=_flows(facts),
    )


def _root_cause_labels(runtime: Runtime, facts: list[CaseFacts]) -> dict[str, int]:
    counts = Counter((f.process_key, f.root_cause) for f in facts if f.root_cause is not None)
    labels: dict[tuple[str, str], str] = {}
    for process_key in {key for key, _ in counts}:
        version = runtime.latest_process_version(process_key)
        for cause in version.bundle.root_causes if version else ():
            labels[(process_key, cause.id)] = cause.label
    by_label: Counter[str] = Counter()
    for (process_key, cause), count in counts.items():
        by_label[labels.get((process_key, cause), cause)] += count
    return dict(by_label.most_common())


def _flows(facts: list[CaseFacts]) -> dict[str, FlowFigures]:
    waits: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    edges: dict[str, Counter[str]] = defaultdict(Counter)
    for fact in facts:
        for node, wait in fact.waits:
            waits[fact.process_key][node].append(wait)
        edges[fact.process_key].update(fact.edges)
    return {key: FlowFigures({node: statistics.fmean(times) for node, times in sorted(waits[key].items())},
                             dict(sorted(edges[key].items())))
            for key in sorted(set(waits) | set(edges))}


# Open work ------------------------------------------------------------------------------------


@dataclass
class OpenWork:
    """Open work items of one queue or process and where they stand against their SLA."""

    name: str
    pending: int = 0
    on_track: int = 0
    at_risk: int = 0
    breached: int = 0
    oldest: datetime | None = None  # when the oldest open item was created


@dataclass(frozen=True)
class OpenWorkFigures:
    per_queue: list[OpenWork]
    per_process: list[OpenWork]


def open_work(store: Store, now: datetime) -> OpenWorkFigures:
    """Open work items per queue and per process (by key), sorted by name; counted by the store's index."""
    groups: dict[str, list[OpenWork]] = {"queue": [], "process": []}
    for count in store.open_work_counts(now):
        groups[count.by].append(OpenWork(count.name, count.pending, count.on_track, count.at_risk, count.breached,
                                         count.oldest))
    return OpenWorkFigures(groups["queue"], groups["process"])
