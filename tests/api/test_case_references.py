"""A case's reference through the REST API: on the case and its tasks, found with ?reference=, read by it; and the
labels of its data."""

from __future__ import annotations

import re

from tests.api.conftest import ADMIN, AGENT, AUDITOR, Api, problem

REFERENCE = re.compile(r"^KOEF-\d{4}-\d{5}$")  # "Klacht over een factuur": the initials of the process's name


def test_a_started_case_and_its_tasks_carry_its_reference_and_it_is_found_by_it(api: Api):
    case = api.start_complaint()
    assert REFERENCE.match(case["reference"])
    assert case["open_items"][0]["case_reference"] == case["reference"]
    assert case["labels"]["disputed_amount"] == "Betwist bedrag"  # what agents read beside the data's names
    found = api.call(AUDITOR, "GET", "/api/v1/cases", params={"reference": case["reference"].lower()}).json()
    assert found["total"] == 1 and [c["id"] for c in found["items"]] == [case["id"]]
    assert found["items"][0]["reference"] == case["reference"]
    by_reference = api.call(AGENT, "GET", f"/api/v1/cases/{case['reference']}")
    assert by_reference.json()["id"] == case["id"] and by_reference.headers["ETag"]
    listed = api.call(ADMIN, "GET", "/api/v1/work-items",
                      params={"process": "billing_complaint", "limit": 200}).json()["items"]
    assert {item["case_id"]: item["case_reference"] for item in listed}[case["id"]] == case["reference"]


def test_an_unknown_reference_finds_nothing_and_reads_as_not_found(api: Api):
    assert api.call(AUDITOR, "GET", "/api/v1/cases", params={"reference": "KOEF-1999-00001"}).json()["total"] == 0
    assert "KOEF-1999-00001" in problem(api.call(AUDITOR, "GET", "/api/v1/cases/KOEF-1999-00001"), 404)["detail"]
