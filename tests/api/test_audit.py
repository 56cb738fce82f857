"""/api/v1/audit: auditors verify the store and export cases (once per idempotency key); others are refused."""

from __future__ import annotations

import json

from runtime.exports import verify_export
from tests.api.conftest import AGENT, AUDITOR, Api, problem


def exported_events(api: Api, case_id: str) -> int:
    return sum(1 for event in api.case(case_id)["timeline"] if event["kind"] == "trail exported")


def test_the_auditor_verifies_every_trail(api: Api):
    api.start_complaint()
    response = api.call(AUDITOR, "GET", "/api/v1/audit/verify")
    assert response.status_code == 200, response.text
    verdict = response.json()
    assert verdict["intact"] and verdict["cases"] >= 1 and verdict["problems"] == []


def test_an_export_verifies_offline_and_a_repeated_request_is_recorded_once(api: Api):
    case = api.start_complaint()
    key = {"Idempotency-Key": f"export-{case['id']}"}
    first = api.call(AUDITOR, "POST", "/api/v1/audit/exports", json={"cases": [case["id"]]}, headers=key)
    again = api.call(AUDITOR, "POST", "/api/v1/audit/exports", json={"cases": [case["id"]]}, headers=key)
    assert first.status_code == 200, first.text
    [part] = verify_export(first.content).cases
    assert part.case_id == case["id"] and not part.problems[1:]  # an unsigned installation: only "not signed"
    assert again.status_code == 200 and exported_events(api, case["id"]) == 1
    other = api.call(AUDITOR, "POST", "/api/v1/audit/exports", json={"cases": [case["id"]] * 2}, headers=key)
    assert problem(other, 422)["type"] == "/problems/request-reused"


def test_agents_may_not_export_and_unknown_cases_are_named(api: Api):
    case = api.start_complaint()
    refused = api.call(AGENT, "POST", "/api/v1/audit/exports", json={"cases": [case["id"]]})
    assert "read audit trails" in problem(refused, 403)["detail"]
    unknown = api.call(AUDITOR, "POST", "/api/v1/audit/exports", json={"cases": ["case-nobody-started"]})
    assert "case-nobody-started" in problem(unknown, 404)["detail"]
    assert exported_events(api, case["id"]) == 0
    assert json.loads(api.call(AUDITOR, "GET", "/api/v1/audit/verify").text)["intact"]
