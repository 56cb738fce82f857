"""Many agents at once on the embedded store: completions per second and disk flushes per completion.

A store is filled with cases of `start > task > task > end` waiting at their first task (cloned
as in `growth`). Then rounds alternate between 1 agent and `--agents` agents (threads, each its
own user, as the web app's requests are), each round `seconds` long: an agent takes the next
untouched case, completes its first task, finds the second in the worklist and completes it, and
so on. Per round: completions, completions per second, the median and 90th percentile latency of
one `Runtime.complete`, and the journal's fdatasyncs per completion (counted by wrapping the
store's sync call; checkpoints are counted apart, they flush partition files, not the journal).
The ratio is many agents ÷ 1 agent in completions per second, medians over the rounds. The agents
share one process's CPU (the GIL), so together they gain at most the time one agent waits for its
syncs: the ceiling printed is one agent's time per completion ÷ its CPU time per completion.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.engine.growth import fill_store
from bench.engine.statistics import percentile
from runtime.service import Runtime
from runtime.storage import files
from runtime.storage.base import WorkQuery
from runtime.storage.tinydb_store import TinyDBStore
from tests.people import person


class SyncCounter:
    """Counts the journal's data syncs, and the time they take, while installed in place of `files._sync_data`."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self._original: Callable[[int], None] = files._sync_data

    def __enter__(self) -> SyncCounter:
        def counted(fd: int) -> None:
            started = time.perf_counter()
            self._original(fd)
            # syncs run one at a time (the journal's flush lock), so these updates do not race each other
            self.seconds += time.perf_counter() - started
            self.count += 1

        files._sync_data = counted
        return self

    def __exit__(self, *exc: object) -> None:
        files._sync_data = self._original


class CheckpointCounter:
    """Counts the store's checkpoints (which flush partition files and the index snapshot)."""

    def __init__(self, store: TinyDBStore) -> None:
        self.count = 0
        original = store.checkpoint

        def counted() -> None:
            self.count += 1
            original()

        store.checkpoint = counted  # type: ignore[method-assign]


def agent_round(runtime: Runtime, cases: deque[str], agents: int, seconds: float,
                syncs: SyncCounter, checkpoints: CheckpointCounter) -> dict[str, Any]:
    """`agents` threads completing tasks for `seconds`; completions, rate, latencies and syncs per completion."""
    latencies: list[list[float]] = [[] for _ in range(agents)]
    stop = threading.Event()
    errors: list[BaseException] = []

    def work(number: int) -> None:
        user = person(f"agent-{number:02}")
        mine = latencies[number]
        try:
            while not stop.is_set():
                case_id = cases.popleft()
                while not stop.is_set():
                    page = runtime.store.work_items(WorkQuery(case_id=case_id, limit=1))
                    if not page:
                        break
                    started = time.perf_counter()
                    runtime.complete(user, page[0].id, {})
                    mine.append(time.perf_counter() - started)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
            stop.set()

    threads = [threading.Thread(target=work, args=(n,), name=f"agent-{n}") for n in range(agents)]
    syncs_before, sync_seconds_before, checkpoints_before = syncs.count, syncs.seconds, checkpoints.count
    started, started_cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    if errors:
        raise errors[0]
    times = [t for per_agent in latencies for t in per_agent]
    done = len(times)
    return {"agents": agents, "completions": done, "seconds": elapsed, "per_s": done / elapsed,
            "median_ms": statistics.median(times) * 1e3 if times else None,
            "p90_ms": percentile(times, 0.9) * 1e3 if times else None,
            "cpu_ms": cpu / max(done, 1) * 1e3, "syncs": syncs.count - syncs_before,
            "syncs_per_completion": (syncs.count - syncs_before) / max(done, 1),
            "sync_ms": (syncs.seconds - sync_seconds_before) / max(syncs.count - syncs_before, 1) * 1e3,
            "checkpoints": checkpoints.count - checkpoints_before}


def agents_bench(folder: Path, agents: int, rounds: int, seconds: float, cases: int) -> dict[str, Any]:
    """Rounds of 1 and `agents` agents taking turns on one store; each round's figures and the ratio."""
    print(f"  filling a store with {cases:,} cases for the agents ...", file=sys.stderr, flush=True)
    items, _ = fill_store(folder, cases)
    del items
    store = TinyDBStore.open(folder)
    try:
        runtime = Runtime(store)
        runtime.latest_process_version("two_tasks")
        queue = deque(store.case_ids(active=True))
        checkpoints = CheckpointCounter(store)
        results: list[dict[str, Any]] = []
        with SyncCounter() as syncs:
            for number in range(rounds):
                for count in ((1, agents) if number % 2 == 0 else (agents, 1)):
                    print(f"  round {number + 1}: {count} agent(s) for {seconds:.0f} s ...", file=sys.stderr,
                          flush=True)
                    results.append(agent_round(runtime, queue, count, seconds, syncs, checkpoints))
    finally:
        store.close()
    alone = [r for r in results if r["agents"] == 1]
    one = statistics.median(r["per_s"] for r in alone)
    ceiling = statistics.median(1e3 / r["per_s"] / r["cpu_ms"] for r in alone)
    many = [r for r in results if r["agents"] == agents]
    many_rate = statistics.median(r["per_s"] for r in many)
    return {"rounds": results, "one_per_s": one, "many_per_s": many_rate, "agents": agents, "ratio": many_rate / one,
            "ceiling": ceiling,
            "many_syncs_per_completion": statistics.median(r["syncs_per_completion"] for r in many)}
