"""Commits steps to a TinyDB store until it is killed; prints each step number once its commit returned.

Run by test_crash_safety.py: `python crash_writer.py <data folder>`. Step n
is one transaction over several partitions: a child case `child-n` started
with its work item, job, letter and audit events, the `parent` case updated
(its data lists every step, the revision moves on) with an audit event, and
every third step also a step on an earlier child. The test then checks
every step is either wholly there or wholly absent. Checkpoints are made
frequent so kills also land in the middle of them.
"""

from __future__ import annotations

import sys

from runtime.documents import WorkItemStatus
from runtime.errors import NotFound
from runtime.storage.base import Changes
from runtime.storage.tinydb_store import TinyDBStore
from tests.storage.storage_docs import audit_event, case, job, new_case_changes, outbox_entry, work_item


def step(store: TinyDBStore, number: int) -> Changes:
    parent = store.case("parent")
    child_id = f"child-{number}"
    updated = parent.model_copy(update={"data": {"children": [*parent.data["children"], number]}})
    changes = new_case_changes(child_id)
    changes.cases[0] = (case(child_id, parent_case="parent", parent_token="t1", depth=1), None)
    changes.cases.append((updated, parent.revision))
    changes.outbox.append(outbox_entry(f"{child_id}-o1", child_id))
    changes.audit.append(audit_event(f"parent-a{number}", "parent", seq=number + 2))
    if number % 3 == 2:
        earlier = store.case(f"child-{number - 2}")
        changes.cases.append((earlier.model_copy(update={"outcome": f"step {number}"}), earlier.revision))
        changes.work_items += [work_item(f"child-{number - 2}-w1", earlier.id, status=WorkItemStatus.COMPLETED),
                               work_item(f"child-{number - 2}-s{number}", earlier.id, due=number)]
        changes.jobs.append(job(f"child-{number - 2}-j1", earlier.id, done=True))
    return changes


def main(folder: str) -> None:
    store = TinyDBStore.open(folder, checkpoint_bytes=16_384, max_dirty=6)
    try:
        children = store.case("parent").data["children"]
    except NotFound:
        store.commit(Changes(cases=[(case("parent", data={"children": []}), None)]))
        children = []
    print("ready", flush=True)
    number = max(children, default=-1) + 1
    while True:
        store.commit(step(store, number))
        print(number, flush=True)
        number += 1


if __name__ == "__main__":
    main(sys.argv[1])
