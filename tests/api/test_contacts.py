"""Registering inbound contacts over the API (an e-mail gateway, a web form): the customer found by what the
sender gave, the processes that fit suggested, and cases started from the contact linked to it."""

from __future__ import annotations

import pytest

from tests.api.conftest import AGENT, Api, field_errors, problem
from tests.designer.conftest import COMPLAINT

REASON = "Klacht over mijn factuur: het bedrag is twee keer afgeschreven"


def register(api: Api, **body: object):
    with api.client(AGENT) as client:
        return client.post("/api/v1/contacts", json={"channel": "email", "reason": REASON} | body)


def test_a_contact_from_a_known_address_is_linked_and_gets_the_fitting_processes(api: Api):
    response = register(api, customer={"email": "Sanne.deVries@example.nl"}, note="via het webformulier")
    assert response.status_code == 201, response.text
    contact = response.json()
    assert contact["customer"] == {"id": "C-1001", "number": "301001186", "name": "Sanne de Vries"}
    assert contact["customer_matches"] == 1
    best = contact["suggestions"][0]
    assert best["process_key"] == "billing_complaint"
    assert any("factuur" in reason for reason in best["reasons"])


def test_a_case_started_from_the_contact_is_for_its_customer_and_links_to_it(api: Api):
    contact = register(api, customer={"postcode": "3511ax", "house_number": "112"}).json()
    with api.client(AGENT) as client:
        started = client.post("/api/v1/processes/billing_complaint/cases",
                              json={"data": COMPLAINT, "contact_id": contact["id"]})
    assert started.status_code == 201, started.text
    assert (started.json()["contact_id"], started.json()["customer_id"]) == (contact["id"], "C-1001")


@pytest.mark.parametrize(("lookup", "matches"), [
    ({"name": "Bakker"}, 2),  # Thijs Bakker and Bakkerij Van den Berg
    ({"email": "sanne.devries@example.nl", "phone": "06-23456789"}, 0),  # two different customers
    ({"number": "000000000"}, 0),
])
def test_a_sender_who_is_not_exactly_one_customer_is_recorded_unlinked_for_an_agent_to_identify(
        api: Api, lookup: dict, matches: int):
    contact = register(api, customer=lookup).json()
    assert (contact["customer"], contact["customer_matches"]) == (None, matches)
    assert contact["suggestions"]


def test_a_known_customer_id_links_directly(api: Api):
    contact = register(api, customer_id="C-1002", channel="web").json()
    assert contact["customer"]["name"] == "Mohammed El Amrani"


@pytest.mark.parametrize(("body", "field"), [
    ({"channel": "fax"}, "channel"),
    ({"reason": ""}, "reason"),
    ({"reason": "   "}, "reason"),
    ({"reason": "x" * 501}, "reason"),
    ({"customer_id": "C-0000"}, "customer_id"),
    ({"customer_id": "C-1001", "customer": {"email": "sanne.devries@example.nl"}}, "customer"),
    ({"customer": {}}, "customer"),
    ({"customer": {"twitter": "@sanne"}}, "customer.twitter"),
])
def test_a_bad_contact_is_refused_naming_the_field(api: Api, body: dict, field: str):
    assert field in field_errors(register(api, **body))


def test_a_recorded_contact_is_where_its_location_says_with_its_cases(api: Api):
    response = register(api, customer_id="C-1001")
    assert response.status_code == 201, response.text
    contact = response.json()
    assert response.headers["location"] == f"/api/v1/contacts/{contact['id']}"
    with api.client(AGENT) as client:
        client.post("/api/v1/processes/billing_complaint/cases", json={"data": COMPLAINT, "contact_id": contact["id"]})
        again = client.get(response.headers["location"])
    assert again.status_code == 200
    assert (again.json()["customer"], again.json()["reason"]) == (contact["customer"], REASON)
    assert len(again.json()["case_ids"]) == 1
    assert problem(api.call(AGENT, "GET", "/api/v1/contacts/contact-none"), 404)["type"] == "/problems/not-found"
