"""The durable cost of one step as the embedded store grows.

The median time of one `Runtime.complete` on a fresh task of a `start > task > task > end`
process, with 100, 10,000 and 100,000 stored cases. The stores are filled by cloning one real
started case (new ids, audit chain resealed) and committing 1,000 cases per `Changes`; the
stores are then reopened and take turns, one step each, on random cases never touched before (a
store that runs out of fresh tasks is filled again). Checkpoints are not part of these steps
(bench_storage.py measures them). With a kept folder the filled stores are reused by later runs.
"""

from __future__ import annotations

import gc
import json
import random
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from bench.engine.adapters import ACTOR
from bench.engine.statistics import percentile
from models import Bundle
from runtime.audit import GENESIS, seal
from runtime.documents import AuditEvent, Case, SealedEvent, WorkItem
from runtime.service import Runtime
from runtime.storage.base import Changes, WorkQuery
from runtime.storage.tinydb_store import TinyDBStore
from tests.people import person
from tests.runtime.builders import end, process, start, task


def two_tasks() -> Bundle:
    return process("two_tasks", nodes=[start(), task("t1"), task("t2"), end()], flow="s>t1 t1>t2 t2>e")


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:20]}"


def clone_case(case: Case, items: list[WorkItem], events: list[AuditEvent]) -> tuple[Changes, str]:
    """A copy of a started case under new ids, its audit chain resealed; the changes and its open item's id."""
    renames = {case.id: _new_id("case")}
    renames |= {token.id: _new_id("tok") for token in case.tokens}
    renames |= {item.id: _new_id("item") for item in items}

    def renamed(text: str) -> str:
        for old, new in renames.items():
            text = text.replace(old, new)
        return text

    new_case = Case.model_validate_json(renamed(case.model_dump_json()))
    new_items = [WorkItem.model_validate_json(renamed(item.model_dump_json())) for item in items]
    previous, new_events = GENESIS, []
    for event in events:
        fields = json.loads(renamed(event.model_dump_json()))
        fields.update(id=_new_id("ev"), previous_hash=previous)
        fields["hash"] = previous = seal(fields, previous)
        new_events.append(SealedEvent.of(AuditEvent.model_validate(fields)))
    new_case.audit_head, new_case.revision = previous, 0
    return Changes(cases=[(new_case, None)], work_items=new_items, audit=new_events), new_items[0].id


def fill_store(folder: Path, cases: int) -> tuple[list[str], float]:
    """A store in `folder` with `cases` cases waiting at their first task; their open item ids, seconds taken."""
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    items = []
    with TinyDBStore.open(folder) as store:
        rt = Runtime(store)
        rt.publish(person("bench"), two_tasks())
        template = rt.start_case(person(ACTOR), "two_tasks")
        template_items = store.work_items(WorkQuery(case_id=template.id))
        template_events = store.audit_events(template.id)
        items.append(template_items[0].id)
        batch = Changes()
        for number in range(1, cases):
            one, item_id = clone_case(template, template_items, template_events)
            items.append(item_id)
            for name, docs in vars(one).items():
                getattr(batch, name).extend(docs)
            if number % 1_000 == 0 or number == cases - 1:
                store.commit(batch)
                batch = Changes()
            if number % 10_000 == 0:
                store.checkpoint()
    return items, time.perf_counter() - started


def fresh_items(folder: Path, cases: int, needed: int, keep: bool) -> tuple[list[str], float]:
    """Open items never completed in a store of `cases` cases: a kept store's (`--folder`) if it has enough."""
    record = folder / "bench-items.json"
    if keep and record.exists():
        kept = json.loads(record.read_text())
        used = set(kept["used"])
        unused = [item for item in kept["items"] if item not in used]
        if len(unused) >= min(cases, needed):
            return unused, 0.0
    items, seconds = fill_store(folder, cases)
    if keep:
        record.write_text(json.dumps({"items": items, "used": []}))
    return items, seconds


class StepStore:
    """A store of `cases` cases for timing single steps on fresh tasks; refilled when it runs out of them."""

    def __init__(self, folder: Path, cases: int, needed: int, keep: bool) -> None:
        self.folder, self.cases, self.keep = folder, cases, keep
        self.build = 0.0
        self.times: list[float] = []
        self.cpu: list[float] = []  # CPU time of the same steps: the work without waiting for the disk
        self._open(needed)

    def _open(self, needed: int) -> None:
        items, seconds = fresh_items(self.folder, self.cases, needed, self.keep)
        self.build += seconds
        self.queue = random.sample(items, min(len(items), needed))
        self.used: list[str] = []
        self.store = TinyDBStore.open(self.folder)
        self.runtime = Runtime(self.store)
        self.runtime.latest_process_version("two_tasks")  # build the runnable version before timing steps

    def step(self, remaining: int) -> None:
        """Time one `Runtime.complete` on a task no step has touched; `remaining` steps are still to come."""
        if not self.queue:
            self._close()
            self._open(remaining)
        item_id = self.queue.pop()
        gc.collect(0)
        started, cpu = time.perf_counter(), time.process_time()
        self.runtime.complete(person(ACTOR), item_id, {})
        self.times.append(time.perf_counter() - started)
        self.cpu.append(time.process_time() - cpu)
        self.used.append(item_id)

    def _close(self) -> None:
        self.store.close()
        if self.keep:
            record = self.folder / "bench-items.json"
            kept = json.loads(record.read_text())
            kept["used"] += self.used
            record.write_text(json.dumps(kept))

    def close(self) -> None:
        self._close()
        if not self.keep:
            shutil.rmtree(self.folder, ignore_errors=True)


def step_cost(sizes: list[int], samples: int, folder: Path, keep: bool) -> list[dict[str, Any]]:
    """Per size: the median (and p90, mean) time of one `Runtime.complete` on a fresh task.

    The stores are filled first, then the sizes take turns step by step, so that a slower disk for a
    while (fdatasync is most of a step) slows every size alike.
    """
    stores = []
    try:
        for size in sizes:
            print(f"  filling a store with {size:,} cases ...", file=sys.stderr, flush=True)
            stores.append(StepStore(folder / f"steps-{size}", size, samples, keep))
        print(f"  {samples} steps per store, taking turns ...", file=sys.stderr, flush=True)
        for number in range(samples):
            for store in stores:
                store.step(samples - number)
    finally:
        for store in stores:
            store.close()
    results = []
    for size, store in zip(sizes, stores, strict=True):
        times = sorted(store.times)
        results.append({"cases": size, "build s": store.build, "median": statistics.median(times),
                        "p90": percentile(times, 0.9), "mean": statistics.fmean(times), "n": len(times),
                        "cpu": statistics.median(store.cpu)})
    return results
