"""The pages as a door of the access table: every role tries every page use case, in NiceGUI's user simulation.

What each role may do is asked of `runtime.access` (the area's use case and the action's own, with the rules on
the work item), never written down here a second time. Allowed: the page does it and the store shows it.
Refused: the page says why (the "not allowed" page for an area, or the runtime's refusal on the page), and the
store is as it was. The REST API and the CLI run the same table (tests/api/test_access.py, tests/test_cli_access.py).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

import pytest
from nicegui import app
from nicegui.testing import User

from designer.auth import area_of
from models.phrases import Phrase
from runtime.access import UseCase, may, require_second_person, work_refusal
from runtime.accounts import Accounts
from runtime.deliveries import give_up
from runtime.documents import OutboxStatus
from runtime.documents import User as Account
from runtime.drafts import Drafts
from runtime.errors import AccessDenied
from runtime.outbox import Deliverer, sent_to_customer
from runtime.service import Runtime
from runtime.settings import MailServer, change_settings
from runtime.storage.base import WorkQuery
from tests.designer.conftest import COMPLAINT
from tests.designer.helpers import sign_in
from tests.local_servers import Inbox, smtp_server
from tests.people import person

pytestmark = pytest.mark.anyio

#: The demo users, and an agent who works the back office queue only (the seeded task is in billing).
PASSWORDS = {"ann": "ann-demo", "vic": "vic-demo", "bob": "bob-demo", "sue": "sue-demo", "abe": "abe-demo",
             "root": "root-demo", "carol": "carol-demo"}


def runtime() -> Runtime:
    return app.state.runtime


@dataclass(frozen=True)
class Situation:
    """What the actions act on: the seeded case and its task, and a version ann submitted for approval; an e-mail
    of another case that may have arrived (to check by hand) and the seeded case's e-mail, kept locally."""

    case_id: str
    item_id: str
    unsure_case: str
    unsure: str
    kept: str


@pytest.fixture(scope="module")
def mail_port() -> Iterator[int]:
    """A real SMTP server for the e-mails kept locally."""
    with smtp_server(Inbox()) as port:
        yield port


def prepare(mail_port: int) -> Situation:
    Accounts(runtime()).add_user(person("root", "admin"), "carol", "carol-demo", roles=["agent"],
                                 queues=["back_office"], name="Carol")
    drafts, ann = Drafts(runtime()), runtime().store.user("ann")
    draft = drafts.open(ann, "change_of_address")
    document = json.loads(json.dumps(draft.document)) | {"description": "Submitted by ann for the access test"}
    drafts.submit(ann, "change_of_address", drafts.save(ann, "change_of_address", document, draft.revision).revision)
    [case_id] = runtime().store.case_ids(process_key="billing_complaint")
    [item] = runtime().store.work_items(WorkQuery(case_id=case_id))
    assert Deliverer(runtime(), app.state.mail.sinks).deliver_due().kept == 1  # no mail server yet
    [kept] = sent_to_customer(runtime().store, case_id)
    change_settings(runtime(), person("root", "admin"), mail=MailServer(host="127.0.0.1", port=mail_port).model_dump())
    unsure_case = runtime().start_case(person("bob"), "billing_complaint", COMPLAINT, customer_id="C-1001").id
    [unsure] = sent_to_customer(runtime().store, unsure_case)
    unsure.interrupted = True
    give_up(runtime(), unsure, Phrase("delivery was interrupted: it may or may not have arrived; check by hand"))
    return Situation(case_id, item.id, unsure_case, unsure.id, kept.id)


def email_status(case_id: str, entry_id: str) -> OutboxStatus:
    return next(e.status for e in runtime().store.outbox(case_id=case_id) if e.id == entry_id)


def state() -> tuple:
    """Everything the actions could change."""
    store = runtime().store
    cases = tuple((c, store.case(c).revision) for c in store.case_ids())
    return cases, tuple(r.key for r in store.records("draft")), tuple(v.hash for v in store.versions())


@dataclass(frozen=True)
class PageAction:
    """One use case done through a page: where, what the access module says about it, how to do it, what shows."""

    name: str
    path: Callable[[Situation], str]
    allowed: Callable[[Account, Situation], bool]
    act: Callable[[User, Situation], Awaitable[None]]
    done: Callable[[Account, Situation], bool]


def _item_allows(use_case: UseCase) -> Callable[[Account, Situation], bool]:
    def allowed(account: Account, situation: Situation) -> bool:
        item = runtime().store.work_item(situation.item_id)
        return work_refusal(account, item, use_case, runtime().display_name) is None

    return allowed


def _may(use_case: UseCase) -> Callable[[Account, Situation], bool]:
    return lambda account, situation: may(account, use_case)


def _second_person(account: Account, situation: Situation) -> bool:
    try:
        require_second_person(account, "ann", runtime().display_name)
    except AccessDenied:
        return False
    return True


async def _claim(user: User, situation: Situation) -> None:
    await user.should_see(marker="worklist", retries=30)
    user.find(marker="worklist").trigger("claim", situation.item_id)


async def _note(user: User, situation: Situation) -> None:
    await user.should_see(marker="note-text", retries=30)
    user.find(marker="note-text").type("Klant belde terug")
    user.find(marker="add-note").click()


async def _verify(user: User, situation: Situation) -> None:
    await user.should_see(marker="verify", retries=30)
    user.find(marker="verify").click()


async def _create(user: User, situation: Situation) -> None:
    await user.should_see(marker="new-key", retries=30)
    user.find(marker="new-key").type("access_test")
    user.find(marker="new-name").type("Access test")
    user.find(marker="new-create").click()


async def _approve(user: User, situation: Situation) -> None:
    await user.should_see(marker="approve", retries=30)
    user.find(marker="approve").click()


async def _look(user: User, situation: Situation) -> None:
    await user.should_see(marker="total", retries=30)


async def _administer(user: User, situation: Situation) -> None:
    await user.should_see(marker="admin-tabs", retries=30)


async def _settle(user: User, situation: Situation) -> None:
    await user.should_see(marker=f"arrived-{situation.unsure}", retries=30)
    user.find(marker=f"arrived-{situation.unsure}").click()


async def _send_kept(user: User, situation: Situation) -> None:
    await user.should_see(marker="send-kept", retries=30)
    user.find(marker="send-kept").click()


def _noted(account: Account, situation: Situation) -> bool:
    events = runtime().store.audit_events(situation.case_id)
    return any(e.kind == "note added" and e.actor == account.id for e in events)


ACTIONS = (
    PageAction("claim a task", lambda s: "/work", _item_allows(UseCase.CLAIM), _claim,
               lambda account, s: runtime().store.work_item(s.item_id).assignee == account.id),
    PageAction("add a note", lambda s: f"/work/case/{s.case_id}", _may(UseCase.ADD_NOTE), _note, _noted),
    PageAction("verify the trails", lambda s: "/audit", _may(UseCase.READ_AUDIT), _verify, lambda a, s: True),
    PageAction("create a process", lambda s: "/design/new", _may(UseCase.EDIT_DRAFT), _create,
               lambda a, s: "access_test" in [r.key for r in runtime().store.records("draft")]),
    PageAction("approve a version", lambda s: "/approve/change_of_address", _second_person, _approve,
               lambda a, s: runtime().latest_process_version("change_of_address").version.number == 2),
    PageAction("see the monitor", lambda s: "/monitor", _may(UseCase.MONITOR), _look, lambda a, s: True),
    PageAction("administer", lambda s: "/admin", _may(UseCase.ADMINISTER), _administer, lambda a, s: True),
    PageAction("settle a delivery checked by hand", lambda s: f"/work/case/{s.unsure_case}",
               _may(UseCase.CHECK_DELIVERY), _settle,
               lambda a, s: email_status(s.unsure_case, s.unsure) is OutboxStatus.SENT),
    PageAction("send the kept e-mails", lambda s: "/admin?tab=settings", _may(UseCase.SEND_KEPT), _send_kept,
               lambda a, s: email_status(s.case_id, s.kept) is OutboxStatus.SENT),
)


async def until(check: Callable[[], bool]) -> bool:
    for _ in range(60):
        if check():
            return True
        await asyncio.sleep(0.05)
    return check()


@pytest.mark.parametrize("name", sorted(PASSWORDS))
async def test_every_page_use_case_is_allowed_exactly_where_the_access_module_says(user: User, name: str,
                                                                                   mail_port: int):
    situation = prepare(mail_port)
    account = runtime().store.user(name)
    for action in ACTIONS:
        path = action.path(situation)
        area = area_of(path.partition("?")[0])  # the guard reads the path without its query
        allowed = (area is None or may(account, area.use_case)) and action.allowed(account, situation)
        before = state()
        await sign_in(user, name, PASSWORDS[name], target=path)
        if area is not None and not may(account, area.use_case):
            await user.should_see(marker="not-allowed", retries=30)  # the guard's page says which roles it needs
            assert state() == before, (name, action.name)
        else:
            await action.act(user, situation)
            if allowed:
                assert await until(lambda a=action: a.done(account, situation)), (name, action.name)
            else:
                await user.should_see("not allowed", retries=30)  # the runtime's refusal, shown on the page
                assert state() == before, (name, action.name)
        user.find("Sign out").click()
        await user.should_see("Sign in to Flowdesk", retries=30)
