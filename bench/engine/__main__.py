"""Run the engine bench: `.venv/bin/python -m bench.engine [--parts engines,growth,agents] [--quick] ...`.

`--parts` chooses what runs (default: all three): `engines` the scenario table (Flowdesk and
Spiff, memory and durable, interleaved), `growth` the durable step as the store grows, `agents`
1 against `--agents` agents on one store. `--memory-only` leaves the durable engines out of the
scenario table. `--profile SCENARIO` profiles Flowdesk in memory on one scenario (pyinstrument
if installed, else cProfile) and stops. Results are printed and written as JSON (`--json`).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.engine.adapters import SPIFF_VERSION, FlowdeskEngine, FsyncFloor, SpiffEngine
from bench.engine.agents import agents_bench
from bench.engine.growth import step_cost
from bench.engine.report import (
    FLOOR,
    agents_table,
    as_json,
    engine_tables,
    fixed_cost_table,
    growth_table,
    write_json,
)
from bench.engine.scenarios import ROOT, Workload, all_workloads, sample_customers
from bench.engine.statistics import Result, measure
from runtime.storage.memory import MemoryStore
from runtime.storage.tinydb_store import TinyDBStore

PARTS = ("engines", "growth", "agents")


def engine_results(scenarios: list[Workload], customers: list[dict[str, Any]], folder: Path, repeats: int,
                   batch_seconds: float, durable: bool) -> dict[str, list[Result]]:
    folder.mkdir(parents=True, exist_ok=True)
    engines: list[Any] = [FlowdeskEngine("Flowdesk memory", MemoryStore(), scenarios, customers)]
    if SPIFF_VERSION:
        engines.append(SpiffEngine("Spiff memory", scenarios, None))
    if durable:
        engines.append(FlowdeskEngine("Flowdesk durable", TinyDBStore.open(folder / "flowdesk"), scenarios, customers))
        if SPIFF_VERSION:
            engines.append(SpiffEngine("Spiff durable", scenarios, folder))
        engines.append(FsyncFloor(FLOOR, folder))
    results = {}
    try:
        for scenario in scenarios:
            print(f"  measuring {scenario.name} ...", file=sys.stderr, flush=True)
            results[scenario.name] = measure(scenario, engines, repeats, batch_seconds)
    finally:
        for engine in engines:
            engine.close()
    return results


def profile(scenario: Workload, customers: list[dict[str, Any]], cases: int) -> None:
    """Profile Flowdesk in memory on `cases` cases after a warm-up; pyinstrument's tree, else cProfile's lists."""
    engine = FlowdeskEngine("Flowdesk memory", MemoryStore(), [scenario], customers)
    for _ in range(20):
        engine.run_case(scenario)
    try:
        from pyinstrument import Profiler
    except ImportError:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(cases):
            engine.run_case(scenario)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(40)
        print(out.getvalue().replace(str(ROOT) + "/", ""))
        return
    sampler = Profiler(interval=0.0002)
    sampler.start()
    for _ in range(cases):
        engine.run_case(scenario)
    sampler.stop()
    print(sampler.output_text(unicode=False, color=False))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"what to run, of {', '.join(PARTS)}")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no 100,000-case store, short rounds")
    parser.add_argument("--repeats", type=int, help="timed batches per engine and scenario (default 9, quick 5)")
    parser.add_argument("--batch-seconds", type=float, default=0.25, help="length of one timed batch")
    parser.add_argument("--memory-only", action="store_true", help="leave the durable engines out of the table")
    parser.add_argument("--only", help="run only scenarios whose name or key contains this")
    parser.add_argument("--sizes", help="stored cases for the per-step cost (default 100,10000,100000)")
    parser.add_argument("--step-samples", type=int, default=300, help="timed steps per store size")
    parser.add_argument("--folder", type=Path, help="keep the per-step stores here and reuse them in later runs "
                        "(steps then run on cases no earlier run touched); default: a temporary folder")
    parser.add_argument("--agents", type=int, default=16, help="agents at once in the agents part")
    parser.add_argument("--agent-rounds", type=int, help="rounds of 1 and of --agents agents (default 3, quick 2)")
    parser.add_argument("--agent-seconds", type=float, help="length of one agents round (default 4, quick 2)")
    parser.add_argument("--profile", metavar="SCENARIO", help="profile Flowdesk in memory on this scenario and stop")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "engine.json",
                        help="where to write the results as JSON")
    args = parser.parse_args()
    parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    if unknown := set(parts) - set(PARTS):
        parser.error(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    repeats = args.repeats or (5 if args.quick else 9)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [100, 10_000] + ([] if args.quick else
                                                                                          [100_000])
    rounds = args.agent_rounds or (2 if args.quick else 3)
    seconds = args.agent_seconds or (2.0 if args.quick else 4.0)
    customers = sample_customers()
    scenarios = all_workloads(customers)
    if args.profile:
        [scenario] = [s for s in scenarios if args.profile in (s.key, s.name)]
        profile(scenario, customers, cases=300)
        return
    if args.only:
        scenarios = [s for s in scenarios if args.only in s.name or args.only in s.key]
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="flowdesk-bench-engine-"))
    results: dict[str, list[Result]] = {}
    steps: list[dict[str, Any]] = []
    agents: dict[str, Any] | None = None
    try:
        if "engines" in parts:
            results = engine_results(scenarios, customers, folder / "engines", repeats, args.batch_seconds,
                                     durable=not args.memory_only)
        if "growth" in parts:
            steps = step_cost(sizes, args.step_samples, args.folder or folder, keep=args.folder is not None)
        if "agents" in parts:
            agents = agents_bench(folder / "agents", args.agents, rounds, seconds,
                                  cases=int(seconds * rounds * 1_500) + 2_000)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if results:
        engine_tables(scenarios, results, repeats, args.batch_seconds)
        fixed_cost_table(scenarios, results)
    growth_table(steps)
    agents_table(agents)
    elapsed = time.perf_counter() - started
    print(f"\nbench took {elapsed:.0f} s")
    settings = {"parts": parts, "repeats": repeats, "batch_seconds": args.batch_seconds, "sizes": sizes,
                "step_samples": args.step_samples, "agents": args.agents, "agent_rounds": rounds,
                "agent_seconds": seconds, "memory_only": args.memory_only, "only": args.only, "seconds": elapsed}
    write_json(args.json, as_json(scenarios, results, steps, agents, settings))


if __name__ == "__main__":
    main()
