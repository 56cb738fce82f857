"""How long the supervisor monitor's figures take over 100,000 closed cases in the embedded store.

Run: `.venv/bin/python bench/bench_monitor.py [--cases 100000] [--days 365] [--range-days 30] [--folder DIR]`

One small process is published (a check task with an SLA of 2 hours that loops back while the
work is not right, a case SLA of 1 day, two root causes). Then `--cases` closed cases of it are
written directly as documents (`Store.commit`, 1,000 cases per commit, a checkpoint every
10,000), as the engine would have left them: the case, one or two completed work items and the
audit trail with the edges taken (one case in five goes round the loop once). Cases close
evenly over `--days` days, so a `--range-days` range holds about cases × range / days of them.
With `--folder` the filled store is kept there and reused by later runs.

Measured on a freshly opened store, for the last `--range-days` days:

- `closed_case_revisions` alone (the index lookup);
- `closed_case_figures` cold: a new facts cache, so every case's items and trail are read;
- `closed_case_figures` warm: the facts cache of the previous runs (what the page's 10-second
  refresh costs once the figures were derived), median of 5;
- `open_work` over 1,000 open items.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from models import Bundle  # noqa: E402
from runtime.clock import ManualClock  # noqa: E402
from runtime.documents import AuditEvent, Case, CaseStatus, WorkItem, WorkItemStatus  # noqa: E402
from runtime.metrics import FactsCache, closed_case_figures, open_work  # noqa: E402
from runtime.service import Runtime  # noqa: E402
from runtime.storage.base import Changes  # noqa: E402
from runtime.storage.tinydb_store import TinyDBStore  # noqa: E402
from tests.people import person  # noqa: E402

BATCH = 1_000
OPEN_ITEMS = 1_000
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PROCESS = {
    "key": "repair", "name": "Repair", "roles": [{"id": "agent"}], "queues": [{"id": "q", "role": "agent"}],
    "variables": [{"name": "ok", "type": "boolean"}],
    "nodes": [{"id": "s", "kind": "start"}, {"id": "check", "kind": "task", "queue": "q", "name": "Check",
                                              "sla": {"target": "2 hours"}},
              {"id": "d", "kind": "decision"}, {"id": "e", "kind": "end", "outcome": "done"}],
    "edges": [{"id": "f1", "source": "s", "target": "check"}, {"id": "f2", "source": "check", "target": "d"},
              {"id": "f3", "source": "d", "target": "check", "condition": "ok == false"},
              {"id": "f4", "source": "d", "target": "e", "default": True}],
    "case_sla": {"target": "1 days"},
    "root_causes": [{"id": "meter", "label": "Meter error"}, {"id": "tariff", "label": "Wrong tariff"}],
}


class TrailWriter:
    """The audit events of one case, numbered in order (hashes are not checked here)."""

    def __init__(self, case: Case, version_hash: str) -> None:
        self.case, self.version_hash, self.events = case, version_hash, []

    def add(self, kind: str, at: datetime, node: str | None = None, **details: object) -> None:
        seq = len(self.events) + 1
        self.events.append(AuditEvent(
            id=f"{self.case.id}-ev{seq}", case_id=self.case.id, seq=seq, at=at, actor="bob", kind=kind, node=node,
            version_hash=self.version_hash, summary=kind, details=details, previous_hash=f"h{seq - 1}",
            hash=f"h{seq}"))


def closed_case(number: int, version_hash: str, closed: datetime, rng: random.Random) -> Changes:
    """One closed case as the engine leaves it: 20% went round the loop once."""
    rounds = 2 if rng.random() < 0.2 else 1
    waits = [timedelta(minutes=rng.uniform(5, 240)) for _ in range(rounds)]
    started = closed - sum(waits, timedelta())
    case = Case(id=f"case-{number:06}", process_key="repair", version=1, version_hash=version_hash,
                status=CaseStatus.COMPLETED, started_at=started, started_by="ann", closed_at=closed, outcome="done",
                root_cause=rng.choice(("meter", "tariff")), due_at=started + timedelta(days=1), data={"ok": True})
    trail = TrailWriter(case, version_hash)
    trail.add("case started", started, "s")
    items, moment, edge = [], started, "f1"
    for n, wait in enumerate(waits):
        item = WorkItem(id=f"{case.id}-item{n}", case_id=case.id, process_key="repair", node="check",
                        token="tok", title="Check", queue="q", created_at=moment, due_at=moment + timedelta(hours=2),
                        status=WorkItemStatus.COMPLETED, completed_at=moment + wait, completed_by="bob")
        items.append(item)
        trail.add("task created", moment, "check", work_item=item.id, edges=[edge])
        trail.add("task claimed", moment + wait / 3, "check")
        moment += wait
        trail.add("task completed", moment, "check", work_item=item.id)
        edge = "f3" if n < rounds - 1 else "f4"
        trail.add("decision", moment, "d", edge=edge, edges=["f2"])
    trail.add("end reached", moment, "e", edges=["f4"])
    trail.add("case completed", moment, outcome="done")
    trail.add("case closed", moment, root_cause=case.root_cause)
    return Changes(cases=[(case, None)], work_items=items, audit=trail.events)


def open_case(number: int, version_hash: str, rng: random.Random) -> Changes:
    created = NOW - timedelta(minutes=rng.uniform(0, 600))
    case = Case(id=f"open-{number:06}", process_key="repair", version=1, version_hash=version_hash,
                started_at=created, started_by="ann")
    item = WorkItem(id=f"{case.id}-item", case_id=case.id, process_key="repair", node="check", token="tok",
                    title="Check", queue="q", created_at=created, warning_at=created + timedelta(hours=1),
                    due_at=created + timedelta(hours=2))
    return Changes(cases=[(case, None)], work_items=[item])


def fill(store: TinyDBStore, cases: int, days: int) -> None:
    runtime = Runtime(store, ManualClock(NOW - timedelta(days=days + 1)))
    version = runtime.publish(person("bench"), Bundle.model_validate(PROCESS))
    rng = random.Random(cases)
    span = timedelta(days=days) / cases
    for start in range(0, cases + OPEN_ITEMS, BATCH):
        batch = Changes()
        for number in range(start, min(start + BATCH, cases + OPEN_ITEMS)):
            one = (closed_case(number, version.hash, NOW - span * (cases - number), rng) if number < cases
                   else open_case(number, version.hash, rng))
            for name in ("cases", "work_items", "audit"):
                getattr(batch, name).extend(getattr(one, name))
        store.commit(batch)
        if (start // BATCH) % 10 == 9:
            store.checkpoint()
    store.checkpoint()


def build(folder: Path, cases: int, days: int) -> float:
    """Fill a store in `folder` unless a finished one is there (kept by --folder); the seconds it took."""
    finished = folder / f"bench-filled-{cases}-{days}"
    if finished.exists():
        return 0.0
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    with TinyDBStore.open(folder) as store:
        fill(store, cases, days)
    finished.touch()
    return time.perf_counter() - started


def timed(action: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365, help="closings spread over this many days")
    parser.add_argument("--range-days", type=int, default=30, help="the monitor's date range")
    parser.add_argument("--folder", type=Path, help="keep the filled store here and reuse it")
    args = parser.parse_args()
    base = args.folder or Path(tempfile.mkdtemp(prefix="flowdesk-bench-monitor-"))
    folder = base / "store"
    try:
        built = build(folder, args.cases, args.days)
        print(f"{args.cases:,} closed cases over {args.days} days (+{OPEN_ITEMS:,} open items); "
              f"filled in {built:.0f} s" if built else "reusing the filled store")
        since, until = NOW - timedelta(days=args.range_days), NOW
        with TinyDBStore.open(folder) as store:
            runtime = Runtime(store, ManualClock(NOW))
            lookup, found = timed(lambda: store.closed_case_revisions(since, until), repeat=5)
            print(f"closed_case_revisions, last {args.range_days} days ({len(found):,} cases, median of 5): "
                  f"{lookup * 1e3:,.0f} ms")
            cache = FactsCache()
            cold, figures = timed(lambda: closed_case_figures(runtime, since, until, cache=cache))
            warm, _ = timed(lambda: closed_case_figures(runtime, since, until, cache=cache), repeat=5)
            print(f"closed_case_figures cold (facts derived): {cold * 1e3:,.0f} ms")
            print(f"closed_case_figures warm (median of 5):   {warm * 1e3:,.0f} ms")
            print(f"  -> {figures.cases:,} cases, TTR median {figures.resolution.median / 60:.0f} min, "
                  f"FTR {figures.first_time_right:.0%}, task SLA {figures.task_sla_compliance:.0%}, "
                  f"root causes {figures.root_causes}, edges {figures.flows['repair'].edge_counts}")
            work, open_figures = timed(lambda: open_work(store, NOW), repeat=5)
            print(f"open_work over {open_figures.per_queue[0].pending:,} open items (median of 5): "
                  f"{work * 1e3:,.0f} ms")
    finally:
        if args.folder is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
