"""Moving a process's open cases to a newer version: the dry run says per case what would happen, nothing moves;
the run moves the chosen cases, each on its trail; the version history counts cases per version."""

from __future__ import annotations

import pytest

from runtime.errors import AccessDenied, EngineError
from runtime.migration import migrate_cases, open_cases_on, plan_migration
from runtime.service import Runtime
from runtime.storage.base import WorkQuery
from runtime.views.processes import version_history
from tests.people import person
from tests.runtime.builders import end, process, start, task

OWNER = person("ann", "designer")


@pytest.fixture
def two_versions(runtime: Runtime) -> Runtime:
    runtime.publish(OWNER, process("p", nodes=[start(), task("check"), task("pay"), end()],
                                   flow="s>check check>pay pay>e"))
    for _ in range(120):
        runtime.start_case(person("bob"), "p")
    for case_id in runtime.store.case_ids()[:20]:  # twenty cases have moved on to 'pay'
        [item] = runtime.store.work_items(WorkQuery(case_id=case_id))
        runtime.complete(person("bob"), item.id)
    runtime.publish(OWNER, process("p", nodes=[start(), task("review", name="Review"), task("pay"), end()],
                                   flow="s>review review>pay pay>e"))
    return runtime


def test_the_dry_run_names_what_blocks_and_moves_nothing(two_versions: Runtime):
    rt = two_versions
    plans = plan_migration(rt, OWNER, "p", 1, 2, {})
    assert len(plans) == 120
    blocked = [p for p in plans if not p.movable]
    assert len(blocked) == 100 and "node 'check' is not in the new version" in blocked[0].detail
    assert all(p.detail == "waits at 'Pay' → 'Pay'" for p in plans if p.movable)
    assert len(open_cases_on(rt, "p", 1)) == 120  # nothing moved
    mapped = plan_migration(rt, OWNER, "p", 1, 2, {"check": "review"})
    assert all(p.movable for p in mapped)
    assert "waits at 'Check' → 'Review'" in {p.detail for p in mapped}


def test_the_run_moves_the_chosen_cases_with_progress_and_the_history_counts_them(two_versions: Runtime):
    rt = two_versions
    chosen = open_cases_on(rt, "p", 1)
    seen = []
    results = migrate_cases(rt, OWNER, "p", 2, {"check": "review"}, chosen, progress=lambda d, t: seen.append(d))
    assert all(r.movable for r in results) and seen[-1] == len(chosen)
    case = rt.store.case(chosen[-1])
    assert case.version == 2 and [t.node for t in case.tokens] == ["review"]
    assert rt.store.audit_events(case.id)[-1].kind == "case migrated"
    history = version_history(rt, OWNER, "p")
    assert [(h.version.number, h.cases_started, h.cases_open) for h in history] == [(2, 120, 120), (1, 0, 0)]


def test_only_designers_migrate_and_only_forward(two_versions: Runtime):
    with pytest.raises(AccessDenied):
        plan_migration(two_versions, person("bob", "agent"), "p", 1, 2, {})
    with pytest.raises(EngineError, match="choose one after version 2"):
        plan_migration(two_versions, OWNER, "p", 2, 1, {})
