"""How the embedded store's cost of a step, worklist page and open grow with the number of cases.

Run: `.venv/bin/python bench/bench_storage.py [--sizes 100,10000,100000] [--steps 6000] [--folder DIR]`

For each size a fresh store is filled with that many cases, each with its
case document, one open work item (20 queues, random deadlines and
priorities), an SLA job and an audit event. The fill commits 1,000 new
cases per `Changes` (one journal line each, checkpointed every 10,000
cases), which is how an import would load them; it is not what is measured.
With `--folder` the filled stores are kept there and reused by later runs.

Then `--steps` realistic steps on random cases (enough for automatic
checkpoints to happen at every size), each one durable commit of the case
updated, one work item closed and one opened, two audit events and one job
(`storage_docs.step_changes`). Reported per step: the median and 99th
percentile of `commit`, and the mean including the checkpoints the steps
cause (the automatic ones during the run plus a final one for the steps
still in the journal, spread over all steps). At the largest size also: a
worklist page (50 items in deadline order) over every queue, of one queue,
and page 100, first on a freshly opened store (cold: the page's case files
are read) and then warm; and the time to open the store.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "storage")]

from storage_docs import new_case_changes, step_changes  # noqa: E402

from runtime.storage.base import Changes, WorkQuery  # noqa: E402
from runtime.storage.tinydb_store import TinyDBStore  # noqa: E402

QUEUES = tuple(f"q{n:02}" for n in range(20))
BATCH = 1_000


def fill(store: TinyDBStore, cases: int, rng: random.Random) -> None:
    for start in range(0, cases, BATCH):
        batch = Changes()
        for number in range(start, min(start + BATCH, cases)):
            one = new_case_changes(f"case-{number:06}", queue=rng.choice(QUEUES), due=rng.uniform(0, 14_400),
                                   created=rng.uniform(-600, 0))
            one.work_items[0].priority = rng.randint(1, 5)
            for name, docs in vars(one).items():
                getattr(batch, name).extend(docs)
        store.commit(batch)
        if (start // BATCH) % 10 == 9:
            store.checkpoint()
    store.checkpoint()


def run_steps(store: TinyDBStore, cases: int, steps: int, rng: random.Random) -> dict[str, float]:
    first = rng.randrange(1, 1_000) * 10_000  # step numbers no earlier run used, so a kept store can be reused
    done: dict[str, int] = {}
    commits: list[float] = []
    for _ in range(steps):
        case_id = f"case-{rng.randrange(cases):06}"
        number = done.get(case_id, first) + 2
        changes = step_changes(store.case(case_id), number, queue=rng.choice(QUEUES))
        started = time.perf_counter()
        store.commit(changes)
        commits.append(time.perf_counter() - started)
        done[case_id] = number
    since_checkpoint = _steps_since_checkpoint(store, steps)
    started = time.perf_counter()
    store.checkpoint()
    checkpoint = time.perf_counter() - started
    commits.sort()
    return {
        "median": statistics.median(commits),
        "p99": commits[int(len(commits) * 0.99)],
        "with checkpoints": (sum(commits) + checkpoint) / steps,
        "checkpoint": checkpoint,
        "steps per checkpoint": since_checkpoint,
    }


def _steps_since_checkpoint(store: TinyDBStore, steps: int) -> int:
    """Steps in the journal now: the ones the next checkpoint pays for (all if none ran yet)."""
    lines = (store.directory / "journal.jsonl").read_bytes().count(b"\n")
    return lines or steps


def timed(action: Callable[[], object], repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def queries(folder: Path) -> list[tuple[str, float, float]]:
    """(query, cold ms, warm ms) for worklist pages on a freshly opened store."""
    pages = [("all 20 queues, page 1", WorkQuery(queues=QUEUES, limit=50)),
             ("one queue, page 1", WorkQuery(queues=("q07",), limit=50)),
             ("all queues, page 100", WorkQuery(queues=QUEUES, limit=50, offset=4_950))]
    results = []
    with TinyDBStore.open(folder) as store:
        for name, query in pages:
            cold = timed(lambda q=query: store.work_items(q))
            warm = timed(lambda q=query: store.work_items(q), repeat=50)
            results.append((name, cold * 1e3, warm * 1e3))
    return results


def bench_size(cases: int, steps: int, base: Path, last: bool) -> dict[str, object]:
    rng = random.Random()
    folder = base / f"store-{cases}"
    built = build(folder, cases)
    with TinyDBStore.open(folder) as store:
        result: dict[str, object] = {"cases": cases, "build s": built, **run_steps(store, cases, steps, rng)}
    if last:
        result["open s"] = timed(lambda: TinyDBStore.open(folder).close(), repeat=3)
        result["queries"] = queries(folder)
    return result


def build(folder: Path, cases: int) -> float:
    """Fill a store in `folder` unless a finished one is there (kept by --folder); the seconds it took."""
    finished = folder / "bench-filled"
    if finished.exists():
        return 0.0
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    with TinyDBStore.open(folder) as store:
        fill(store, cases, random.Random(cases))
    finished.touch()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--steps", type=int, default=6_000)
    parser.add_argument("--folder", type=Path, help="build the stores here and keep them for the next run "
                        "(default: a temporary folder, removed afterwards)")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    base = options.folder or Path(tempfile.mkdtemp(prefix="flowdesk-bench-"))
    try:
        results = [bench_size(size, options.steps, base, size == sizes[-1]) for size in sizes]
    finally:
        if options.folder is None:
            shutil.rmtree(base, ignore_errors=True)
    report(results)


def report(results: list[dict]) -> None:
    print(f"{'cases':>8} {'build s':>8} {'median ms':>10} {'p99 ms':>8} {'mean+ckpt ms':>13} {'ckpt ms':>8}"
          f" {'steps/ckpt':>10}")
    for r in results:
        print(f"{r['cases']:>8} {r['build s']:>8.1f} {r['median'] * 1e3:>10.3f} {r['p99'] * 1e3:>8.3f}"
              f" {r['with checkpoints'] * 1e3:>13.3f} {r['checkpoint'] * 1e3:>8.0f} {r['steps per checkpoint']:>10}")
    first, last = results[0], results[-1]
    print(f"\nratio {last['cases']} / {first['cases']} cases: median {last['median'] / first['median']:.2f}, "
          f"mean with checkpoints {last['with checkpoints'] / first['with checkpoints']:.2f}")
    print(f"\nopen at {last['cases']} cases: {last['open s'] * 1e3:.0f} ms")
    print(f"{'worklist query':<24} {'cold ms':>8} {'warm ms':>8}")
    for name, cold, warm in last["queries"]:
        print(f"{name:<24} {cold:>8.2f} {warm:>8.2f}")


if __name__ == "__main__":
    main()
