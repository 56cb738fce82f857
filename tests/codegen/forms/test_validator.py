"""The server-side check of a submitted form: per-field plain messages, visibility, groups, exact money."""

from __future__ import annotations

from decimal import Decimal

import pytest

from codegen.forms import check_submission
from tests.codegen.forms.forms import COMPLAINT_FORM, COMPLAINT_VARIABLES, compiler, form, variables

VALID = {"amount": "80.00", "justified": True, "channel": "mail", "lines": [{"item": "Meter", "price": "12.50"}]}


def check(entered, case_values=None, the_form=COMPLAINT_FORM, declared=COMPLAINT_VARIABLES):
    return check_submission(the_form, declared, entered, case_values or {}, compiler(declared))


def test_a_valid_submission_comes_back_in_canonical_form():
    submission = check(VALID | {"paid_on": "2026-03-01"})
    assert submission.errors == {}
    assert submission.values["amount"] == Decimal("80.00")
    assert submission.values["lines"] == [{"item": "Meter", "price": Decimal("12.50")}]
    assert str(submission.values["paid_on"]) == "2026-03-01"


def test_money_stays_exact():
    amounts = variables({"name": "a", "type": "money"}, {"name": "b", "type": "money"})
    the_form = form({"id": "a", "kind": "money", "label": "A", "variable": "a"},
                    {"id": "b", "kind": "money", "label": "B", "variable": "b",
                     "validations": [{"expression": "a + b == 0.30", "message": "A and B must make 0.30"}]})
    submission = check({"a": "0.10", "b": "0,20"}, the_form=the_form, declared=amounts)
    assert submission.errors == {}  # in floats 0.1 + 0.2 is 0.30000000000000004
    assert submission.values["a"] + submission.values["b"] == Decimal("0.30")
    assert check({"a": 0.1, "b": "0.2"}, the_form=the_form, declared=amounts).errors == {}


@pytest.mark.parametrize(("typed", "amount"), [("1.234,56", "1234.56"), ("1234.56", "1234.56"),
                                               ("1,234.56", "1234.56"), ("1234,5", "1234.50"),
                                               ("€ 1.234.567", "1234567.00"), ("1,5", "1.50")])
def test_amounts_are_read_as_people_type_them(typed, amount):
    assert check(VALID | {"amount": typed, "lines": [{"item": "x"}]}).values["amount"] == Decimal(amount)


@pytest.mark.parametrize(("typed", "message"), [
    ("1.234", "'1.234' has more than two decimals"),  # never guessed to be 1234
    ("12,345", "'12,345' has more than two decimals"),
    ("ten", "'ten' is not an amount; write e.g. 1.234,56"),
    ("0", "'Disputed amount' must be at least 0.01"),
])
def test_an_amount_that_does_not_fit_is_refused_in_plain_words(typed, message):
    assert check(VALID | {"amount": typed, "lines": [{"item": "x"}]}).errors == {"amount": message}


def test_each_wrong_field_gets_its_own_message():
    errors = check({"justified": False, "reason": "Too short", "channel": "fax",
                    "lines": [{"item": ""}, {"item": "Meter", "price": "99"}], "paid_on": "1-2-2026"}).errors
    assert errors == {
        "amount": "'Disputed amount' is required",
        "reason": "'Why not' needs at least 10 characters",
        "channel": "'Reply' must be one of the options offered (By <b>letter</b>, By phone)",
        "paid_on": "'1-2-2026' is not a date; write YYYY-MM-DD",
        "lines[1].item": "'Item' is required",
        "lines[2].price": "'Price' cannot be checked: cannot work out `price <= amount`: 'amount' has no value yet",
    }


def test_a_validation_expression_gives_the_authors_message():
    entered = VALID | {"lines": [{"item": "Meter", "price": "80.01"}]}
    assert check(entered).errors == {"lines[1].price": "A line cannot cost more than the amount"}


def test_a_hidden_field_is_neither_required_nor_checked_nor_submitted():
    submission = check(VALID | {"reason": "short"})  # justified: the reason is not asked
    assert submission.errors == {}
    assert "reason" not in submission.values
    assert "reason" in submission.hidden


def test_a_hidden_section_hides_its_fields():
    declared = variables({"name": "kind", "type": "text"}, {"name": "iban", "type": "iban"})
    the_form = form({"id": "kind", "kind": "text", "label": "Kind", "variable": "kind"},
                    {"id": "bank", "kind": "section", "label": "Bank", "visible_when": 'kind == "refund"',
                     "fields": [{"id": "iban", "kind": "iban", "label": "IBAN", "variable": "iban", "required": True}]})
    assert check({"kind": "letter", "iban": "nonsense"}, the_form=the_form, declared=declared).errors == {}
    assert check({"kind": "refund"}, the_form=the_form, declared=declared).errors == {"iban": "'IBAN' is required"}
    refund = check({"kind": "refund", "iban": "nl91 abna 0417 1643 00"}, the_form=the_form, declared=declared)
    assert refund.values["iban"] == "NL91ABNA0417164300"


def test_a_row_field_is_hidden_row_by_row():
    submission = check(VALID | {"lines": [{"item": "discount", "price": "nonsense"},
                                          {"item": "Meter", "price": "1.00", "note": "kept"}]})
    assert submission.errors == {}
    assert submission.values["lines"] == [{"item": "discount"},
                                          {"item": "Meter", "price": Decimal("1.00"), "note": "kept"}]
    assert submission.hidden >= {"lines[1].price"}


@pytest.mark.parametrize(("rows", "message"), [
    ([], "'Invoice lines' needs at least 1 row(s)"),
    ([{"item": "a"}, {"item": "b"}, {"item": "c"}], "'Invoice lines' may have at most 2 rows"),
    ("a, b", "'Invoice lines' expects a list of rows"),
])
def test_a_group_keeps_within_its_minimum_and_maximum_rows(rows, message):
    assert check(VALID | {"lines": rows}).errors == {"lines": message}


def test_a_value_not_entered_is_the_case_value():
    assert check({k: v for k, v in VALID.items() if k != "amount"}, {"amount": Decimal("50.00")}).errors == {}


def test_a_submission_that_is_not_an_object_is_refused():
    assert check(["amount"]).errors == {"(form)": "expected the form's values by variable name"}


def test_a_broken_pattern_is_reported_as_the_forms_fault_not_the_agents():
    declared = variables({"name": "code", "type": "text"})
    the_form = form({"id": "code", "kind": "text", "label": "Code", "variable": "code", "pattern": "([A-Z]"})
    [message] = check({"code": "AB"}, the_form=the_form, declared=declared).errors.values()
    assert message.startswith("'Code' cannot be checked: its pattern is broken")
