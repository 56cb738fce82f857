"""Work items over the API: the caller's queues, deadline order, cursor paging with a total, claiming, releasing,
reassigning and completing, conflicts and field errors."""

from __future__ import annotations

from tests.api.conftest import (
    AGENT,
    BACK_OFFICE_AGENT,
    CHECKLIST,
    INVESTIGATION,
    SUPERVISOR,
    Api,
    field_errors,
    problem,
)

WORK = "/api/v1/work-items"


def complete(api: Api, name: str, item_id: str, key: str | None = None, **body: object):
    headers = {"Idempotency-Key": key} if key else {}
    return api.call(name, "POST", f"{WORK}/{item_id}/complete", headers=headers,
                    json={"data": INVESTIGATION, "checklist": CHECKLIST} | body)


def test_work_comes_soonest_deadline_first_in_pages_that_fit_together_with_a_total(api: Api):
    for _ in range(6):
        api.start_complaint()
    whole = api.call(AGENT, "GET", WORK, params={"limit": 200}).json()
    first = api.call(AGENT, "GET", WORK, params={"limit": 3}).json()
    second = api.call(AGENT, "GET", WORK, params={"limit": 3, "cursor": first["next"]}).json()
    deadlines = [item["due_at"] or "9999" for item in whole["items"]]
    assert deadlines == sorted(deadlines)
    assert whole["total"] >= 6 and len(whole["items"]) == min(whole["total"], 200)
    assert (whole["next"] is None) == (whole["total"] <= 200)
    assert first["total"] == second["total"] == whole["total"]
    assert [i["id"] for i in first["items"] + second["items"]] == [i["id"] for i in whole["items"][:6]]


def test_filters_narrow_the_list_to_a_queue_a_process_a_tab_or_an_assignee(api: Api):
    case = api.start_complaint()
    item = case["open_items"][0]
    assert api.call(AGENT, "POST", f"{WORK}/{item['id']}/claim").status_code == 200
    billing = api.call(SUPERVISOR, "GET", WORK, params={"queue": "billing", "limit": 200}).json()["items"]
    process = api.call(SUPERVISOR, "GET", WORK, params={"process": "billing_complaint"}).json()["items"]
    nobody = api.call(SUPERVISOR, "GET", WORK, params={"assignee": "nobody-has-this"}).json()
    mine = api.call(AGENT, "GET", WORK, params={"tab": "mine", "limit": 200}).json()["items"]
    queues = api.call(AGENT, "GET", WORK, params={"tab": "queues", "limit": 200}).json()["items"]
    assert billing and {i["queue"] for i in billing} == {"billing"}
    assert process and {i["process_key"] for i in process} == {"billing_complaint"}
    assert (nobody["items"], nobody["total"]) == ([], 0)
    assert item["id"] in [i["id"] for i in mine] and {i["assignee"] for i in mine} == {AGENT}
    assert item["id"] not in [i["id"] for i in queues]


def test_an_agent_sees_and_works_only_their_queues(api: Api):
    case = api.start_complaint()
    item = case["open_items"][0]
    mine = api.call(BACK_OFFICE_AGENT, "GET", WORK).json()["items"]
    other_queue = problem(api.call(BACK_OFFICE_AGENT, "GET", WORK, params={"queue": "billing"}), 403)
    refused = problem(complete(api, BACK_OFFICE_AGENT, item["id"]), 403)
    assert {i["queue"] for i in mine} <= {"back_office"}
    assert other_queue["type"] == "/problems/not-allowed" and "billing" in other_queue["detail"]
    assert "queue 'billing'" in refused["detail"]
    assert item["id"] in [i["id"] for i in api.case(case["id"])["open_items"]]


def test_completing_moves_the_case_on_to_its_next_task(api: Api):
    case = api.start_complaint()
    item = case["open_items"][0]
    response = complete(api, AGENT, item["id"])
    assert response.status_code == 200, response.text
    done = response.json()
    assert done["work_item"] == item["id"]
    assert [i["queue"] for i in done["case"]["open_items"]] == ["billing_supervisors"]
    stored = api.case(case["id"])
    assert stored["data"]["complaint_justified"] is True
    assert stored["timeline"][-1]["kind"] != "case started"


def test_a_replay_with_the_same_idempotency_key_answers_the_same_and_changes_nothing(api: Api):
    case = api.start_complaint()
    item = case["open_items"][0]
    first = complete(api, AGENT, item["id"], key="gateway-42")
    before = api.case(case["id"])
    replay = complete(api, AGENT, item["id"], key="gateway-42")
    assert first.status_code == replay.status_code == 200
    assert replay.json() == first.json()
    assert api.case(case["id"]) == before


def test_two_completions_of_one_item_one_wins_the_other_gets_a_clear_conflict(api: Api):
    case = api.start_complaint()
    item = case["open_items"][0]
    won = complete(api, AGENT, item["id"], key="agent-1")
    lost = problem(complete(api, SUPERVISOR, item["id"], key="supervisor-1"), 409)
    assert won.status_code == 200
    assert lost["type"] == "/problems/conflict"
    assert lost["detail"] == f"task '{item['title']}' was already completed by Bob Agent; nothing was changed"
    completions = [e for e in api.case(case["id"])["timeline"] if e["kind"] == "task completed"]
    assert [e["actor"] for e in completions] == [AGENT]


def test_claiming_releasing_and_reassigning_hand_the_task_on_with_the_trail_saying_so(api: Api):
    case = api.start_complaint()
    item = case["open_items"][0]
    claimed = api.call(AGENT, "POST", f"{WORK}/{item['id']}/claim").json()
    assert (claimed["assignee"], claimed["assignee_name"]) == (AGENT, "Bob Agent") and claimed["claimed_at"]
    released = api.call(SUPERVISOR, "POST", f"{WORK}/{item['id']}/release").json()
    assert released["assignee"] is None
    to_person = api.call(SUPERVISOR, "POST", f"{WORK}/{item['id']}/reassign",
                         json={"to_user": BACK_OFFICE_AGENT, "reason": "kent deze klant"}).json()
    assert (to_person["assignee"], to_person["queue"]) == (BACK_OFFICE_AGENT, "billing")
    to_queue = api.call(SUPERVISOR, "POST", f"{WORK}/{item['id']}/reassign",
                        json={"to_queue": "billing_supervisors", "reason": "ter goedkeuring"}).json()
    assert (to_queue["assignee"], to_queue["queue"]) == (None, "billing_supervisors")
    kinds = [e["kind"] for e in api.case(case["id"])["timeline"]]
    assert kinds[-4:] == ["task claimed", "task released", "task reassigned", "task reassigned"]
    assert api.case(case["id"])["timeline"][-1]["details"]["reason"] == "ter goedkeuring"


def test_a_reassignment_says_why_and_to_whom(api: Api):
    item = api.start_complaint()["open_items"][0]
    path = f"{WORK}/{item['id']}/reassign"
    assert "reason" in field_errors(api.call(SUPERVISOR, "POST", path, json={"to_queue": "billing_supervisors",
                                                                             "reason": " "}))
    both = problem(api.call(SUPERVISOR, "POST", path, json={"to_queue": "billing_supervisors", "to_user": AGENT,
                                                            "reason": "x"}), 422)
    assert "either a person or a queue" in both["detail"]
    nowhere = problem(api.call(SUPERVISOR, "POST", path, json={"to_queue": "nowhere", "reason": "x"}), 422)
    assert "no queue 'nowhere'" in nowhere["detail"]


def test_form_errors_name_each_field_by_its_variable_and_save_nothing(api: Api):
    case = api.start_complaint()
    item = case["open_items"][0]
    before = api.case(case["id"])
    problems = field_errors(complete(api, AGENT, item["id"], data={"disputed_amount": "80.00",
                                                                    "complaint_justified": False,
                                                                    "rejection_reason": "te kort"}))
    assert set(problems) == {"data.investigation_findings", "data.rejection_reason"}
    assert "20 tekens" in problems["data.rejection_reason"]
    assert api.case(case["id"]) == before


def test_completing_before_the_required_checklist_is_ticked_is_refused_saying_what_to_tick(api: Api):
    case = api.start_complaint()
    item = case["open_items"][0]
    refused = problem(complete(api, AGENT, item["id"], checklist=CHECKLIST[:-1]), 422)
    assert refused["detail"].startswith("tick the checklist first") and "gepauzeerd" in refused["detail"]
    assert item["id"] in [i["id"] for i in api.case(case["id"])["open_items"]]


def test_a_missing_item_is_not_found_and_page_sizes_are_bounded(api: Api):
    assert problem(complete(api, AGENT, "item-none"), 404)["type"] == "/problems/not-found"
    assert "limit" in field_errors(api.call(AGENT, "GET", WORK, params={"limit": 10_000}))
    assert "cursor" in field_errors(api.call(AGENT, "GET", WORK, params={"cursor": "not-ours"}))


def test_a_change_to_a_task_with_its_cases_old_etag_is_refused_412_and_with_the_current_one_done(api: Api):
    case = api.start_complaint()
    item = case["open_items"][0]
    etag = api.call(AGENT, "GET", case["href"]).headers["etag"]
    assert api.call(SUPERVISOR, "POST", f"{case['href']}/notes", json={"text": "eerst bellen"}).status_code == 200
    stale = problem(api.call(AGENT, "POST", f"{WORK}/{item['id']}/complete", headers={"If-Match": etag},
                             json={"data": INVESTIGATION, "checklist": CHECKLIST}), 412)
    assert stale["type"] == "/problems/precondition-failed"
    assert item["id"] in [i["id"] for i in api.case(case["id"])["open_items"]]
    current = api.call(AGENT, "GET", case["href"]).headers["etag"]
    done = api.call(AGENT, "POST", f"{WORK}/{item['id']}/claim", headers={"If-Match": current})
    assert done.status_code == 200, done.text
