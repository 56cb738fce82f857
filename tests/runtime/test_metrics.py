"""The supervisor's figures, computed from stored cases, work items and audit events of known cases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from runtime.case_facts import TrailMark, case_facts
from runtime.casework import CaseWork
from runtime.documents import CaseFacts, SealedEvent, WorkItemStatus
from runtime.metrics import FactsCache, Spread, closed_case_figures, open_work, spread
from runtime.service import Runtime
from runtime.storage.base import Changes, WorkQuery
from tests.people import person
from tests.runtime.builders import end, parallel, process, start, task, timer
from tests.runtime.conftest import MONDAY_9_AMSTERDAM, Harness

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
CAUSES = [{"id": "meter", "label": "Meter error"}, {"id": "tariff", "label": "Wrong tariff"}]


@pytest.fixture
def repair(runtime: Runtime) -> Runtime:
    """A check task (SLA 2 hours) that goes back to itself while `ok` is false; the case SLA is 1 day."""
    runtime.publish(person("t"), process(
        "repair", variables={"ok": "boolean"},
        nodes=[start(), task("check", sla={"target": "2 hours"}), {"id": "d", "kind": "decision"}, end()],
        flow="s>check\ncheck>d\nd>check: ok == false\nd>e: default",
        case_sla={"target": "1 days"}, root_causes=CAUSES))
    return runtime


def open_item(runtime: Runtime, case_id: str) -> str:
    return runtime.store.work_items(WorkQuery(case_id=case_id))[0].id


def wait(harness: Harness, delta: timedelta) -> None:
    harness.clock.advance(delta)


def three_closed_cases(harness: Harness) -> None:
    """A: claimed after 10 min, done after 1 h. B: done wrong after 30 min, redone 3 h later (late).
    C: done after exactly 2 hours (on time). A and C: meter; B: tariff."""
    runtime, work = harness.runtime, CaseWork(harness.runtime)
    a = runtime.start_case(person("ann"), "repair")
    wait(harness, 10 * MINUTE)
    work.claim(person("bob"), open_item(runtime, a.id))
    wait(harness, 50 * MINUTE)
    runtime.complete(person("bob"), open_item(runtime, a.id), {"ok": True})
    work.close(person("bob"), a.id, "meter")

    b = runtime.start_case(person("ann"), "repair")
    wait(harness, 30 * MINUTE)
    runtime.complete(person("bob"), open_item(runtime, b.id), {"ok": False})
    wait(harness, 3 * HOUR)
    runtime.complete(person("bob"), open_item(runtime, b.id), {"ok": True})
    work.close(person("bob"), b.id, "tariff")

    c = runtime.start_case(person("ann"), "repair")
    wait(harness, 2 * HOUR)
    runtime.complete(person("bob"), open_item(runtime, c.id), {"ok": True})
    work.close(person("bob"), c.id, "meter")


def test_times_first_time_right_sla_and_root_causes_of_closed_cases(harness: Harness, repair: Runtime):
    three_closed_cases(harness)
    repair.start_case(person("ann"), "repair")  # still open: not in the closed figures
    figures = closed_case_figures(repair, MONDAY_9_AMSTERDAM, repair.now() + MINUTE)

    assert figures.cases == 3
    assert figures.resolution == Spread(3, median=7200, p90=12600)  # 1 h, 3.5 h, 2 h
    assert figures.first_response == Spread(3, median=1800, p90=7200)  # claim 10 min, completion 30 min, 2 h
    assert figures.first_time_right == pytest.approx(2 / 3)  # B went round the loop
    assert figures.task_sla_compliance == 0.75  # of four completed checks, B's second was an hour late
    assert figures.case_sla_compliance == 1.0
    assert figures.root_causes == {"Meter error": 2, "Wrong tariff": 1}
    assert [(day.day.isoformat(), day.closed, day.median_resolution) for day in figures.per_day] == [
        ("2026-03-02", 3, 7200)]


def test_the_bottleneck_view_has_the_average_wait_per_task_and_how_often_each_edge_was_taken(
        harness: Harness, repair: Runtime):
    three_closed_cases(harness)
    flow = closed_case_figures(repair, MONDAY_9_AMSTERDAM, repair.now() + MINUTE).flows["repair"]
    assert flow.average_wait == {"check": (3600 + 1800 + 10800 + 7200) / 4}
    # f1 s>check, f2 check>d, f3 d>check (B's loop), f4 d>e
    assert flow.edge_counts == {"f1": 3, "f2": 4, "f3": 1, "f4": 3}


def test_only_cases_closed_in_the_range_and_of_the_chosen_process_count(harness: Harness, repair: Runtime):
    three_closed_cases(harness)
    closed = [c.closed_at for c in repair.store.cases(active=False)]
    between = closed_case_figures(repair, closed[1], closed[2])  # `until` itself is outside the range
    assert between.cases == 1 and between.resolution == Spread(1, 12600, 12600)
    assert closed_case_figures(repair, closed[2] + MINUTE, closed[2] + HOUR).cases == 0
    assert closed_case_figures(repair, closed[0], closed[2] + MINUTE, process_key="other").cases == 0
    empty = closed_case_figures(repair, closed[2] + MINUTE, closed[2] + HOUR)
    assert (empty.resolution, empty.first_time_right, empty.task_sla_compliance) == (None, None, None)


def test_waits_at_wait_nodes_and_branches_of_a_parallel_split_count(harness: Harness, runtime: Runtime):
    runtime.publish(person("t"), process("cool", nodes=[start(), timer("w", duration="1 hours"), parallel("p1"),
                                                        task("a"),
                                           task("b"), parallel("p2"), end()],
                            flow="s>w w>p1 p1>a p1>b a>p2 b>p2 p2>e"))
    case = runtime.start_case(person("ann"), "cool")
    wait(harness, HOUR)
    runtime.fire_due_jobs()
    for _ in range(2):
        wait(harness, HOUR)
        runtime.complete(person("bob"), open_item(runtime, case.id))
    flow = closed_case_figures(runtime, MONDAY_9_AMSTERDAM, runtime.now() + MINUTE).flows["cool"]
    assert flow.average_wait["w"] == 3600
    assert sorted([flow.average_wait["a"], flow.average_wait["b"]]) == [3600, 7200]  # one done an hour later
    assert flow.edge_counts == {f"f{n}": 1 for n in range(1, 8)}  # both branches reached the join


def test_open_work_per_queue_and_process_with_sla_status_and_the_oldest_item(harness: Harness, runtime: Runtime):
    runtime.publish(person("t"), process("triage", nodes=[start(), task("t", sla={"target": "2 hours",
                                                                                  "warning": "1 hours"}),
                                             end()], flow="s>t t>e"))
    runtime.publish(person("t"), process("post", nodes=[start(), task("sort", queue="q2"), end()],
                                         flow="s>sort sort>e"))
    first = runtime.start_case(person("ann"), "triage")  # due in 2 h: breached 2.5 h later
    wait(harness, HOUR)
    runtime.start_case(person("ann"), "triage")  # warned after 1 h: at risk
    wait(harness, HOUR)
    runtime.start_case(person("ann"), "triage")  # on track
    runtime.start_case(person("ann"), "post")  # no SLA
    wait(harness, 30 * MINUTE)

    figures = open_work(runtime.store, runtime.now())
    [q, q2] = figures.per_queue
    assert (q.name, q.pending, q.on_track, q.at_risk, q.breached) == ("q", 3, 1, 1, 1)
    assert q.oldest == first.started_at
    assert (q2.name, q2.pending, q2.on_track, q2.at_risk, q2.breached) == ("q2", 1, 0, 0, 0)
    assert [(p.name, p.pending) for p in figures.per_process] == [("post", 1), ("triage", 3)]


def stored_before_facts(runtime: Runtime, case_id: str, new_id: str) -> None:
    """A copy of a closed case as an earlier Flowdesk stored it: no facts (its trail and tasks alike)."""
    store = runtime.store
    case = store.case(case_id).model_copy(update={"id": new_id, "facts": None, "revision": 0})
    items = [item.model_copy(update={"id": f"{new_id}-{item.id}", "case_id": new_id})
             for item in store.work_items(WorkQuery(case_id=case_id, status=WorkItemStatus.COMPLETED))]
    events = [SealedEvent.of(event.model_copy(update={"id": f"{new_id}-{event.id}", "case_id": new_id}))
              for event in store.audit_events(case_id)]
    store.commit(Changes(cases=[(case, None)], work_items=items, audit=events))


def test_a_case_closed_before_facts_were_kept_still_counts_and_gets_them_on_its_next_step(harness: Harness,
                                                                                            repair: Runtime):
    three_closed_cases(harness)
    since, until = MONDAY_9_AMSTERDAM, repair.now() + MINUTE
    [first, *_] = repair.store.cases(active=False)
    stored_before_facts(repair, first.id, "legacy")
    assert repair.store.closed_case_days(since, until).without_facts == [("legacy", 1)]
    cache = FactsCache()
    derived = closed_case_figures(repair, since, until, cache=cache)
    assert (derived.cases, derived.root_causes) == (4, {"Meter error": 3, "Wrong tariff": 1})
    once = cache.closed(repair.store, "legacy", 1, repair.calendar.timezone)
    assert cache.closed(repair.store, "legacy", 1, repair.calendar.timezone) is once
    CaseWork(repair).add_note(person("bob"), "legacy", "customer called back")
    assert repair.store.case("legacy").facts == first.facts
    assert repair.store.closed_case_days(since, until).without_facts == []
    assert closed_case_figures(repair, since, until) == derived


def test_spread_is_the_median_and_the_nearest_rank_90th_percentile():
    assert spread([]) is None
    assert spread([5]) == Spread(1, 5, 5)
    assert spread([4, 1, 3, 2]) == Spread(4, 2.5, 4)
    assert spread(range(1, 21)) == Spread(20, 10.5, 18)


def test_the_closed_day_sums_answer_alike_after_a_restart(harness: Harness, repair: Runtime):
    three_closed_cases(harness)
    since, until = MONDAY_9_AMSTERDAM, repair.now() + MINUTE
    before = repair.store.closed_case_days(since, until)
    [day] = before.days
    assert (day.process_key, day.cases, day.root_causes) == ("repair", 3, {"meter": 2, "tariff": 1})
    figures = closed_case_figures(repair, since, until)
    restarted = harness.restart()
    assert restarted.store.closed_case_days(since, until) == before
    assert closed_case_figures(restarted, since, until) == figures


def test_the_facts_are_kept_in_the_step_that_closes_the_case(harness: Harness, repair: Runtime):
    case = repair.start_case(person("ann"), "repair")
    wait(harness, 10 * MINUTE)
    CaseWork(repair).claim(person("bob"), open_item(repair, case.id))
    wait(harness, 20 * MINUTE)
    closed = repair.complete(person("bob"), open_item(repair, case.id), {"ok": True})
    assert closed.facts is not None and repair.store.case(case.id).facts == closed.facts
    assert (closed.facts.day.isoformat(), closed.facts.first_response, closed.facts.waits) == (
        "2026-03-02", 600.0, [("check", 1800.0)])
    assert closed.facts.edges == {"f1": 1, "f2": 1, "f4": 1} and closed.facts.first_time_right
    CaseWork(repair).close(person("bob"), case.id, "meter")  # the root cause comes later: the facts stay
    assert repair.store.case(case.id).facts == closed.facts


def facts_from_the_whole_trail(runtime: Runtime, case_id: str) -> CaseFacts:
    """What the facts of a closed case are when derived from its stored trail and tasks, as for an older case."""
    case = runtime.store.case(case_id)
    items = runtime.store.work_items(WorkQuery(case_id=case_id, status=WorkItemStatus.COMPLETED))
    return case_facts(case, map(TrailMark.of, runtime.store.audit_events(case_id)), items, runtime.calendar.timezone)


def test_the_facts_counted_as_the_case_went_are_those_of_its_whole_trail(harness: Harness, repair: Runtime):
    three_closed_cases(harness)
    for case in repair.store.cases(active=False):
        assert case.tally is None  # counted while it ran, dropped once its facts were kept
        assert case.facts == facts_from_the_whole_trail(repair, case.id)


def test_a_case_stored_before_tallies_were_kept_is_counted_from_its_trail_once(harness: Harness, repair: Runtime):
    case = repair.start_case(person("ann"), "repair")
    wait(harness, 30 * MINUTE)
    repair.complete(person("bob"), open_item(repair, case.id), {"ok": False})
    stored = repair.store.case(case.id)
    repair.store.commit(Changes(cases=[(stored.model_copy(update={"tally": None}), stored.revision)]))
    wait(harness, HOUR)
    closed = repair.complete(person("bob"), open_item(repair, case.id), {"ok": True})
    assert closed.facts is not None and not closed.facts.first_time_right  # the loop back before the upgrade counts
    assert closed.facts == facts_from_the_whole_trail(repair, case.id)
