"""What a supervisor watches, derived from what the store holds; nothing is counted by hand.

Two kinds of figures:

- **open work** (`open_work`): per queue and per process, the open work items, how many are
  on track / at risk / breached (`SlaStatus.at`) and how old the oldest is, counted by the
  store's index from sorted deadlines (`Store.open_work_counts`), never by reading the items;
- **closed cases** (`closed_case_figures`): over the cases closed in a date range,

  - *time to first response*, *first-time-right*, task SLA, waits and edges: see
    `runtime.case_facts`, which derives them once, in the step that closes a case;
  - *time to resolution*: case start -> closed;
  - *SLA compliance*: the share of the cases' completed tasks with a due time that were completed
    by it, and of the cases with a case SLA that were closed by its due time;
  - root causes given when closing; closings and resolution times per local day;
  - per process, the *bottleneck view*: per node the average wait, and per edge how often tokens
    followed it.

Times are in seconds. Medians are the usual middle value (the mean of the two middle ones for an
even count); the 90th percentile is the nearest-rank one: the smallest value that at least 90% of
the values do not exceed.

The closed-case figures are sums of what the store keeps per local day and process
(`Store.closed_case_days`): a year's figures add up a few hundred days and never read a case;
only the medians and percentiles look at each duration, merging the days' sorted durations in C
(`spread_of_runs`). Cases closed before facts were kept (stored by an earlier Flowdesk) are
derived from their documents once per revision (`FactsCache`).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain

from runtime.case_facts import TrailMark, case_facts
from runtime.documents import WorkItemStatus
from runtime.service import Runtime
from runtime.storage.base import ClosedCase, ClosedDay, Store, WorkQuery
from runtime.storage.indexes import closed_case

#: A page size no list of a case's work items reaches: every matching item is read.
EVERY_ITEM = 10_000_000
#: The stores sum durations in whole microseconds.
MICROSECONDS = 1_000_000


class FactsCache:
    """Closed cases stored before their facts were kept, their facts derived from their documents, by case id and
    the revision they were derived at (a monitor refreshing every few seconds reads such a case once)."""

    def __init__(self) -> None:
        self._cases: dict[str, tuple[int, ClosedCase]] = {}

    def closed(self, store: Store, case_id: str, revision: int, timezone: str) -> ClosedCase:
        """What the closed case at `revision` adds to its day, read from the store only if not known yet."""
        cached = self._cases.get(case_id)
        if cached is not None and cached[0] == revision:
            return cached[1]
        case = store.case(case_id)
        items = store.work_items(WorkQuery(case_id=case_id, status=WorkItemStatus.COMPLETED, limit=EVERY_ITEM))
        facts = case_facts(case, [TrailMark.of(event) for event in store.audit_events(case_id)], items, timezone)
        found = closed_case(vars(case) | {"facts": facts})
        assert found is not None
        self._cases[case_id] = (case.revision, found)
        return found


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


def spread_of_runs(runs: Iterable[list[int]]) -> Spread | None:
    """`spread` of durations kept as sorted runs of microseconds (one per day and process), in seconds.

    The runs are merged by Python's sort, which finds them already in order: about 15 ms per 100,000
    durations, against the half millisecond it took per case to read the case again.

    >>> spread_of_runs([[60_000_000, 180_000_000], [120_000_000]])
    Spread(count=3, median=120.0, p90=180.0)
    """
    ordered = sorted(chain.from_iterable(runs))
    if not ordered:
        return None
    count = len(ordered)
    middle = ordered[count // 2] if count % 2 else (ordered[count // 2 - 1] + ordered[count // 2]) / 2
    return Spread(count, middle / MICROSECONDS, ordered[math.ceil(0.9 * count) - 1] / MICROSECONDS)


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
    found = runtime.store.closed_case_days(since, until)
    days = found.days
    if found.without_facts:
        cache = cache or FactsCache()
        derived: dict[tuple[date, str], ClosedDay] = {}
        for case_id, revision in found.without_facts:
            closed = cache.closed(runtime.store, case_id, revision, runtime.calendar.timezone)
            derived.setdefault((closed.day, closed.process_key), ClosedDay(closed.day, closed.process_key)).add(
                closed)
        days = [*days, *derived.values()]
    days = [day for day in days if process_key in (None, day.process_key)]
    cases = sum(day.cases for day in days)
    per_day: dict[date, list[ClosedDay]] = defaultdict(list)
    for day in days:
        per_day[day.day].append(day)
    return ClosedCaseFigures(
        cases=cases,
        first_response=spread_of_runs([day.first_responses for day in days]),
        resolution=spread_of_runs([day.resolutions for day in days]),
        first_time_right=share(sum(day.first_time_right for day in days), cases),
        task_sla_compliance=share(sum(day.tasks_on_time for day in days), sum(day.tasks_with_sla for day in days)),
        case_sla_compliance=share(sum(day.case_slas_met for day in days), sum(day.case_slas for day in days)),
        root_causes=_root_cause_labels(runtime, days),
        per_day=[_day_figures(day, same_day) for day, same_day in sorted(per_day.items())],
        flows=_flows(days),
    )


def _day_figures(day: date, days: list[ClosedDay]) -> DayFigures:
    resolution = spread_of_runs([closed.resolutions for closed in days])
    assert resolution is not None  # a day is there because a case closed on it
    return DayFigures(day, resolution.count, resolution.median)


def _root_cause_labels(runtime: Runtime, days: list[ClosedDay]) -> dict[str, int]:
    counts: Counter[tuple[str, str]] = Counter()
    for day in days:
        counts.update({(day.process_key, cause): count for cause, count in day.root_causes.items()})
    labels: dict[tuple[str, str], str] = {}
    for process_key in {key for key, _ in counts}:
        version = runtime.latest_process_version(process_key)
        for cause in version.bundle.root_causes if version else ():
            labels[(process_key, cause.id)] = cause.label
    by_label: Counter[str] = Counter()
    for (process_key, cause), count in counts.items():
        by_label[labels.get((process_key, cause), cause)] += count
    return dict(by_label.most_common())


def _flows(days: list[ClosedDay]) -> dict[str, FlowFigures]:
    waits: dict[str, dict[str, list[int]]] = defaultdict(dict)
    edges: dict[str, Counter[str]] = defaultdict(Counter)
    for day in days:
        for node, (count, total) in day.waits.items():
            summed = waits[day.process_key].setdefault(node, [0, 0])
            summed[0] += count
            summed[1] += total
        edges[day.process_key].update(day.edges)
    return {key: FlowFigures({node: total / count / MICROSECONDS for node, (count, total) in
                              sorted(waits[key].items())}, dict(sorted(edges[key].items())))
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
