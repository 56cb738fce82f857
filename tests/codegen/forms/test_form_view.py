"""The agent's form (FormView) in NiceGUI's user simulation: what an agent sees and what it hands on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User

from tests.codegen.forms.forms_shown import VIEWS

pytestmark = [pytest.mark.anyio, pytest.mark.nicegui_main_file(Path(__file__).with_name("form_app.py"))]


async def open_complaint(user: User):
    VIEWS.clear()
    await user.open("/complaint")
    return VIEWS[-1]


def fill_valid(user: User) -> None:
    user.find(marker="field-amount").type("1.234,56")
    user.find(marker="field-justified").click()
    user.find(marker="field-channel").click()
    user.find("By phone").click()
    user.find(marker="field-lines[1].item").type("Meter")
    user.find(marker="field-lines[1].price").type("12,50")


async def test_labels_help_options_and_case_values_show_as_text(user: User):
    await open_complaint(user)
    await user.should_see("<script>alert(1)</script>")  # the case value, as text
    await user.should_see("Including <i>VAT</i>")
    user.find(marker="field-channel").click()
    await user.should_see("By <b>letter</b>")
    await user.should_not_see(marker="field-show_invoice")  # read-only: no input


async def test_money_typed_either_way_comes_back_exact(user: User):
    view = await open_complaint(user)
    fill_valid(user)
    assert view.validate() == {}
    values = view.values()
    assert values["amount"] == Decimal("1234.56")
    assert values["lines"] == [{"item": "Meter", "price": Decimal("12.50")}]
    user.find(marker="field-amount").clear().type("1234.56")
    assert view.values()["amount"] == Decimal("1234.56")


async def test_errors_show_under_their_fields_in_plain_words(user: User):
    view = await open_complaint(user)
    user.find(marker="field-amount").type("12,3456")
    errors = view.validate()
    assert errors == {"amount": "'12,3456' has more than two decimals", "reason": "'Why not' is required",
                      "channel": "'Reply' is required", "lines[1].item": "'Item' is required"}
    await user.should_see("'Why not' is required")
    label = next(iter(user.find(marker="error-reason").elements))
    assert label.text == "'Why not' is required" and label.visible
    user.find(marker="field-reason").type("Bill was correct.")
    assert not label.visible  # a fixed field loses its message as the agent types


async def test_a_field_shows_and_hides_as_the_agent_types(user: User):
    view = await open_complaint(user)
    await user.should_see(marker="field-reason")
    user.find(marker="field-reason").type("short")
    user.find(marker="field-justified").click()  # justified: no reason asked
    await user.should_not_see(marker="field-reason")
    fill_valid(user)
    user.find(marker="field-justified").click()  # fill_valid ticked it again: back to justified
    assert view.validate() == {}  # the hidden, too short reason is not checked ...
    assert "reason" not in view.values()  # ... and not handed on


async def test_a_row_field_hides_per_row(user: User):
    view = await open_complaint(user)
    fill_valid(user)
    user.find(marker="field-lines[1].item").clear().type("discount")
    await user.should_not_see(marker="field-lines[1].price")
    assert view.values()["lines"] == [{"item": "discount"}]


async def test_rows_are_added_and_removed_within_min_and_max(user: User):
    view = await open_complaint(user)
    add = next(iter(user.find(marker="add-lines").elements))
    remove_first = next(iter(user.find(marker="remove-lines[1]").elements))
    assert add.enabled and not remove_first.enabled  # one row at least
    user.find(marker="add-lines").click()
    await user.should_see(marker="field-lines[2].item")
    assert not next(iter(user.find(marker="add-lines").elements)).enabled  # two rows at most
    user.find(marker="field-lines[2].item").type("Second")
    user.find(marker="remove-lines[1]").click()
    await user.should_not_see(marker="field-lines[2].item")
    assert [row["item"] for row in view.values()["lines"]] == ["Second"]


async def test_a_date_comes_back_as_a_date_and_a_wrong_one_is_refused(user: User):
    view = await open_complaint(user)
    fill_valid(user)
    user.find(marker="field-paid_on").type("2026-02-30")
    assert view.validate() == {"paid_on": "'2026-02-30' is not a date; write YYYY-MM-DD"}
    user.find(marker="field-paid_on").clear().type("2026-02-28")
    assert view.validate() == {}
    assert view.values()["paid_on"] == date(2026, 2, 28)


async def test_read_only_values_are_shown_and_not_handed_on(user: User):
    from codegen.forms.view import FormView
    from tests.codegen.forms.forms import COMPLAINT_FORM, COMPLAINT_VARIABLES, compiler

    await user.open("/blank")
    with user.client:
        view = FormView(COMPLAINT_FORM, COMPLAINT_VARIABLES, {}, compiler(COMPLAINT_VARIABLES),
                        read_only_values={"amount": Decimal("80.00"), "lines": [{"item": "Meter", "price": None}]})
    await user.should_see("80.00")
    await user.should_see("item: Meter, price: —")
    await user.should_not_see(marker="add-lines")
    await user.should_not_see(marker="field-amount")
    assert not {"amount", "lines"} & set(view.values())
    assert not {"amount", "lines"} & set(view.validate())
    assert isinstance(view.root, ui.column)


async def test_a_default_fills_an_empty_field_and_a_hidden_section_hides_its_fields(user: User):
    from codegen.forms.view import FormView
    from tests.codegen.forms.forms import compiler, form, variables

    declared = variables({"name": "invoice", "type": "text"}, {"name": "reference", "type": "text"},
                         {"name": "refund", "type": "boolean"}, {"name": "iban", "type": "iban"})
    the_form = form({"id": "reference", "kind": "text", "label": "Reference", "variable": "reference",
                     "default": '"REF-" + invoice'},
                    {"id": "refund", "kind": "boolean", "label": "Refund", "variable": "refund"},
                    {"id": "bank", "kind": "section", "label": "Bank account", "visible_when": "refund",
                     "fields": [{"id": "iban", "kind": "iban", "label": "IBAN", "variable": "iban", "required": True}]})
    await user.open("/blank")
    with user.client:
        view = FormView(the_form, declared, {"invoice": "F1"}, compiler(declared))
    assert next(iter(user.find(marker="field-reference").elements)).value == "REF-F1"
    await user.should_not_see("Bank account")
    assert view.validate() == {}
    user.find(marker="field-refund").click()
    await user.should_see("Bank account")
    assert view.validate() == {"iban": "'IBAN' is required"}
    user.find(marker="field-iban").type("nl91 abna 0417 1643 00")
    assert view.values() == {"reference": "REF-F1", "refund": True, "iban": "NL91ABNA0417164300"}


async def test_a_case_value_nobody_set_reads_as_not_set_not_as_its_declared_default(user: User):
    from codegen.forms.view import FormView
    from tests.codegen.forms.forms import compiler, form, variables

    declared = variables({"name": "approved", "type": "boolean", "label": "Approved", "default": False},
                         {"name": "justified", "type": "boolean", "label": "Justified", "default": False})
    the_form = form({"id": "show_approved", "kind": "case_value", "label": "Approved", "variable": "approved"},
                    {"id": "show_justified", "kind": "case_value", "label": "Justified", "variable": "justified"})
    await user.open("/blank")
    with user.client:  # what a case's values read: the default of `approved`, the `justified` an agent set
        FormView(the_form, declared, {"approved": False, "justified": False}, compiler(declared),
                 defaulted={"approved"})
    assert [label.text for label in user.find(marker="value-show_approved").elements.pop().descendants()
            if isinstance(label, ui.label)] == ["Approved", "—"]
    assert [label.text for label in user.find(marker="value-show_justified").elements.pop().descendants()
            if isinstance(label, ui.label)] == ["Justified", "no"]
