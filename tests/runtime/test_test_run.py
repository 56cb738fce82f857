"""Test-runs of drafts in a sandbox, and scenarios replayed after edits (runtime.test_run, no page)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from models.bundle import Bundle
from models.customers import Customer
from models.editing import Draft
from models.serialization import load_bundle
from runtime.errors import AccessDenied, DataError
from runtime.service import Runtime
from runtime.storage.base import Changes
from runtime.test_run import TestRun, TestRunError, TestRuns, replay
from tests.people import person

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
COMPLAINT = {"invoice_number": "F2026-104233", "invoice_date": "2026-02-01", "complaint_category": "charged_twice",
             "complaint_description": "Twee keer afgeschreven.", "disputed_amount": "40.00"}
ADDRESS = {"new_postcode": "3512 JK", "new_house_number": "5", "new_street": "Lange Nieuwstraat",
           "new_city": "Utrecht", "move_date": "2026-04-01"}
IDENTITY_CHECKS = ["name_and_number", "security_questions", "postcode_checked", "no_fraud_signals"]
IDENTITY_OK = {"identity_method": "security_questions", "identity_verified": True}


def bundle(key: str) -> Bundle:
    return load_bundle((EXAMPLES / f"{key}.json").read_text())


def customer(customer_id: str = "C-1001") -> Customer:
    customers = json.loads((EXAMPLES / "customers.json").read_text())["customers"]
    return Customer.model_validate(next(c for c in customers if c["id"] == customer_id))


def address_run(draft_bundle: Bundle | None = None) -> TestRun:
    run = TestRun(draft_bundle or bundle("change_of_address"), {}, customer(), MONDAY)
    run.begin(ADDRESS)
    return run


def identity_task(run: TestRun) -> str:
    return next(t.item.id for t in run.state().open_tasks if t.item.node == "task_verify_identity")


# Running a draft ----------------------------------------------------------------------------


def test_a_billing_complaint_runs_end_to_end_with_letters_decisions_and_a_skipped_timer():
    run = TestRun(bundle("billing_complaint"), {}, customer(), MONDAY)
    run.begin(COMPLAINT)
    state = run.state()
    assert state.token_nodes == ["task_investigate"]
    assert [t.item.title for t in state.open_tasks] == ["Klacht onderzoeken"]
    assert [(e.channel, e.recipient) for e in state.letters] == [("email", "sanne.devries@example.nl")]
    assert "F2026-104233" in state.letters[0].subject
    assert state.timers[0].what == "SLA warning at 'Klacht onderzoeken'"

    skipped = run.skip_to_next_timer()
    assert run.state().now == skipped.due_at == datetime(2026, 3, 5, 9, 0, tzinfo=UTC)  # 3 working days later
    assert skipped.due_at not in [t.due_at for t in run.state().timers]

    checklist = [c.id for c in run.bundle.node("task_investigate").checklist]
    run.complete(run.state().open_tasks[0].item.id, {"complaint_justified": True, "disputed_amount": "40.00",
                                                "investigation_findings": "Dubbele incasso gevonden."}, checklist)
    state = run.state()
    assert state.outcome.describe() == "ended at 'Gecrediteerd'"
    assert state.case.outcome == "Klacht terecht: gecrediteerd"
    assert state.token_nodes == [] and state.open_tasks == [] and state.timers == []
    assert [d.node for d in state.decisions] == ["dec_justified", "auto_route_credit", "dec_route"]
    assert "→ 'Afhandeling bepalen'" in state.decisions[0].summary
    assert state.decisions[1].summary == \
        "'Afhandeling bepalen' ran: decision table 'Afhandeling creditering' set handling = \"auto_credit\""
    assert [e.letter for e in state.letters] == ["complaint_received", "credit_note"]
    assert "Sanne de Vries" in state.letters[1].body
    assert [a.kind for a in run.actions] == ["start", "skip timer", "complete"]


def test_refused_input_is_explained_and_not_recorded():
    run = address_run()
    with pytest.raises(DataError, match="identity_method"):
        run.complete(identity_task(run), {"identity_method": "by guessing"}, IDENTITY_CHECKS)
    with pytest.raises(Exception, match="tick the checklist"):
        run.complete(identity_task(run), IDENTITY_OK)
    assert [a.kind for a in run.actions] == ["start"]
    assert run.state().token_nodes == ["task_verify_identity"]


def test_a_message_wait_times_out_when_skipped_and_goes_on_when_the_message_arrives():
    run = TestRun(bundle("direct_debit_switch"), {}, customer(), MONDAY)
    run.begin({"iban": "NL91ABNA0417164300", "account_holder": "S. de Vries", "collection_day": "1",
               "verbal_consent": True})
    state = run.state()
    assert state.waiting_messages == ["signed_mandate_received"]
    assert state.token_nodes == ["wait_signed_mandate"]
    run.skip_to_next_timer()  # 10 days without a reply: a reminder, and waiting again
    state = run.state()
    assert state.now == MONDAY + timedelta(days=10)
    assert [e.letter for e in state.letters] == ["mandate_letter", "mandate_reminder"]
    assert state.token_nodes == ["wait_signed_mandate"]
    run.send_message("signed_mandate_received")
    assert run.state().token_nodes == ["task_verify_mandate"]
    with pytest.raises(TestRunError, match="nothing is waiting for message 'signed_mandate_received'"):
        run.send_message("signed_mandate_received")


def test_a_called_process_runs_as_a_subprocess_whose_tasks_can_be_completed():
    run = TestRun(bundle("move_house"), {"change_of_address": bundle("change_of_address")}, customer(), MONDAY)
    run.begin(ADDRESS | {"has_gas": False, "dwelling_type": "apartment", "household_size": 2,
                         "reading_old_normal": 12345})
    state = run.state()
    assert state.token_nodes == ["sub_change_address"]
    assert [(t.item.process_key, t.item.node) for t in state.open_tasks] == [
        ("change_of_address", "task_verify_identity")]
    assert state.open_tasks[0].version.bundle.key == "change_of_address"  # what the task's form is built from
    run.complete(state.open_tasks[0].item.id, IDENTITY_OK, IDENTITY_CHECKS)
    assert run.state().token_nodes == ["par_join", "task_new_connection"]  # one branch waits at the join


def test_a_draft_with_errors_or_an_unpublished_called_process_cannot_be_test_run():
    draft = Draft(json.loads((EXAMPLES / "change_of_address.json").read_text()))
    draft.add_node("task", 400, 600)
    with pytest.raises(TestRunError, match="the draft has errors"):
        TestRun(draft.bundle, {}, customer(), MONDAY)
    with pytest.raises(TestRunError, match="calls process 'change_of_address', which is not published"):
        TestRun(bundle("move_house"), {}, customer(), MONDAY)


# Scenarios ---------------------------------------------------------------------------------


def verified_scenario(name: str = "identity verified"):
    run = address_run()
    run.complete(identity_task(run), IDENTITY_OK, IDENTITY_CHECKS)
    return run.scenario(name)


def test_a_scenario_replays_to_the_same_outcome_also_after_a_round_trip_through_json():
    scenario = verified_scenario()
    assert scenario.expected.describe() == "ended at 'Adres gewijzigd'"
    again = type(scenario).model_validate_json(scenario.model_dump_json())
    assert again == scenario
    result = replay(again, bundle("change_of_address"), {})
    assert (result.passed, str(result.reason)) == (True, "ended at 'Adres gewijzigd'")


def test_after_an_edit_that_changes_the_outcome_the_scenario_fails_saying_where_it_ended():
    scenario = verified_scenario()
    draft = Draft(json.loads((EXAMPLES / "change_of_address.json").read_text()))
    draft.set_edge("f_identity_ok", condition='identity_verified && identity_method == "id_document"',
                   default=False, label="Ja")
    result = replay(scenario, draft.bundle, {})
    assert not result.passed
    assert str(result.reason) == "ended at 'Bewijs opgevraagd' instead of 'Adres gewijzigd'"
    draft.undo()
    assert replay(scenario, draft.bundle, {}).passed


def test_a_scenario_whose_task_was_removed_fails_naming_the_task():
    scenario = verified_scenario()
    draft = Draft(json.loads((EXAMPLES / "change_of_address.json").read_text()))
    draft.delete(["task_verify_identity"])
    draft.add_edge("start_intake", "dec_identity")
    result = replay(scenario, draft.bundle, {})
    assert not result.passed
    assert str(result.reason) == "step 2 (complete task 'Identiteit controleren'): task 'Identiteit controleren' " \
                                 "no longer exists"


def test_a_scenario_stopping_earlier_says_where_the_case_waits_instead():
    run = address_run()
    waiting = run.scenario("left open")
    assert waiting.expected.describe() == "is waiting at 'Identiteit controleren'"
    assert replay(waiting, bundle("change_of_address"), {}).passed
    finished = verified_scenario()
    finished.actions = finished.actions[:1]
    result = replay(finished, bundle("change_of_address"), {})
    assert str(result.reason) == "is waiting at 'Identiteit controleren' instead of ending at 'Adres gewijzigd'"


def test_a_scenario_against_a_draft_with_errors_fails_saying_so():
    draft = Draft(json.loads((EXAMPLES / "change_of_address.json").read_text()))
    draft.add_node("task", 400, 600)
    result = replay(verified_scenario(), draft.bundle, {})
    assert not result.passed and str(result.reason).startswith("cannot run: the draft has errors")


def test_a_scenario_needs_a_name_and_a_started_run():
    run = TestRun(bundle("change_of_address"), {}, customer(), MONDAY)
    with pytest.raises(TestRunError, match="start the test-run first"):
        run.scenario("x")
    run.begin(ADDRESS)
    with pytest.raises(TestRunError, match="give the scenario a name"):
        run.scenario("  ")
    with pytest.raises(TestRunError, match="at most 120 characters"):
        run.scenario("x" * 121)


def test_a_scenario_of_a_process_calling_another_replays_its_subprocess_tasks():
    called = {"change_of_address": bundle("change_of_address")}
    run = TestRun(bundle("move_house"), called, customer(), MONDAY)
    run.begin(ADDRESS | {"has_gas": False, "dwelling_type": "apartment", "household_size": 2,
                         "reading_old_normal": 12345})
    run.complete(identity_task(run), {"identity_method": "not_possible", "identity_verified": False,
                                      "identity_notes": "Controlevragen fout beantwoord."}, IDENTITY_CHECKS)
    scenario = run.scenario("identity not established")
    assert scenario.expected.describe() == "ended at 'Aangehouden'"
    assert replay(scenario, bundle("move_house"), called).passed


def test_a_case_stopped_by_an_incident_says_where_and_why():
    run = TestRun(bundle("change_of_address"), {}, None, MONDAY)  # no customer: no address to read or write to
    run.begin(ADDRESS)
    run.complete(identity_task(run), IDENTITY_OK, IDENTITY_CHECKS)
    state = run.state()
    assert state.outcome.status == "stopped"
    assert state.outcome.describe().startswith("stopped at 'Adres wijzigen in klantsysteem': ")
    assert state.incidents and str(state.incidents[0]).startswith("'Adres wijzigen in klantsysteem': ")
    assert state.token_nodes == ["auto_update_address"]


# The use cases ------------------------------------------------------------------------------


def test_a_test_run_is_started_by_a_designer_with_the_runtimes_customers_and_called_processes(runtime: Runtime):
    runtime.publish(person("owner"), bundle("change_of_address"))
    runtime.store.commit(Changes(customers=[customer()]))
    runs = TestRuns(runtime)
    designer = person("ann", "designer")
    run = runs.start(designer, bundle("move_house"), ADDRESS | {"has_gas": False, "dwelling_type": "apartment",
                                                                "household_size": 2, "reading_old_normal": 12345},
                     customer_id="C-1001")
    assert run.state().token_nodes == ["sub_change_address"]
    assert runtime.store.cases() == []  # the sandbox is its own store
    with pytest.raises(AccessDenied, match="test-run a draft"):
        runs.start(person("bob", "agent"), bundle("change_of_address"), ADDRESS)
    with pytest.raises(TestRunError, match="no customer 'C-404'"):
        runs.start(designer, bundle("change_of_address"), ADDRESS, customer_id="C-404")
    [result] = runs.replay(designer, bundle("move_house"), [run.scenario("waiting")])
    assert result.passed


def test_the_sandbox_acts_as_the_test_run_system_user():
    run = address_run()
    assert {e.actor for e in run.runtime.store.audit_events(run.case_id)} == {"test-run"}
