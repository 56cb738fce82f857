"""The agent's worklist on /work: tabs, SLA badges, claim/release/reassign, filters, sort, paging, live updates.

Runs the app on the seeded data (one open billing complaint of Sanne de Vries, C-1001) in NiceGUI's user
simulation; other agents' actions are steps on the app's runtime, as another browser would cause them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from nicegui import app, ui
from nicegui.testing import User

from designer.pages import worklist_panel
from models import load_bundle
from runtime.accounts import Accounts
from runtime.casework import CaseWork
from runtime.clock import ManualClock
from runtime.documents import WorkItem
from runtime.service import Runtime
from runtime.storage.base import WorkQuery
from tests.designer.conftest import COMPLAINT
from tests.designer.helpers import sign_in
from tests.people import person

pytestmark = pytest.mark.anyio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ZONE = ZoneInfo("Europe/Amsterdam")  # the business calendar's


def runtime() -> Runtime:
    return app.state.runtime


def start_complaint(customer_id: str) -> WorkItem:
    """A new billing complaint of the customer; returns its open investigation task."""
    case = runtime().start_case(person("bob"), "billing_complaint", COMPLAINT, customer_id=customer_id)
    [item] = runtime().store.work_items(WorkQuery(case_id=case.id))
    return item


def seeded_item() -> WorkItem:
    [case] = runtime().store.cases(customer_id="C-1001")
    [item] = runtime().store.work_items(WorkQuery(case_id=case.id))
    return item


async def open_worklist(user: User) -> None:
    await sign_in(user, "bob", "bob-demo", target="/work")
    await user.should_see(marker="worklist", retries=30)  # signing in redirects; slower on a busy machine


def table(user: User) -> ui.table:
    return user.find(marker="worklist").elements.pop()


def rows(user: User) -> list[dict[str, Any]]:
    return table(user).rows


def row_ids(user: User) -> list[str]:
    return [row["id"] for row in rows(user)]


def act(user: User, action: str, item_id: str) -> None:
    """Press a row's button (the table's cell template emits the action with the item id)."""
    user.find(marker="worklist").trigger(action, item_id)


def choose(user: User, marker: str, value: Any) -> None:
    assert user.client
    with user.client:
        user.find(marker=marker).elements.pop().set_value(value)


async def eventually(condition: Callable[[], bool], seconds: float = 3.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the page did not change in time")


async def test_bob_sees_the_unclaimed_items_of_his_queues_with_customer_due_time_and_sla_badge(user: User):
    await open_worklist(user)
    await user.should_see("Facturatie: 1")
    await user.should_see("All my queues: 1")
    assert user.find(marker="tabs").elements.pop().value == "queues"  # nothing claimed yet: his queues first
    [row] = rows(user)
    item = seeded_item()
    assert row["title"] == "Klacht onderzoeken" and row["customer"] == "Sanne de Vries"
    assert row["process_name"] == "Klacht over een factuur" and row["queue"] == "billing"
    assert row["sla"] == "on track" and row["assignee"] == ""
    assert row["due"] == item.due_at.astimezone(ZONE).strftime("%-d %B %Y %H:%M")  # written out, as letters do
    assert row["case"] == runtime().store.case(item.case_id).reference  # read out on the phone, not the id


async def test_claiming_moves_the_item_to_my_work_and_releasing_brings_it_back(user: User):
    await open_worklist(user)
    item = seeded_item()
    act(user, "claim", item.id)
    await user.should_see("'Klacht onderzoeken' is yours now")
    assert rows(user) == []
    await user.should_see("No unclaimed items in your queues match.")
    user.find(marker="tab-mine").click()
    await eventually(lambda: row_ids(user) == [item.id])
    assert rows(user)[0]["assignee_name"] == "Bob Agent"
    await user.should_see("Facturatie: 1")  # counted while claimed: it is still open work of the queue

    act(user, "release", item.id)
    await user.should_see("'Klacht onderzoeken' is back in queue Facturatie")
    assert rows(user) == []
    user.find(marker="tab-queues").click()
    await eventually(lambda: row_ids(user) == [item.id])
    assert runtime().store.work_item(item.id).assignee is None


async def test_an_agent_with_claimed_work_starts_on_my_work(user: User):
    CaseWork(runtime()).claim(person("bob"), seeded_item().id)
    await open_worklist(user)
    await user.should_see(marker="worklist", retries=30)  # signing in redirects; slower on a busy machine
    assert user.find(marker="tabs").elements.pop().value == "mine"
    assert row_ids(user) == [seeded_item().id]


async def test_claiming_what_a_colleague_took_first_is_a_clear_notification(user: User):
    await open_worklist(user)
    item = seeded_item()
    CaseWork(runtime()).claim(person("sue"), item.id)  # in another browser, before bob's click arrives
    act(user, "claim", item.id)
    await user.should_see("is claimed by Sue Supervisor since")
    assert rows(user) == []  # redrawn: it is no longer unclaimed
    assert runtime().store.work_item(item.id).assignee == "sue"


async def test_reassigning_needs_a_reason_and_hands_the_item_to_a_queue_or_a_person(user: User):
    await open_worklist(user)
    item = seeded_item()
    act(user, "reassign", item.id)
    await user.should_see(marker="reassign-dialog")
    assert "queue:collections" in user.find(marker="reassign-to").elements.pop().options
    assert "user:bob" in user.find(marker="reassign-to").elements.pop().options
    choose(user, "reassign-to", "queue:collections")
    user.find(marker="reassign-confirm").click()
    await user.should_see("say why the task is reassigned")
    assert runtime().store.work_item(item.id).queue == "billing"  # refused: nothing changed

    user.find(marker="reassign-reason").type("Betalingsregeling gevraagd")
    user.find(marker="reassign-confirm").click()
    await user.should_see("'Klacht onderzoeken' reassigned to queue Debiteurenbeheer")
    assert runtime().store.work_item(item.id).queue == "collections"
    trail = runtime().store.audit_events(item.case_id)
    assert trail[-1].details["reason"] == "Betalingsregeling gevraagd"
    await user.should_see("Debiteurenbeheer: 1")

    act(user, "reassign", item.id)
    choose(user, "reassign-to", "user:bob")
    user.find(marker="reassign-reason").type("Ik ken deze klant")
    user.find(marker="reassign-confirm").click()
    await user.should_see("'Klacht onderzoeken' reassigned to Bob Agent")
    user.find(marker="tab-mine").click()
    await eventually(lambda: row_ids(user) == [item.id])


async def test_filters_by_sla_status_queue_and_process_and_sorting_by_deadline_or_priority(user: User):
    await open_worklist(user)
    seeded = seeded_item()
    clock = runtime().clock = ManualClock(datetime.now(UTC))
    late = start_complaint("C-1002")
    clock.advance(timedelta(days=14))  # both complaints are past their 5 working days now
    fresh = start_complaint("C-1003")
    callback = CaseWork(runtime()).add_task(person("bob"), fresh.case_id, title="Klant terugbellen", queue="billing")
    await user.open("/work")
    assert row_ids(user) == [seeded.id, late.id, fresh.id, callback.id]  # soonest deadline first, none last
    assert [r["sla"] for r in rows(user)] == ["breached", "breached", "on track", ""]

    choose(user, "filter-sla", "breached")
    assert row_ids(user) == [seeded.id, late.id]
    choose(user, "filter-sla", "on track")
    assert row_ids(user) == [fresh.id]
    choose(user, "filter-sla", "")
    choose(user, "sort", "priority")
    assert row_ids(user) == [callback.id, seeded.id, late.id, fresh.id]  # the ad-hoc task has priority 3
    choose(user, "filter-queue", "collections")
    assert rows(user) == []
    choose(user, "filter-queue", "billing")
    choose(user, "filter-process", "card_activation")
    assert rows(user) == []
    choose(user, "filter-process", "billing_complaint")
    assert len(rows(user)) == 4
    await user.should_see("Facturatie: 4")


async def test_pages_of_items(user: User, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(worklist_panel, "PAGE_SIZE", 2)
    others = [start_complaint(customer).id for customer in ("C-1002", "C-1003")]
    await open_worklist(user)
    assert row_ids(user) == [seeded_item().id, others[0]]
    assert not user.find(marker="page-previous").elements.pop().enabled
    user.find(marker="page-next").click()
    assert row_ids(user) == [others[1]]
    await user.should_see("Page 2")
    assert not user.find(marker="page-next").elements.pop().enabled
    user.find(marker="page-previous").click()
    assert len(rows(user)) == 2


async def test_work_changed_elsewhere_shows_up_without_a_reload(user: User, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(worklist_panel, "REFRESH_SECONDS", 0.05)
    await open_worklist(user)
    await user.should_see("Facturatie: 1")
    new = start_complaint("C-1005")  # an intake by a colleague
    await eventually(lambda: new.id in row_ids(user))
    await user.should_see("Facturatie: 2")
    CaseWork(runtime()).claim(person("sue"), new.id)
    await eventually(lambda: new.id not in row_ids(user))



def one_day_complaints() -> None:
    """Publish a billing complaint whose investigation is due in 1 working day, at risk after 7 working hours."""
    document = json.loads((EXAMPLES / "billing_complaint.json").read_text())
    node = next(n for n in document["nodes"] if n["id"] == "task_investigate")
    node["sla"] = {"target": "1 working days", "warning": "7 working hours"}
    runtime().publish(person("ann"), load_bundle(json.dumps(document)), note="faster service")


async def test_sla_badges_across_a_weekend(user: User, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(worklist_panel, "REFRESH_SECONDS", 0.05)
    await open_worklist(user)
    one_day_complaints()  # published now: versions are ordered by publishing time, so before the clock goes back
    clock = runtime().clock = ManualClock(datetime(2026, 3, 6, 15, 0, tzinfo=ZONE))  # a Friday
    item = start_complaint("C-1002")

    def badge() -> str:
        return next(row["sla"] for row in rows(user) if row["id"] == item.id)

    for moment, expected in [(datetime(2026, 3, 7, 12, 0), "on track"),  # Saturday
                             (datetime(2026, 3, 8, 23, 0), "on track"),  # Sunday
                             (datetime(2026, 3, 9, 13, 59), "on track"),  # Monday: 2 + 4h59 working hours
                             (datetime(2026, 3, 9, 14, 0), "at risk"),  # 7 working hours
                             (datetime(2026, 3, 9, 15, 0), "breached")]:  # one working day
        clock.set(moment.replace(tzinfo=ZONE))
        await user.open("/work")
        assert badge() == expected, moment

    clock.set(datetime(2026, 3, 9, 13, 0, tzinfo=ZONE))
    await user.open("/work")
    assert badge() == "on track"
    clock.set(datetime(2026, 3, 9, 14, 30, tzinfo=ZONE))  # the open page changes colour by itself
    await eventually(lambda: badge() == "at risk")


async def test_an_agent_cannot_act_on_items_outside_their_queues(user: User):
    Accounts(runtime()).add_user(person("root"), "cas", "cas-demo", roles=["agent"], queues=["collections"],
                                 name="Cas Collections")
    await sign_in(user, "cas", "cas-demo", target="/work")
    await user.should_see(marker="worklist", retries=30)  # signing in redirects; slower on a busy machine
    assert rows(user) == []  # the billing complaint is not in his queue
    act(user, "claim", seeded_item().id)  # a forged click on an item he was never shown
    await user.should_see("is in queue 'billing', which is not one of yours")
    assert runtime().store.work_item(seeded_item().id).assignee is None
