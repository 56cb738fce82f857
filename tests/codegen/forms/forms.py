"""Tiny forms and case data for the generated-form tests, built inline, plus the compiler a version uses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.data import Variable
from models.expressions import CompiledExpression, ExprType, compile_expression, names_for
from models.forms import Form


def variables(*specs: dict[str, Any]) -> dict[str, Variable]:
    return {spec["name"]: Variable.model_validate(spec) for spec in specs}


def form(*fields: dict[str, Any], form_id: str = "f") -> Form:
    return Form.model_validate({"id": form_id, "fields": list(fields)})


def compiler(declared: Mapping[str, Variable]):
    """What `ProcessVersion.expression` is for a version declaring `declared`."""
    names = names_for(declared.values())

    def compile_(source: str, expect: ExprType | None = None,
                 extra: Mapping[str, ExprType] | None = None) -> CompiledExpression:
        return compile_expression(source, {**names, **(extra or {})}, expect=expect)

    return compile_


#: The complaint form of the page tests: money, a condition, a repeating group, a case value.
COMPLAINT_VARIABLES = variables(
    {"name": "invoice", "type": "text"},
    {"name": "amount", "type": "money"},
    {"name": "justified", "type": "boolean"},
    {"name": "reason", "type": "text"},
    {"name": "channel", "type": "choice", "options": [{"value": "mail", "label": "By <b>letter</b>"},
                                                       {"value": "phone", "label": "By phone"}]},
    {"name": "paid_on", "type": "date"},
    {"name": "lines", "type": "records", "fields": [{"name": "item", "type": "text"},
                                                    {"name": "price", "type": "money"},
                                                    {"name": "note", "type": "text"}]},
)
COMPLAINT_FORM = form(
    {"id": "show_invoice", "kind": "case_value", "label": "Invoice", "variable": "invoice"},
    {"id": "amount", "kind": "money", "label": "Disputed amount", "variable": "amount", "required": True,
     "min": 0.01, "help": "Including <i>VAT</i>"},
    {"id": "justified", "kind": "boolean", "label": "The complaint is justified", "variable": "justified"},
    {"id": "reason", "kind": "long_text", "label": "Why not", "variable": "reason", "required": True,
     "min": 10, "visible_when": "!justified"},
    {"id": "channel", "kind": "choice", "label": "Reply", "variable": "channel", "required": True},
    {"id": "paid_on", "kind": "date", "label": "Paid on", "variable": "paid_on"},
    {"id": "lines", "kind": "group", "label": "Invoice lines", "variable": "lines", "min_items": 1, "max_items": 2,
     "fields": [{"id": "item", "kind": "text", "label": "Item", "variable": "item", "required": True},
                {"id": "price", "kind": "money", "label": "Price", "variable": "price",
                 "visible_when": "item != \"discount\"", "validations": [
                     {"expression": "price <= amount", "message": "A line cannot cost more than the amount"}]}]},
    form_id="complaint",
)
COMPLAINT_VALUES = {"invoice": "<script>alert(1)</script>", "justified": False}
