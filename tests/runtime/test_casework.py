"""Agents' work on cases besides completing tasks: claim, release, reassign, checklist, notes, ad-hoc tasks,
closing with a root cause, and where a task stands against its SLA."""

from __future__ import annotations

from datetime import timedelta

import pytest

from runtime.casework import CaseWork, SlaStatus, sla_status
from runtime.documents import CaseStatus, User, WorkItemStatus
from runtime.errors import AttachmentTooLarge, ConflictError, EngineError, NotFound
from runtime.service import Runtime
from runtime.storage.base import ATTACHMENT_LIMIT, Changes, WorkQuery
from tests.runtime.builders import end, process, start, task
from tests.runtime.conftest import Harness

CHECKED = [{"id": "identity", "text": "Identity checked"}, {"id": "tip", "text": "Tip given", "required": False}]


@pytest.fixture
def work(runtime: Runtime) -> CaseWork:
    runtime.store.commit(Changes(users=[User(id="ann", name="Ann"), User(id="bob", name="Bob")]))
    runtime.publish(process(
        "claim", nodes=[start(), task("t", checklist=CHECKED, sla={"target": "2 working days",
                                                                   "warning": "1 working day"}), end()],
        flow="s>t t>e", root_causes=[{"id": "meter", "label": "Meter error"}],
        adhoc_task_types=[{"id": "call_back", "name": "Call the customer back", "queue": "q2"}]), author="t")
    return CaseWork(runtime)


def open_task(runtime: Runtime, case_id: str) -> str:
    return runtime.store.work_items(WorkQuery(case_id=case_id))[0].id


def trail(runtime: Runtime, case_id: str) -> list[str]:
    return [event.kind for event in runtime.store.audit_events(case_id)]


def test_a_claimed_task_is_mine_and_someone_elses_claim_is_a_conflict(work: CaseWork, runtime: Runtime):
    case = runtime.start_case("claim", actor="ann")
    item = open_task(runtime, case.id)
    assert work.claim(item, actor="ann").assignee == "ann"
    with pytest.raises(ConflictError, match="claimed by ann"):
        work.claim(item, actor="bob")
    work.release(item, actor="ann")
    assert runtime.store.work_item(item).assignee is None
    assert work.claim(item, actor="bob").assignee == "bob"
    assert trail(runtime, case.id)[-3:] == ["task claimed", "task released", "task claimed"]


def test_reassigning_needs_a_reason_and_a_known_person_or_queue(work: CaseWork, runtime: Runtime):
    case = runtime.start_case("claim", actor="ann")
    item = open_task(runtime, case.id)
    with pytest.raises(EngineError, match="say why"):
        work.reassign(item, actor="ann", reason=" ", to_queue="q2")
    with pytest.raises(EngineError, match="no queue 'nowhere'"):
        work.reassign(item, actor="ann", reason="wrong team", to_queue="nowhere")
    with pytest.raises(NotFound):
        work.reassign(item, actor="ann", reason="holiday", to_user="nobody")
    moved = work.reassign(item, actor="ann", reason="needs billing", to_queue="q2")
    assert (moved.queue, moved.assignee) == ("q2", None)
    assert work.reassign(item, actor="ann", reason="Bob knows", to_user="bob").assignee == "bob"
    summaries = [e.summary for e in runtime.store.audit_events(case.id)]
    assert summaries[-1].endswith("reassigned to bob by ann: Bob knows")


def test_completion_waits_for_the_required_checklist_items_ticked_one_by_one(work: CaseWork, runtime: Runtime):
    case = runtime.start_case("claim", actor="ann")
    item = open_task(runtime, case.id)
    with pytest.raises(EngineError, match="tick the checklist first: Identity checked"):
        runtime.complete(item, actor="ann")
    work.tick(item, "identity", actor="ann")
    work.tick(item, "identity", False, actor="ann")
    with pytest.raises(EngineError, match="tick the checklist first"):
        runtime.complete(item, actor="ann")
    with pytest.raises(EngineError, match="no checklist item 'nope'"):
        work.tick(item, "nope", actor="ann")
    work.tick(item, "identity", actor="ann")
    assert runtime.complete(item, actor="ann").status is CaseStatus.COMPLETED


def test_a_note_goes_on_the_trail_and_an_empty_or_huge_one_is_refused(work: CaseWork, runtime: Runtime):
    case = runtime.start_case("claim", actor="ann")
    work.add_note(case.id, "  Customer called again, very upset.  ", actor="ann")
    event = runtime.store.audit_events(case.id)[-1]
    assert (event.kind, event.details["text"]) == ("note added", "Customer called again, very upset.")
    with pytest.raises(EngineError, match="needs some text"):
        work.add_note(case.id, "   ", actor="ann")
    with pytest.raises(EngineError, match="at most"):
        work.add_note(case.id, "x" * 10_001, actor="ann")
    assert runtime.verify_audit(case.id) == []



def test_an_attached_file_is_kept_with_its_event_and_empty_or_too_big_files_are_refused(work: CaseWork,
                                                                                        runtime: Runtime):
    case = runtime.start_case("claim", actor="ann")
    attached = work.attach(case.id, "C:\\scans\\meter photo.jpg", b"\xff\xd8 jpeg", "image/jpeg", actor="ann")
    assert (attached.filename, attached.size, attached.content_type) == ("meter photo.jpg", 7, "image/jpeg")
    assert runtime.store.attachments(case.id) == [attached]
    assert runtime.store.attachment_content(case.id, attached.id) == b"\xff\xd8 jpeg"
    event = runtime.store.audit_events(case.id)[-1]
    assert (event.kind, event.details["attachment"]) == ("file attached", attached.id)
    with pytest.raises(EngineError, match=r"'empty\.txt' is empty"):
        work.attach(case.id, "empty.txt", b"", actor="ann")
    with pytest.raises(AttachmentTooLarge, match="at most 10 MB"):
        work.attach(case.id, "huge.bin", b"x" * (ATTACHMENT_LIMIT + 1), actor="ann")
    assert len(runtime.store.attachments(case.id)) == 1
    assert runtime.verify_audit(case.id) == []


def test_ad_hoc_tasks_come_from_the_catalogue_or_are_free_and_completing_one_leaves_the_flow_waiting(
        work: CaseWork, runtime: Runtime):
    case = runtime.start_case("claim", actor="ann")
    call = work.add_task(case.id, actor="ann", task_type="call_back")
    assert (call.title, call.queue, call.adhoc) == ("Call the customer back", "q2", True)
    free = work.add_task(case.id, actor="ann", title="Check the meter photo", queue="q")
    with pytest.raises(EngineError, match="no ad-hoc task type"):
        work.add_task(case.id, actor="ann", task_type="fly_to_moon")
    with pytest.raises(EngineError, match="title and a queue"):
        work.add_task(case.id, actor="ann", title="", queue="q")
    runtime.complete(call.id, actor="bob")
    runtime.complete(free.id, actor="bob")
    after = runtime.store.case(case.id)
    assert after.status is CaseStatus.ACTIVE and len(after.tokens) == 1  # still waiting at the flow's task
    assert runtime.store.work_item(call.id).status is WorkItemStatus.COMPLETED


def test_closing_asks_for_a_root_cause_of_the_process_and_cancels_open_work(work: CaseWork, runtime: Runtime):
    case = runtime.start_case("claim", actor="ann")
    item = open_task(runtime, case.id)
    with pytest.raises(EngineError, match=r"not a root cause .*\(choose: meter\)"):
        work.close(case.id, "weather", actor="ann")
    closed = work.close(case.id, "meter", actor="ann", note="Meter replaced")
    assert (closed.status, closed.root_cause, closed.tokens) == (CaseStatus.COMPLETED, "meter", [])
    assert runtime.store.work_item(item).status is WorkItemStatus.CANCELLED
    assert all(job.done for job in runtime.store.case_jobs(case.id))
    with pytest.raises(ConflictError, match="closed already"):
        work.close(case.id, "meter", actor="bob")


def test_a_case_the_flow_completed_gets_its_root_cause(work: CaseWork, runtime: Runtime):
    case = runtime.start_case("claim", actor="ann")
    runtime.complete(open_task(runtime, case.id), actor="ann", checklist=["identity"])
    closed = work.close(case.id, "meter", actor="ann")
    assert (closed.outcome, closed.root_cause) == ("done", "meter")


def test_two_agents_acting_on_one_task_at_once_one_wins_the_other_gets_a_conflict(
        work: CaseWork, harness: Harness):
    runtime = harness.runtime
    case = runtime.start_case("claim", actor="ann")
    item = open_task(runtime, case.id)
    first, second = runtime.transaction("ann"), runtime.transaction("bob")
    for tx, who in ((first, "ann"), (second, "bob")):
        tx.work_item(item).assignee = who
        tx.audit(tx.case(case.id), "task claimed", f"claimed by {who}")
    runtime.commit(first)
    with pytest.raises(ConflictError):
        runtime.commit(second)
    assert runtime.store.work_item(item).assignee == "ann"


def test_the_sla_badge_turns_at_risk_at_the_warning_and_breached_at_the_target(work: CaseWork, harness: Harness):
    runtime = harness.runtime
    case = runtime.start_case("claim", actor="ann")  # Monday 09:00; warning Tuesday 09:00, target Wednesday 09:00
    item = runtime.store.work_item(open_task(runtime, case.id))
    assert sla_status(item, runtime.now()) is SlaStatus.ON_TRACK
    assert sla_status(item, item.warning_at - timedelta(seconds=1)) is SlaStatus.ON_TRACK
    assert sla_status(item, item.warning_at) is SlaStatus.AT_RISK
    assert sla_status(item, item.due_at) is SlaStatus.BREACHED
    assert sla_status(item.model_copy(update={"due_at": None}), runtime.now()) is None
