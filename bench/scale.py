"""A store at scale for the monitor, worklist and start-up benches: open work items and closed cases by the 100,000.

Run: `.venv/bin/python bench/scale.py FOLDER [--open 100000] [--closed 100000] [--days 365]` (or call
`generate` from a bench). A finished store is marked, so a second run with the same sizes reuses it.

The store holds, as a running Flowdesk would have left it:

- the example processes and customers (published and loaded as on a first start), the demo users,
  and `repair`: four tasks in four queues (intake, field, office, finance) in sequence, each with an
  SLA of 2 working hours and a warning after 1, a case SLA of 3 days, and a way back from the last
  task to the second while the work is not right;
- `--open` open cases of `repair`, each waiting at one of its tasks with one open work item (created
  in the three hours before `NOW`: about a third each on track, at risk and breached), for customers of
  the examples;
- `--closed` closed cases of `repair`, closing evenly over the `--days` days before `NOW`: each went
  through the four tasks (one in five back once), with its completed work items, its audit trail
  (sealed as the runtime seals it, with the edges taken) and the facts the closing step keeps
  (`runtime.case_facts`), and a root cause.

Documents are committed directly (`Store.commit`, 1,000 cases per commit, a checkpoint every
10,000), which is far faster than running 200,000 steps and leaves the same documents.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path[:0] = [str(ROOT)]

from designer.app import create_demo_users, publish_examples  # noqa: E402
from models import Bundle  # noqa: E402
from runtime.audit import GENESIS, seal_events  # noqa: E402
from runtime.case_facts import TrailMark, case_facts  # noqa: E402
from runtime.clock import ManualClock  # noqa: E402
from runtime.documents import Case, CaseStatus, SealedEvent, Token, WorkItem, WorkItemStatus  # noqa: E402
from runtime.service import Runtime  # noqa: E402
from runtime.storage.base import Changes  # noqa: E402
from runtime.storage.tinydb_store import TinyDBStore  # noqa: E402
from tests.people import person  # noqa: E402

#: The runtime clock of every bench on these stores: open work's deadlines lie around it.
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
TIMEZONE = "Europe/Amsterdam"
BATCH = 1_000
QUEUES = ("intake", "field", "office", "finance")
TASKS = ("register", "inspect", "repair", "invoice")
CAUSES = ("meter", "tariff", "installation")
REPAIR: dict[str, Any] = {
    "key": "repair", "name": "Repair", "roles": [{"id": "agent"}],
    "queues": [{"id": queue, "role": "agent"} for queue in QUEUES],
    "variables": [{"name": "ok", "type": "boolean"}],
    "nodes": [{"id": "s", "kind": "start"}, {"id": "d", "kind": "decision"},
              {"id": "e", "kind": "end", "outcome": "done"}]
    + [{"id": task, "kind": "task", "queue": queue, "name": task.title(),
        "sla": {"target": "2 hours", "warning": "1 hours"}} for task, queue in zip(TASKS, QUEUES, strict=True)],
    "edges": [{"id": "f1", "source": "s", "target": "register"},
              {"id": "f2", "source": "register", "target": "inspect"},
              {"id": "f3", "source": "inspect", "target": "repair"},
              {"id": "f4", "source": "repair", "target": "invoice"},
              {"id": "f5", "source": "invoice", "target": "d"},
              {"id": "f6", "source": "d", "target": "inspect", "condition": "ok == false"},
              {"id": "f7", "source": "d", "target": "e", "default": True}],
    "case_sla": {"target": "3 days"},
    "root_causes": [{"id": cause, "label": cause.title()} for cause in CAUSES],
}
EDGE_INTO = {"register": "f1", "inspect": "f2", "repair": "f3", "invoice": "f4"}


class Trail:
    """The audit events of one case, in order, sealed at the end as a step seals them."""

    def __init__(self, case: Case) -> None:
        self.case, self.contents = case, []

    def add(self, kind: str, at: datetime, node: str | None = None, *, changes: dict | None = None,
            **details: Any) -> None:
        self.contents.append({
            "id": f"{self.case.id}-ev{len(self.contents) + 1}", "case_id": self.case.id, "seq": len(self.contents) + 1,
            "at": at.isoformat().replace("+00:00", "Z"), "actor": "bob", "kind": kind, "node": node,
            "version_hash": self.case.version_hash, "summary": kind, "changes": changes or {}, "details": details})

    def sealed(self) -> list[SealedEvent]:
        sealed = seal_events(self.contents, GENESIS)
        self.case.audit_head = sealed[-1].hash
        self.case.audit_count = len(sealed)
        return sealed


def closed_case(number: int, version_hash: str, closed: datetime, customers: list[str],
                rng: random.Random) -> Changes:
    """One closed case of `repair` as the runtime leaves it; one in five went back once."""
    tasks = list(TASKS) + (["inspect", "repair", "invoice"] if rng.random() < 0.2 else [])
    waits = [timedelta(minutes=rng.uniform(5, 180)) for _ in tasks]
    started = closed - sum(waits, timedelta())
    case = Case(id=f"closed-{number:06}", process_key="repair", version=1, version_hash=version_hash,
                status=CaseStatus.COMPLETED, started_at=started, started_by="bob", closed_at=closed, outcome="done",
                root_cause=rng.choice(CAUSES), due_at=started + timedelta(days=3), data={"ok": True},
                customer_id=rng.choice(customers))
    trail = Trail(case)
    trail.add("case started", started, "s")
    items, moment, edge = [], started, "f1"
    for n, (task, wait) in enumerate(zip(tasks, waits, strict=True)):
        item = WorkItem(id=f"{case.id}-item{n}", case_id=case.id, process_key="repair", node=task, token="tok",
                        title=task.title(), queue=QUEUES[TASKS.index(task)], created_at=moment,
                        warning_at=moment + timedelta(hours=1), due_at=moment + timedelta(hours=2),
                        status=WorkItemStatus.COMPLETED, completed_at=moment + wait, completed_by="bob",
                        claimed_at=moment + wait / 3, assignee="bob")
        items.append(item)
        trail.add("task created", moment, task, work_item=item.id, edges=[edge])
        trail.add("task claimed", moment + wait / 3, task, work_item=item.id)
        moment += wait
        trail.add("task completed", moment, task, work_item=item.id)
        edge = EDGE_INTO[tasks[n + 1]] if n + 1 < len(tasks) else "f7"
        if task == "invoice":
            trail.add("decision", moment, "d", edges=["f5"], edge="f6" if n + 1 < len(tasks) else "f7")
            edge = "f6" if n + 1 < len(tasks) else "f7"
    trail.add("end reached", moment, "e", edges=["f7"])
    trail.add("case completed", moment, outcome="done")
    trail.add("case closed", moment, root_cause=case.root_cause, note="")
    events = trail.sealed()
    case.facts = case_facts(case, [TrailMark.of(event.event()) for event in events], items, TIMEZONE)
    return Changes(cases=[(case, None)], work_items=items, audit=events)


def open_case(number: int, version_hash: str, customers: list[str], rng: random.Random) -> Changes:
    """One open case of `repair` waiting at one of its tasks, created in the three hours before NOW."""
    created = NOW - timedelta(minutes=rng.uniform(0, 180))
    task = rng.choice(TASKS)
    case = Case(id=f"open-{number:06}", process_key="repair", version=1, version_hash=version_hash,
                started_at=created, started_by="bob", due_at=created + timedelta(days=3),
                customer_id=rng.choice(customers), tokens=[Token(id="tok", node=task, waiting_for="")])
    item = WorkItem(id=f"{case.id}-item", case_id=case.id, process_key="repair", node=task, token="tok",
                    title=task.title(), queue=QUEUES[TASKS.index(task)], created_at=created,
                    priority=rng.randint(1, 5), warning_at=created + timedelta(hours=1),
                    due_at=created + timedelta(hours=2))
    case.tokens[0].waiting_for = item.id
    trail = Trail(case)
    trail.add("case started", created, "s", edges=[])
    trail.add("task created", created, task, work_item=item.id, edges=["f1"])
    return Changes(cases=[(case, None)], work_items=[item], audit=trail.sealed())


def generate(folder: Path, open_items: int, closed: int, days: int) -> float:
    """Fill a store in `folder` unless a finished one of these sizes is there; the seconds it took."""
    finished = folder / f"bench-scale-{open_items}-{closed}-{days}"
    if finished.exists():
        return 0.0
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    with TinyDBStore.open(folder) as store:
        runtime = Runtime(store, ManualClock(NOW - timedelta(days=days + 1)))
        publish_examples(runtime)
        create_demo_users(runtime)
        version = runtime.publish(person("bench"), Bundle.model_validate(REPAIR))
        customers = [customer.id for customer in store.customers()]
        rng = random.Random(open_items * 7 + closed)
        span = timedelta(days=days) / max(closed, 1)
        total = closed + open_items
        for start in range(0, total, BATCH):
            batch = Changes()
            for number in range(start, min(start + BATCH, total)):
                one = (closed_case(number, version.hash, NOW - span * (closed - number), customers, rng)
                       if number < closed else open_case(number, version.hash, customers, rng))
                for name in ("cases", "work_items", "audit"):
                    getattr(batch, name).extend(getattr(one, name))
            store.commit(batch)
            if (start // BATCH) % 10 == 9:
                store.checkpoint()
                print(f"  {start + BATCH:,} of {total:,} cases", file=sys.stderr, flush=True)
    finished.touch()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--open", type=int, default=100_000, help="open cases, one open work item each")
    parser.add_argument("--closed", type=int, default=100_000, help="closed cases")
    parser.add_argument("--days", type=int, default=365, help="the closed cases close evenly over these days")
    args = parser.parse_args()
    seconds = generate(args.folder, args.open, args.closed, args.days)
    print(f"{args.folder}: {args.open:,} open and {args.closed:,} closed cases over {args.days} days "
          + (f"filled in {seconds:.0f} s" if seconds else "(already there)"))


if __name__ == "__main__":
    main()
