"""A task kept apart from an earlier one (four eyes): whoever did the earlier task may not do it, however they try."""

from __future__ import annotations

import pytest

from runtime.casework import CaseWork
from runtime.errors import AccessDenied
from runtime.service import Runtime
from runtime.storage.base import WorkQuery
from runtime.views.cases import case_view
from tests.people import person
from tests.runtime.builders import end, process, start, task

ANN, BOB = person("ann", "agent"), person("bob", "supervisor")


@pytest.fixture
def credit(runtime: Runtime) -> str:
    runtime.publish(person("owner"), process(
        "credit", nodes=[start(), task("investigate"), task("approve", separate_from=["investigate"]), end()],
        flow="s>investigate investigate>approve approve>e"))
    case = runtime.start_case(ANN, "credit")
    [investigation] = runtime.store.work_items(WorkQuery(case_id=case.id))
    runtime.complete(ANN, investigation.id)
    return case.id


def approval(runtime: Runtime, case_id: str) -> str:
    [item] = runtime.store.work_items(WorkQuery(case_id=case_id))
    return item.id


def test_whoever_investigated_may_not_claim_or_complete_the_approval(runtime: Runtime, credit: str):
    item = approval(runtime, credit)
    with pytest.raises(AccessDenied, match="you did 'Investigate' on this case, so someone else must do 'Approve'"):
        runtime.complete(ANN, item)
    with pytest.raises(AccessDenied, match="four eyes"):
        CaseWork(runtime).claim(ANN, item)
    [task] = case_view(runtime, ANN, credit).open_tasks
    assert "so someone else must do" in str(task.refusal)
    assert [t.refusal for t in case_view(runtime, BOB, credit).open_tasks] == [None]
    runtime.complete(BOB, item)
    assert runtime.store.case(credit).status.value == "completed"
