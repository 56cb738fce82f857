"""What the browser run of the agent flow (test_agent_flow_browser.py) found, pinned down in the simulated user:
a choice shown in a task's form reads as its label, a case its flow completed asks for its root cause in words
that fit a closed case, and an open case shows what the worker sent meanwhile without a reload."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from nicegui import app, ui
from nicegui.testing import User

from designer.pages.case import SENT_CHECK_SECONDS
from runtime.documents import CaseStatus
from runtime.outbox import Deliverer, default_sinks, sent_to_customer
from runtime.service import Runtime
from runtime.settings import MailServer
from runtime.storage.base import WorkQuery
from tests.designer.helpers import sign_in
from tests.local_servers import Inbox
from tests.people import person

pytestmark = pytest.mark.anyio

CHECKLIST = ("invoice_opened", "meter_reading_checked", "tariff_checked", "payments_checked", "dunning_paused")
REJECTION = {"disputed_amount": "80.00", "complaint_justified": False,
             "investigation_findings": "De tweede afschrijving is al teruggestort.",
             "rejection_reason": "De tweede afschrijving is op 5 maart al teruggestort."}


def runtime() -> Runtime:
    return app.state.runtime


def texts(user: User, marker: str) -> list[str]:
    [box] = user.find(marker=marker).elements
    return [element.text for element in box.descendants() if isinstance(element, ui.label)]


async def test_a_choice_the_task_form_shows_reads_as_its_label_not_its_value(user: User):
    [case] = runtime().store.cases()  # the seeded complaint: 'charged_twice'
    await sign_in(user, "bob", "bob-demo", target=f"/work/case/{case.id}")
    await user.should_see(marker="value-show_category")
    assert texts(user, "value-show_category") == ["Soort klacht", "Twee keer gefactureerd of afgeschreven"]


async def test_a_case_its_flow_completed_asks_for_the_root_cause_without_talking_of_open_tasks(user: User):
    [case] = runtime().store.cases()
    [item] = runtime().store.work_items(WorkQuery(case_id=case.id))
    runtime().complete(person("bob"), item.id, REJECTION, checklist=list(CHECKLIST))
    assert runtime().store.case(case.id).status is CaseStatus.COMPLETED  # rejected: letter, end
    await sign_in(user, "bob", "bob-demo", target=f"/work/case/{case.id}")
    await user.should_see(marker="no-work", content="The case is closed. It has no root cause yet")
    await user.should_see(marker="close-case", content="Record the root cause…")
    user.find(marker="close-case").click()
    await user.should_see(marker="close-explained", content="The case's flow has ended.")
    await user.should_not_see("Open tasks are cancelled.")
    user.find(marker="root-cause").click()
    user.find("Misverstand: de factuur klopt").click()
    user.find(marker="confirm-close").click()
    await user.should_see("Root cause recorded.")
    assert runtime().store.case(case.id).root_cause == "misunderstanding"
    await user.should_see(marker="no-work", content="The case is closed.")
    await user.should_not_see(marker="close-case")


async def test_the_sent_items_show_what_the_worker_sent_while_the_case_is_open(user: User, smtp: tuple[Inbox, int],
                                                                               tmp_path: Path):
    [case] = runtime().store.cases()
    [email] = sent_to_customer(runtime().store, case.id)  # the acknowledgement, queued: no worker runs here
    await sign_in(user, "bob", "bob-demo", target=f"/work/case/{case.id}")
    await user.should_see(marker=f"sent-{email.id}")
    assert texts(user, f"sent-{email.id}")[-1] == "queued"

    deliverer = Deliverer(runtime(), lambda: default_sinks(tmp_path / "outbox", MailServer(host="127.0.0.1",
                                                                                            port=smtp[1])))
    assert deliverer.deliver_due().sent == 1  # what the app's worker does every few seconds
    for _ in range(int(SENT_CHECK_SECONDS * 10) + 20):
        await asyncio.sleep(0.1)
        if texts(user, f"sent-{email.id}")[-1] == "sent":
            break
    assert texts(user, f"sent-{email.id}")[-1] == "sent"
