"""Every API route for every role, a caller without a token and one with a wrong token: who gets what."""

from __future__ import annotations

import pytest

from tests.api.conftest import ADMIN, AGENT, AUDITOR, CHECKLIST, DESIGNER, INVESTIGATION, SUPERVISOR, Api

CALLERS = (AGENT, SUPERVISOR, DESIGNER, AUDITOR, ADMIN, None, "bad")
WORKERS = {AGENT, SUPERVISOR, ADMIN}
READERS = WORKERS | {AUDITOR}


def expected(name: str | None, allowed: set[str], success: int) -> int:
    if name in (None, "bad"):
        return 401
    return success if name in allowed else 403


@pytest.mark.parametrize("name", CALLERS)
def test_reading_the_start_schema_needs_a_work_role(api: Api, name: str | None):
    with api.client(name) as client:
        response = client.get("/api/v1/processes/billing_complaint/start-schema")
    assert response.status_code == expected(name, WORKERS, 200), response.text
    if response.status_code == 200:
        assert "invoice_number" in response.json()["required"]


@pytest.mark.parametrize("name", CALLERS)
def test_starting_a_case_needs_a_work_role(api: Api, name: str | None):
    body = {"data": {"invoice_number": "F2026-000001", "invoice_date": "2026-03-01", "disputed_amount": "12.50",
                     "complaint_category": "tariff", "complaint_description": "Tarief klopt niet."},
            "customer_id": "C-1001"}
    with api.client(name) as client:
        response = client.post("/api/v1/processes/billing_complaint/cases", json=body)
    assert response.status_code == expected(name, WORKERS, 201), response.text
    if response.status_code == 201:
        assert response.json()["started_by"] == name


@pytest.mark.parametrize("name", CALLERS)
def test_listing_work_needs_a_work_role(api: Api, name: str | None):
    api.start_complaint()
    with api.client(name) as client:
        response = client.get("/api/v1/work-items")
    assert response.status_code == expected(name, WORKERS, 200), response.text
    if response.status_code == 200:
        assert any(item["queue"] == "billing" for item in response.json()["items"])


@pytest.mark.parametrize("name", CALLERS)
def test_completing_work_needs_a_work_role_and_changes_nothing_otherwise(api: Api, name: str | None):
    case = api.start_complaint()
    item = case["open_items"][0]
    with api.client(name) as client:
        response = client.post(f"/api/v1/work-items/{item['id']}/complete",
                               json={"data": INVESTIGATION, "checklist": CHECKLIST})
    assert response.status_code == expected(name, WORKERS, 200), response.text
    with api.client(ADMIN) as client:
        after = client.get(f"/api/v1/cases/{case['id']}").json()
    still_open = item["id"] in [i["id"] for i in after["open_items"]]
    assert still_open == (response.status_code != 200)
    if response.status_code == 200:
        assert any(e["kind"] == "task completed" and e["actor"] == name for e in after["timeline"])


@pytest.mark.parametrize("name", CALLERS)
def test_reading_a_case_needs_a_work_or_audit_role(api: Api, name: str | None):
    case = api.start_complaint()
    with api.client(name) as client:
        response = client.get(f"/api/v1/cases/{case['id']}")
    assert response.status_code == expected(name, READERS, 200), response.text
    if response.status_code == 200:
        assert response.json()["data"]["invoice_number"] == "F2026-104233"


@pytest.mark.parametrize("name", CALLERS)
def test_registering_a_contact_needs_a_work_role(api: Api, name: str | None):
    body = {"customer_id": "C-1001", "channel": "email", "reason": "Factuur klopt niet, bedrag te hoog"}
    with api.client(name) as client:
        response = client.post("/api/v1/contacts", json=body)
    assert response.status_code == expected(name, WORKERS, 201), response.text


@pytest.mark.parametrize("name", [DESIGNER, AUDITOR])
def test_a_refusal_names_the_roles_needed(api: Api, name: str):
    with api.client(name) as client:
        response = client.get("/api/v1/work-items")
    assert response.json()["detail"] == "not allowed: this needs one of the roles admin, agent, supervisor"


def test_a_wrong_token_is_refused_even_for_an_existing_user_and_says_how_to_get_one(api: Api):
    with api.client("bad") as client:
        response = client.get("/api/v1/work-items")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "flowdesk user token" in response.json()["detail"]
