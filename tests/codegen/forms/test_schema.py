"""The JSON Schema API clients get for a form: standard draft 2020-12, with the form's rules."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from codegen.forms import form_schema
from models.serialization import load_bundle
from tests.codegen.forms.forms import COMPLAINT_FORM, COMPLAINT_VARIABLES, form, variables

EXAMPLES = sorted(p for p in (Path(__file__).parents[3] / "examples").glob("*.json") if p.stem != "customers")


def test_the_schema_states_the_forms_rules():
    schema = form_schema(COMPLAINT_FORM, COMPLAINT_VARIABLES)
    jsonschema.Draft202012Validator.check_schema(schema)
    properties = schema["properties"]
    assert schema["required"] == ["amount", "channel", "lines"]  # `reason` only when not justified
    assert "invoice" not in properties  # a case value is shown, not submitted
    assert properties["amount"]["pattern"] == r"^-?(0|[1-9][0-9]{0,14})\.[0-9]{2}$"
    assert properties["amount"]["x-flowdesk-minimum"] == "0.01"
    assert properties["channel"]["enum"] == ["mail", "phone"]  # the variable's options
    assert properties["paid_on"]["anyOf"][2] == {"type": "string", "format": "date",  # years 1800..2999
                                                 "pattern": "^(1[89][0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"}
    assert properties["reason"]["x-flowdesk-visible-when"] == "!justified"
    lines = properties["lines"]
    assert (lines["type"], lines["minItems"], lines["maxItems"]) == ("array", 1, 2)
    assert lines["items"]["required"] == ["item"]
    assert lines["items"]["properties"]["price"]["x-flowdesk-validations"] == [
        {"expression": "price <= amount", "message": "A line cannot cost more than the amount"}]


def test_numbers_bound_the_value_and_texts_the_length():
    declared = variables({"name": "n", "type": "number"}, {"name": "t", "type": "text"},
                         {"name": "i", "type": "iban"})
    schema = form_schema(form({"id": "n", "kind": "number", "label": "N", "variable": "n", "required": True,
                               "min": 1, "max": 12.5},
                              {"id": "t", "kind": "text", "label": "T", "variable": "t", "required": True,
                               "min": 2.5, "max": 8, "pattern": "^[A-Z]"},
                              {"id": "i", "kind": "iban", "label": "I", "variable": "i", "required": True,
                               "pattern": "^NL"}), declared)
    n, t, i = (schema["properties"][name] for name in "nti")
    assert (n["type"], n["minimum"], n["maximum"]) == ("number", 1, 12.5)
    assert (t["minLength"], t["maxLength"], t["pattern"]) == (3, 8, "^[A-Z]")
    assert i["format"] == "iban" and i["allOf"] == [{"pattern": "^NL"}]  # its own shape and the author's
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"n": 12.5, "t": "ABC", "i": "NL91ABNA0417164300"})
    assert not validator.is_valid({"n": 13, "t": "ABC", "i": "NL91ABNA0417164300"})
    assert not validator.is_valid({"n": 12, "t": "abc", "i": "NL91ABNA0417164300"})
    assert not validator.is_valid({"n": 12, "t": "ABC", "i": "DE89370400440532013000"})
    assert not validator.is_valid({"n": 12, "t": "ABC", "i": "NL91ABNA0417164300", "other": 1})


def test_an_optional_field_may_be_left_out_null_or_blank():
    declared = variables({"name": "d", "type": "date"})
    validator = jsonschema.Draft202012Validator(
        form_schema(form({"id": "d", "kind": "date", "label": "D", "variable": "d"}), declared),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert all(validator.is_valid(submission) for submission in ({}, {"d": None}, {"d": ""}, {"d": "2026-12-31"}))
    assert not validator.is_valid({"d": "2026-02-30"})


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_form_gives_a_valid_schema(path):
    bundle = load_bundle(path.read_text())
    declared = {v.name: v for v in bundle.variables}
    for the_form in bundle.forms:
        jsonschema.Draft202012Validator.check_schema(form_schema(the_form, declared))
