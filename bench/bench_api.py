"""How long the API takes to answer the first page of a worklist with 100,000 open work items.

Run: `.venv/bin/python bench/bench_api.py [--items 100000] [--repeat 200] [--folder DIR] [--json FILE]`

A TinyDB store is filled with that many open work items (each with its case,
spread over 20 queues, random deadlines and priorities; committed 1,000 cases
per `Changes`, which is not measured), plus two users with API tokens: an
agent who works all 20 queues and a supervisor (who sees every queue). Then
`flowdesk serve` runs on it and GET /api/v1/work-items (first page, 50 items,
soonest deadline first) is timed over HTTP on localhost, token check included:
for the agent, the supervisor, the agent asking for one queue, and the agent's
second page (the first page's `next` cursor). The requests take turns, one of
each per round, so a slow moment of the machine falls on all alike. Printed:
the median and 95th percentile per request, and the median's ratio to the
100 ms target; `--json FILE` writes the same figures as JSON. With `--folder`
the filled store is kept and reused.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "storage")]

from argon2 import PasswordHasher  # noqa: E402
from storage_docs import case, work_item  # noqa: E402

from runtime.access import system_user  # noqa: E402
from runtime.accounts import Accounts  # noqa: E402
from runtime.service import Runtime  # noqa: E402
from runtime.storage.base import Changes  # noqa: E402
from runtime.storage.tinydb_store import TinyDBStore  # noqa: E402
from tests.designer.helpers import served  # noqa: E402

QUEUES = [f"q{n:02}" for n in range(20)]
BATCH = 1_000
TARGET_MS = 100.0
PAGE = "/api/v1/work-items"


def fill(folder: Path, items: int) -> dict[str, str]:
    """A store with `items` open work items and the two bench users; their tokens by user id."""
    rng = random.Random(items)
    tokens = {}
    with TinyDBStore.open(folder) as store:
        for start in range(0, items, BATCH):
            batch = Changes()
            for number in range(start, min(start + BATCH, items)):
                case_id = f"case-{number:06}"
                created = rng.uniform(-600, 0)
                item = work_item(f"{case_id}-w1", case_id, queue=rng.choice(QUEUES), due=rng.uniform(0, 14_400),
                                 created=created)
                item.priority = rng.randint(1, 5)
                batch.cases.append((case(case_id, started=created), None))
                batch.work_items.append(item)
            store.commit(batch)
            if (start // BATCH) % 10 == 9:
                store.checkpoint()
        accounts, bench = Accounts(Runtime(store), PasswordHasher(time_cost=1, memory_cost=1024)), system_user("bench")
        for user_id, roles, queues in (("bench-agent", ["agent"], QUEUES), ("bench-supervisor", ["supervisor"], [])):
            accounts.add_user(bench, user_id, "bench-password", roles=roles, queues=queues)
            tokens[user_id] = accounts.make_token(bench, user_id).text
        store.checkpoint()
    return tokens


@dataclass(frozen=True)
class Measured:
    """One kind of request: who sends it and with which query."""

    label: str
    user: str
    params: dict[str, str]


def ask(client: httpx.Client, params: dict[str, str]) -> dict:
    response = client.get(PAGE, params=params)
    assert response.status_code == 200 and len(response.json()["items"]) == 50, response.text
    return response.json()


def timed(clients: dict[str, httpx.Client], measured: list[Measured], repeat: int) -> dict[str, list[float]]:
    """Milliseconds per request of each kind, the kinds taking turns, after a few warm-up rounds."""
    times: dict[str, list[float]] = {m.label: [] for m in measured}
    for round_number in range(5 + repeat):
        for m in measured:
            started = time.perf_counter()
            ask(clients[m.user], m.params)
            if round_number >= 5:
                times[m.label].append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--folder", type=Path, help="keep the filled store here and reuse it")
    parser.add_argument("--json", type=Path, help="also write the figures to this file, as JSON")
    args = parser.parse_args()
    base = args.folder or Path(tempfile.mkdtemp(prefix="bench-api-"))
    data = base / "data"
    tokens_file = base / "tokens"
    if not tokens_file.exists():
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        started = time.perf_counter()
        tokens = fill(data, args.items)
        tokens_file.write_text("\n".join(f"{user} {token}" for user, token in tokens.items()))
        print(f"filled {args.items:,} open work items in {time.perf_counter() - started:.0f} s")
    tokens = dict(line.split(" ", 1) for line in tokens_file.read_text().splitlines())
    try:
        with served(data) as url:
            clients = {user: httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
                       for user, token in tokens.items()}
            second_page = {"cursor": ask(clients["bench-agent"], {})["next"]}
            measured = [Measured("agent, all 20 queues", "bench-agent", {}),
                        Measured("supervisor, every queue", "bench-supervisor", {}),
                        Measured("agent, one queue", "bench-agent", {"queue": "q07"}),
                        Measured("agent, second page", "bench-agent", second_page)]
            print(f"GET {PAGE} (a page of 50, soonest deadline first), {args.repeat} requests each, in turns:")
            figures = {}
            for label, times in timed(clients, measured, args.repeat).items():
                median = statistics.median(times)
                p95 = statistics.quantiles(times, n=20)[-1]
                figures[label] = {"median_ms": round(median, 2), "p95_ms": round(p95, 2),
                                  "median_to_target": round(median / TARGET_MS, 3)}
                print(f"  {label:<26} median {median:6.1f} ms   p95 {p95:6.1f} ms   "
                      f"median / {TARGET_MS:.0f} ms target = {median / TARGET_MS:.2f}")
            for client in clients.values():
                client.close()
            if args.json:
                args.json.write_text(json.dumps({"items": args.items, "repeat": args.repeat, "target_ms": TARGET_MS,
                                                 "requests": figures}, indent=2))
    finally:
        if args.folder is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
