"""Cases over the API: starting one (the start form's JSON Schema, its rules on the server), reading one with its
ETag, changing one with If-Match, finding cases page by page, notes, files, sent documents, messages and closing."""

from __future__ import annotations

import io
from email import message_from_bytes, policy

import jsonschema
import pytest
from pypdf import PdfReader

from codegen.forms import form_schema
from designer.app import EXAMPLES
from models import load_bundle
from tests.api.conftest import ADMIN, AGENT, AUDITOR, MANDATE, SUPERVISOR, Api, field_errors, problem
from tests.designer.conftest import COMPLAINT

START = "/api/v1/processes/billing_complaint/cases"


def test_the_start_schema_is_the_one_generated_from_the_start_form(api: Api):
    served = api.call(AGENT, "GET", "/api/v1/processes/direct_debit_switch/start-schema").json()
    bundle = load_bundle((EXAMPLES / "direct_debit_switch.json").read_text())
    assert served == form_schema(bundle.form("mandate_details"), {v.name: v for v in bundle.variables})
    assert served["required"] == ["iban", "account_holder", "collection_day", "verbal_consent"]
    assert served["properties"]["iban"]["format"] == "iban"


def test_a_valid_start_makes_the_case_and_answers_where_it_is_with_its_first_task(api: Api):
    response = api.call(AGENT, "POST", START, json={"data": COMPLAINT, "customer_id": "C-1001"})
    assert response.status_code == 201, response.text
    case = response.json()
    assert response.headers["location"] == f"/api/v1/cases/{case['id']}" == case["href"]
    assert response.headers["etag"] == f'"{case["revision"]}"'
    assert (case["process_key"], case["status"], case["customer_id"]) == ("billing_complaint", "active", "C-1001")
    [item] = case["open_items"]
    assert (item["queue"], item["queue_name"], item["sla"], item["refusal"]) == ("billing", "Facturatie", "on track",
                                                                                 None)
    stored = api.call(AGENT, "GET", response.headers["location"]).json()
    assert stored["data"]["disputed_amount"] == "80.00"
    assert (stored["timeline"][0]["kind"], stored["timeline"][0]["actor"]) == ("case started", AGENT)


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
    found = field_errors(api.call(AGENT, "POST", START, json={"data": COMPLAINT | change, "customer_id": "C-1001"}))
    assert list(found) == [f"data.{field}"]
    assert message in found[f"data.{field}"]


def test_every_missing_required_field_is_named_at_once(api: Api):
    data = {k: v for k, v in COMPLAINT.items() if k not in ("invoice_number", "complaint_description")}
    found = field_errors(api.call(AGENT, "POST", START, json={"data": data}))
    assert set(found) == {"data.invoice_number", "data.complaint_description"}
    assert all("required" in message for message in found.values())


def test_a_bad_iban_and_a_wrong_type_are_refused_together_and_nothing_is_started(api: Api):
    listing = "/api/v1/cases?process=direct_debit_switch"
    before = api.call(ADMIN, "GET", listing).json()["total"]
    found = field_errors(api.call(ADMIN, "POST", "/api/v1/processes/direct_debit_switch/cases",
                                  json={"data": MANDATE | {"iban": "NL91ABNA0417164301", "verbal_consent": "yes"}}))
    assert set(found) == {"data.iban", "data.verbal_consent"}
    assert "iban" in found["data.iban"].lower()
    assert api.call(ADMIN, "GET", listing).json()["total"] == before


def test_a_body_that_is_not_the_documented_shape_is_refused_by_the_request_model(api: Api):
    assert "data" in field_errors(api.call(AGENT, "POST", START, json={"data": ["a", "b"]}))
    assert "priority" in field_errors(api.call(AGENT, "POST", START, json={"data": COMPLAINT, "priority": 1}))


def test_unknown_process_customer_and_contact_are_named(api: Api):
    process = problem(api.call(AGENT, "POST", "/api/v1/processes/no_such_process/cases", json={"data": {}}), 404)
    schema = problem(api.call(AGENT, "GET", "/api/v1/processes/no_such_process/start-schema"), 404)
    customer = field_errors(api.call(AGENT, "POST", START, json={"data": COMPLAINT, "customer_id": "C-0000"}))
    contact = field_errors(api.call(AGENT, "POST", START, json={"data": COMPLAINT, "contact_id": "contact-none"}))
    assert "no_such_process" in process["detail"] and "no_such_process" in schema["detail"]
    assert "C-0000" in customer["customer_id"]
    assert "contact-none" in contact["contact_id"]


def test_an_auditor_reads_a_case_but_a_missing_one_is_a_not_found_problem(api: Api):
    case = api.start_complaint()
    found = api.call(AUDITOR, "GET", case["href"]).json()
    assert found["open_items"][0]["id"] == case["open_items"][0]["id"]
    assert found["open_items"][0]["refusal"].startswith("not allowed: to complete a task")
    assert found["timeline"][0]["summary"].startswith("Case started")
    assert problem(api.call(AUDITOR, "GET", "/api/v1/cases/case-none"), 404)["type"] == "/problems/not-found"


def test_the_served_schema_and_the_server_agree_on_what_is_valid(api: Api):
    schema = api.call(AGENT, "GET", "/api/v1/processes/billing_complaint/start-schema").json()
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(COMPLAINT)) == []
    assert {tuple(e.path) for e in validator.iter_errors(COMPLAINT | {"disputed_amount": "tachtig"})} == {
        ("disputed_amount",)}
    assert {e.validator for e in validator.iter_errors({k: v for k, v in COMPLAINT.items() if k != "invoice_date"})} \
        == {"required"}


def test_a_change_with_the_etag_read_is_done_and_with_an_older_one_is_refused_412(api: Api):
    case = api.start_complaint()
    read = api.call(SUPERVISOR, "GET", case["href"])
    etag = read.headers["etag"]
    noted = api.call(SUPERVISOR, "POST", f"{case['href']}/notes", headers={"If-Match": etag},
                     json={"text": "Gebeld, klant is tevreden."})
    assert noted.status_code == 200, noted.text
    assert noted.headers["etag"] != etag
    assert noted.json()["timeline"][-1]["details"]["text"] == "Gebeld, klant is tevreden."
    stale = api.call(SUPERVISOR, "POST", f"{case['href']}/close", headers={"If-Match": etag},
                     json={"root_cause": "double_billing"})
    body = problem(stale, 412)
    assert body["type"] == "/problems/precondition-failed" and "read it again" in body["detail"]
    assert api.case(case["id"])["status"] == "active"
    anything = api.call(SUPERVISOR, "POST", f"{case['href']}/notes", headers={"If-Match": "*"}, json={"text": "ok"})
    assert anything.status_code == 200
    assert "If-Match" in field_errors(api.call(SUPERVISOR, "POST", f"{case['href']}/notes",
                                               headers={"If-Match": "yesterday"}, json={"text": "ok"}))


def test_cases_are_found_by_process_customer_status_and_start_date_newest_first_in_pages(api: Api):
    first, second, third = (api.start_complaint() for _ in range(3))
    since = first["started_at"]
    query = {"process": "billing_complaint", "customer": "C-1001", "status": "active", "started_since": since}
    whole = api.call(AUDITOR, "GET", "/api/v1/cases", params=query | {"limit": 200}).json()
    assert [c["id"] for c in whole["items"]][:3] == [third["id"], second["id"], first["id"]]
    assert whole["total"] == len(whole["items"]) >= 3 and whole["next"] is None
    page = api.call(AUDITOR, "GET", "/api/v1/cases", params=query | {"limit": 2}).json()
    rest = api.call(AUDITOR, "GET", "/api/v1/cases", params=query | {"limit": 2, "cursor": page["next"]}).json()
    assert [c["id"] for c in page["items"] + rest["items"]] == [c["id"] for c in whole["items"]][:4]
    assert page["total"] == rest["total"] == whole["total"]
    other_filter = api.call(AUDITOR, "GET", "/api/v1/cases", params={"limit": 2, "cursor": page["next"]})
    assert "cursor" in field_errors(other_filter)
    none_yet = api.call(AUDITOR, "GET", "/api/v1/cases", params=query | {"started_until": since}).json()
    assert first["id"] not in [c["id"] for c in none_yet["items"]]


def test_a_file_is_attached_listed_and_downloaded_as_it_was_and_a_too_big_one_is_refused(api: Api):
    case = api.start_complaint()
    added = api.call(AGENT, "POST", f"{case['href']}/attachments",
                     files={"file": ("meterstand <1>.jpg", b"\xff\xd8\xff photo", "image/jpeg")})
    assert added.status_code == 201, added.text
    attachment = added.json()
    assert added.headers["location"] == attachment["href"]
    assert (attachment["filename"], attachment["size"], attachment["added_by"]) == ("meterstand <1>.jpg", 9, AGENT)
    assert [a["id"] for a in api.case(case["id"])["attachments"]] == [attachment["id"]]
    download = api.call(AUDITOR, "GET", attachment["href"])
    assert download.content == b"\xff\xd8\xff photo"
    assert download.headers["content-disposition"] == "attachment; filename*=UTF-8''meterstand%20%3C1%3E.jpg"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert problem(api.call(AGENT, "GET", f"{case['href']}/attachments/file-unknown"), 404)
    too_big = api.call(AGENT, "POST", f"{case['href']}/attachments",
                       files={"file": ("scan.pdf", b"x" * (10 * 1024 * 1024 + 1), "application/pdf")})
    assert problem(too_big, 413)["type"] == "/problems/too-large"
    assert len(api.case(case["id"])["attachments"]) == 1


def test_what_was_sent_downloads_as_it_went_out_and_shows_sandboxed(api: Api):
    case = api.start("direct_debit_switch", MANDATE)
    letter = next(entry for entry in case["sent"] if entry["channel"] == "letter")
    pdf = api.call(AGENT, "GET", letter["document"])
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == f'attachment; filename="{letter["id"]}.pdf"'
    assert "Sanne de Vries" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    page = api.call(AUDITOR, "GET", letter["document"], params={"view": "html"})
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"].startswith("sandbox")
    complaint = api.start_complaint()
    email = complaint["sent"][0]
    eml = api.call(SUPERVISOR, "GET", email["document"])
    assert eml.headers["content-type"] == "message/rfc822"
    assert message_from_bytes(eml.content, policy=policy.default)["To"] == "sanne.devries@example.nl"
    assert problem(api.call(AGENT, "GET", f"{complaint['href']}/sent/out-none/document"), 404)
    assert problem(api.call(AGENT, "GET", f"/api/v1/cases/case-other/sent/{email['id']}/document"), 404)


def test_a_customers_reply_delivered_by_a_gateway_moves_the_waiting_case_on(api: Api):
    case = api.start("direct_debit_switch", MANDATE)
    path = f"{case['href']}/messages"
    not_waited = api.call(AGENT, "POST", path, json={"message": "something_else"})
    assert "not waiting for message 'something_else'" in problem(not_waited, 422)["detail"]
    assert "data.colour" in field_errors(api.call(AGENT, "POST", path, json={"message": "signed_mandate_received",
                                                                             "data": {"colour": "red"}}))
    delivered = api.call(AGENT, "POST", path, json={"message": "signed_mandate_received",
                                                    "data": {"signature_present": True}})
    assert delivered.status_code == 200, delivered.text
    assert delivered.json()["data"]["signature_present"] is True
    assert [i["queue"] for i in delivered.json()["open_items"]] == ["back_office"]


def test_closing_takes_a_root_cause_of_the_process_and_cancels_open_work(api: Api):
    case = api.start_complaint()
    wrong = problem(api.call(AGENT, "POST", f"{case['href']}/close", json={"root_cause": "weather"}), 422)
    assert "double_billing" in wrong["detail"]
    closed = api.call(AGENT, "POST", f"{case['href']}/close", json={"root_cause": "double_billing", "note": "ok"})
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["root_cause"], closed.json()["open_items"]) == (
        "completed", "double_billing", [])
    again = problem(api.call(AGENT, "POST", f"{case['href']}/close", json={"root_cause": "tariff_error"}), 409)
    assert again["type"] == "/problems/conflict"
