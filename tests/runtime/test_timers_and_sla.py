"""Timers and service levels as the clock moves: overdue jobs after a restart, working time, escalations.

Every test runs on both stores with a clock moved by hand; deadlines are
checked as people read them, in Amsterdam local time.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from runtime.documents import JobKind, User, WorkItemStatus
from runtime.outbox import Deliverer
from runtime.service import Runtime
from runtime.storage.base import Changes, WorkQuery
from runtime.worker import Worker
from tests.people import AUDITOR, person
from tests.runtime.builders import end, parallel, process, start, task, timer
from tests.runtime.conftest import Harness

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
AGENT = "agent-1"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


def open_nodes(rt: Runtime, case_id: str) -> list[str]:
    return sorted(i.node for i in rt.store.work_items(WorkQuery(case_id=case_id)))


# Overdue timers after a restart ------------------------------------------------------------------------


def three_timers():
    """Three branches wait 1 hour, 1 day and 3 days, then each creates a task."""
    return process("p", nodes=[start(), parallel("split"), timer("w_hour", duration="1 hours"),
                               timer("w_day", duration="1 days"), timer("w_3days", duration="3 days"),
                               task("after_hour"), task("after_day"), task("after_3days"), parallel("join"), end()],
                   flow="""s>split
                           split>w_hour
                           split>w_day
                           split>w_3days
                           w_hour>after_hour
                           w_day>after_day
                           w_3days>after_3days
                           after_hour>join
                           after_day>join
                           after_3days>join
                           join>e""")


def test_timers_that_became_overdue_while_stopped_fire_once_after_the_restart(harness: Harness):
    harness.runtime.publish(person("owner"), three_timers())
    cases = [harness.runtime.start_case(person(AGENT), "p").id for _ in range(3)]
    assert harness.runtime.fire_due_jobs() == 0

    if harness.kind == "tinydb":
        harness.store.close()  # the process stops ...
    harness.clock.advance(timedelta(days=2))  # ... while two of each case's timers fall due
    rt = harness.restart()

    assert rt.fire_due_jobs() == 2 * len(cases)
    assert rt.fire_due_jobs() == 0
    for case_id in cases:
        assert open_nodes(rt, case_id) == ["after_day", "after_hour"]
        fired = [e.node for e in rt.store.audit_events(case_id) if e.kind == "timer fired"]
        assert sorted(fired) == ["w_day", "w_hour"]

    rt = harness.restart()  # and nothing fires again after another restart
    assert rt.fire_due_jobs() == 0
    harness.clock.advance(timedelta(days=1))
    assert rt.fire_due_jobs() == len(cases)  # the 3-day timers
    assert rt.fire_due_jobs() == 0
    for case_id in cases:
        assert open_nodes(rt, case_id) == ["after_3days", "after_day", "after_hour"]
        assert Counter(e.kind for e in rt.store.audit_events(case_id))["timer fired"] == 3
    assert rt.verify_audit(AUDITOR).intact


def test_the_worker_fires_a_backlog_larger_than_one_batch_once(harness: Harness):
    rt = harness.runtime
    rt.publish(person("owner"), process("p", nodes=[start(), timer("w", duration="1 hours"), task("t"), end()],
                       flow="s>w w>t t>e"))
    cases = [rt.start_case(person(AGENT), "p").id for _ in range(130)]  # more than fire_due_jobs' batch of 100
    harness.clock.advance(timedelta(hours=5))
    rt = harness.restart()
    worker = Worker(rt, Deliverer(rt, dict))
    assert worker.run_once().jobs_fired == len(cases)
    assert worker.run_once().jobs_fired == 0
    assert rt.store.count_open_work_items() == {"q": len(cases)}


# Working time ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("created", "target", "due"), [
    # Friday before Easter; Easter Monday 6 April 2026 is a public holiday, so Tuesday and Wednesday count
    (local(2026, 4, 3, 16, 0), "2 working days", local(2026, 4, 8, 16, 0)),
    # one hour on Friday, three on Monday
    (local(2026, 3, 6, 16, 0), "4 working hours", local(2026, 3, 9, 12, 0)),
    # across the switch to summer time (29 March): still 16:00 on the clock
    (local(2026, 3, 27, 16, 0), "2 working days", local(2026, 3, 31, 16, 0)),
    # King's Day, Monday 27 April 2026
    (local(2026, 4, 24, 10, 30), "1 working days", local(2026, 4, 28, 10, 30)),
    # a task created on Sunday evening starts counting on Monday at nine
    (local(2026, 3, 8, 20, 0), "1 working days", local(2026, 3, 10, 9, 0)),
    # calendar days count the weekend
    (local(2026, 4, 3, 16, 0), "2 days", local(2026, 4, 5, 16, 0)),
], ids=["easter", "hours-over-weekend", "summer-time", "kings-day", "sunday-evening", "calendar-days"])
def test_a_task_deadline_counts_working_time(harness: Harness, created: datetime, target: str, due: datetime):
    harness.clock.set(created)
    rt = harness.runtime
    rt.publish(person("owner"), process("p", nodes=[start(), task("t", sla={"target": target}), end()], flow="s>t t>e"))
    case = rt.start_case(person(AGENT), "p")
    [item] = rt.store.work_items(WorkQuery(case_id=case.id))
    assert item.due_at.astimezone(AMSTERDAM) == due
    assert item.due_at == due  # the same moment, whichever zone it is stored in


# Escalations -------------------------------------------------------------------------------------------

ESCALATING = {"target": "2 working days", "warning": "1 working days", "escalations": [
    {"when": "warning", "action": "notify", "notify": "supervisor", "queue": "q2"},
    {"when": "breach", "action": "reassign", "queue": "q2"},
    {"when": "breach", "action": "raise priority"},
]}


def escalating_process():
    return process("p", variables={"supervisor": "email"},
                   nodes=[start(), task("handle", name="Handle the complaint", sla=ESCALATING), end()],
                   flow="s>handle handle>e")


def test_warning_notifies_and_breach_reassigns_and_raises_priority_each_once(harness: Harness):
    harness.clock.set(local(2026, 4, 3, 16, 0))  # Friday before Easter
    rt = harness.runtime
    rt.store.commit(Changes(users=[
        User(id="lead", name="Lead", email="lead@example.nl", queues=["q2"]),
        User(id="other", name="Other", email="other@example.nl", queues=["q"])]))
    rt.publish(person("owner"), escalating_process())
    case = rt.start_case(person(AGENT), "p", {"supervisor": "boss@example.nl"})
    [item] = rt.store.work_items(WorkQuery(case_id=case.id))
    assert item.warning_at == local(2026, 4, 7, 16, 0) and item.due_at == local(2026, 4, 8, 16, 0)
    assert (item.queue, item.priority) == ("q", 3)

    fired_at: list[tuple[datetime, int]] = []
    while harness.clock.now() < local(2026, 4, 10, 12, 0):  # hour by hour until Friday after
        harness.clock.advance(timedelta(hours=1))
        fired = rt.fire_due_jobs()
        if fired:
            fired_at.append((harness.clock.now().astimezone(AMSTERDAM), fired))
        if harness.clock.now() == local(2026, 4, 7, 20, 0):
            rt = harness.restart()  # a restart between warning and breach changes nothing
    assert fired_at == [(local(2026, 4, 7, 16, 0), 1), (local(2026, 4, 8, 16, 0), 1)]

    item = rt.store.work_item(item.id)
    assert item.status is WorkItemStatus.OPEN
    assert (item.queue, item.priority) == ("q2", 4)
    assert rt.store.work_items(WorkQuery(queues=("q2",))) == [item]
    mails = [(e.channel, e.recipient, e.subject) for e in rt.store.outbox(case_id=case.id)]
    assert sorted(mails) == [("email", "boss@example.nl", "SLA warning: Task 'Handle the complaint'"),
                             ("email", "lead@example.nl", "SLA warning: Task 'Handle the complaint'")]
    escalations = [(e.at.astimezone(AMSTERDAM), e.details["action"]) for e in rt.store.audit_events(case.id)
                   if e.kind == "escalation"]
    assert escalations == [(local(2026, 4, 7, 16, 0), "notify"), (local(2026, 4, 8, 16, 0), "reassign"),
                           (local(2026, 4, 8, 16, 0), "raise priority")]
    assert rt.verify_audit(AUDITOR).intact

    rt.complete(person("lead"), item.id, {})  # the supervisor's queue handles it
    assert rt.store.case(case.id).outcome == "done"


def test_the_sla_jobs_of_a_task_completed_in_time_never_fire(harness: Harness):
    rt = harness.runtime
    rt.publish(person("owner"), escalating_process())
    case = rt.start_case(person(AGENT), "p", {"supervisor": "boss@example.nl"})
    [item] = rt.store.work_items(WorkQuery(case_id=case.id))
    assert {j.kind for j in rt.store.case_jobs(case.id)} == {JobKind.SLA_WARNING, JobKind.SLA_BREACH}
    harness.clock.advance(timedelta(hours=3))
    rt.complete(person(AGENT), item.id, {})
    rt = harness.restart()
    for _ in range(10):
        harness.clock.advance(timedelta(days=1))
        assert rt.fire_due_jobs() == 0
    assert all(job.done for job in rt.store.case_jobs(case.id))
    assert rt.store.outbox(case_id=case.id) == []
    assert [e for e in rt.store.audit_events(case.id) if e.kind == "escalation"] == []
    item = rt.store.work_item(item.id)
    assert (item.queue, item.priority, item.status) == ("q", 3, WorkItemStatus.COMPLETED)


def test_an_sla_breach_that_fell_due_while_stopped_escalates_once(harness: Harness):
    rt = harness.runtime
    rt.publish(person("owner"), escalating_process())
    case = rt.start_case(person(AGENT), "p", {"supervisor": "boss@example.nl"})
    harness.clock.advance(timedelta(days=7))  # warning and breach are both overdue by now
    rt = harness.restart()
    assert rt.fire_due_jobs() == 2
    assert rt.fire_due_jobs() == 0
    rt = harness.restart()
    assert rt.fire_due_jobs() == 0
    [item] = rt.store.work_items(WorkQuery(case_id=case.id))
    assert (item.queue, item.priority) == ("q2", 4)
    assert [e.recipient for e in rt.store.outbox(case_id=case.id)] == ["boss@example.nl"]


def test_a_case_sla_escalates_every_open_task_and_stops_when_the_case_ends(harness: Harness):
    rt = harness.runtime
    case_sla = {"target": "3 working days", "escalations": [{"when": "breach", "action": "raise priority"}]}
    rt.publish(person("owner"), process("p", nodes=[start(), parallel("split"), task("a"), task("b"),
                                                    parallel("join"), task("c"),
                                   end()],
                       flow="s>split split>a split>b a>join b>join join>c c>e", case_sla=case_sla))
    late = rt.start_case(person(AGENT), "p")
    early = rt.start_case(person(AGENT), "p")
    for item in rt.store.work_items(WorkQuery(case_id=early.id)):
        rt.complete(person(AGENT), item.id, {})
    [last] = rt.store.work_items(WorkQuery(case_id=early.id))
    rt.complete(person(AGENT), last.id, {})
    harness.clock.advance(timedelta(days=3))  # Monday 9:00 + 3 working days = Thursday 9:00
    assert rt.fire_due_jobs() == 1
    assert rt.fire_due_jobs() == 0
    assert sorted((i.node, i.priority) for i in rt.store.work_items(WorkQuery(case_id=late.id))) == [
        ("a", 4), ("b", 4)]
    assert [e for e in rt.store.audit_events(early.id) if e.kind == "escalation"] == []
