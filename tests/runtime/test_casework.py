"""Agents' work on cases besides completing tasks: claim, release, reassign, checklist, notes, ad-hoc tasks,
closing with a root cause, and where a task stands against its SLA."""

from __future__ import annotations

from datetime import timedelta

import pytest

from runtime.access import ClaimedByOther
from runtime.casework import CaseWork
from runtime.documents import CaseStatus, SlaStatus, User, WorkItemStatus
from runtime.errors import AttachmentTooLarge, ConflictError, EngineError, NotFound
from runtime.service import Runtime
from runtime.storage.base import ATTACHMENT_LIMIT, Changes, WorkQuery
from tests.people import AUDITOR, person
from tests.runtime.builders import end, process, start, task
from tests.runtime.conftest import Harness

CHECKED = [{"id": "identity", "text": "Identity checked"}, {"id": "tip", "text": "Tip given", "required": False}]


@pytest.fixture
def work(runtime: Runtime) -> CaseWork:
    runtime.store.commit(Changes(users=[User(id="ann", name="Ann"), User(id="bob", name="Bob")]))
    runtime.publish(person("t"), process(
        "claim", nodes=[start(), task("t", checklist=CHECKED, sla={"target": "2 working days",
                                                                   "warning": "1 working day"}), end()],
        flow="s>t t>e", root_causes=[{"id": "meter", "label": "Meter error"}],
        adhoc_task_types=[{"id": "call_back", "name": "Call the customer back", "queue": "q2"}]))
    return CaseWork(runtime)


def open_task(runtime: Runtime, case_id: str) -> str:
    return runtime.store.work_items(WorkQuery(case_id=case_id))[0].id


def trail(runtime: Runtime, case_id: str) -> list[str]:
    return [event.kind for event in runtime.store.audit_events(case_id)]


def test_a_claimed_task_is_mine_and_someone_elses_claim_is_a_conflict(work: CaseWork, runtime: Runtime):
    case = runtime.start_case(person("ann"), "claim")
    item = open_task(runtime, case.id)
    assert work.claim(person("ann"), item).assignee == "ann"
    with pytest.raises(ClaimedByOther, match="claimed by Ann since "):
        work.claim(person("bob"), item)
    work.release(person("ann"), item)
    assert runtime.store.work_item(item).assignee is None
    assert work.claim(person("bob"), item).assignee == "bob"
    assert trail(runtime, case.id)[-3:] == ["task claimed", "task released", "task claimed"]


def test_reassigning_needs_a_reason_and_a_known_person_or_queue(work: CaseWork, runtime: Runtime):
    case = runtime.start_case(person("ann"), "claim")
    item = open_task(runtime, case.id)
    with pytest.raises(EngineError, match="say why"):
        work.reassign(person("ann"), item, reason=" ", to_queue="q2")
    with pytest.raises(EngineError, match="no queue 'nowhere'"):
        work.reassign(person("ann"), item, reason="wrong team", to_queue="nowhere")
    with pytest.raises(NotFound):
        work.reassign(person("ann"), item, reason="holiday", to_user="nobody")
    moved = work.reassign(person("ann"), item, reason="needs billing", to_queue="q2")
    assert (moved.queue, moved.assignee) == ("q2", None)
    assert work.reassign(person("ann"), item, reason="Bob knows", to_user="bob").assignee == "bob"
    summaries = [e.summary for e in runtime.store.audit_events(case.id)]
    assert summaries[-1].endswith("reassigned to Bob by ann: Bob knows")


def test_completion_waits_for_the_required_checklist_items_ticked_one_by_one(work: CaseWork, runtime: Runtime):
    case = runtime.start_case(person("ann"), "claim")
    item = open_task(runtime, case.id)
    with pytest.raises(EngineError, match="tick the checklist first: Identity checked"):
        runtime.complete(person("ann"), item)
    work.tick(person("ann"), item, "identity")
    work.tick(person("ann"), item, "identity", False)
    with pytest.raises(EngineError, match="tick the checklist first"):
        runtime.complete(person("ann"), item)
    with pytest.raises(EngineError, match="no checklist item 'nope'"):
        work.tick(person("ann"), item, "nope")
    work.tick(person("ann"), item, "identity")
    assert runtime.complete(person("ann"), item).status is CaseStatus.COMPLETED


def test_a_note_goes_on_the_trail_and_an_empty_or_huge_one_is_refused(work: CaseWork, runtime: Runtime):
    case = runtime.start_case(person("ann"), "claim")
    work.add_note(person("ann"), case.id, "  Customer called again, very upset.  ")
    event = runtime.store.audit_events(case.id)[-1]
    assert (event.kind, event.details["text"]) == ("note added", "Customer called again, very upset.")
    with pytest.raises(EngineError, match="needs some text"):
        work.add_note(person("ann"), case.id, "   ")
    with pytest.raises(EngineError, match="at most"):
        work.add_note(person("ann"), case.id, "x" * 10_001)
    assert runtime.verify_audit(AUDITOR, case.id).intact



def test_an_attached_file_is_kept_with_its_event_and_empty_or_too_big_files_are_refused(work: CaseWork,
                                                                                        runtime: Runtime):
    case = runtime.start_case(person("ann"), "claim")
    attached = work.attach(person("ann"), case.id, "C:\\scans\\meter photo.jpg", b"\xff\xd8 jpeg", "image/jpeg")
    assert (attached.filename, attached.size, attached.content_type) == ("meter photo.jpg", 7, "image/jpeg")
    assert runtime.store.attachments(case.id) == [attached]
    assert runtime.store.attachment_content(case.id, attached.id) == b"\xff\xd8 jpeg"
    event = runtime.store.audit_events(case.id)[-1]
    assert (event.kind, event.details["attachment"]) == ("file attached", attached.id)
    with pytest.raises(EngineError, match=r"'empty\.txt' is empty"):
        work.attach(person("ann"), case.id, "empty.txt", b"")
    with pytest.raises(AttachmentTooLarge, match="at most 10 MB"):
        work.attach(person("ann"), case.id, "huge.bin", b"x" * (ATTACHMENT_LIMIT + 1))
    assert len(runtime.store.attachments(case.id)) == 1
    assert runtime.verify_audit(AUDITOR, case.id).intact


def test_ad_hoc_tasks_come_from_the_catalogue_or_are_free_and_completing_one_leaves_the_flow_waiting(
        work: CaseWork, runtime: Runtime):
    case = runtime.start_case(person("ann"), "claim")
    call = work.add_task(person("ann"), case.id, task_type="call_back")
    assert (call.title, call.queue, call.adhoc) == ("Call the customer back", "q2", True)
    free = work.add_task(person("ann"), case.id, title="Check the meter photo", queue="q")
    with pytest.raises(EngineError, match="no ad-hoc task type"):
        work.add_task(person("ann"), case.id, task_type="fly_to_moon")
    with pytest.raises(EngineError, match="title and a queue"):
        work.add_task(person("ann"), case.id, title="", queue="q")
    runtime.complete(person("bob"), call.id)
    runtime.complete(person("bob"), free.id)
    after = runtime.store.case(case.id)
    assert after.status is CaseStatus.ACTIVE and len(after.tokens) == 1  # still waiting at the flow's task
    assert runtime.store.work_item(call.id).status is WorkItemStatus.COMPLETED


def test_closing_asks_for_a_root_cause_of_the_process_and_cancels_open_work(work: CaseWork, runtime: Runtime):
    case = runtime.start_case(person("ann"), "claim")
    item = open_task(runtime, case.id)
    with pytest.raises(EngineError, match=r"not a root cause .*\(choose: meter\)"):
        work.close(person("ann"), case.id, "weather")
    closed = work.close(person("ann"), case.id, "meter", note="Meter replaced")
    assert (closed.status, closed.root_cause, closed.tokens) == (CaseStatus.COMPLETED, "meter", [])
    assert runtime.store.work_item(item).status is WorkItemStatus.CANCELLED
    assert all(job.done for job in runtime.store.case_jobs(case.id))
    with pytest.raises(ConflictError, match="closed already"):
        work.close(person("bob"), case.id, "meter")


def test_a_case_the_flow_completed_gets_its_root_cause(work: CaseWork, runtime: Runtime):
    case = runtime.start_case(person("ann"), "claim")
    runtime.complete(person("ann"), open_task(runtime, case.id), checklist=["identity"])
    closed = work.close(person("ann"), case.id, "meter")
    assert (closed.outcome, closed.root_cause) == ("done", "meter")


def test_two_agents_acting_on_one_task_at_once_one_wins_the_other_gets_a_conflict(
        work: CaseWork, harness: Harness):
    runtime = harness.runtime
    case = runtime.start_case(person("ann"), "claim")
    item = open_task(runtime, case.id)
    first, second = runtime.transaction(person("ann")), runtime.transaction(person("bob"))
    for tx, who in ((first, "ann"), (second, "bob")):
        tx.item_and_case(item)[0].assignee = who
        tx.audit(tx.case(case.id), "task claimed", f"claimed by {who}")
    runtime.store.commit(first.changes())
    with pytest.raises(ConflictError):
        runtime.store.commit(second.changes())
    assert runtime.store.work_item(item).assignee == "ann"


def test_the_sla_badge_turns_at_risk_at_the_warning_and_breached_at_the_target(work: CaseWork, harness: Harness):
    runtime = harness.runtime
    case = runtime.start_case(person("ann"), "claim")  # Monday 09:00; warning Tuesday 09:00, target Wednesday 09:00
    item = runtime.store.work_item(open_task(runtime, case.id))
    assert SlaStatus.of(item, runtime.now()) is SlaStatus.ON_TRACK
    assert SlaStatus.of(item, item.warning_at - timedelta(seconds=1)) is SlaStatus.ON_TRACK
    assert SlaStatus.of(item, item.warning_at) is SlaStatus.AT_RISK
    assert SlaStatus.of(item, item.due_at) is SlaStatus.BREACHED
    assert SlaStatus.of(item.model_copy(update={"due_at": None}), runtime.now()) is None
