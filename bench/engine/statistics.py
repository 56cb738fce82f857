"""Timing whole cases: warm-up, batches sized to a target length, engines interleaved, medians.

Each engine is warmed up, then its batch is sized to about `batch_seconds`; the timed batches
of all engines take turns (the starting engine rotates each round), so a busier machine for a
while slows every engine alike. Per batch both the wall time and the process's CPU time are
taken. The machine these benches run on is shared (2 cores, several sessions at once), so wall
times wait for other processes now and then; for a single-threaded engine in memory the CPU
time is its work, for a durable one the wall time includes the disk's flush, which is the point.
"""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass
from typing import Any, Protocol

from bench.engine.scenarios import Scenario


class Engine(Protocol):
    label: str

    def run_case(self, scenario: Scenario, check: bool = False) -> tuple[int, Any]: ...

    def nodes_per_case(self, scenario: Scenario) -> int: ...


@dataclass
class Result:
    """One engine on one scenario: steps and node executions per case, seconds per case of each timed batch."""

    engine: str
    steps: int
    nodes: int
    wall: list[float]
    cpu: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def cases_per_s(self) -> float:
        return 1.0 / self.median

    def as_json(self) -> dict[str, Any]:
        return {"engine": self.engine, "steps": self.steps, "nodes": self.nodes, "median_s": self.median,
                "cpu_median_s": self.cpu_median, "cases_per_s": self.cases_per_s, "wall_s": self.wall,
                "cpu_s": self.cpu}


def measure(scenario: Scenario, engines: list[Engine], repeats: int, batch_seconds: float) -> list[Result]:
    """Warm up each engine, size its batch to about `batch_seconds`, then time interleaved batches."""
    info, batch = {}, {}
    for engine in engines:
        nodes = engine.nodes_per_case(scenario)  # one checked run that also counts nodes
        steps, _ = engine.run_case(scenario, check=True)
        started = time.perf_counter()
        warm = 0
        while warm < 3 or time.perf_counter() - started < batch_seconds / 2:
            engine.run_case(scenario)
            warm += 1
        per_case = (time.perf_counter() - started) / warm
        batch[engine.label] = max(1, round(batch_seconds / per_case))
        info[engine.label] = (steps, nodes)
    wall: dict[str, list[float]] = {engine.label: [] for engine in engines}
    cpu: dict[str, list[float]] = {engine.label: [] for engine in engines}
    for rep in range(repeats):
        for engine in engines[rep % len(engines):] + engines[:rep % len(engines)]:
            count = batch[engine.label]
            gc.collect()
            started, started_cpu = time.perf_counter(), time.process_time()
            for _ in range(count):
                engine.run_case(scenario)
            wall[engine.label].append((time.perf_counter() - started) / count)
            cpu[engine.label].append((time.process_time() - started_cpu) / count)
    return [Result(engine.label, *info[engine.label], wall[engine.label], cpu[engine.label]) for engine in engines]


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` of 0.9 = the 90th) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]
