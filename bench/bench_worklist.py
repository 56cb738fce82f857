"""Server time to the first page of the agent's worklist with 100,000 open work items (target < 100 ms).

Run: `.venv/bin/python bench/bench_worklist.py [--items 100000] [--folder DIR] [--repeat 21]`

A TinyDB store is filled with `--items` cases, each with one open work item
(20 queues, deadlines and SLA warnings spread from two days ago to five days
ahead, priorities 1-5, 1,000 customers), plus the agent bob who works every
queue. The fill is not measured; with `--folder` the store is kept and reused.

Measured, each as a median of `--repeat` runs:

- rows: what the page does to show a page of 50 items: the store query and
  building the rows (customer names, local due times, SLA badges), for "My
  queues" by deadline (the page's default) and a few other views; "cold" is
  the first page after opening the store (the page's case files are read),
  "warm" the same page again.
- page: the whole /work page in NiceGUI's user simulation (no browser):
  session check, header, filters, the table with its rows, counts per queue.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from designer.pages.worklist_rows import Tab, WorklistView, worklist_page  # noqa: E402
from runtime.clock import ManualClock  # noqa: E402
from runtime.documents import User  # noqa: E402
from runtime.service import Runtime  # noqa: E402
from runtime.storage.base import Changes, WorkOrder  # noqa: E402
from runtime.storage.tinydb_store import TinyDBStore  # noqa: E402
from tests.storage.storage_docs import T0, at, customer, new_case_changes  # noqa: E402

QUEUES = tuple(f"q{n:02}" for n in range(20))
CUSTOMERS = 1_000
BATCH = 1_000
TARGET_MS = 100.0
NOW = T0  # the clock of the measured runtime: deadlines lie around it
BOB = User(id="bob", name="Bob Agent", roles=["agent"], queues=list(QUEUES))
VIEWS = {
    "My queues, by deadline (default)": WorklistView(tab=Tab.QUEUES),
    "My queues, by priority": WorklistView(tab=Tab.QUEUES, order=WorkOrder.PRIORITY),
    "My queues, at risk only": WorklistView(tab=Tab.QUEUES, sla="at risk"),
    "My queues, one queue": WorklistView(tab=Tab.QUEUES, queue="q07"),
    "My queues, page 20": WorklistView(tab=Tab.QUEUES, page=19),
}


def fill(folder: Path, items: int) -> None:
    """A store with `items` open work items, unless a finished one is there already."""
    finished = folder / "bench-filled"
    if finished.exists():
        return
    shutil.rmtree(folder, ignore_errors=True)
    rng = random.Random(items)
    with TinyDBStore.open(folder) as store:
        store.commit(Changes(customers=[customer(f"K{n:04}", f"Klant {n:04}") for n in range(CUSTOMERS)],
                             users=[BOB]))
        for start in range(0, items, BATCH):
            batch = Changes()
            for number in range(start, min(start + BATCH, items)):
                due = rng.uniform(-2 * 1440, 5 * 1440)
                one = new_case_changes(f"case-{number:06}", queue=rng.choice(QUEUES), due=due,
                                       created=due - 5 * 1440)
                one.cases[0][0].customer_id = f"K{rng.randrange(CUSTOMERS):04}"
                item = one.work_items[0]
                item.priority, item.warning_at = rng.randint(1, 5), at(due - 1440)
                for name, docs in vars(one).items():
                    getattr(batch, name).extend(docs)
            store.commit(batch)
            if (start // BATCH) % 10 == 9:
                store.checkpoint()
    finished.touch()


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e3


def bench_rows(folder: Path, repeat: int) -> list[tuple[str, float, float]]:
    """(view, cold ms, warm ms) of the rows of one page: store query plus row building."""
    results = []
    for name, view in VIEWS.items():
        colds = []
        for _ in range(max(repeat // 5, 1)):
            with TinyDBStore.open(folder) as store:
                runtime = Runtime(store, clock=ManualClock(NOW))
                colds.append(median_ms(lambda r=runtime, v=view: worklist_page(r, BOB, v), 1))
        with TinyDBStore.open(folder) as store:
            runtime = Runtime(store, clock=ManualClock(NOW))
            page = worklist_page(runtime, BOB, view)
            assert len(page.rows) == 50, f"{name}: {len(page.rows)} rows"
            warm = median_ms(lambda r=runtime, v=view: worklist_page(r, BOB, v), repeat)
        results.append((name, statistics.median(colds), warm))
    return results


async def bench_page(folder: Path, repeat: int) -> tuple[float, float]:
    """(first ms, median ms) of opening /work as bob in NiceGUI's user simulation, on the runtime clock NOW."""
    from nicegui import app, ui
    from nicegui.storage import Storage
    from nicegui.testing import user_simulation

    from tests.designer.helpers import sign_in

    os.environ["FLOWDESK_TEST_DATA"] = str(folder)
    os.environ["PYTEST_CURRENT_TEST"] = "bench_worklist"  # NiceGUI's user simulation runs only where pytest would
    Storage.path = Path(tempfile.mkdtemp(prefix="flowdesk-bench-sessions-"))
    async with user_simulation(main_file=ROOT / "tests" / "designer" / "app_main.py") as user:
        app.state.runtime.clock = ManualClock(NOW)
        await sign_in(user, "bob", "bob-demo", target="/")
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            await user.open("/work")
            times.append(time.perf_counter() - started)
            table = user.find(marker="worklist").elements.pop()
            assert isinstance(table, ui.table) and len(table.rows) == 50
        app.state.runtime.store.close()
    return times[0] * 1e3, statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--folder", type=Path, help="build the store here and keep it for the next run "
                        "(default: a temporary folder, removed afterwards)")
    options = parser.parse_args()
    base = options.folder or Path(tempfile.mkdtemp(prefix="flowdesk-bench-"))
    folder = base / f"worklist-{options.items}"
    try:
        started = time.perf_counter()
        fill(folder, options.items)
        print(f"store with {options.items:,} open work items ready in {time.perf_counter() - started:.0f} s\n")
        rows = bench_rows(folder, options.repeat)
        first, page = asyncio.run(bench_page(folder, options.repeat))
    finally:
        if options.folder is None:
            shutil.rmtree(base, ignore_errors=True)
    print(f"{'rows of one page (store query + rows)':<40} {'cold ms':>8} {'warm ms':>8} {'warm / target':>14}")
    for name, cold, warm in rows:
        print(f"{name:<40} {cold:>8.1f} {warm:>8.1f} {warm / TARGET_MS:>14.2f}")
    print(f"\nwhole /work page, user simulation: first {first:.1f} ms, median {page:.1f} ms, "
          f"median / target {page / TARGET_MS:.2f}")


if __name__ == "__main__":
    main()
