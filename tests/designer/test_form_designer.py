"""The form designer: pure edits of a process's forms, and the forms tab of the editor in NiceGUI's user simulation."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from nicegui import ElementFilter, ui
from nicegui.testing import User

from models.checks import Severity
from models.editing import Draft, EditRejected
from models.editing.forms import (
    ELEMENT_KINDS,
    add_field,
    add_form,
    add_validation,
    create_variable,
    move_field,
    remove_form,
    remove_validation,
    set_field,
    step_field,
)
from models.forms import InputField
from tests.designer.helpers import open_editor_tab, saved_draft

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
XSS = "<img src=x onerror=alert(1)>"


def example(key: str) -> Draft:
    return Draft(json.loads((EXAMPLES / f"{key}.json").read_text()))


def ids(draft: Draft, form_id: str, container: str | None = None) -> list[str]:
    form = draft.bundle.form(form_id)
    holder = form if container is None else next(e for e in form.walk() if e.id == container)
    return [e.id for e in holder.fields]


def element(draft: Draft, form_id: str, element_id: str):
    return next(e for e in draft.bundle.form(form_id).walk() if e.id == element_id)


def errors_on(draft: Draft, element_id: str) -> list[str]:
    return [f.message for f in draft.findings() if f.element == element_id and f.severity is Severity.ERROR]


# The pure edits, committed through a draft ------------------------------------------------


def test_a_field_of_every_kind_can_be_added_with_an_id_unique_in_the_process():
    draft = Draft.new("p", "P")
    draft.apply(add_form, "intake", "Intake")
    draft.apply(add_form, "check", "Check")
    for kind in ELEMENT_KINDS:
        draft.apply(lambda doc, k=kind: add_field(doc, "intake", k)[0])
    draft.apply(lambda doc: add_field(doc, "check", "text")[0])
    intake = ids(draft, "intake")
    assert [element(draft, "intake", i).kind for i in intake] == list(ELEMENT_KINDS)
    assert element(draft, "intake", "boolean_1").label == "Yes/no"
    assert ids(draft, "check") == ["text_2"]  # text_1 is on the other form
    assert not set(intake) & {n.id for n in draft.bundle.nodes}


def test_fields_are_reordered_and_moved_into_and_out_of_a_section():
    draft = Draft.new("p", "P")
    draft.apply(add_form, "intake", "Intake")
    for kind in ("text", "number", "section", "date"):
        draft.apply(lambda doc, k=kind: add_field(doc, "intake", k)[0])
    draft.apply(move_field, "intake", "date_1", None, 0)
    assert ids(draft, "intake") == ["date_1", "text_1", "number_1", "section_1"]
    draft.apply(move_field, "intake", "text_1", "section_1")
    draft.apply(move_field, "intake", "number_1", "section_1", 0)
    assert ids(draft, "intake", "section_1") == ["number_1", "text_1"]
    draft.apply(step_field, "intake", "text_1", -1)
    assert ids(draft, "intake", "section_1") == ["text_1", "number_1"]
    draft.apply(move_field, "intake", "text_1", None)
    assert ids(draft, "intake") == ["date_1", "section_1", "text_1"]
    with pytest.raises(EditRejected, match="already the first"):
        draft.apply(step_field, "intake", "date_1", -1)


def test_sections_and_groups_only_go_where_the_form_can_hold_them():
    draft = Draft.new("p", "P")
    draft.apply(add_form, "intake", "Intake")
    for kind in ("section", "group", "text"):
        draft.apply(lambda doc, k=kind: add_field(doc, "intake", k)[0])
    before = draft.document
    with pytest.raises(EditRejected, match="into itself"):
        draft.apply(move_field, "intake", "section_1", "section_1")
    with pytest.raises(EditRejected, match="repeating group holds plain fields"):
        draft.apply(move_field, "intake", "section_1", "group_1")
    with pytest.raises(EditRejected, match="is a field"):
        draft.apply(move_field, "intake", "section_1", "text_1")
    with pytest.raises(EditRejected, match="not a kind of form field"):
        draft.apply(lambda doc: add_field(doc, "intake", "signature")[0])
    assert draft.document == before


def test_field_settings_are_kept_and_settings_that_do_not_fit_the_kind_are_refused():
    draft = example("billing_complaint")
    draft.apply(set_field, "complaint_intake", "disputed_amount",
                {"max": 5000, "visible_when": "invoice_number != ''", "help": "Incl. VAT"})
    amount = element(draft, "complaint_intake", "disputed_amount")
    assert (amount.max, amount.visible_when, amount.help) == (5000, "invoice_number != ''", "Incl. VAT")
    assert errors_on(draft, "disputed_amount") == []
    with pytest.raises(EditRejected, match=r": field .*: the minimum \(9,000\) is more than the maximum \(5,000\)$"):
        draft.apply(set_field, "complaint_intake", "disputed_amount", {"min": 9000})
    with pytest.raises(EditRejected, match="only choice fields have options"):
        draft.apply(set_field, "complaint_intake", "disputed_amount", {"options": [{"value": "a"}]})
    with pytest.raises(EditRejected, match="kind cannot be set"):
        draft.apply(set_field, "complaint_intake", "disputed_amount", {"kind": "text"})
    with pytest.raises(EditRejected, match=r"pattern of field 'Factuurnummer'.*look-around"):
        draft.apply(set_field, "complaint_intake", "invoice_number", {"pattern": "^(?!X)F[0-9]+$"})
    draft.apply(set_field, "complaint_intake", "disputed_amount", {"max": None, "help": ""})
    amount = element(draft, "complaint_intake", "disputed_amount")
    assert (amount.max, amount.help) == (None, "")


def test_validations_are_added_with_their_message_and_removed():
    draft = example("billing_complaint")
    draft.apply(add_validation, "complaint_intake", "disputed_amount", "value < 10000", "Ask a supervisor")
    rules = element(draft, "complaint_intake", "disputed_amount").validations
    assert [(r.expression, r.message) for r in rules][-1] == ("value < 10000", "Ask a supervisor")
    assert errors_on(draft, "disputed_amount") == []
    with pytest.raises(EditRejected, match="message the agent sees"):
        draft.apply(add_validation, "complaint_intake", "disputed_amount", "value > 1", " ")
    draft.apply(remove_validation, "complaint_intake", "disputed_amount", len(rules) - 1)
    assert len(element(draft, "complaint_intake", "disputed_amount").validations) == len(rules) - 1


def test_a_bad_expression_on_a_field_is_a_problem_of_that_field():
    draft = example("billing_complaint")
    draft.apply(set_field, "complaint_intake", "invoice_date", {"visible_when": "invoice_numbr != ''"})
    assert any("unknown name 'invoice_numbr'" in message for message in errors_on(draft, "invoice_date"))


def test_a_created_variable_fits_the_field_and_the_checks_agree():
    draft = Draft.new("p", "P")
    draft.apply(add_form, "intake", "Intake")
    for kind in ("money", "email", "long_text", "choice"):
        draft.apply(lambda doc, k=kind: add_field(doc, "intake", k)[0])
    assert errors_on(draft, "money_1")  # no variable chosen yet
    draft.apply(create_variable, "intake", "money_1", "claim_amount")
    draft.apply(create_variable, "intake", "email_1", "reply_to")
    draft.apply(create_variable, "intake", "long_text_1", "story")
    with pytest.raises(EditRejected, match="options first"):
        draft.apply(create_variable, "intake", "choice_1", "reason")
    draft.apply(set_field, "intake", "choice_1", {"options": [{"value": "move"}, {"value": "other"}]})
    draft.apply(create_variable, "intake", "choice_1", "reason")
    types = {v.name: v.type.value for v in draft.bundle.variables}
    assert types == {"claim_amount": "money", "reply_to": "email", "story": "text", "reason": "choice"}
    assert element(draft, "intake", "money_1").variable == "claim_amount"
    assert all(not errors_on(draft, f) for f in ("money_1", "email_1", "long_text_1", "choice_1"))
    with pytest.raises(EditRejected, match="already a variable 'story'"):
        draft.apply(create_variable, "intake", "email_1", "story")


def test_a_repeating_group_gets_a_list_variable_with_a_field_per_form_field():
    draft = Draft.new("p", "P")
    draft.apply(add_form, "intake", "Intake")
    draft.apply(lambda doc: add_field(doc, "intake", "group")[0])
    with pytest.raises(EditRejected, match="Add the fields"):
        draft.apply(create_variable, "intake", "group_1", "lines")
    draft.apply(lambda doc: add_field(doc, "intake", "money", "group_1")[0])
    draft.apply(create_variable, "intake", "group_1", "lines")
    lines = draft.bundle.variable("lines")
    assert (lines.type.value, [(f.name, f.type.value) for f in lines.fields]) == ("records", [("money_1", "money")])
    assert element(draft, "intake", "group_1").variable == "lines"
    assert not errors_on(draft, "group_1") and not errors_on(draft, "money_1")


def test_removing_a_form_a_task_uses_is_reported_on_the_task():
    draft = example("billing_complaint")
    task = next(n.id for n in draft.bundle.nodes if getattr(n, "form", None) == "complaint_intake")
    draft.apply(remove_form, "complaint_intake")
    assert errors_on(draft, task)
    draft.undo()
    assert draft.bundle.form("complaint_intake") is not None and not errors_on(draft, task)


# The forms tab -----------------------------------------------------------------------------


async def open_forms(user: User, key: str = "billing_complaint") -> None:
    await open_editor_tab(user, key, "forms", "forms-title")


async def refreshed(user: User, action) -> None:
    """Do `action` (a user interaction), then let the panels show the draft again (they refresh in the background)."""
    action()
    await asyncio.sleep(0.05)


async def select(user: User, element_id: str) -> None:
    user.find(marker=f"layout-{element_id}").click()
    await user.should_see(f"id {element_id}")


def saved(key: str = "billing_complaint") -> Draft:
    return Draft(saved_draft(key))


def tabs_value(user: User) -> str:
    """The editor tab showing (the value of the tabs that hold the forms tab)."""
    return user.find(marker="tab-forms").elements.pop().parent_slot.parent.value


@pytest.mark.anyio
async def test_a_new_form_gets_fields_from_the_palette_that_are_reordered_with_the_buttons(user: User):
    await open_forms(user)
    user.find(marker="new-form-id").type("callback")
    user.find(marker="new-form-name").type("Call the customer back")
    user.find(marker="add-form").click()
    await user.should_see(marker="pick-form-callback")
    await user.should_see(marker="no-field-selected")
    for kind, added in (("text", "text_1"), ("money", "money_1"), ("choice", "choice_1")):
        user.find(marker=f"palette-{kind}").click()  # each goes after the one added before, and is selected
        await user.should_see(f"id {added}")
    assert ids(saved(), "callback") == ["text_1", "money_1", "choice_1"]
    user.find(marker="up-money_1").click()
    assert ids(saved(), "callback") == ["money_1", "text_1", "choice_1"]
    await user.should_see(marker="down-money_1")
    user.find(marker="down-money_1").click()
    assert ids(saved(), "callback") == ["text_1", "money_1", "choice_1"]
    user.find(marker="remove-field-choice_1").click()
    await user.should_not_see(marker="layout-choice_1")
    await user.should_see(marker="remove-form-callback")
    user.find(marker="remove-form-callback").click()
    await user.should_not_see(marker="pick-form-callback")
    assert saved().bundle.form("callback") is None
    user.find(marker="pick-form-investigation").click()
    await user.should_see(marker="layout-show_invoice")


@pytest.mark.anyio
async def test_a_palette_entry_dropped_on_a_field_lands_before_it_and_fields_are_dragged_into_sections(
        user: User):
    await open_forms(user)
    await user.should_see(marker="layout-invoice_date")
    user.find(marker="palette-iban").trigger("dragstart")
    user.find(marker="layout-invoice_date").trigger("drop")
    assert ids(saved(), "complaint_intake", "sec_invoice") == [
        "invoice_number", "iban_1", "invoice_date", "disputed_amount"]
    await user.should_see("Bank account (IBAN) · id iban_1")  # the new field is selected
    user.find(marker="layout-iban_1").trigger("dragstart")
    user.find(marker="drop-into-sec_complaint").trigger("drop")
    assert ids(saved(), "complaint_intake", "sec_complaint") == ["category", "description", "iban_1"]
    await user.should_see(marker="layout-iban_1")
    user.find(marker="layout-invoice_number").trigger("dragstart")
    user.find(marker="drop-end").trigger("drop")
    assert ids(saved(), "complaint_intake") == ["sec_invoice", "sec_complaint", "invoice_number"]
    user.find(marker="drop-end").trigger("drop")  # a drop with nothing dragged changes nothing
    assert ids(saved(), "complaint_intake") == ["sec_invoice", "sec_complaint", "invoice_number"]
    await user.should_see(marker="layout-sec_complaint")
    user.find(marker="layout-sec_complaint").trigger("dragstart")
    user.find(marker="layout-sec_invoice").trigger("drop")
    assert ids(saved(), "complaint_intake") == ["sec_complaint", "sec_invoice", "invoice_number"]


@pytest.mark.anyio
async def test_a_field_is_moved_into_another_section_without_a_mouse(user: User):
    await open_forms(user)
    await select(user, "invoice_date")
    with user.client:
        user.find(marker="prop-place").elements.pop().value = "sec_complaint"
    assert ids(saved(), "complaint_intake", "sec_complaint") == ["category", "description", "invoice_date"]
    await user.should_see("Section 'Klacht'")  # where it is now, and still selected
    with user.client:
        user.find(marker="prop-place").elements.pop().value = ""
    assert ids(saved(), "complaint_intake")[-1] == "invoice_date"


@pytest.mark.anyio
async def test_field_settings_visibility_and_a_validation_are_set_in_the_property_panel(user: User):
    await open_forms(user)
    await select(user, "disputed_amount")
    await refreshed(user, lambda: user.find(marker="prop-help").clear().type("Inclusief btw").trigger("blur"))
    await refreshed(user, lambda: user.find(marker="prop-max").clear().type("5000").trigger("blur"))
    await refreshed(user, lambda: user.find(marker="prop-visible").clear().type("invoice_number != ''")
                    .trigger("keydown.enter"))
    user.find(marker="new-validation-expression").type("value < 10000")
    user.find(marker="new-validation-message").type("Boven de 10.000 euro beslist de supervisor")
    user.find(marker="add-validation").click()
    await user.should_see("Boven de 10.000 euro beslist de supervisor")
    await refreshed(user, lambda: user.find(marker="prop-required").click())
    amount = element(saved(), "complaint_intake", "disputed_amount")
    assert isinstance(amount, InputField)
    assert (amount.help, amount.max, amount.visible_when, amount.required) == (
        "Inclusief btw", 5000, "invoice_number != ''", False)
    assert (amount.validations[-1].expression, amount.validations[-1].message) == (
        "value < 10000", "Boven de 10.000 euro beslist de supervisor")
    # the amount may now be left empty, so the one finding is the acknowledgement e-mail that quotes it
    await user.should_see("Problems (1)")
    await user.should_see(marker="problem-complaint_received")


@pytest.mark.anyio
async def test_a_choice_field_gets_options_and_a_new_variable_of_its_type(user: User):
    await open_forms(user)
    user.find(marker="palette-choice").click()
    await user.should_see("Choice · id choice_1")
    await refreshed(user, lambda: user.find(marker="prop-options").type("phone = By phone, letter").trigger("blur"))
    user.find(marker="field-new-variable").type("callback_channel")
    user.find(marker="create-variable").click()
    draft = saved()
    variable = draft.bundle.variable("callback_channel")
    assert (variable.type.value, variable.option_values()) == ("choice", ["phone", "letter"])
    assert element(draft, "complaint_intake", "choice_1").variable == "callback_channel"
    assert errors_on(draft, "choice_1") == []
    await user.should_see(marker="variable-callback_channel")  # the case data tab lists it too


@pytest.mark.anyio
async def test_a_bad_visibility_expression_is_a_problem_that_opens_the_field_when_clicked(user: User):
    await open_forms(user)
    await select(user, "invoice_date")
    user.find(marker="prop-visible").clear().type("invoice_numbr != ''").trigger("blur")
    await user.should_see(marker="problem-invoice_date")
    await select(user, "description")  # another field selected meanwhile
    user.find(marker="tab-flow").click()
    assert tabs_value(user) == "flow"
    await refreshed(user, lambda: user.find(marker="problem-invoice_date").click())
    assert tabs_value(user) == "forms"
    assert user.find(marker="prop-label").elements.pop().value == "Factuurdatum"
    assert user.find(marker="prop-visible").elements.pop().value == "invoice_numbr != ''"


@pytest.mark.anyio
async def test_a_label_with_markup_is_kept_and_shown_as_text(user: User):
    await open_forms(user)
    await select(user, "invoice_number")
    await refreshed(user, lambda: user.find(marker="prop-label").clear().type(XSS).trigger("blur"))
    assert element(saved(), "complaint_intake", "invoice_number").label == XSS
    shown = user.find(marker="layout-label-invoice_number").elements.pop()
    assert isinstance(shown, ui.label) and shown.text == XSS
    with user.client:
        as_markup = [e for e in ElementFilter(kind=(ui.html, ui.markdown), only_visible=False) if "<img" in e.content]
    assert as_markup == []


@pytest.mark.anyio
async def test_undo_reverts_a_field_edit(user: User):
    await open_forms(user)
    await select(user, "invoice_number")
    user.find(marker="prop-label").clear().type("Invoice number").trigger("keydown.enter")
    await user.should_see("Invoice number")
    await refreshed(user, lambda: user.find(marker="undo").click())
    assert element(saved(), "complaint_intake", "invoice_number").label == "Factuurnummer"
    assert user.find(marker="layout-label-invoice_number").elements.pop().text == "Factuurnummer"
    assert user.find(marker="prop-label").elements.pop().value == "Factuurnummer"  # still selected
    await refreshed(user, lambda: user.find(marker="redo").click())
    assert user.find(marker="layout-label-invoice_number").elements.pop().text == "Invoice number"


@pytest.mark.anyio
async def test_a_refused_setting_is_explained_and_changes_nothing(user: User):
    await open_forms(user)
    await select(user, "disputed_amount")
    user.find(marker="prop-max").clear().type("0").trigger("blur")  # min is 0.01
    await user.should_see("the minimum (0.01) is more than the maximum (0)")
    assert saved_draft("billing_complaint") is None


@pytest.mark.anyio
async def test_the_preview_shows_hides_and_checks_fields_as_the_agent_will_see_them(user: User):
    await open_forms(user)
    await user.should_see(marker="preview")
    await select(user, "description")
    await refreshed(user, lambda: user.find(marker="prop-visible").clear().type('complaint_category == "other"')
                    .trigger("blur"))
    await user.should_not_see(marker="field-description")  # the form writes the category: it starts empty
    with user.client:
        user.find(marker="field-category").elements.pop().value = "other"
    await user.should_see(marker="field-description")
    user.find(marker="preview-check").click()
    await user.should_see(marker="error-disputed_amount")
    user.find(marker="field-disputed_amount").type("80.00")
    await user.should_not_see(marker="error-disputed_amount")


@pytest.mark.anyio
async def test_the_preview_waits_for_a_broken_expression_to_be_fixed(user: User):
    await open_forms(user)
    await select(user, "invoice_date")
    await refreshed(user, lambda: user.find(marker="prop-visible").clear().type("invoice_number >").trigger("blur"))
    await user.should_see(marker="preview-unavailable")
    await refreshed(user, lambda: user.find(marker="prop-visible").clear().trigger("blur"))
    await user.should_see(marker="field-invoice_date")


@pytest.mark.anyio
async def test_a_setting_saved_as_it_loses_focus_leaves_the_settings_in_place_for_the_next_one(user: User):
    await open_forms(user)
    await select(user, "invoice_number")
    next_setting = user.find(marker="field-new-variable").elements.pop()
    await refreshed(user, lambda: user.find(marker="prop-label").clear().type("Invoice number").trigger("blur"))
    assert element(saved(), "complaint_intake", "invoice_number").label == "Invoice number"
    assert user.find(marker="layout-label-invoice_number").elements.pop().text == "Invoice number"
    assert user.find(marker="field-new-variable").elements == {next_setting}  # not drawn again: focus, typing kept
    await refreshed(user, lambda: user.find(marker="prop-label").clear().type("Factuurnummer").trigger("blur"))
    assert element(saved(), "complaint_intake", "invoice_number").label == "Factuurnummer"  # back again
