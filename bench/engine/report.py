"""The engine bench's tables (printed) and the same figures as JSON (written)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from bench.engine.adapters import SPIFF_VERSION
from bench.engine.scenarios import START_END, START_END_KEY, TARGETS, Workload
from bench.engine.statistics import Result

FLOOR = "fdatasync floor"
TARGET_GROWTH = 2.0
TARGET_AGENTS_RATIO = 4.0
TARGET_SYNCS = 0.25


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def ratios(rows: list[Result]) -> dict[str, float] | None:
    """Flowdesk ÷ Spiff in cases/s: memory by CPU time and by wall time, durable by wall time; None without Spiff."""
    by = {row.engine: row for row in rows}
    if "Spiff memory" not in by:
        return None
    found = {"memory_cpu": by["Spiff memory"].cpu_median / by["Flowdesk memory"].cpu_median,
             "memory_wall": by["Spiff memory"].median / by["Flowdesk memory"].median}
    if "Spiff durable" in by and "Flowdesk durable" in by:
        found["durable"] = by["Spiff durable"].median / by["Flowdesk durable"].median
        found["durable_ceiling"] = by["Spiff durable"].median / by[FLOOR].median
    return found


def engine_tables(scenarios: list[Workload], results: dict[str, list[Result]], repeats: int,
                  batch_seconds: float) -> None:
    spiff = f"SpiffWorkflow {SPIFF_VERSION}" if SPIFF_VERSION else "SpiffWorkflow not installed (Flowdesk only)"
    print(f"\nFlowdesk engine benchmark — {spiff}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"unit: one case, started and every task completed until it ends; medians of {repeats} timed batches "
          f"of ~{batch_seconds:.2f} s per engine after warm-up, engines interleaved")
    print("steps = transactions per case; nodes = node executions per case; cpu = CPU time per case\n")
    header = (f"{'scenario':<36} {'engine':<17} {'steps':>5} {'nodes':>5} {'ms/case':>9} {'cpu ms':>8}"
              f" {'min-max ms':>15} {'cases/s':>9}")
    print(header)
    print("-" * len(header))
    for scenario in scenarios:
        for row in results[scenario.name]:
            spread = f"{min(row.wall) * 1e3:.2f}-{max(row.wall) * 1e3:.2f}"
            print(f"{scenario.name:<36} {row.engine:<17} {row.steps:>5} {row.nodes or '-':>5} {row.median * 1e3:>9.3f}"
                  f" {row.cpu_median * 1e3:>8.3f} {spread:>15} {row.cases_per_s:>9,.0f}")
        print()
    if not SPIFF_VERSION:
        return
    print("ratio Flowdesk / Spiff in cases/s. memory: by CPU time (the verdict; single-threaded work on a shared "
          "machine)\nand by wall time; durable: by wall time; durable ceiling = Spiff durable / fdatasync floor")
    print(f"{'scenario':<36} {'target':>7} {'memory cpu':>11} {'':>5} {'memory wall':>12} {'durable':>8}"
          f" {'ceiling':>8}")
    for scenario in scenarios:
        found = ratios(results[scenario.name])
        assert found is not None
        target = TARGETS[scenario.key]
        durable = f"{found['durable']:.2f}x" if "durable" in found else "-"
        ceiling = f"{found['durable_ceiling']:.1f}x" if "durable_ceiling" in found else "-"
        wanted, met = ("-", "") if target is None else (f"{target:.0f}x", verdict(found["memory_cpu"] >= target))
        print(f"{scenario.name:<36} {wanted:>7} {found['memory_cpu']:>10.2f}x"
              f" {met:>5} {found['memory_wall']:>11.2f}x {durable:>8} {ceiling:>8}")


def beyond_fixed_cost(scenarios: list[Workload], results: dict[str, list[Result]]) -> list[dict[str, Any]]:
    """What each engine's case costs beyond one that only starts and ends (CPU time, in memory): per node of an
    automatic flow, per completed task of people's work. A ratio target for a whole case can be no easier than
    this ratio and the fixed cost's together."""
    fixed = {row.engine: row.cpu_median for row in results.get(START_END, ())}
    rows = []
    for scenario in scenarios:
        if scenario.key == START_END_KEY or scenario.name not in results or not fixed:
            continue
        by = {row.engine: row for row in results[scenario.name]}
        flowdesk = by["Flowdesk memory"]
        per, unit = (flowdesk.steps - 1, "task") if flowdesk.steps > 1 else (flowdesk.nodes - 2, "node")
        row: dict[str, Any] = {"scenario": scenario.name, "unit": unit, "units": per}
        for engine in ("Flowdesk memory", "Spiff memory"):
            if engine in by and engine in fixed:
                row[engine] = (by[engine].cpu_median - fixed[engine]) / per
        rows.append(row)
    return rows


def fixed_cost_table(scenarios: list[Workload], results: dict[str, list[Result]]) -> None:
    rows = beyond_fixed_cost(scenarios, results)
    if not rows or "Spiff memory" not in rows[0]:
        return
    fixed = {row.engine: row.cpu_median for row in results[START_END]}
    print("\nin memory, CPU µs"
          f": a case that only starts and ends costs Flowdesk {fixed['Flowdesk memory'] * 1e6:.0f},"
          f" Spiff {fixed['Spiff memory'] * 1e6:.0f}; beyond that, per node of an automatic flow, per completed task")
    print(f"{'scenario':<36} {'per':>5} {'Flowdesk':>9} {'Spiff':>9} {'ratio':>7}")
    for row in rows:
        flowdesk, spiff = row["Flowdesk memory"], row["Spiff memory"]
        print(f"{row['scenario']:<36} {row['unit']:>5} {flowdesk * 1e6:>9.1f} {spiff * 1e6:>9.1f}"
              f" {spiff / flowdesk:>6.2f}x")


def growth_table(steps: list[dict[str, Any]]) -> None:
    if not steps:
        return
    print("\ndurable cost of one Runtime.complete on a fresh task (start > task > task > end, TinyDBStore)")
    print("(wall time; cpu = median CPU time of the same steps, i.e. without waiting for the disk)")
    print(f"{'stored cases':>12} {'fill s':>7} {'steps':>6} {'median ms':>10} {'p90 ms':>8} {'mean ms':>8}"
          f" {'cpu ms':>7}")
    for row in steps:
        print(f"{row['cases']:>12,} {row['build s']:>7.1f} {row['n']:>6} {row['median'] * 1e3:>10.3f}"
              f" {row['p90'] * 1e3:>8.3f} {row['mean'] * 1e3:>8.3f} {row['cpu'] * 1e3:>7.3f}")
    if len(steps) > 1:
        first, last = steps[0], steps[-1]
        growth = last["median"] / first["median"]
        print(f"ratio {last['cases']:,} / {first['cases']:,} cases (median): {growth:.2f}"
              f"  (target <= {TARGET_GROWTH:.0f}: {verdict(growth <= TARGET_GROWTH)});"
              f" cpu: {last['cpu'] / first['cpu']:.2f}")


def agents_table(agents: dict[str, Any] | None) -> None:
    if not agents:
        return
    print(f"\n1 agent and {agents['agents']} agents completing tasks on one embedded store, rounds taking turns")
    print(f"{'round':>5} {'agents':>6} {'completions':>11} {'per s':>8} {'median ms':>10} {'p90 ms':>8}"
          f" {'cpu ms':>7} {'syncs':>6} {'syncs/compl.':>12} {'sync ms':>8} {'checkpoints':>11}")
    for number, row in enumerate(agents["rounds"], start=1):
        print(f"{number:>5} {row['agents']:>6} {row['completions']:>11,} {row['per_s']:>8,.0f}"
              f" {row['median_ms'] or 0:>10.2f} {row['p90_ms'] or 0:>8.2f} {row['cpu_ms']:>7.3f} {row['syncs']:>6,}"
              f" {row['syncs_per_completion']:>12.3f} {row['sync_ms']:>8.3f} {row['checkpoints']:>11}")
    ratio, syncs, ceiling = agents["ratio"], agents["many_syncs_per_completion"], agents["ceiling"]
    print("(cpu ms = the process's CPU time per completion; sync ms = the mean time of one journal fdatasync)")
    print(f"completions/s {agents['agents']} agents ÷ 1 agent (medians of the rounds): "
          f"{agents['many_per_s']:,.0f} ÷ {agents['one_per_s']:,.0f} = {ratio:.2f}x"
          f"  (target >= {TARGET_AGENTS_RATIO:.0f}: {verdict(ratio >= TARGET_AGENTS_RATIO)});"
          f" fdatasync per completion {syncs:.3f} (target <= {TARGET_SYNCS}: {verdict(syncs <= TARGET_SYNCS)})")
    print(f"ceiling on this disk: agents share one process's CPU, so they gain at most what one agent waits for the "
          f"disk: 1 agent's time per completion ÷ its CPU time = {ceiling:.2f}x")


def as_json(scenarios: list[Workload], results: dict[str, list[Result]], steps: list[dict[str, Any]],
            agents: dict[str, Any] | None, settings: dict[str, Any]) -> dict[str, Any]:
    return {
        "python": sys.version.split()[0], "cpus": os.cpu_count(), "spiffworkflow": SPIFF_VERSION, "settings": settings,
        "scenarios": [{"name": s.name, "key": s.key, "target_memory_ratio": TARGETS[s.key],
                       "results": [row.as_json() for row in results[s.name]], "ratios": ratios(results[s.name])}
                      for s in scenarios if s.name in results],
        "beyond_fixed_cost": beyond_fixed_cost(scenarios, results),
        "growth": steps,
        "agents": agents,
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nresults written to {path}")
