"""Starting cases over the API: the start form's JSON Schema, its validator on the server, and reading a case."""

from __future__ import annotations

import jsonschema
import pytest

from codegen.forms import form_schema
from designer.app import EXAMPLES
from models import load_bundle
from tests.api.conftest import ADMIN, AGENT, AUDITOR, Api
from tests.designer.conftest import COMPLAINT

MANDATE = {"iban": "NL91ABNA0417164300", "account_holder": "J. de Vries", "collection_day": "15",
           "verbal_consent": True}


def errors(response) -> dict[tuple, str]:
    """The 422 answer as field location -> message."""
    assert response.status_code == 422, response.text
    return {tuple(problem["loc"]): problem["msg"] for problem in response.json()["detail"]}


def test_the_start_schema_is_the_one_generated_from_the_start_form(api: Api):
    with api.client(AGENT) as client:
        served = client.get("/api/v1/processes/direct_debit_switch/start-schema").json()
    bundle = load_bundle((EXAMPLES / "direct_debit_switch.json").read_text())
    assert served == form_schema(bundle.form("mandate_details"), {v.name: v for v in bundle.variables})
    assert served["required"] == ["iban", "account_holder", "collection_day", "verbal_consent"]
    assert served["properties"]["iban"]["format"] == "iban"


def test_a_valid_start_makes_the_case_and_answers_with_its_first_task(api: Api):
    case = api.start_complaint()
    assert (case["process_key"], case["status"], case["customer_id"]) == ("billing_complaint", "active", "C-1001")
    [item] = case["open_items"]
    assert (item["queue"], item["title"], item["sla"]) == ("billing", item["title"], "on track")
    with api.client(AGENT) as client:
        stored = client.get(f"/api/v1/cases/{case['id']}").json()
    assert stored["data"]["disputed_amount"] == "80.00"
    assert stored["timeline"][0]["kind"] == "case started"
    assert stored["timeline"][0]["actor"] == AGENT


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"disputed_amount": [80]}, "disputed_amount", ""),
    ({"complaint_description": {"text": "te hoog"}}, "complaint_description", ""),
    ({"disputed_amount": "tachtig"}, "disputed_amount", ""),
    ({"disputed_amount": "0.00"}, "disputed_amount", "at least"),
    ({"invoice_number": "12345"}, "invoice_number", "expected form"),
    ({"complaint_category": "weather"}, "complaint_category", "one of the options"),
    ({"invoice_date": "1 februari"}, "invoice_date", ""),
])
def test_a_wrong_value_is_refused_naming_the_field(api: Api, change: dict, field: str, message: str):
    with api.client(AGENT) as client:
        response = client.post("/api/v1/processes/billing_complaint/cases",
                               json={"data": COMPLAINT | change, "customer_id": "C-1001"})
    found = errors(response)
    assert list(found) == [("body", "data", field)]
    assert message in found[("body", "data", field)]


def test_every_missing_required_field_is_named_at_once(api: Api):
    data = {k: v for k, v in COMPLAINT.items() if k not in ("invoice_number", "complaint_description")}
    with api.client(AGENT) as client:
        response = client.post("/api/v1/processes/billing_complaint/cases", json={"data": data})
    found = errors(response)
    assert set(found) == {("body", "data", "invoice_number"), ("body", "data", "complaint_description")}
    assert all("required" in message for message in found.values())


def test_a_bad_iban_and_a_wrong_type_are_refused_together_and_nothing_is_started(api: Api):
    with api.client(ADMIN) as client:
        before = client.get("/api/v1/work-items", params={"process": "direct_debit_switch"}).json()["items"]
        response = client.post("/api/v1/processes/direct_debit_switch/cases",
                               json={"data": MANDATE | {"iban": "NL91ABNA0417164301", "verbal_consent": "yes"}})
        after = client.get("/api/v1/work-items", params={"process": "direct_debit_switch"}).json()["items"]
    found = errors(response)
    assert set(found) == {("body", "data", "iban"), ("body", "data", "verbal_consent")}
    assert "IBAN" in found[("body", "data", "iban")] or "iban" in found[("body", "data", "iban")].lower()
    assert after == before


def test_a_valid_mandate_starts(api: Api):
    with api.client(AGENT) as client:
        response = client.post("/api/v1/processes/direct_debit_switch/cases",
                               json={"data": MANDATE, "customer_id": "C-1001"})
    assert response.status_code == 201, response.text


def test_a_body_that_is_not_the_documented_shape_is_refused_by_the_request_model(api: Api):
    with api.client(AGENT) as client:
        not_an_object = client.post("/api/v1/processes/billing_complaint/cases", json={"data": ["a", "b"]})
        unknown_field = client.post("/api/v1/processes/billing_complaint/cases", json={"data": COMPLAINT,
                                                                                        "priority": 1})
    assert ("body", "data") in errors(not_an_object)
    assert ("body", "priority") in errors(unknown_field)


def test_unknown_process_customer_and_contact_are_named(api: Api):
    with api.client(AGENT) as client:
        process = client.post("/api/v1/processes/no_such_process/cases", json={"data": {}})
        customer = client.post("/api/v1/processes/billing_complaint/cases",
                               json={"data": COMPLAINT, "customer_id": "C-0000"})
        contact = client.post("/api/v1/processes/billing_complaint/cases",
                              json={"data": COMPLAINT, "contact_id": "contact-none"})
        schema = client.get("/api/v1/processes/no_such_process/start-schema")
    assert process.status_code == 404 and "no_such_process" in process.json()["detail"]
    assert schema.status_code == 404
    assert "C-0000" in errors(customer)[("body", "customer_id")]
    assert ("body", "contact_id") in errors(contact)


def test_an_auditor_reads_a_case_but_a_missing_one_is_404(api: Api):
    case = api.start_complaint()
    with api.client(AUDITOR) as client:
        found = client.get(f"/api/v1/cases/{case['id']}")
        missing = client.get("/api/v1/cases/case-none")
    assert found.json()["open_items"][0]["id"] == case["open_items"][0]["id"]
    assert found.json()["timeline"][0]["summary"].startswith("Case started")
    assert missing.status_code == 404


def test_the_served_schema_and_the_server_agree_on_what_is_valid(api: Api):
    with api.client(AGENT) as client:
        schema = client.get("/api/v1/processes/billing_complaint/start-schema").json()
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(COMPLAINT)) == []
    assert {tuple(e.path) for e in validator.iter_errors(COMPLAINT | {"disputed_amount": "tachtig"})} == {
        ("disputed_amount",)}
    assert {e.validator for e in validator.iter_errors({k: v for k, v in COMPLAINT.items() if k != "invoice_date"})} \
        == {"required"}
