"""Listing and completing work items over the API: the caller's queues, deadline order, paging, idempotency keys,
conflicts and field errors."""

from __future__ import annotations

from tests.api.conftest import AGENT, BACK_OFFICE_AGENT, CHECKLIST, INVESTIGATION, SUPERVISOR, Api


def complete(api: Api, name: str, item_id: str, key: str | None = None, **body: object):
    headers = {"Idempotency-Key": key} if key else {}
    with api.client(name) as client:
        return client.post(f"/api/v1/work-items/{item_id}/complete", headers=headers,
                           json={"data": INVESTIGATION, "checklist": CHECKLIST} | body)


def case_of(api: Api, case_id: str) -> dict:
    with api.client(SUPERVISOR) as client:
        return client.get(f"/api/v1/cases/{case_id}").json()


def test_work_comes_soonest_deadline_first_in_pages_that_fit_together(api: Api):
    for _ in range(6):
        api.start_complaint()
    with api.client(AGENT) as client:
        whole = client.get("/api/v1/work-items", params={"limit": 6}).json()
        first = client.get("/api/v1/work-items", params={"limit": 3}).json()
        second = client.get("/api/v1/work-items", params={"limit": 3, "offset": first["next_offset"]}).json()
    deadlines = [item["due_at"] or "9999" for item in whole["items"]]
    assert deadlines == sorted(deadlines)
    assert len(whole["items"]) == 6
    assert [i["id"] for i in first["items"] + second["items"]] == [i["id"] for i in whole["items"]]
    assert first["next_offset"] == 3


def test_filters_narrow_the_list_to_a_queue_a_process_or_an_assignee(api: Api):
    api.start_complaint()
    with api.client(SUPERVISOR) as client:
        billing = client.get("/api/v1/work-items", params={"queue": "billing", "limit": 200}).json()["items"]
        process = client.get("/api/v1/work-items", params={"process": "billing_complaint"}).json()["items"]
        nobody = client.get("/api/v1/work-items", params={"assignee": "nobody-has-this"}).json()["items"]
    assert billing and {item["queue"] for item in billing} == {"billing"}
    assert process and {item["process_key"] for item in process} == {"billing_complaint"}
    assert nobody == []


def test_an_agent_sees_and_completes_only_work_in_their_queues(api: Api):
    case = api.start_complaint()
    item = case["open_items"][0]
    with api.client(BACK_OFFICE_AGENT) as client:
        mine = client.get("/api/v1/work-items").json()["items"]
        other_queue = client.get("/api/v1/work-items", params={"queue": "billing"})
    refused = complete(api, BACK_OFFICE_AGENT, item["id"])
    assert {i["queue"] for i in mine} <= {"back_office"}
    assert other_queue.status_code == 403 and "billing" in other_queue.json()["detail"]
    assert refused.status_code == 403 and "billing" in refused.json()["detail"]
    assert item["id"] in [i["id"] for i in case_of(api, case["id"])["open_items"]]


def test_completing_moves_the_case_on_to_its_next_task(api: Api):
    case = api.start_complaint()
    item = case["open_items"][0]
    response = complete(api, AGENT, item["id"])
    assert response.status_code == 200, response.text
    done = response.json()
    assert done["work_item"] == item["id"]
    assert [i["queue"] for i in done["case"]["open_items"]] == ["billing_supervisors"]
    stored = case_of(api, case["id"])
    assert stored["data"]["complaint_justified"] is True
    assert stored["timeline"][-1]["kind"] != "case started"


def test_a_replay_with_the_same_idempotency_key_answers_the_same_and_changes_nothing(api: Api):
    case = api.start_complaint()
    item = case["open_items"][0]
    first = complete(api, AGENT, item["id"], key="gateway-42")
    before = case_of(api, case["id"])
    replay = complete(api, AGENT, item["id"], key="gateway-42")
    after = case_of(api, case["id"])
    assert first.status_code == replay.status_code == 200
    assert replay.json() == first.json()
    assert after == before


def test_two_completions_of_one_item_one_wins_the_other_gets_a_clear_conflict(api: Api):
    case = api.start_complaint()
    item = case["open_items"][0]
    won = complete(api, AGENT, item["id"], key="agent-1")
    lost = complete(api, SUPERVISOR, item["id"], key="supervisor-1")
    assert (won.status_code, lost.status_code) == (200, 409)
    assert lost.json()["detail"] == f"task '{item['title']}' was already completed by {AGENT}; nothing was changed"
    completions = [e for e in case_of(api, case["id"])["timeline"] if e["kind"] == "task completed"]
    assert [e["actor"] for e in completions] == [AGENT]


def test_form_errors_name_each_field_by_its_variable_and_save_nothing(api: Api):
    case = api.start_complaint()
    item = case["open_items"][0]
    before = case_of(api, case["id"])
    response = complete(api, AGENT, item["id"], data={"disputed_amount": "80.00", "complaint_justified": False,
                                                       "rejection_reason": "te kort"})
    assert response.status_code == 422
    problems = {tuple(p["loc"]): p["msg"] for p in response.json()["detail"]}
    assert set(problems) == {("body", "data", "investigation_findings"), ("body", "data", "rejection_reason")}
    assert "20 tekens" in problems[("body", "data", "rejection_reason")]
    assert case_of(api, case["id"]) == before


def test_completing_before_the_required_checklist_is_ticked_is_refused_saying_what_to_tick(api: Api):
    case = api.start_complaint()
    item = case["open_items"][0]
    response = complete(api, AGENT, item["id"], checklist=CHECKLIST[:-1])
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["msg"].startswith("tick the checklist first") and "gepauzeerd" in problem["msg"]
    assert item["id"] in [i["id"] for i in case_of(api, case["id"])["open_items"]]


def test_a_missing_item_is_404_and_page_sizes_are_bounded(api: Api):
    with api.client(AGENT) as client:
        too_big = client.get("/api/v1/work-items", params={"limit": 10_000})
    assert complete(api, AGENT, "item-none").status_code == 404
    assert too_big.status_code == 422 and too_big.json()["detail"][0]["loc"] == ["query", "limit"]
