"""JSON Schema (draft 2020-12) of a form's submission, for API clients completing a task.

Properties are keyed by variable, as the API takes them; each carries the
rules of its field kind from `rules.py`: required, min/max, pattern, the
options of a choice as `enum`, money as a decimal string with two places,
dates as `format: date`, repeating groups as arrays of row objects with
minItems/maxItems. An optional field may be left out, null or "".

What JSON Schema cannot say is written as annotations a client may check:
money bounds as `x-flowdesk-minimum`/`x-flowdesk-maximum` (decimal strings;
`minimum` only applies to numbers), an IBAN's check digits as `format: iban`,
validation expressions as `x-flowdesk-validations`, and a visibility condition
as `x-flowdesk-visible-when` (such a field is never in `required`; leave it out
when its condition is false, the server ignores it then).

>>> from models.forms import InputField
>>> form = Form(id="f", fields=[InputField(id="a", kind="money", label="Amount", variable="amount", required=True)])
>>> schema = form_schema(form, {})
>>> schema["required"], schema["properties"]["amount"]["type"]
(['amount'], 'string')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from codegen.forms.rules import FieldRules, field_rules, is_editable, shown
from models.data import Variable
from models.forms import FieldKind, Form, InputField, RepeatingGroup, Section

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def form_schema(form: Form, variables: Mapping[str, Variable]) -> dict[str, Any]:
    """The JSON Schema of what may be submitted on `form` (variable -> value)."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    _elements(form.fields, variables, properties, required, condition="")
    schema: dict[str, Any] = {"$schema": DIALECT, "title": form.name or form.id, "type": "object",
                              "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def _elements(elements: list, variables: Mapping[str, Variable], properties: dict[str, Any], required: list[str],
              condition: str) -> None:
    for element in elements:
        shown_when = _and(condition, element.visible_when)
        if isinstance(element, Section):
            _elements(element.fields, variables, properties, required, shown_when)
        elif isinstance(element, RepeatingGroup):
            if element.variable not in properties:
                properties[element.variable] = _group(element, variables.get(element.variable), shown_when)
                if element.min_items and not shown_when:
                    required.append(element.variable)
        elif is_editable(element) and element.variable not in properties:
            properties[element.variable] = _field(element, variables.get(element.variable), shown_when)
            if element.required and not shown_when:
                required.append(element.variable)


def _group(group: RepeatingGroup, variable: Variable | None, condition: str) -> dict[str, Any]:
    record_fields = {f.name: f for f in variable.fields} if variable else {}
    properties: dict[str, Any] = {}
    required: list[str] = []
    for element in group.fields:
        if is_editable(element) and element.variable not in properties:
            properties[element.variable] = _field(element, record_fields.get(element.variable), element.visible_when)
            if element.required and not element.visible_when:
                required.append(element.variable)
    row: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        row["required"] = required
    rows: dict[str, Any] = {"type": "array", "title": group.label, "items": row, "maxItems": group.max_items}
    if group.min_items:
        rows["minItems"] = group.min_items
    if condition:
        rows["x-flowdesk-visible-when"] = condition
    return rows if group.min_items else _optional(rows)


def _field(field: InputField, variable: Variable | None, condition: str) -> dict[str, Any]:
    rules = field_rules(field, variable)
    schema = {**rules.kind.json, **_constraints(rules)}
    if field.required and schema.get("type") == "string":
        schema["minLength"] = max(1, schema.get("minLength", 0))  # "" is no value
    annotations: dict[str, Any] = {"title": field.label}
    if field.help:
        annotations["description"] = field.help
    if field.validations:
        annotations["x-flowdesk-validations"] = [v.model_dump() for v in field.validations]
    if condition:
        annotations["x-flowdesk-visible-when"] = condition
    if not field.required or condition:  # a client cannot tell whether the condition holds
        return {**annotations, **_optional(schema)}
    return {**annotations, **schema}


def _constraints(rules: FieldRules) -> dict[str, Any]:
    keywords: dict[str, Any] = {}
    if rules.field.kind is FieldKind.MONEY:
        if rules.minimum is not None:
            keywords["x-flowdesk-minimum"] = shown(rules.minimum)
        if rules.maximum is not None:
            keywords["x-flowdesk-maximum"] = shown(rules.maximum)
    else:
        if rules.minimum is not None:
            keywords["minimum"] = _json_number(rules.field.min)
        if rules.maximum is not None:
            keywords["maximum"] = _json_number(rules.field.max)
    if rules.min_length is not None:
        keywords["minLength"] = rules.min_length
    if rules.max_length is not None:
        keywords["maxLength"] = min(rules.max_length, rules.kind.json.get("maxLength", rules.max_length))
    if rules.options is not None:
        keywords["enum"] = [o.value for o in rules.options]
    if rules.pattern:
        if "pattern" in rules.kind.json:
            keywords["allOf"] = [{"pattern": rules.pattern}]
        else:
            keywords["pattern"] = rules.pattern
    return keywords


def _optional(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [{"type": "null"}, {"const": ""}, schema]}


def _json_number(number: float | None) -> int | float | None:
    return int(number) if number is not None and float(number).is_integer() else number


def _and(outer: str, inner: str) -> str:
    if outer and inner:
        return f"({outer}) && ({inner})"
    return outer or inner

