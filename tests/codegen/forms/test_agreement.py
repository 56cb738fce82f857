"""Property: the pydantic validator, the JSON Schema and the agent's form agree on every value.

Hypothesis draws a field (kind, required, min/max, pattern, options), alone
or as the field of a repeating group with at least/at most so many rows, and
a value per row in the spelling an API client sends (the schema's canonical
one; the validator also takes other spellings of the same value, such as
"12.5"). The same values go to the validator as they are, to the JSON Schema
(checked with the `jsonschema` library), and are typed into the NiceGUI form
as an agent would (amounts with a decimal comma and thousands dots). All
three must call them valid, or all invalid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nicegui.testing import User

from codegen.forms import check_submission, form_schema
from codegen.forms.view import FormView
from tests.codegen.forms.forms import compiler, form, variables

DATA_TYPE = {"text": "text", "long_text": "text", "customer_lookup": "text", "email": "email", "phone": "phone",
             "iban": "iban", "number": "number", "money": "money", "date": "date", "boolean": "boolean",
             "choice": "choice"}
TEXTS = ("text", "long_text", "customer_lookup")
PATTERNS = {"text": ["^[A-Z]", "[0-9]{2}", "^F[0-9]{4}$"], "email": ["@example\\.nl$"], "phone": ["^\\+31"],
            "iban": ["^NL"]}
OPTIONS = ["mail", "phone", "visit"]
VALUES: dict[str, st.SearchStrategy] = {
    "text": st.text(alphabet="aF0129 -@.é", max_size=12),
    "email": st.sampled_from(["ann@example.nl", "bo.b@mail.example.com", "ann@example", "ann example.nl",
                              "@example.nl", "a@b.c"]),
    "phone": st.sampled_from(["+31 20 123 4567", "020-1234567", "+31(0)20 1234567", "12345", "phone me",
                              "+44 20 7946 0958"]),
    "iban": st.sampled_from(["NL91ABNA0417164300", "DE89370400440532013000", "GB82WEST12345698765432",
                             "NL91ABNA0417164301", "NL91", "XX00"]),
    "number": st.integers(-2000, 2000) | st.floats(-2000, 2000, allow_nan=False).map(lambda f: round(f, 3))
    | st.sampled_from(["twelve", True]),
    "money": st.decimals(-2000, 2000, places=2).map(lambda d: f"{d:.2f}")
    | st.decimals(-20, 20, places=3).filter(lambda d: d != round(d, 2)).map(str) | st.sampled_from(["ten euro", "1e3"]),
    "date": st.dates().map(lambda d: d.isoformat()) | st.sampled_from(["2026-02-30", "31-12-2026", "tomorrow"]),
    "boolean": st.booleans() | st.just("yes"),
    "choice": st.sampled_from([*OPTIONS, "fax"]),
}


@st.composite
def fields(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(DATA_TYPE)))
    field: dict[str, Any] = {"id": "x", "kind": kind, "label": "The field", "variable": "x",
                             "required": draw(st.booleans())}
    bounds = st.integers(0, 12) if kind in (*TEXTS, "email", "phone", "iban") else \
        st.sampled_from([-100, 0, 0.01, 0.5, 10, 99.99, 1000]) if kind in ("number", "money") else st.none()
    low, high = draw(st.none() | bounds), draw(st.none() | bounds)
    if low is not None and high is not None and low > high:
        low, high = high, low
    field |= {"min": low, "max": high}
    patterns = PATTERNS.get("text" if kind in TEXTS else kind)
    if patterns and draw(st.booleans()):
        field["pattern"] = draw(st.sampled_from(patterns))
    return field


def value_for(kind: str) -> st.SearchStrategy:
    return st.none() | st.just("") | VALUES["text" if kind in TEXTS else kind]


@dataclass
class Drawn:
    """A one-field form, alone or as the one field of a repeating group's rows, and the value(s) entered."""

    field: dict[str, Any]
    values: list[Any]  # one per row, or the one value
    group: dict[str, Any] | None

    @property
    def kind(self) -> str:
        return self.field["kind"]

    def form(self):
        return form(self.group | {"fields": [self.field]} if self.group else self.field)

    def declared(self):
        spec = {"name": "x", "type": DATA_TYPE[self.kind]}
        if self.kind == "choice":
            spec["options"] = [{"value": o} for o in OPTIONS]
        return variables({"name": "g", "type": "records", "fields": [spec]} if self.group else spec)

    def entered(self, values: list[Any]) -> dict[str, Any]:
        return {"g": [{"x": value} for value in values]} if self.group else {"x": values[0]}

    def validator_says(self, values: list[Any]) -> bool:
        declared_ = self.declared()
        return not check_submission(self.form(), declared_, self.entered(values), {}, compiler(declared_)).errors


@st.composite
def drawn(draw: st.DrawFn) -> Drawn:
    field = draw(fields())
    if not draw(st.booleans()):
        return Drawn(field, [draw(value_for(field["kind"]))], None)
    low = draw(st.integers(0, 2))
    group = {"id": "g", "kind": "group", "label": "Rows", "variable": "g", "min_items": low,
             "max_items": draw(st.integers(max(1, low), 3))}
    return Drawn(field, draw(st.lists(value_for(field["kind"]), max_size=4)), group)


def with_money_bounds(validator_class):
    """JSON Schema's `minimum` is for numbers; money bounds are x-flowdesk-minimum/maximum on decimal strings."""
    def bound(check):
        def keyword(validator, limit, instance, schema):
            try:
                amount = Decimal(instance)
            except Exception:  # not an amount: `pattern` refuses it already
                return
            if not check(amount, Decimal(limit)):
                yield jsonschema.ValidationError(f"{instance} is out of bounds ({limit})")
        return keyword

    return jsonschema.validators.extend(validator_class, {
        "x-flowdesk-minimum": bound(lambda amount, limit: amount >= limit),
        "x-flowdesk-maximum": bound(lambda amount, limit: amount <= limit)})


FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER


@FORMATS.checks("iban")
def iban_check_digits(instance: object) -> bool:
    if not isinstance(instance, str) or len(instance) < 5:
        return True  # the pattern decides
    rearranged = instance[4:] + instance[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def schema_valid(schema: dict, submission: dict) -> bool:
    return with_money_bounds(jsonschema.Draft202012Validator)(schema, format_checker=FORMATS).is_valid(submission)


def typed(kind: str, value: Any) -> Any:
    """What an agent types or picks for `value`, or None when the form cannot take it (a checkbox has no 'yes')."""
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if kind == "choice":
        return value if value in OPTIONS else None
    if value is None or isinstance(value, bool):
        return "" if value is None else None
    if kind == "money" and isinstance(value, str) and value.count(".") == 1:
        whole, cents = value.split(".")
        sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
        return f"{sign}{int(digits):,}".replace(",", ".") + "," + cents if digits.isdigit() else value
    if kind == "number" and isinstance(value, float):
        return format(Decimal(repr(value)), "f").replace(".", ",")
    return str(value)


@settings(max_examples=500, deadline=None)
@given(drawn())
def test_validator_and_json_schema_agree(case: Drawn):
    schema = form_schema(case.form(), case.declared())
    assert schema_valid(schema, case.entered(case.values)) == case.validator_says(case.values), case


@pytest.mark.anyio
@pytest.mark.nicegui_main_file(Path(__file__).with_name("form_app.py"))
async def test_the_agents_form_agrees_with_the_validator(user: User):
    await user.open("/blank")

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(drawn())
    def check(case: Drawn):
        if case.group and not case.group["min_items"] <= len(case.values) <= case.group["max_items"]:
            return  # the form offers no way to that many rows; the validator's count rule is tested above
        values, entries = [], []
        for value in case.values:
            entry = typed(case.kind, value)
            if entry is None and case.kind == "boolean":
                value = entry = False  # a checkbox left alone says no
            elif entry is None and case.kind == "choice":
                value = None  # nothing picked
            elif entry is None:
                return  # an input cannot take a yes/no
            values.append(value)
            entries.append(entry)
        with user.client:
            view = FormView(case.form(), case.declared(), {}, compiler(case.declared()))
        if case.group:
            for _ in range(len(values) - case.group["min_items"]):
                user.find(marker="add-g").click()
            markers = [f"field-g[{number}].x" for number in range(1, len(values) + 1)]
        else:
            markers = ["field-x"]
        for marker, entry in zip(markers, entries, strict=True):
            next(iter(user.find(marker=marker).elements)).value = entry
        assert (not view.validate()) == case.validator_says(values), (case, entries)
        view.root.delete()

    check()
