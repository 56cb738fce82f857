"""Every POST route: sent twice with one Idempotency-Key it is done once and answered alike; the same key with
another request is a `request-reused` problem that changes nothing; and a refused request is an RFC 9457 problem."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.api.conftest import AGENT, CHECKLIST, INVESTIGATION, MANDATE, Api, field_errors, problem
from tests.designer.conftest import COMPLAINT


@dataclass
class Sent:
    """One POST route's request, another request for the same key, and how to count what the request does."""

    path: str
    options: dict[str, Any]
    other_path: str
    other_options: dict[str, Any]
    done: Callable[[], int] | None  # how many times what the request did shows; None: it makes what Location names
    refused_options: dict[str, Any] = field(default_factory=dict)  # a request the route refuses


def events(api: Api, case_id: str, kind: str) -> Callable[[], int]:
    return lambda: sum(1 for event in api.case(case_id)["timeline"] if event["kind"] == kind)


def complaint_task(api: Api, claimed: bool = False) -> tuple[dict, str]:
    case = api.start_complaint()
    item = case["open_items"][0]["id"]
    if claimed:
        assert api.call(AGENT, "POST", f"/api/v1/work-items/{item}/claim").status_code == 200
    return case, f"/api/v1/work-items/{item}"


def start(api: Api) -> Sent:
    listing = "/api/v1/cases?process=billing_complaint"
    path = "/api/v1/processes/billing_complaint/cases"
    return Sent(path, {"json": {"data": COMPLAINT, "customer_id": "C-1001"}},
                path, {"json": {"data": COMPLAINT | {"invoice_number": "F2026-999999"}, "customer_id": "C-1001"}},
                lambda: api.call(AGENT, "GET", listing).json()["total"], {"json": {"data": [], "priority": 1}})


def message(api: Api) -> Sent:
    case = api.start("direct_debit_switch", MANDATE)
    path = f"/api/v1/cases/{case['id']}/messages"
    return Sent(path, {"json": {"message": "signed_mandate_received"}},
                path, {"json": {"message": "signed_mandate_received", "data": {"signature_present": True}}},
                events(api, case["id"], "message received"), {"json": {"message": "signed_mandate_received",
                                                                       "data": {"no_such_variable": 1}}})


def note(api: Api) -> Sent:
    case = api.start_complaint()
    path = f"/api/v1/cases/{case['id']}/notes"
    return Sent(path, {"json": {"text": "Klant belde terug."}}, path, {"json": {"text": "Nog een keer."}},
                events(api, case["id"], "note added"), {"json": {"text": "   "}})


def attachment(api: Api) -> Sent:
    case = api.start_complaint()
    path = f"/api/v1/cases/{case['id']}/attachments"
    return Sent(path, {"files": {"file": ("scan.pdf", b"%PDF-1.4 one", "application/pdf")}},
                path, {"files": {"file": ("scan.pdf", b"%PDF-1.4 two", "application/pdf")}},
                events(api, case["id"], "file attached"), {"files": {"file": ("empty.txt", b"", "text/plain")}})


def close(api: Api) -> Sent:
    case = api.start_complaint()
    path = f"/api/v1/cases/{case['id']}/close"
    return Sent(path, {"json": {"root_cause": "double_billing"}}, path, {"json": {"root_cause": "tariff_error"}},
                events(api, case["id"], "case closed"), {"json": {"root_cause": "weather"}})


def claim(api: Api) -> Sent:
    case, item = complaint_task(api)
    return Sent(f"{item}/claim", {}, f"{item}/release", {}, events(api, case["id"], "task claimed"))


def release(api: Api) -> Sent:
    case, item = complaint_task(api, claimed=True)
    return Sent(f"{item}/release", {}, f"{item}/claim", {}, events(api, case["id"], "task released"))


def reassign(api: Api) -> Sent:
    case, item = complaint_task(api)
    path = f"{item}/reassign"
    return Sent(path, {"json": {"to_queue": "billing_supervisors", "reason": "ter goedkeuring"}},
                path, {"json": {"to_queue": "billing_supervisors", "reason": "anders"}},
                events(api, case["id"], "task reassigned"), {"json": {"to_queue": "nowhere", "reason": "x"}})


def complete(api: Api) -> Sent:
    case, item = complaint_task(api)
    path = f"{item}/complete"
    return Sent(path, {"json": {"data": INVESTIGATION, "checklist": CHECKLIST}},
                path, {"json": {"data": INVESTIGATION | {"complaint_justified": False}, "checklist": CHECKLIST}},
                events(api, case["id"], "task completed"), {"json": {"data": INVESTIGATION, "checklist": []}})


def contact(api: Api) -> Sent:
    body = {"customer_id": "C-1001", "channel": "email", "reason": "Factuur klopt niet"}
    return Sent("/api/v1/contacts", {"json": body}, "/api/v1/contacts", {"json": body | {"reason": "Iets anders"}},
                None, {"json": body | {"channel": "fax"}})


ROUTES: dict[str, Callable[[Api], Sent]] = {
    "start a case": start, "deliver a message": message, "add a note": note, "attach a file": attachment,
    "close a case": close, "claim": claim, "release": release, "reassign": reassign, "complete": complete,
    "record a contact": contact,
}


@pytest.mark.parametrize("route", ROUTES)
def test_a_request_sent_again_with_its_idempotency_key_is_done_once_and_answered_alike(api: Api, route: str):
    sent = ROUTES[route](api)
    before = sent.done() if sent.done else 0
    key = {"Idempotency-Key": f"gateway-{route}"}
    first = api.call(AGENT, "POST", sent.path, headers=key, **sent.options)
    again = api.call(AGENT, "POST", sent.path, headers=key, **sent.options)
    assert first.status_code in (200, 201), first.text
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again.headers.get("location") == first.headers.get("location")
    if sent.done is not None:
        assert sent.done() == before + 1
    else:
        assert api.call(AGENT, "GET", first.headers["location"]).status_code == 200


@pytest.mark.parametrize("route", ROUTES)
def test_the_same_key_with_another_request_is_refused_and_changes_nothing(api: Api, route: str):
    sent = ROUTES[route](api)
    key = {"Idempotency-Key": f"reused-{route}"}
    first = api.call(AGENT, "POST", sent.path, headers=key, **sent.options)
    assert first.status_code in (200, 201), first.text
    done = sent.done() if sent.done else 0
    other = api.call(AGENT, "POST", sent.other_path, headers=key, **sent.other_options)
    body = problem(other, 422)
    assert body["type"] == "/problems/request-reused"
    assert f"'reused-{route}' was used for another request" in body["detail"]
    assert (sent.done() if sent.done else 0) == done


@pytest.mark.parametrize("route", ROUTES)
def test_a_refused_request_is_a_problem_document(api: Api, route: str):
    sent = ROUTES[route](api)
    if sent.refused_options:
        response = api.call(AGENT, "POST", sent.path, **sent.refused_options)
        assert response.status_code == 422, response.text
        body = problem(response, 422)
        assert body["type"] == "/problems/invalid"
    else:  # a route without a body: an unknown task
        body = problem(api.call(AGENT, "POST", sent.path.replace("/work-items/item-", "/work-items/none-")), 404)
        assert body["type"] == "/problems/not-found" and "none-" in body["detail"]


def test_a_start_repeated_with_the_same_key_makes_one_case(api: Api):
    listing = "/api/v1/cases?process=billing_complaint"
    before = api.call(AGENT, "GET", listing).json()["total"]
    body = {"data": COMPLAINT, "customer_id": "C-1001"}
    answers = [api.call(AGENT, "POST", "/api/v1/processes/billing_complaint/cases",
                        headers={"Idempotency-Key": "crm-order-77"}, json=body) for _ in range(3)]
    assert {a.status_code for a in answers} == {201}
    assert len({a.headers["location"] for a in answers}) == 1
    assert api.call(AGENT, "GET", listing).json()["total"] == before + 1
    other = api.call(AGENT, "POST", "/api/v1/processes/billing_complaint/cases",
                     headers={"Idempotency-Key": "crm-order-77"}, json=body | {"customer_id": "C-1002"})
    assert problem(other, 422)["type"] == "/problems/request-reused"


def test_keys_are_the_callers_own(api: Api):
    """Two callers may choose the same key: each gets their own answer."""
    body = {"customer_id": "C-1001", "channel": "email", "reason": "Factuur klopt niet"}
    mine = api.call(AGENT, "POST", "/api/v1/contacts", headers={"Idempotency-Key": "shared"}, json=body)
    theirs = api.call("sue", "POST", "/api/v1/contacts", headers={"Idempotency-Key": "shared"},
                      json=body | {"reason": "Iets anders"})
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.headers["location"] != theirs.headers["location"]


def test_a_refused_field_is_named_in_the_problem(api: Api):
    errors = field_errors(api.call(AGENT, "POST", "/api/v1/contacts",
                                   json={"channel": "fax", "reason": "x", "colour": "red"}))
    assert set(errors) == {"channel", "colour"}
