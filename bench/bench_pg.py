"""PostgreSQL beside the embedded store: agents completing tasks at once, worklists over a million open work
items, and the cost of a step as the database grows.

Run: `.venv/bin/python bench/bench_pg.py [--large 1000000] [--small 10000] [--rounds 3] [--json FILE]`

The PostgreSQL server is the one the tests use (FLOWDESK_TEST_PG, else a
throwaway cluster from tests/storage/pg_cluster.py, fsync off: it measures
the database's work, not this machine's disk; the embedded store does
fsync). Three measurements:

1. **Completions per second** with 1, 4 and 16 agents at once (threads of
   one process sharing one `Runtime`, as the web app serves its users), on
   the embedded store and on PostgreSQL in one run. Each agent opens its own
   cases (a worklist query by case) and completes the open task (a step
   through `Runtime.complete`). Measurements are interleaved: every round
   runs each store and agent count once, in alternating order; reported is
   the median over the rounds.
2. **Worklist pages** with `--large` open work items on PostgreSQL (20
   queues, deadlines over three weeks, priorities 1-5, one in ten claimed):
   the page an agent sees (5 queues, by deadline), by priority, unassigned,
   at risk now, page 10, and the open counts per queue, as `Store` calls;
   median of 20 after a warm-up.
3. **Per-step cost** at `--small` and `--large` stored cases: two databases,
   each filled by copying one real started case in SQL (case, open work
   item, two SLA jobs, audit event), then `Runtime.complete` steps on
   random cases, interleaved in blocks of 50 between the two databases;
   median milliseconds per step and the ratio (target: within 1.5x).

Results print as tables and are written as JSON (default bench/results/bench_pg.json).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from models import Bundle  # noqa: E402
from runtime.clock import SystemClock  # noqa: E402
from runtime.service import Runtime  # noqa: E402
from runtime.storage.base import Store, WorkOrder, WorkQuery  # noqa: E402
from runtime.storage.postgres import PostgresStore, upgrade  # noqa: E402
from runtime.storage.tinydb_store import TinyDBStore  # noqa: E402
from tests.storage.pg_cluster import create_database, drop_database, server_url  # noqa: E402

AGENTS = (1, 4, 16)
TASKS = 12  # tasks in a row per case: each measurement completes one of them in every case
QUEUES = tuple(f"q{n:02}" for n in range(20))
FILL_BATCH = 100_000


def bundle() -> Bundle:
    """A case of TASKS tasks in a row, each with a service level (so steps cancel and schedule SLA jobs)."""
    tasks = [{"id": f"t{n}", "kind": "task", "queue": "q00", "name": f"Task {n}",
              "sla": {"target": "2 days", "warning": "1 days"}} for n in range(TASKS)]
    flow = ["s", *(task["id"] for task in tasks), "e"]
    return Bundle.model_validate({
        "key": "bench", "name": "Bench", "roles": [{"id": "agent"}],
        "queues": [{"id": queue, "role": "agent"} for queue in QUEUES],
        "variables": [{"name": "n", "type": "number"}],
        "nodes": [{"id": "s", "kind": "start"}, *tasks, {"id": "e", "kind": "end", "outcome": "done"}],
        "edges": [{"id": f"f{i}", "source": a, "target": b} for i, (a, b) in enumerate(itertools.pairwise(flow))],
    })


# 1. Completions per second --------------------------------------------------------------------------------


def completions_per_second(runtime: Runtime, cases: list[str], agents: int) -> float:
    """Every case's open task completed by `agents` threads, each working its own share of the cases."""
    shares = [cases[number::agents] for number in range(agents)]
    failures: list[BaseException] = []
    barrier = threading.Barrier(agents + 1)

    def agent(share: list[str]) -> None:
        barrier.wait()
        try:
            for case_id in share:
                [item] = runtime.store.work_items(WorkQuery(case_id=case_id))
                runtime.complete(item.id, {}, actor="agent")
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=agent, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise failures[0]
    return len(cases) / elapsed


def bench_agents(pg_url: str, folder: Path, cases: int, rounds: int) -> dict[str, dict[int, float]]:
    """Median completions/s per store and number of agents."""
    stores: dict[str, Store] = {"embedded": TinyDBStore.open(folder / "embedded"),
                                "postgresql": PostgresStore.open(pg_url, pool_size=max(AGENTS) + 4)}
    runtimes = {name: Runtime(store) for name, store in stores.items()}
    ids: dict[str, list[str]] = {}
    for name, runtime in runtimes.items():
        runtime.publish(bundle(), "bench")
        ids[name] = [runtime.start_case("bench", {"n": n}, actor="intake").id for n in range(cases)]
    found: dict[str, dict[int, list[float]]] = {name: {n: [] for n in AGENTS} for name in stores}
    plan = [(name, agents) for agents in AGENTS for name in stores]
    assert rounds * len(AGENTS) <= TASKS, "more measurements than tasks per case"
    for round_number in range(rounds):
        for name, agents in plan if round_number % 2 == 0 else reversed(plan):
            found[name][agents].append(completions_per_second(runtimes[name], ids[name], agents))
            print(f"  round {round_number + 1}: {name}, {agents} agents: {found[name][agents][-1]:.0f}/s",
                  file=sys.stderr)
    for store in stores.values():
        store.close()
    return {name: {agents: statistics.median(values) for agents, values in by_agents.items()}
            for name, by_agents in found.items()}


# Filling a database in bulk ------------------------------------------------------------------------------


def template_case(url: str) -> tuple[str, dict[str, list[str]]]:
    """Publish the bench process, start one case; its id and the ids of its documents, by table."""
    with PostgresStore.open(url) as store:
        runtime = Runtime(store)
        runtime.publish(bundle(), "bench")
        case = runtime.start_case("bench", {"n": 0}, actor="intake")
    with psycopg.connect(url) as connection:
        ids = {table: [row[0] for row in connection.execute(f"SELECT id FROM {table} WHERE case_id = %s",
                                                             (case.id,))]
               for table in ("work_items", "jobs", "audit_events")}
    return case.id, ids


def fill(url: str, total: int, rng: random.Random) -> tuple[str, float]:
    """Copy one started case in SQL until the database holds `total` cases; its id and the seconds it took.

    Every id of the template (case, work item, jobs, audit event) gets the suffix `.N` in copy N, in the
    columns and inside the documents; the work items get a random queue, deadline, priority and assignee.
    """
    started = time.perf_counter()
    case_id, ids = template_case(url)
    every_id = [case_id, *(doc_id for table in ids.values() for doc_id in table)]
    renamed = "t"
    for doc_id in every_id:
        renamed = f"replace({renamed}, '{doc_id}', '{doc_id}.' || n)"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"CREATE FUNCTION renamed(t text, n int) RETURNS text IMMUTABLE LANGUAGE sql "
                           f"AS $$ SELECT {renamed} $$")
        connection.execute("SELECT setseed(%s)", (rng.random(),))
        for low in range(1, total, FILL_BATCH):
            high = min(low + FILL_BATCH, total) - 1
            bounds = {"low": low, "high": high, "case": case_id}
            connection.execute(
                "INSERT INTO cases SELECT renamed(id, n), revision, process_key, customer_id, active, "
                "started_at + n * interval '1 millisecond', closed_at, renamed(doc::text, n)::jsonb "
                "FROM cases, generate_series(%(low)s::int, %(high)s::int) n WHERE id = %(case)s", bounds)
            connection.execute(
                "INSERT INTO work_items SELECT renamed(w.id, n), renamed(w.case_id, n), w.status, "
                "r.queue, r.assignee, w.process_key, r.due, r.due - interval '1 day', r.priority, w.created_at, "
                "renamed(w.doc::text, n)::jsonb || jsonb_build_object('queue', r.queue, 'assignee', r.assignee, "
                "'due_at', r.due, 'warning_at', r.due - interval '1 day', 'priority', r.priority) "
                "FROM work_items w, generate_series(%(low)s::int, %(high)s::int) n, LATERAL (SELECT "
                "'q' || lpad((floor(random() * 20))::int::text, 2, '0') AS queue, "
                "CASE WHEN random() < 0.1 THEN 'u1' END AS assignee, "
                "now() + (random() * 21 - 7) * interval '1 day' + n * interval '0 second' AS due, "
                "1 + floor(random() * 5)::int AS priority) r WHERE w.case_id = %(case)s", bounds)
            connection.execute(
                "INSERT INTO jobs SELECT renamed(id, n), renamed(case_id, n), due_at, done, NULL, NULL, "
                "renamed(doc::text, n)::jsonb FROM jobs, generate_series(%(low)s::int, %(high)s::int) n "
                "WHERE case_id = %(case)s", bounds)
            connection.execute(
                "INSERT INTO audit_events SELECT renamed(case_id, n), renamed(id, n), seq, "
                "renamed(doc::text, n)::jsonb FROM audit_events, generate_series(%(low)s::int, %(high)s::int) n "
                "WHERE case_id = %(case)s", bounds)
            print(f"  filled {high + 1:,} / {total:,} cases", file=sys.stderr)
        connection.execute("VACUUM ANALYZE")
    return case_id, time.perf_counter() - started


@contextmanager
def database(server: str, template: str) -> Iterator[str]:
    url = create_database(server, template=template)
    try:
        yield url
    finally:
        drop_database(server, url)


# 2. Worklist pages ------------------------------------------------------------------------------------------


def timed(action: Callable[[], object], repeat: int = 20) -> float:
    """Median milliseconds of `action` after one warm-up call."""
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e3


def bench_worklists(store: PostgresStore) -> dict[str, float]:
    now = SystemClock().now()
    mine = QUEUES[:5]
    pages = {
        "5 queues by deadline, page 1": WorkQuery(queues=mine),
        "5 queues by priority, page 1": WorkQuery(queues=mine, order=WorkOrder.PRIORITY),
        "5 queues unassigned, page 1": WorkQuery(queues=mine, unassigned=True),
        "5 queues at risk now, page 1": WorkQuery(queues=mine, sla="at risk", now=now),
        "5 queues by deadline, page 10": WorkQuery(queues=mine, offset=450),
        "my claimed items": WorkQuery(assignee="u1"),
        "all queues by deadline, page 1": WorkQuery(),
    }
    found = {name: timed(lambda q=query: store.work_items(q)) for name, query in pages.items()}
    found["open counts per queue (monitor)"] = timed(store.count_open_work_items, repeat=5)
    return found


# 3. Per-step cost as the database grows ----------------------------------------------------------------------


def bench_steps(urls: dict[str, str], sizes: dict[str, int], templates: dict[str, str], rounds: int,
                block: int = 50) -> dict[str, float]:
    """Median ms of one `Runtime.complete` step on random cases of each database (copies of its template
    case), in interleaved blocks."""
    runtimes = {name: Runtime(PostgresStore.open(url)) for name, url in urls.items()}
    samples: dict[str, list[float]] = {name: [] for name in urls}
    rng = random.Random(7)
    used: set[tuple[str, int]] = set()
    for _ in range(rounds * 2):
        for name, runtime in runtimes.items():
            for _ in range(block):
                number = rng.randrange(1, sizes[name])
                while (name, number) in used:
                    number = rng.randrange(1, sizes[name])
                used.add((name, number))
                case_id = f"{templates[name]}.{number}"
                item_id = runtime.store.work_items(WorkQuery(case_id=case_id))[0].id
                started = time.perf_counter()
                runtime.complete(item_id, {}, actor="agent")
                samples[name].append(time.perf_counter() - started)
    for runtime in runtimes.values():
        runtime.store.close()
    return {name: statistics.median(values) * 1e3 for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=1_000_000, help="stored cases (and open items) when large")
    parser.add_argument("--small", type=int, default=10_000, help="stored cases when small")
    parser.add_argument("--agent-cases", type=int, default=480, help="cases completed per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "bench_pg.json")
    options = parser.parse_args()
    results: dict[str, Any] = {}
    folder = Path(tempfile.mkdtemp(prefix="flowdesk-bench-pg-"))
    try:
        with server_url() as server:
            template = create_database(server)
            with psycopg.connect(template, autocommit=True) as connection:
                upgrade(connection, template)
            template_name = psycopg.conninfo.conninfo_to_dict(template)["dbname"]
            print("1. completions per second", file=sys.stderr)
            with database(server, template_name) as url:
                results["completions per second"] = bench_agents(url, folder, options.agent_cases, options.rounds)
            with database(server, template_name) as small, database(server, template_name) as large:
                sizes = {"small": options.small, "large": options.large}
                urls = {"small": small, "large": large}
                filled, templates = {}, {}
                for name, url in urls.items():
                    print(f"filling the {name} database", file=sys.stderr)
                    templates[name], filled[name] = fill(url, sizes[name], random.Random(sizes[name]))
                print("2. worklist pages", file=sys.stderr)
                with PostgresStore.open(large) as store:
                    results["open items"] = sum(store.count_open_work_items().values())
                    results["worklist ms"] = bench_worklists(store)
                print("3. per-step cost", file=sys.stderr)
                steps = bench_steps(urls, sizes, templates, options.rounds)
                results["step ms"] = {"cases": sizes, "fill s": filled, **steps,
                                      "ratio large / small": steps["large"] / steps["small"]}
            drop_database(server, template)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(results)
    options.json.parent.mkdir(parents=True, exist_ok=True)
    options.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {options.json}")


def report(results: dict[str, Any]) -> None:
    rates = results["completions per second"]
    print(f"\n{'completions/s':<16}" + "".join(f"{f'{n} agents':>12}" for n in AGENTS))
    for name, by_agents in rates.items():
        print(f"{name:<16}" + "".join(f"{by_agents[n]:>12.0f}" for n in AGENTS))
    print(f"\nworklist with {results['open items']:,} open work items (PostgreSQL){'ms':>14}")
    for name, ms in results["worklist ms"].items():
        print(f"  {name:<40} {ms:>10.2f}")
    steps = results["step ms"]
    print(f"\nper step (Runtime.complete){'ms':>27}")
    for name in ("small", "large"):
        print(f"  {steps['cases'][name]:>9,} stored cases{'':<20} {steps[name]:>10.2f}")
    print(f"  ratio{'':<36} {steps['ratio large / small']:>10.2f}")


if __name__ == "__main__":
    main()
