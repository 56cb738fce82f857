"""Settings of every step kind, the process and its case data: the pure edits, and the editor's panels."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User

from models.editing import Draft, EditRejected, set_node_fields
from models.editing.node_settings import (
    add_checklist_item,
    add_escalation,
    add_to_node_list,
    remove_escalation,
    set_process_settings,
    set_sla_times,
    set_start_trigger,
    set_wait,
)
from tests.designer.helpers import open_editor_tab, saved_draft, sign_in

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(key: str) -> Draft:
    return Draft(json.loads((EXAMPLES / f"{key}.json").read_text()))


# The pure edits, through a draft ------------------------------------------------------------


def test_a_start_trigger_keeps_only_its_own_settings():
    draft = example("billing_complaint")
    draft.apply(set_start_trigger, "start_intake", "message", ["phone"], "complaint_filed")
    start = draft.bundle.node("start_intake")
    assert (start.trigger.value, start.channels, start.message) == ("message", [], "complaint_filed")
    with pytest.raises(EditRejected, match="an intake start needs at least one channel"):
        draft.apply(set_start_trigger, "start_intake", "intake", [], "")
    with pytest.raises(EditRejected, match="only a start has a trigger"):
        draft.apply(set_start_trigger, "task_investigate", "manual")


def test_a_wait_switches_between_a_timer_and_a_message_and_refuses_a_wonky_duration():
    draft = example("direct_debit_switch")
    draft.apply(set_wait, "wait_signed_mandate", "timer", duration="3 working days", message="ignored")
    wait = draft.bundle.node("wait_signed_mandate")
    assert (str(wait.duration), wait.message, wait.timeout) == ("3 working days", "", None)
    before = draft.document
    with pytest.raises(EditRejected, match="'5 wonky days' is not a duration"):
        draft.apply(set_wait, "wait_signed_mandate", "timer", duration="5 wonky days")
    with pytest.raises(EditRejected, match="a message wait needs the message name"):
        draft.apply(set_wait, "wait_signed_mandate", "message")
    assert draft.document == before


def test_escalations_are_added_to_a_task_or_the_case_and_checked_by_the_model():
    draft = example("billing_complaint")
    draft.apply(add_escalation, "task_investigate", "warning", "reassign", "collections")
    assert draft.bundle.node("task_investigate").sla.escalations[-1].queue == "collections"
    before = draft.document
    with pytest.raises(EditRejected, match="a reassign escalation needs the queue to reassign to"):
        draft.apply(add_escalation, None, "breach", "reassign")
    assert draft.document == before
    draft.apply(remove_escalation, None, 0)
    assert [e.action.value for e in draft.bundle.case_sla.escalations] == ["raise priority"]
    draft.apply(set_sla_times, None, "", "")
    assert draft.bundle.case_sla is None
    with pytest.raises(EditRejected, match="Set the SLA target first"):
        draft.apply(add_escalation, None, "breach", "raise priority")


def test_lists_inside_steps_are_only_edited_on_the_kind_that_has_them():
    draft = example("billing_complaint")
    draft.apply(add_checklist_item, "task_investigate", "Invoice opened", required=False)
    assert draft.bundle.node("task_investigate").checklist[-1].id == "invoice_opened_2"  # the id is taken
    with pytest.raises(EditRejected, match="only a subprocess step has input mappings"):
        draft.apply(add_to_node_list, "task_investigate", "inputs", {"target": "x", "expression": "1"})
    with pytest.raises(EditRejected, match="Write what the agent has to check"):
        draft.apply(add_checklist_item, "task_investigate", "  ")


def test_process_settings_keep_the_key_and_need_a_name():
    draft = example("billing_complaint")
    draft.apply(set_process_settings, name="Factuurklacht", owner="Teamleider billing", language="en")
    assert (draft.key, draft.bundle.name, draft.bundle.owner, draft.bundle.language) == (
        "billing_complaint", "Factuurklacht", "Teamleider billing", "en")
    description = draft.bundle.description
    draft.apply(set_process_settings, owner="Billing")  # only what is given changes
    assert (draft.bundle.name, draft.bundle.owner, draft.bundle.description) == ("Factuurklacht", "Billing",
                                                                                  description)
    with pytest.raises(EditRejected, match="Give the process a name"):
        draft.apply(set_process_settings, name=" ")
    with pytest.raises(EditRejected, match="Give the language"):
        draft.apply(set_process_settings, language=" ")


def test_a_records_variable_needs_fields_of_plain_types():
    draft = example("billing_complaint")
    draft.add_variable("Invoice lines", "records", fields=[("amount", "money"), ("text", "text")])
    assert [(f.name, f.type.value) for f in draft.bundle.variable("invoice_lines").fields] == [("amount", "money"),
                                                                                               ("text", "text")]
    with pytest.raises(EditRejected, match="needs at least one field"):
        draft.add_variable("Empty", "records")


# The editor page ---------------------------------------------------------------------------


async def select_step(user: User, key: str, node_id: str) -> None:
    await open_editor_tab(user, key)
    user.find(marker="canvas").trigger("selected", {"id": node_id})
    await user.should_see(f"Id: {node_id}")


def saved_node(key: str, node_id: str) -> dict:
    document = saved_draft(key)
    assert document is not None, "the draft was not saved"
    return next(n for n in document["nodes"] if n["id"] == node_id)


async def settle() -> None:
    """Let the panels show the draft again: after an edit NiceGUI refreshes them in a background task."""
    await asyncio.sleep(0.02)


async def choose(user: User, marker: str, value: object) -> None:
    user.find(marker=marker).elements.pop().set_value(value)
    await settle()


async def enter(user: User, marker: str, text: str, event: str = "blur") -> None:
    """Replace the text of a field and leave it (or press enter), as a user does."""
    user.find(marker=marker).clear().type(text).trigger(event)
    await settle()


async def click(user: User, marker: str) -> None:
    user.find(marker=marker).click()
    await settle()


def value_of(user: User, marker: str) -> object:
    return user.find(marker=marker).elements.pop().value


@pytest.mark.anyio
async def test_every_step_has_a_description(user: User):
    await select_step(user, "billing_complaint", "dec_justified")
    await enter(user, "selected-description", "Was the customer right?", "blur")
    assert saved_node("billing_complaint", "dec_justified")["description"] == "Was the customer right?"
    assert value_of(user, "selected-description") == "Was the customer right?"


@pytest.mark.anyio
async def test_a_start_becomes_a_message_start_once_its_message_is_named(user: User):
    await select_step(user, "billing_complaint", "start_intake")
    await choose(user, "start-trigger", "message")
    assert saved_draft("billing_complaint") is None  # waits for the message name
    await enter(user, "start-message", "complaint_filed", "keydown.enter")
    start = saved_node("billing_complaint", "start_intake")
    assert (start["trigger"], start["message"], "channels" in start) == ("message", "complaint_filed", False)
    assert value_of(user, "start-trigger") == "message"
    await choose(user, "start-form", "")
    assert "form" not in saved_node("billing_complaint", "start_intake")


@pytest.mark.anyio
async def test_removing_the_last_intake_channel_is_refused(user: User):
    await select_step(user, "change_of_address", "start_intake")
    await choose(user, "start-channels", [])
    await user.should_see("an intake start needs at least one channel")
    assert value_of(user, "start-channels") == ["phone", "email"]


@pytest.mark.anyio
async def test_a_task_gets_its_priority_instructions_checklist_and_form(user: User):
    await select_step(user, "billing_complaint", "task_investigate")
    await choose(user, "task-priority", 5)
    await enter(user, "task-instructions", "Bel de klant <b>eerst</b>", "blur")
    await choose(user, "task-form", "approval")
    user.find(marker="new-checklist-text").type("Klant teruggebeld")
    await click(user, "add-checklist")
    await click(user, "remove-checklist-customer_called")
    task = saved_node("billing_complaint", "task_investigate")
    assert (task["priority"], task["instructions"], task["form"]) == (5, "Bel de klant <b>eerst</b>", "approval")
    assert [i["id"] for i in task["checklist"]][-1] == "klant_teruggebeld"
    assert "customer_called" not in [i["id"] for i in task["checklist"]]
    await user.should_see(marker="checklist-klant_teruggebeld")
    await user.should_not_see(marker="checklist-customer_called")
    assert value_of(user, "task-priority") == 5


@pytest.mark.anyio
async def test_a_task_escalation_reassigns_to_a_queue_and_one_without_queue_is_refused(user: User):
    await select_step(user, "billing_complaint", "task_investigate")
    await choose(user, "sla-escalation-action", "reassign")
    await click(user, "add-sla-escalation")
    await user.should_see("a reassign escalation needs the queue to reassign to")
    assert saved_draft("billing_complaint") is None
    await choose(user, "sla-escalation-action", "reassign")
    await choose(user, "sla-escalation-queue", "collections")
    await click(user, "add-sla-escalation")
    escalations = saved_node("billing_complaint", "task_investigate")["sla"]["escalations"]
    assert escalations[-1] == {"action": "reassign", "queue": "collections"}  # at the breach: the default
    await user.should_see(marker="sla-escalation-3")
    await click(user, "remove-sla-escalation-0")
    assert len(saved_node("billing_complaint", "task_investigate")["sla"]["escalations"]) == 3


@pytest.mark.anyio
async def test_an_automatic_step_gets_an_assignment_and_loses_its_table(user: User):
    await select_step(user, "billing_complaint", "auto_route_credit")
    await choose(user, "new-assignments-variable", "handling")
    user.find(marker="new-assignments-expression").type('"manual"')
    await click(user, "add-assignments")
    await choose(user, "automatic-table", "")
    node = saved_node("billing_complaint", "auto_route_credit")
    assert node["assignments"][-1] == {"variable": "handling", "expression": '"manual"'}
    assert "decision_table" not in node
    await user.should_see(marker="assignments-1")
    expression = user.find(marker="new-assignments-expression").elements.pop()
    assert "disputed_amount" in expression.props["_autocomplete"]  # completes the case's names
    await enter(user, "automatic-connector", "billing.route", "blur")
    assert saved_node("billing_complaint", "auto_route_credit")["connector"] == "billing.route"


@pytest.mark.anyio
async def test_an_automatic_step_that_would_do_nothing_is_refused(user: User):
    await select_step(user, "card_activation", "auto_identity_check")
    await choose(user, "automatic-table", "")
    await user.should_see("an automatic step must set a variable")
    assert value_of(user, "automatic-table") == "identity_risk"


@pytest.mark.anyio
async def test_a_send_step_gets_another_letter_and_a_recipient(user: User):
    await select_step(user, "billing_complaint", "send_acknowledgement")
    await choose(user, "send-letter", "credit_note")
    await enter(user, "send-recipient", "customer.email", "blur")
    node = saved_node("billing_complaint", "send_acknowledgement")
    assert (node["letter"], node["recipient"]) == ("credit_note", "customer.email")
    assert value_of(user, "send-recipient") == "customer.email"


@pytest.mark.anyio
async def test_a_wait_becomes_a_timer_and_a_wonky_duration_is_refused(user: User):
    await select_step(user, "direct_debit_switch", "wait_signed_mandate")
    await choose(user, "wait-mode", "duration")
    await enter(user, "wait-duration", "5 wonky days", "blur")
    await user.should_see("'5 wonky days' is not a duration")
    assert saved_draft("direct_debit_switch") is None
    assert value_of(user, "wait-mode") == "message"
    await choose(user, "wait-mode", "duration")
    await enter(user, "wait-duration", "3 working days", "keydown.enter")
    node = saved_node("direct_debit_switch", "wait_signed_mandate")
    assert (node["wait_for"], node["duration"], "message" in node, "timeout" in node) == (
        "timer", "3 working days", False, False)
    assert value_of(user, "wait-duration") == "3 working days"


@pytest.mark.anyio
async def test_a_subprocess_passes_data_to_the_called_process_and_takes_some_back(user: User):
    await select_step(user, "move_house", "sub_change_address")
    assert "change_of_address" in user.find(marker="subprocess-process").elements.pop().options
    inputs = user.find(marker="new-inputs-variable").elements.pop()
    assert "identity_method" in inputs.options  # the called process's variables
    await choose(user, "new-inputs-variable", "previous_address")
    user.find(marker="new-inputs-expression").type("new_city")
    await click(user, "add-inputs")
    await choose(user, "new-outputs-variable", "old_supply_ended")
    user.find(marker="new-outputs-expression").type("identity_verified")
    await click(user, "add-outputs")
    await click(user, "remove-inputs-0")
    node = saved_node("move_house", "sub_change_address")
    assert node["inputs"][-1] == {"target": "previous_address", "expression": "new_city"}
    assert node["outputs"][-1] == {"target": "old_supply_ended", "expression": "identity_verified"}
    assert "new_street" not in [m["target"] for m in node["inputs"]]
    await user.should_see(marker="outputs-1")


@pytest.mark.anyio
async def test_an_end_records_its_outcome_and_undo_reverts_it(user: User):
    await select_step(user, "billing_complaint", "end_rejected")
    await enter(user, "end-outcome", "Afgewezen na onderzoek", "blur")
    assert saved_node("billing_complaint", "end_rejected")["outcome"] == "Afgewezen na onderzoek"
    await click(user, "undo")
    assert saved_node("billing_complaint", "end_rejected")["outcome"] == "Klacht afgewezen"
    assert value_of(user, "end-outcome") == "Klacht afgewezen"


@pytest.mark.anyio
async def test_the_process_settings_and_case_sla_are_set_on_the_data_tab(user: User):
    await sign_in(user, "ann", "ann-demo", target="/design/billing_complaint")
    await user.should_see(marker="process-settings-title")
    assert (value_of(user, "case-sla-target"), value_of(user, "case-sla-warning")) == ("5 working days",
                                                                                       "4 working days")
    assert user.find(marker="process-language").elements.pop().options == {"nl": "Nederlands", "en": "English"}
    await enter(user, "process-owner", "Teamleider billing", "blur")
    await enter(user, "case-sla-target", "8 working days", "blur")
    await choose(user, "case-sla-escalation-action", "notify")
    user.find(marker="case-sla-escalation-notify").type('"lead@example.org"')
    await click(user, "add-case-sla-escalation")
    document = saved_draft("billing_complaint")
    assert document["owner"] == "Teamleider billing"
    assert document["case_sla"]["target"] == "8 working days"
    assert document["case_sla"]["escalations"][-1] == {"action": "notify", "notify": '"lead@example.org"'}
    await enter(user, "case-sla-warning", "soon", "blur")
    await user.should_see("'soon' is not a duration")
    assert saved_draft("billing_complaint")["case_sla"]["warning"] == "4 working days"
    await enter(user, "process-name", "")
    await user.should_see("Give the process a name")


def read_dutch(user_id: str = "ann") -> None:
    from nicegui import app

    from runtime.accounts import Accounts
    from tests.people import person

    Accounts(app.state.runtime).set_language(person("ann"), user_id, "nl")


@pytest.mark.anyio
async def test_a_dutch_designer_reads_and_types_the_case_sla_in_dutch_and_chooses_the_language_by_name(user: User):
    read_dutch()
    await sign_in(user, "ann", "ann-demo", target="/design/billing_complaint")
    await user.should_see(marker="process-settings-title")
    assert (value_of(user, "case-sla-target"), value_of(user, "case-sla-warning")) == ("5 werkdagen", "4 werkdagen")
    language = user.find(marker="process-language").elements.pop()
    assert (language.value, language.options) == ("nl", {"nl": "Nederlands", "en": "English"})
    await enter(user, "case-sla-target", "6 werkdagen")
    await enter(user, "case-sla-warning", "36 uur")
    sla = saved_draft("billing_complaint")["case_sla"]
    assert (sla["target"], sla["warning"]) == ("6 working days", "36 hours")  # kept as before, in English
    await enter(user, "case-sla-warning", "2 working days")  # English is still understood
    assert saved_draft("billing_complaint")["case_sla"]["warning"] == "2 working days"
    await choose(user, "process-language", "en")
    assert saved_draft("billing_complaint")["language"] == "en"


@pytest.mark.anyio
async def test_a_dutch_designer_reads_and_types_a_steps_durations_in_dutch(user: User):
    read_dutch()
    await select_step(user, "billing_complaint", "task_investigate")
    assert (value_of(user, "sla-target"), value_of(user, "sla-warning")) == ("5 werkdagen", "3 werkdagen")
    await enter(user, "sla-warning", "1 werkdag")
    assert saved_node("billing_complaint", "task_investigate")["sla"]["warning"] == "1 working days"
    await select_step(user, "direct_debit_switch", "wait_signed_mandate")
    assert value_of(user, "wait-timeout") == "10 dagen"
    await enter(user, "wait-timeout", "2 weken")
    assert saved_node("direct_debit_switch", "wait_signed_mandate")["timeout"] == "2 weeks"


def test_a_process_in_a_language_the_switch_does_not_offer_keeps_it_under_its_own_name():
    from designer.pages.editor.process_settings import language_choices

    assert language_choices("en") == {"nl": "Nederlands", "en": "English"}
    assert language_choices("de") == {"nl": "Nederlands", "en": "English", "de": "Deutsch"}
    assert language_choices("zz-nothing")["zz-nothing"] == "zz-nothing"


@pytest.mark.anyio
async def test_a_records_variable_is_added_with_two_fields_and_shown_with_them(user: User):
    await sign_in(user, "ann", "ann-demo", target="/design/billing_complaint")
    await user.should_see(marker="case-data-title")
    user.find(marker="new-variable-label").type("Factuurregels")
    user.find(marker="new-variable").type("invoice_lines")
    await choose(user, "new-variable-type", "records")
    user.find(marker="new-field-name").type("amount")
    await choose(user, "new-field-type", "money")
    await click(user, "add-field")
    user.find(marker="new-field-name").type("period")
    await choose(user, "new-field-type", "text")
    await click(user, "add-field")
    await user.should_see(marker="new-field-period")
    await click(user, "add-variable")
    variable = next(v for v in saved_draft("billing_complaint")["variables"]
                    if v["name"] == "invoice_lines")
    assert variable["fields"] == [{"name": "amount", "type": "money"}, {"name": "period", "type": "text"}]
    await user.should_see(kind=ui.label, content="invoice_lines · records: amount (money), period (text)")
    await user.should_not_see(marker="new-field-amount")  # the pending fields went with the new variable


@pytest.mark.anyio
async def test_a_variable_gets_a_label_and_is_marked_personal(user: User):
    await sign_in(user, "ann", "ann-demo", target="/design/billing_complaint")
    await user.should_see(marker="variable-details")
    offered = user.find(marker="variable-details").elements.pop().options
    assert offered["disputed_amount"] == "Betwist bedrag"  # chosen by the label agents read, not the name
    await choose(user, "variable-details", "invoice_number")
    await enter(user, "variable-label", "Factuurnummer", "blur")
    await click(user, "variable-personal")
    variable = next(v for v in saved_draft("billing_complaint")["variables"]
                    if v["name"] == "invoice_number")
    assert (variable["label"], variable["personal"]) == ("Factuurnummer", True)
    assert value_of(user, "variable-label") == "Factuurnummer"


def test_set_node_fields_lets_the_model_judge_a_priority():
    draft = example("billing_complaint")
    with pytest.raises(EditRejected, match="Step 'Klacht onderzoeken', setting 'priority': must be at most 5"):
        draft.apply(set_node_fields, "task_investigate", {"priority": 6})
    assert draft.bundle.node("task_investigate").priority == 2
