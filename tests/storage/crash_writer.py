"""Commits steps to a TinyDB store until it is killed; prints each step once its commit returned.

Run by test_crash_safety.py: `python crash_writer.py <data folder> [threads]`. Each thread `t`
(one by default) commits step after step, each one transaction over several partitions: a
child case `child-n` (`t-child-n` with several threads) started with its work item, job,
letter and audit events, the thread's parent case (`parent`, `t-parent`) updated (its data
lists every step, the revision moves on) with an audit event, and every third step also a step
on an earlier child. It prints `n` (`t n`) only after that step's commit returned, so with
several threads the steps of different threads share the journal's flushes (group commit).
The test then checks every acknowledged step is there, and every step wholly there or wholly
absent. Checkpoints are made frequent so kills also land in the middle of them.
"""

from __future__ import annotations

import sys
import threading

from runtime.documents import WorkItemStatus
from runtime.errors import NotFound
from runtime.storage.base import Changes
from runtime.storage.tinydb_store import TinyDBStore
from tests.storage.storage_docs import case, job, new_case_changes, outbox_entry, sealed_event, work_item

_printing = threading.Lock()


def step(store: TinyDBStore, number: int, prefix: str = "") -> Changes:
    parent = store.case(f"{prefix}parent")
    child_id = f"{prefix}child-{number}"
    updated = parent.model_copy(update={"data": {"children": [*parent.data["children"], number]}})
    changes = new_case_changes(child_id)
    changes.cases[0] = (case(child_id, parent_case=parent.id, parent_token="t1", depth=1), None)
    changes.cases.append((updated, parent.revision))
    changes.outbox.append(outbox_entry(f"{child_id}-o1", child_id))
    changes.audit.append(sealed_event(f"{prefix}parent-a{number}", parent.id, seq=number + 2))
    if number % 3 == 2:
        earlier = store.case(f"{prefix}child-{number - 2}")
        changes.cases.append((earlier.model_copy(update={"outcome": f"step {number}"}), earlier.revision))
        changes.work_items += [work_item(f"{earlier.id}-w1", earlier.id, status=WorkItemStatus.COMPLETED),
                               work_item(f"{earlier.id}-s{number}", earlier.id, due=number)]
        changes.jobs.append(job(f"{earlier.id}-j1", earlier.id, done=True))
    return changes


def prefix_of(thread: int, threads: int) -> str:
    return f"{thread}-" if threads > 1 else ""


def write(store: TinyDBStore, thread: int, threads: int) -> None:
    """Commit the steps of one thread, forever, printing each once acknowledged."""
    prefix = prefix_of(thread, threads)
    number = max(store.case(f"{prefix}parent").data["children"], default=-1) + 1
    while True:
        store.commit(step(store, number, prefix))
        with _printing:
            print(number if threads == 1 else f"{thread} {number}", flush=True)
        number += 1


def main(folder: str, threads: int) -> None:
    store = TinyDBStore.open(folder, checkpoint_bytes=16_384, max_dirty=6)
    for thread in range(threads):
        parent = f"{prefix_of(thread, threads)}parent"
        try:
            store.case(parent)
        except NotFound:
            store.commit(Changes(cases=[(case(parent, data={"children": []}), None)]))
    print("ready", flush=True)
    workers = [threading.Thread(target=write, args=(store, thread, threads), daemon=True) for thread in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1)
