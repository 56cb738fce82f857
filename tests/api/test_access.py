"""Every caller (each role, an agent of another queue, no token, a wrong token) × every use case of the API.

What each caller may do is not written down here a second time: the expected refusal is what `runtime.access`
says for that user and that task (`require`, `work_refusal`, `require_release`, `require_reassign`). A refused
call is a problem saying exactly that, and leaves the case as it was (same revision, same timeline); an allowed
call succeeds. Someone else's claimed task is refused to everyone ("claimed by … since …").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from runtime.access import (
    ClaimedByOther,
    UseCase,
    require,
    require_reassign,
    require_release,
    work_refusal,
)
from runtime.documents import User, WorkItem
from runtime.errors import AccessDenied
from tests.api.conftest import (
    ADMIN,
    AGENT,
    AUDITOR,
    BACK_OFFICE_AGENT,
    CHECKLIST,
    DESIGNER,
    INVESTIGATION,
    MANDATE,
    SUPERVISOR,
    Api,
    problem,
)
from tests.designer.conftest import COMPLAINT

CALLERS = (DESIGNER, AGENT, BACK_OFFICE_AGENT, SUPERVISOR, AUDITOR, ADMIN, None, "bad")


@dataclass
class Scene:
    """What one call acts on, made fresh for it: the request, and the case and task it concerns."""

    path: str
    options: dict[str, Any] = field(default_factory=dict)
    case: dict | None = None
    item: dict | None = None


def fresh_complaint(api: Api) -> tuple[dict, dict]:
    case = api.start_complaint()
    return case, case["open_items"][0]


def claimed_complaint(api: Api) -> tuple[dict, dict]:
    """A complaint whose task the agent has claimed."""
    case, item = fresh_complaint(api)
    claimed = api.call(AGENT, "POST", f"/api/v1/work-items/{item['id']}/claim")
    assert claimed.status_code == 200, claimed.text
    return case, claimed.json()


def on_item(action: str, body: dict | None = None, claimed: bool = False) -> Callable[[Api], Scene]:
    def scene(api: Api) -> Scene:
        case, item = (claimed_complaint if claimed else fresh_complaint)(api)
        return Scene(f"/api/v1/work-items/{item['id']}/{action}", {"json": body} if body else {}, case, item)
    return scene


def on_case(action: str, **options: Any) -> Callable[[Api], Scene]:
    def scene(api: Api) -> Scene:
        case, _ = fresh_complaint(api)
        return Scene(f"/api/v1/cases/{case['id']}{action}", options, case)
    return scene


def waiting_for_the_mandate(api: Api) -> Scene:
    case = api.start("direct_debit_switch", MANDATE)
    return Scene(f"/api/v1/cases/{case['id']}/messages",
                 {"json": {"message": "signed_mandate_received", "data": {}}}, case)


def reading(path: Callable[[dict], str]) -> Callable[[Api], Scene]:
    def scene(api: Api) -> Scene:
        case, _ = fresh_complaint(api)
        return Scene(path(case), {}, case)
    return scene


def attached_file(api: Api) -> Scene:
    case, _ = fresh_complaint(api)
    added = api.call(AGENT, "POST", f"/api/v1/cases/{case['id']}/attachments",
                     files={"file": ("meterstand.jpg", b"\xff\xd8\xff photo", "image/jpeg")})
    assert added.status_code == 201, added.text
    return Scene(added.json()["href"], {}, api.case(case["id"]))


def unsure_email(api: Api) -> Scene:
    """An e-mail that may have arrived, and what checking with the customer found: it did."""
    case_id, entry_id = api.unsure.pop()
    return Scene(f"/api/v1/cases/{case_id}/sent/{entry_id}/checked", {"json": {"arrived": True}}, api.case(case_id))


def recorded_contact(api: Api) -> Scene:
    contact = api.call(AGENT, "POST", "/api/v1/contacts",
                       json={"customer_id": "C-1001", "channel": "email", "reason": "Factuur klopt niet"})
    assert contact.status_code == 201, contact.text
    return Scene(contact.headers["location"])


Refusal = Callable[[User, WorkItem | None, Callable[[str], str]], AccessDenied | None]


def by_role(use_case: UseCase) -> Refusal:
    """Refused unless the user's roles allow `use_case` (`runtime.access.require`)."""
    def refusal(user: User, item: WorkItem | None, name_of: Callable[[str], str]) -> AccessDenied | None:
        return _raised(lambda: require(user, use_case))
    return refusal


def by_task(use_case: UseCase, check: Callable[[User, WorkItem, Callable[[str], str]], None]) -> Refusal:
    """The role first (as every use case asks), then the task's own rule (queue, claim)."""
    def refusal(user: User, item: WorkItem | None, name_of: Callable[[str], str]) -> AccessDenied | None:
        assert item is not None
        return _raised(lambda: require(user, use_case)) or _raised(lambda: check(user, item, name_of))
    return refusal


def _raised(check: Callable[[], None]) -> AccessDenied | None:
    try:
        check()
    except AccessDenied as refused:
        return refused
    return None


def _work(use_case: UseCase) -> Callable[[User, WorkItem, Callable[[str], str]], None]:
    def check(user: User, item: WorkItem, name_of: Callable[[str], str]) -> None:
        refused = work_refusal(user, item, use_case, name_of)
        if refused is not None:
            raise refused
    return check


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    scene: Callable[[Api], Scene]
    refusal: Refusal
    success: int = 200
    changes_case: bool = False
    creates: str | None = None  # a list whose total grows by one when the call is allowed, and only then


CALLS = (
    Call("list processes", "GET", lambda api: Scene("/api/v1/processes"), by_role(UseCase.READ_PROCESSES)),
    Call("list versions", "GET", lambda api: Scene("/api/v1/processes/billing_complaint/versions"),
         by_role(UseCase.READ_PROCESSES)),
    Call("read the start schema", "GET", lambda api: Scene("/api/v1/processes/billing_complaint/start-schema"),
         by_role(UseCase.READ_PROCESSES)),
    Call("start a case", "POST", lambda api: Scene("/api/v1/processes/billing_complaint/cases", {"json": {
        "data": COMPLAINT, "customer_id": "C-1001"}}), by_role(UseCase.START_CASE), success=201,
         creates="/api/v1/cases?process=billing_complaint"),
    Call("list cases", "GET", lambda api: Scene("/api/v1/cases?process=billing_complaint"),
         by_role(UseCase.READ_CASE)),
    Call("read a case", "GET", reading(lambda case: f"/api/v1/cases/{case['id']}"), by_role(UseCase.READ_CASE)),
    Call("list work items", "GET", lambda api: Scene("/api/v1/work-items"), by_role(UseCase.SEE_WORK)),
    Call("claim a task", "POST", on_item("claim"), by_task(UseCase.CLAIM, _work(UseCase.CLAIM)),
         changes_case=True),
    Call("release someone's task", "POST", on_item("release", claimed=True),
         by_task(UseCase.RELEASE, require_release), changes_case=True),
    Call("reassign a task", "POST", on_item("reassign", {"to_queue": "billing_supervisors", "reason": "approval"}),
         by_task(UseCase.REASSIGN, require_reassign), changes_case=True),
    Call("complete a task", "POST", on_item("complete", {"data": INVESTIGATION, "checklist": CHECKLIST}),
         by_task(UseCase.COMPLETE, _work(UseCase.COMPLETE)), changes_case=True),
    Call("deliver a customer's reply", "POST", waiting_for_the_mandate, by_role(UseCase.DELIVER_MESSAGE),
         changes_case=True),
    Call("add a note", "POST", on_case("/notes", json={"text": "Klant belde terug."}), by_role(UseCase.ADD_NOTE),
         changes_case=True),
    Call("attach a file", "POST", on_case("/attachments", files={"file": ("scan.pdf", b"%PDF-1.4", "application/pdf")}),
         by_role(UseCase.ATTACH), success=201, changes_case=True),
    Call("download an attachment", "GET", attached_file, by_role(UseCase.READ_CASE)),
    Call("download a sent document", "GET", reading(lambda case: case["sent"][0]["document"]),
         by_role(UseCase.READ_CASE)),
    Call("close a case", "POST", on_case("/close", json={"root_cause": "double_billing"}),
         by_role(UseCase.CLOSE_CASE), changes_case=True),
    Call("record a contact", "POST", lambda api: Scene("/api/v1/contacts", {"json": {
        "customer_id": "C-1001", "channel": "email", "reason": "Factuur klopt niet"}}),
         by_role(UseCase.RECORD_CONTACT), success=201),
    Call("read a contact", "GET", recorded_contact, by_role(UseCase.RECORD_CONTACT)),
    Call("settle a delivery checked by hand", "POST", unsure_email, by_role(UseCase.CHECK_DELIVERY),
         changes_case=True),
)


def total(api: Api, listing: str | None) -> int:
    """How many the administrator finds in `listing` (0 for none)."""
    return api.call(ADMIN, "GET", listing).json()["total"] if listing else 0


@pytest.mark.parametrize("call", CALLS, ids=lambda call: call.name)
@pytest.mark.parametrize("caller", CALLERS, ids=lambda name: str(name))
def test_each_caller_may_do_exactly_what_the_access_rules_allow(api: Api, caller: str | None, call: Call):
    scene = call.scene(api)
    before = api.case(scene.case["id"]) if scene.case else None
    listed = total(api, call.creates)
    response = api.call(caller, call.method, scene.path, **scene.options)
    if caller in (None, "bad"):  # the guard's answer; its shape is checked below, once
        assert response.status_code == 401, response.text
        refused: AccessDenied | None = AccessDenied("sign in first")
    else:
        user = api.users[caller]
        item = WorkItem.model_validate({k: v for k, v in scene.item.items() if k in WorkItem.model_fields}
                                       | {"token": ""}) if scene.item else None
        refused = call.refusal(user, item, lambda user_id: api.users[user_id].name if user_id in api.users else user_id)
        if refused is None:
            assert response.status_code == call.success, response.text
        else:
            claimed = isinstance(refused, ClaimedByOther)
            body = problem(response, 409 if claimed else 403)
            assert body["type"] == ("/problems/claimed" if claimed else "/problems/not-allowed")
            assert body["detail"] == str(refused)
    if call.creates is not None:
        assert total(api, call.creates) == listed + (refused is None)
    if before is not None:
        after = api.case(scene.case["id"])
        unchanged = (after["revision"], after["timeline"]) == (before["revision"], before["timeline"])
        assert unchanged == (refused is not None or not call.changes_case), (before["revision"], after["revision"])


def test_completing_a_task_someone_else_claimed_is_refused_saying_who_and_since_when(api: Api):
    case, item = claimed_complaint(api)
    for name in (BACK_OFFICE_AGENT, SUPERVISOR, ADMIN):
        response = api.call(name, "POST", f"/api/v1/work-items/{item['id']}/complete",
                            json={"data": INVESTIGATION, "checklist": CHECKLIST})
        body = problem(response, 409)
        assert body["type"] == "/problems/claimed"
        assert body["detail"].startswith(f"task '{item['title']}' is claimed by Bob Agent since ")
    assert item["id"] in [i["id"] for i in api.case(case["id"])["open_items"]]
    mine = api.call(AGENT, "POST", f"/api/v1/work-items/{item['id']}/complete",
                    json={"data": INVESTIGATION, "checklist": CHECKLIST})
    assert mine.status_code == 200, mine.text


@pytest.mark.parametrize("caller", [None, "bad"], ids=["no token", "a wrong token"])
def test_a_caller_without_a_valid_token_is_told_to_sign_in_and_how(api: Api, caller: str | None):
    for method, path in (("GET", "/api/v1/work-items"), ("POST", "/api/v1/contacts")):
        response = api.call(caller, method, path, json={})
        body = problem(response, 401)
        assert body["type"] == "/problems/sign-in"
        assert response.headers["www-authenticate"] == "Bearer"
    if caller == "bad":
        assert "ask an administrator for a new one" in body["detail"]
