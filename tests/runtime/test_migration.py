"""Moving open cases to a newer version when the owner maps the changed nodes."""

from __future__ import annotations

import pytest

from runtime.errors import DataError, EngineError
from runtime.service import Runtime
from runtime.storage.base import WorkQuery
from tests.people import AUDITOR, person
from tests.runtime.builders import end, process, start, task

V1 = process("p", variables={"amount": "money"}, nodes=[start(), task("check"), task("pay"), end()],
             flow="s>check check>pay pay>e")
V2 = process("p", variables={"amount": "money"},
             nodes=[start(), task("review", queue="q2", name="Review"), task("pay"), end()],
             flow="s>review review>pay pay>e")


def test_an_open_case_moves_to_the_new_version_with_its_work_item(runtime: Runtime):
    runtime.publish(person("ann"), V1)
    case = runtime.start_case(person("agent"), "p", {"amount": 10})
    runtime.publish(person("ann"), V2)
    moved = runtime.migrate(person("ann"), case.id, 2, {"check": "review"})
    assert (moved.version, [t.node for t in moved.tokens]) == (2, ["review"])
    [item] = runtime.store.work_items(WorkQuery(case_id=case.id))
    assert (item.node, item.queue, item.title) == ("review", "q2", "Review")
    runtime.complete(person("agent"), item.id, {})
    assert [i.node for i in runtime.store.work_items(WorkQuery(case_id=case.id))] == ["pay"]
    last = runtime.store.audit_events(case.id)[-3]
    assert last.kind == "case migrated" and last.details["nodes"] == {"check": "review"}
    assert runtime.verify_audit(AUDITOR).intact


def test_an_unmapped_missing_node_is_refused_and_nothing_changes(runtime: Runtime):
    runtime.publish(person("ann"), V1)
    case = runtime.start_case(person("agent"), "p")
    runtime.publish(person("ann"), V2)
    with pytest.raises(EngineError, match="node 'check' is not in the new version"):
        runtime.migrate(person("ann"), case.id, 2)
    with pytest.raises(EngineError, match=r"cannot become 's' \(start\)"):
        runtime.migrate(person("ann"), case.id, 2, {"check": "s"})
    assert runtime.store.case(case.id).version == 1


def test_data_that_no_longer_fits_blocks_the_migration(runtime: Runtime):
    runtime.publish(person("ann"), V1)
    case = runtime.start_case(person("agent"), "p", {"amount": "10.50"})
    runtime.publish(person("ann"), process("p", variables={"amount": "boolean"}, nodes=[start(), task("check"), end()],
                            flow="s>check check>e"))
    with pytest.raises(DataError, match="amount"):
        runtime.migrate(person("ann"), case.id, 2)


def test_only_open_cases_move_and_only_forward(runtime: Runtime):
    runtime.publish(person("ann"), V1)
    case = runtime.start_case(person("agent"), "p")
    with pytest.raises(EngineError, match="migrate it to a newer one"):
        runtime.migrate(person("ann"), case.id, 1)
