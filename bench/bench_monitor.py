"""The supervisor monitor's figures on a store at scale: open work, and closed-case figures over a range.

Run: `.venv/bin/python bench/bench_monitor.py [--open 100000] [--closed 100000] [--days 365]
[--ranges 365,30] [--repeats 5] [--folder DIR] [--json FILE]`

The store comes from `bench/scale.py` (`--open` open work items, `--closed` closed cases closing
over `--days` days; with `--folder` it is kept there and reused). Measured, on the runtime clock
`scale.NOW`:

- *after a restart*: in a fresh Python process, the store is opened (`TinyDBStore.open`), its
  indexes loaded (the first request that uses one loads the snapshot: timed on its own, it is
  paid once per start, whichever page comes first) and the monitor's first calls made:
  `open_work_figures`, then `closed_figures` over each range (the last `--ranges` days, ending
  at NOW, as the page asks for whole local days). Each restart is its own process, `--repeats`
  times; medians.
- *warm*: the same calls again in one process, medians of `--repeats` (what the page's
  10-second refresh costs).

Targets (issue 14): open work < 100 ms at 100,000 open items; closed-case figures over a year at
100,000 closed cases < 500 ms after a restart and < 100 ms warm. The figures' size (cases, days)
is printed with them, so a cost that grows with the days rather than the cases shows.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from scale import NOW, generate  # noqa: E402

from runtime.clock import ManualClock  # noqa: E402
from runtime.service import Runtime  # noqa: E402
from runtime.storage.tinydb_store import TinyDBStore  # noqa: E402
from runtime.views.monitor import closed_figures, open_work_figures  # noqa: E402
from tests.people import person  # noqa: E402

SUPERVISOR = person("sue", "supervisor")
TARGETS_MS = {"open work": 100.0, "closed, restart": 500.0, "closed, warm": 100.0}


def day_range(days: int, timezone: str) -> tuple[datetime, datetime]:
    """The last `days` whole local days up to NOW's day, as the monitor page asks for them."""
    zone = ZoneInfo(timezone)
    last = NOW.astimezone(zone).date()
    return (datetime.combine(last - timedelta(days=days - 1), clock_time(0), zone),
            datetime.combine(last + timedelta(days=1), clock_time(0), zone))


def measured(action: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU milliseconds of `action`, and its result (on a shared machine, wall time also waits for other
    processes; CPU time is the work)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = action()
    return (time.perf_counter() - started) * 1e3, (time.process_time() - cpu) * 1e3, result


def one_restart(folder: Path, ranges: list[int]) -> dict[str, Any]:
    """Open the store and make the monitor's first calls, as a freshly started Flowdesk: milliseconds each (wall,
    and CPU under the same name + ' cpu')."""
    timings: dict[str, Any] = {}

    def timed(name: str, action: Callable[[], Any]) -> Any:
        timings[name], timings[f"{name} cpu"], result = measured(action)
        return result

    store = timed("open store", lambda: TinyDBStore.open(folder))
    try:
        runtime = Runtime(store, ManualClock(NOW))
        timed("load indexes", store.worklist_marker)  # the first use of any index loads them
        work = timed("open work", lambda: open_work_figures(runtime, SUPERVISOR))
        timings["items"] = sum(queue.pending for queue in work.per_queue)
        for days in ranges:
            since, until = day_range(days, runtime.calendar.timezone)
            figures = timed(f"closed {days} days", lambda s=since, u=until: closed_figures(runtime, SUPERVISOR, s, u))
            timings[f"cases {days} days"] = figures.cases
    finally:
        store.close()
    return timings


def restarts(folder: Path, ranges: list[int], repeats: int) -> list[dict[str, Any]]:
    """`one_restart` in `repeats` fresh processes."""
    found = []
    for _ in range(repeats):
        code = (f"import json, sys; sys.path[:0] = {[str(ROOT), str(ROOT / 'bench')]!r}; import bench_monitor; "
                f"print(json.dumps(bench_monitor.one_restart(__import__('pathlib').Path({str(folder)!r}), "
                f"{ranges!r})))")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        found.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return found


def warm(folder: Path, ranges: list[int], repeats: int) -> dict[str, Any]:
    """The monitor's calls again and again in one process (after a first round): medians in milliseconds, wall
    and (+ ' cpu') CPU."""
    with TinyDBStore.open(folder) as store:
        runtime = Runtime(store, ManualClock(NOW))
        calls: dict[str, Callable[[], Any]] = {"open work": lambda: open_work_figures(runtime, SUPERVISOR)}
        for days in ranges:
            since, until = day_range(days, runtime.calendar.timezone)
            calls[f"closed {days} days"] = lambda s=since, u=until: closed_figures(runtime, SUPERVISOR, s, u)
        for call in calls.values():
            call()
        times: dict[str, list[float]] = {}
        for _ in range(repeats):
            for name, call in calls.items():
                wall, cpu, _ = measured(call)
                times.setdefault(name, []).append(wall)
                times.setdefault(f"{name} cpu", []).append(cpu)
    return {name: statistics.median(values) for name, values in times.items()}


def verdict(ms: float, target: float) -> str:
    return f"{'PASS' if ms < target else 'MISS'} (< {target:.0f} ms)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--closed", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365, help="the closed cases close evenly over these days")
    parser.add_argument("--ranges", default="365,30", help="the monitor's ranges, in days up to NOW")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--folder", type=Path, help="keep the generated store here and reuse it")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "monitor.json")
    args = parser.parse_args()
    ranges = [int(days) for days in args.ranges.split(",")]
    folder = (args.folder or Path(tempfile.mkdtemp(prefix="flowdesk-bench-monitor-"))) / "store"
    built = generate(folder, args.open, args.closed, args.days)
    print(f"{args.open:,} open work items, {args.closed:,} closed cases over {args.days} days "
          + (f"(generated in {built:.0f} s)" if built else "(reusing the generated store)"))
    cold = restarts(folder, ranges, args.repeats)
    hot = warm(folder, ranges, args.repeats)
    first = {name: statistics.median(run[name] for run in cold) for name in cold[0]}
    print(f"\nmedians of {args.repeats}; 'after a restart' = a fresh process opening the store, then its first call;"
          " ms wall / CPU (the machine is shared: wall time waits for other processes); verdicts on CPU")
    print(f"{'figures':<26} {'size':>16} {'after a restart ms':>19} {'warm ms':>15}  target")

    def both(where: dict[str, Any], name: str) -> str:
        return f"{where[name]:.1f}/{where[name + ' cpu']:.1f}"

    print(f"{'(opening the store)':<26} {'':>16} {both(first, 'open store'):>19}")
    print(f"{'(loading its indexes)':<26} {'':>16} {both(first, 'load indexes'):>19} {'':>15}"
          "  once per start, by the first request that uses them")
    print(f"{'open work':<26} {int(first['items']):>10,} items {both(first, 'open work'):>19}"
          f" {both(hot, 'open work'):>15}  first {verdict(first['open work cpu'], TARGETS_MS['open work'])},"
          f" warm {verdict(hot['open work cpu'], TARGETS_MS['open work'])}")
    for days in ranges:
        name = f"closed {days} days"
        size = f"{int(first[f'cases {days} days']):,} cases"
        print(f"{'closed cases, ' + str(days) + ' days':<26} {size:>16} {both(first, name):>19}"
              f" {both(hot, name):>15}  restart {verdict(first[name + ' cpu'], TARGETS_MS['closed, restart'])},"
              f" warm {verdict(hot[name + ' cpu'], TARGETS_MS['closed, warm'])}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"open": args.open, "closed": args.closed, "days": args.days, "ranges": ranges,
                                     "repeats": args.repeats, "after_restart": cold, "after_restart_median": first,
                                     "warm_median": hot, "targets_ms": TARGETS_MS}, indent=2) + "\n")
    print(f"\nresults written to {args.json}")


if __name__ == "__main__":
    main()
