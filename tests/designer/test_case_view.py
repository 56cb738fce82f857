"""The case view as an agent uses it: the seeded billing complaint beside its customer's data sheet, worked
through its checklist and generated form, with notes, files, ad-hoc tasks and closing with a root cause."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from nicegui import app, ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User

from runtime.documents import Attachment, CaseStatus, Contact, WorkItemStatus
from runtime.service import Runtime
from runtime.storage.base import ATTACHMENT_LIMIT, Changes, WorkQuery
from runtime.storage.tinydb_store import TinyDBStore
from tests.designer.conftest import COMPLAINT
from tests.designer.helpers import sign_in
from tests.people import person

pytestmark = pytest.mark.anyio

REQUIRED = ("invoice_opened", "meter_reading_checked", "tariff_checked", "payments_checked", "dunning_paused")


@pytest.fixture
def data(data: Path) -> Path:
    """The seeded data plus a phone call from the complaint's customer and a second open case of hers."""
    with TinyDBStore.open(data) as store:
        [complaint] = store.cases()
        runtime = Runtime(store)
        other = runtime.start_case(person("bob"), "billing_complaint", COMPLAINT | {"invoice_number": "F2026-200001"},
                                   customer_id="C-1001")
        store.commit(Changes(contacts=[Contact(id="contact-1", customer_id="C-1001", channel="phone",
                                               reason="Klacht over dubbele afschrijving <b>", agent="bob",
                                               at=complaint.started_at, case_ids=[complaint.id, other.id])]))
    return data


def runtime() -> Runtime:
    return app.state.runtime


def complaint_id() -> str:
    """The seeded complaint: the oldest case."""
    return runtime().store.cases()[0].id


def open_items(case_id: str) -> list:
    return runtime().store.work_items(WorkQuery(case_id=case_id))


async def open_case(user: User, name: str = "bob") -> str:
    case_id = complaint_id()
    await sign_in(user, name, f"{name}-demo", target=f"/work/case/{case_id}")
    await user.should_see(marker="customer-sheet")
    return case_id


async def eventually(check: Callable[[], bool], what: str) -> None:
    """Wait for what the page does in the background (an upload, a redraw) to show."""
    for _ in range(100):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"still not the case after 2 s: {what}")


async def redrawn(user: User, case_id: str) -> None:
    """Wait until the page (redrawn in the background after a change) shows every event of the case's trail."""
    await eventually(lambda: len(user.find(marker="timeline-entry").elements)
                     == len(runtime().store.audit_events(case_id)), "the timeline shows the newest events")


def enabled(user: User, marker: str) -> bool:
    return user.find(marker=marker).elements.pop().enabled


async def test_the_case_shows_beside_its_customer_with_timeline_task_instructions_and_form(user: User):
    case_id = await open_case(user)
    with user.scope(marker="customer-sheet"):
        await user.should_see(marker="customer-name")
        customer = runtime().store.customer("C-1001")
        await user.should_see(customer.name)
        await user.should_see(customer.number)
        await user.should_see(customer.email)
    with user.scope(marker="other-cases"):
        await user.should_see(marker=f"other-case-{runtime().store.cases()[1].id}")
    with user.scope(marker="contacts"):
        await user.should_see("Klacht over dubbele afschrijving <b>")  # as text, not as markup
    await user.should_see(marker="sent-items")
    with user.scope(marker="case"):
        await user.should_see("version 1")
        await user.should_see("F2026-104233")
        await user.should_see("Twee keer gefactureerd of afgeschreven")  # a choice by its label
    with user.scope(marker="timeline"):
        await user.should_see("Ontvangstbevestiging klacht")  # what the flow did, in plain words
        await user.should_see("Klacht onderzoeken' created in queue 'Facturatie'")  # its name, not its id
    assert len(user.find(marker="timeline-entry").elements) == len(runtime().store.audit_events(case_id))
    await user.should_see(marker="instructions")
    await user.should_see("Zoek uit of de factuur klopt")
    await user.should_see(marker="form-investigation")
    await user.should_see(marker="field-justified")


async def test_completing_waits_for_the_checklist_refuses_invalid_input_and_then_moves_the_case_on(user: User):
    case_id = await open_case(user)
    [item] = open_items(case_id)
    events_before = len(runtime().store.audit_events(case_id))
    assert not enabled(user, "complete")
    await user.should_see("Tick the checklist first: Factuur en verbruikshistorie bekeken")
    for check in REQUIRED[:-1]:
        user.find(marker=f"check-{check}").click()
    assert not enabled(user, "complete")  # one required item is still open
    await user.should_see("Tick the checklist first: Incasso van het betwiste bedrag gepauzeerd")
    user.find(marker=f"check-{REQUIRED[-1]}").click()
    assert enabled(user, "complete")
    assert sorted(runtime().store.work_item(item.id).checklist_ticked) == sorted(REQUIRED)

    user.find(marker="complete").click()  # the findings are required but empty
    await user.should_see("Correct the marked fields; nothing was saved.")
    assert "is required" in user.find(marker="error-findings").elements.pop().text
    assert runtime().store.work_item(item.id).status is WorkItemStatus.OPEN
    assert "investigation_findings" not in runtime().store.case(case_id).data  # nothing saved: still unset

    user.find(marker="field-findings").type("Incasso twee keer uitgevoerd op 3 februari.")
    user.find(marker="field-justified").click()
    user.find(marker="complete").click()
    await user.should_see("Task 'Klacht onderzoeken' completed.")
    done = runtime().store.work_item(item.id)
    assert (done.status, done.completed_by) == (WorkItemStatus.COMPLETED, "bob")
    case = runtime().store.case(case_id)
    assert case.data["investigation_findings"] == "Incasso twee keer uitgevoerd op 3 februari."
    assert case.data["complaint_justified"] is True
    await redrawn(user, case_id)
    assert len(runtime().store.audit_events(case_id)) > events_before
    with user.scope(marker="timeline"):
        await user.should_see("Task 'Klacht onderzoeken' completed")
    if case.status is CaseStatus.ACTIVE:  # the next task (the supervisor's approval) or the outcome shows
        [following] = open_items(case_id)
        await user.should_see(following.title)
    else:
        await user.should_see(case.outcome)


async def test_a_note_goes_on_the_timeline_as_text_and_what_is_typed_in_the_form_stays(user: User):
    case_id = await open_case(user)
    user.find(marker="field-findings").type("Half af")
    user.find(marker="note-text").type("Klant belt terug na 17:00 <script>alert(1)</script>")
    user.find(marker="add-note").click()
    await redrawn(user, case_id)
    with user.scope(marker="timeline"):
        await user.should_see("Klant belt terug na 17:00 <script>alert(1)</script>")
    assert runtime().store.audit_events(case_id)[-1].kind == "note added"
    assert user.find(marker="field-findings").elements.pop().value == "Half af"
    assert user.find(marker="note-text").elements.pop().value == ""


async def test_an_attached_file_is_listed_and_downloads_as_it_was_and_a_too_big_one_is_refused(user: User):
    case_id = await open_case(user)
    upload = user.find(ui.upload).elements.pop()
    await upload.handle_uploads([SmallFileUpload("meterstand <1>.jpg", "image/jpeg", b"\xff\xd8\xff photo")])
    await eventually(lambda: runtime().store.attachments(case_id), "the file is attached")
    await redrawn(user, case_id)
    [attachment] = runtime().store.attachments(case_id)
    assert (attachment.filename, attachment.size, attachment.added_by) == ("meterstand <1>.jpg", 9, "bob")
    link = user.find(marker="attachment-meterstand <1>.jpg").elements.pop()
    response = await user.http_client.get(link.props["href"])
    assert response.status_code == 200
    assert response.content == b"\xff\xd8\xff photo"
    assert response.headers["content-disposition"] == "attachment; filename*=UTF-8''meterstand%20%3C1%3E.jpg"
    assert response.headers["x-content-type-options"] == "nosniff"
    missing = await user.http_client.get(f"/api/v1/cases/{case_id}/attachments/file-unknown")
    assert missing.status_code == 404

    upload = user.find(ui.upload).elements.pop()  # the page was redrawn
    await upload.handle_uploads([SmallFileUpload("scan.pdf", "application/pdf", b"x" * (ATTACHMENT_LIMIT + 1))])
    await user.should_see("attachments may have at most 10 MB. It was not attached.")
    assert len(runtime().store.attachments(case_id)) == 1


async def test_ad_hoc_tasks_come_from_the_catalogue_or_are_free_tasks_for_a_queue(user: User):
    case_id = await open_case(user)
    user.find(marker="task-type").click()
    user.find("Incasso pauzeren (queue Debiteurenbeheer)").click()
    user.find(marker="add-task").click()
    await redrawn(user, case_id)
    user.find(marker="task-type").click()
    user.find("Free task…").click()
    user.find(marker="task-title").type("Terugbellen over termijnbedrag")
    user.find(marker="task-queue").click()
    with user.scope(marker="actions"):  # the task beside it names its queue too
        user.find("Facturatie").click()
    user.find(marker="add-task").click()
    await redrawn(user, case_id)
    added = {(i.title, i.queue) for i in open_items(case_id) if i.adhoc}
    assert added == {("Incasso pauzeren", "collections"), ("Terugbellen over termijnbedrag", "billing")}
    with user.scope(marker="timeline"):
        await user.should_see("Ad-hoc task 'Terugbellen over termijnbedrag' added to queue 'Facturatie' by Bob Agent")


async def test_a_free_task_without_a_title_is_refused_with_the_reason(user: User):
    case_id = await open_case(user)
    user.find(marker="task-type").click()
    user.find("Free task…").click()
    user.find(marker="add-task").click()
    await user.should_see("Not saved: a free task needs a title and a queue")
    assert not [i for i in open_items(case_id) if i.adhoc]


async def test_closing_asks_for_a_root_cause_from_the_process_list_and_cancels_open_work(user: User):
    case_id = await open_case(user)
    user.find(marker="close-case").click()
    user.find(marker="confirm-close").click()
    await user.should_see("Choose a root cause.")
    user.find(marker="root-cause").click()
    user.find("Dubbel gefactureerd of dubbel afgeschreven").click()
    user.find(marker="confirm-close").click()
    await redrawn(user, case_id)
    case = runtime().store.case(case_id)
    assert (case.status, case.root_cause) == (CaseStatus.COMPLETED, "double_billing")
    assert open_items(case_id) == []
    status = user.find(marker="case-status").elements.pop().text
    assert status.endswith("root cause: Dubbel gefactureerd of dubbel afgeschreven")
    await user.should_see(marker="no-work")
    await user.should_not_see(marker="close-case")


async def test_a_task_completed_meanwhile_by_someone_else_is_explained_and_nothing_is_lost(user: User):
    case_id = await open_case(user)
    [item] = open_items(case_id)
    for check in REQUIRED:
        user.find(marker=f"check-{check}").click()
    user.find(marker="field-findings").type("Mijn bevindingen")
    runtime().complete(person("sue"), item.id, {"investigation_findings": "Sue was eerder",
                                                "complaint_justified": False,
                                 "rejection_reason": "De factuur klopt, het verbruik was hoger."}, checklist=REQUIRED)
    user.find(marker="complete").click()
    await user.should_see(marker="notice")
    with user.scope(marker="notice"):
        await user.should_see("was already completed by Sue Supervisor")
        await user.should_see("Nothing you entered for this step was saved")
    assert runtime().store.case(case_id).data["investigation_findings"] == "Sue was eerder"
    await user.should_see(runtime().store.case(case_id).outcome or open_items(case_id)[0].title)


async def test_only_the_work_roles_open_a_case_and_download_its_files(user: User):
    case_id = complaint_id()
    runtime().store.put_attachment_content("file-1", b"scan")
    attachment = Attachment(id="file-1", case_id=case_id, filename="scan.pdf", size=4, sha256="0" * 64,
                            added_by="bob", added_at=runtime().now())
    runtime().store.commit(Changes(attachments=[attachment]))
    download = f"/api/v1/cases/{case_id}/attachments/file-1"
    assert (await user.http_client.get(download)).status_code == 401
    await sign_in(user, "ann", "ann-demo", target="/design")
    await user.should_see(marker="nav-design")
    assert (await user.http_client.get(download)).status_code == 403
    page = await user.http_client.get(f"/work/case/{case_id}")
    assert (page.status_code, page.headers["location"].split("?")[0]) == (303, "/not-allowed")


async def test_an_unknown_case_is_named_not_crashed_on(user: User):
    await sign_in(user, "bob", "bob-demo", target="/work/case/case-nope")
    await user.should_see("There is no case case-nope.")
