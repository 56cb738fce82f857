"""Pure edits of a process's forms: forms, their fields, sections and repeating groups.

Each edit takes a bundle document and returns a changed copy (and, when it adds
something, the new id); the draft commits it only when the models accept the
result. A field is found by its id anywhere in its form. Where a field sits is
its *container*: None for the form itself, else the id of a section or a
repeating group; a *position* is an index in the container's list of fields.

New ids are unique in the whole process (every form, step and connection), so
a problem the checks report about a field points at exactly one place.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from models.bundle import Bundle
from models.checks.variable_mismatch import FIELD_TYPES
from models.data import DataType
from models.editing.edits import (
    Document,
    EditRejected,
    add_entry,
    fresh_id,
    is_key,
    remove_entry,
    replace_entry,
    variable_entry,
)
from models.expressions import ExpressionError, ExprType, compile_expression
from models.forms import FieldKind, InputField, RepeatingGroup, Section
from models.phrases import Phrase

#: Every kind of form element, by the name a business owner knows it by, in palette order.
ELEMENT_KINDS: dict[str, str] = {
    FieldKind.TEXT: "Text",
    FieldKind.LONG_TEXT: "Long text",
    FieldKind.NUMBER: "Number",
    FieldKind.MONEY: "Amount of money",
    FieldKind.DATE: "Date",
    FieldKind.BOOLEAN: "Yes/no",
    FieldKind.CHOICE: "Choice",
    FieldKind.EMAIL: "E-mail address",
    FieldKind.PHONE: "Phone number",
    FieldKind.IBAN: "Bank account (IBAN)",
    FieldKind.CUSTOMER_LOOKUP: "Customer lookup",
    FieldKind.CASE_VALUE: "Read-only case value",
    "section": "Section",
    "group": "Repeating group",
}

VARIABLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


# Forms.


def add_form(document: Mapping[str, Any], form_id: str, name: str) -> Document:
    """A copy of `document` with a new, empty form.

    >>> [f["id"] for f in add_form({"key": "p", "name": "P"}, "intake", "Intake")["forms"]]
    ['intake']
    >>> add_form({"key": "p", "name": "P"}, "two words", "Intake")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    models.editing.edits.EditRejected: A form id may hold letters, digits, '_', '.' and '-' and starts with ...
    """
    form_id = form_id.strip()
    if not is_key(form_id):
        raise EditRejected(Phrase("A form id may hold letters, digits, '_', '.' and '-' and starts with a letter or "
                                  "digit, e.g. 'intake'."))
    return add_entry(document, "forms", {"id": form_id, "name": name.strip(), "fields": []})


def remove_form(document: Mapping[str, Any], form_id: str) -> Document:
    """A copy of `document` without form `form_id` (the checks then show the tasks that still use it)."""
    return remove_entry(document, "forms", form_id)


def rename_form(document: Mapping[str, Any], form_id: str, name: str) -> Document:
    """A copy of `document` in which form `form_id` is called `name`."""
    form = copy.deepcopy(_form(document, form_id))
    form["name"] = name.strip()
    return replace_entry(document, "forms", form_id, form)


# Fields.


def add_field(document: Mapping[str, Any], form_id: str, kind: str, container: str | None = None,
              position: int | None = None) -> tuple[Document, str]:
    """A copy of `document` with a new element of `kind` in `container` at `position` (None: last); and its id.

    The id is the kind and the first number free in the process (`text_1`); the
    label is the kind's business name. A repeating group writes the first list of
    records in the case data (or a variable named like the group, still to declare).

    >>> doc = add_form({"key": "p", "name": "P"}, "intake", "Intake")
    >>> doc, section = add_field(doc, "intake", "section")
    >>> doc, first = add_field(doc, "intake", "money", container=section)
    >>> doc, second = add_field(doc, "intake", "text", container=section, position=0)
    >>> [(f["id"], f["label"]) for f in doc["forms"][0]["fields"][0]["fields"]]
    [('text_1', 'Text'), ('money_1', 'Amount of money')]
    """
    if kind not in ELEMENT_KINDS:
        raise EditRejected(f"'{kind}' is not a kind of form field; use one of {', '.join(ELEMENT_KINDS)}.")
    result = copy.deepcopy(dict(document))
    form = _form(result, form_id)
    _check_fits(form, kind, container)
    element_id = fresh_id(kind, _taken_ids(result))
    element: dict[str, Any] = {"id": element_id, "kind": kind, "label": ELEMENT_KINDS[kind]}
    if kind == "group":
        records = [v["name"] for v in result.get("variables", []) if v.get("type") == DataType.RECORDS]
        element["variable"] = records[0] if records else element_id
        element["fields"] = []
    elif kind == "section":
        element["fields"] = []
    fields = _fields_of(form, container)
    fields.insert(len(fields) if position is None else max(0, min(position, len(fields))), element)
    return result, element_id


def move_field(document: Mapping[str, Any], form_id: str, element_id: str, container: str | None = None,
               position: int | None = None) -> Document:
    """A copy of `document` with the element moved into `container`, before the one now at `position` (None: last).

    >>> doc = add_form({"key": "p", "name": "P"}, "intake", "Intake")
    >>> for kind in ("text", "number", "date"):
    ...     doc, _ = add_field(doc, "intake", kind)
    >>> [f["id"] for f in move_field(doc, "intake", "text_1", position=2)["forms"][0]["fields"]]
    ['number_1', 'text_1', 'date_1']
    >>> doc, section = add_field(doc, "intake", "section")
    >>> doc = move_field(doc, "intake", "date_1", container=section)
    >>> [(f["id"], [g["id"] for g in f.get("fields", [])]) for f in doc["forms"][0]["fields"]]
    [('text_1', []), ('number_1', []), ('section_1', ['date_1'])]
    """
    result = copy.deepcopy(dict(document))
    form = _form(result, form_id)
    source, index = _locate(form, element_id)
    element = source[index]
    if container is not None and container in {e["id"] for e in _walk([element])}:
        raise EditRejected(f"'{element.get('label') or element_id}' cannot be moved into itself.")
    _check_fits(form, element["kind"], container)
    target = _fields_of(form, container)
    anchor = target[position] if position is not None and 0 <= position < len(target) else None
    if anchor is element:
        return result
    del source[index]
    target.insert(len(target) if anchor is None else target.index(anchor), element)
    return result


def step_field(document: Mapping[str, Any], form_id: str, element_id: str, offset: int) -> Document:
    """A copy of `document` with the element `offset` places further down (negative: up) among its neighbours.

    >>> doc = add_form({"key": "p", "name": "P"}, "intake", "Intake")
    >>> for kind in ("text", "number"):
    ...     doc, _ = add_field(doc, "intake", kind)
    >>> [f["id"] for f in step_field(doc, "intake", "number_1", -1)["forms"][0]["fields"]]
    ['number_1', 'text_1']
    """
    result = copy.deepcopy(dict(document))
    fields, index = _locate(_form(result, form_id), element_id)
    wanted = index + offset
    if not 0 <= wanted < len(fields):
        where = "first" if offset < 0 else "last"
        raise EditRejected(f"'{fields[index].get('label') or element_id}' is already the {where} in its place.")
    fields.insert(wanted, fields.pop(index))
    return result


def remove_field(document: Mapping[str, Any], form_id: str, element_id: str) -> Document:
    """A copy of `document` without the element (a section or group goes with the fields in it)."""
    result = copy.deepcopy(dict(document))
    fields, index = _locate(_form(result, form_id), element_id)
    del fields[index]
    return result


def set_field(document: Mapping[str, Any], form_id: str, element_id: str, changes: Mapping[str, Any]) -> Document:
    """A copy of `document` in which the element has these settings; None (or empty text) puts one back to its default.

    Texts lose surrounding spaces. The id and kind stay; the models judge whether the settings fit the kind,
    and a pattern must be one the expression language can match (no look-around or back-references).

    >>> doc = add_form({"key": "p", "name": "P"}, "intake", "Intake")
    >>> doc, field = add_field(doc, "intake", "number")
    >>> doc = set_field(doc, "intake", field, {"label": " Age ", "min": 18, "visible_when": "true"})
    >>> doc["forms"][0]["fields"][0]
    {'id': 'number_1', 'kind': 'number', 'label': 'Age', 'min': 18, 'visible_when': 'true'}
    """
    result = copy.deepcopy(dict(document))
    fields, index = _locate(_form(result, form_id), element_id)
    element = fields[index]
    for name, value in changes.items():
        if name in ("id", "kind", "fields"):
            raise EditRejected(f"A field's {name} cannot be set here.")
        value = value.strip() if isinstance(value, str) else value
        if name == "pattern" and value:
            _check_pattern(value, element.get("label") or element_id)
        if value is None or (value == "" and name != "label"):
            element.pop(name, None)
        else:
            element[name] = copy.deepcopy(value)
    return result


def _check_pattern(pattern: str, label: str) -> None:
    """EditRejected when `pattern` is no regular expression the runtime can match (it checks fields the same way)."""
    try:
        compile_expression(f"value.matches({json.dumps(pattern)})", {"value": ExprType.TEXT}, expect=ExprType.BOOLEAN)
    except ExpressionError as error:
        raise EditRejected(f"The pattern of field '{label}': {error}") from None


def add_validation(document: Mapping[str, Any], form_id: str, element_id: str, expression: str,
                   message: str) -> Document:
    """A copy of `document` in which the field also checks `expression` and shows `message` when it is false.

    >>> doc = add_form({"key": "p", "name": "P"}, "intake", "Intake")
    >>> doc, field = add_field(doc, "intake", "number")
    >>> add_validation(doc, "intake", field, "value > 0", "More than 0, please")["forms"][0]["fields"][0]["validations"]
    [{'expression': 'value > 0', 'message': 'More than 0, please'}]
    """
    if not expression.strip():
        raise EditRejected("Write the rule the value must meet, e.g. 'value > 0'.")
    if not message.strip():
        raise EditRejected("Write the message the agent sees when the rule is not met.")
    validations = _element(document, form_id, element_id).get("validations", [])
    return set_field(document, form_id, element_id, {
        "validations": [*validations, {"expression": expression.strip(), "message": message.strip()}]})


def remove_validation(document: Mapping[str, Any], form_id: str, element_id: str, index: int) -> Document:
    """A copy of `document` without the field's validation number `index` (counted from 0)."""
    validations = list(_element(document, form_id, element_id).get("validations", []))
    if not 0 <= index < len(validations):
        raise EditRejected(f"Field '{element_id}' has no validation number {index + 1}.")
    del validations[index]
    return set_field(document, form_id, element_id, {"validations": validations or None})


def parse_options(text: str) -> list[dict[str, str]]:
    """Choice options from text, one per line or comma: `value` or `value = label people see`.

    >>> parse_options("move = Moving house, complaint\\n\\n other ")
    [{'value': 'move', 'label': 'Moving house'}, {'value': 'complaint'}, {'value': 'other'}]
    """
    options = []
    for part in re.split(r"[,\n]", text):
        value, _, label = (piece.strip() for piece in part.partition("="))
        if value:
            options.append({"value": value, "label": label} if label else {"value": value})
    return options


def options_text(options: list[Any]) -> str:
    """The text `parse_options` reads back into `options` (ChoiceOption models or their documents).

    >>> options_text([{"value": "move", "label": "Moving house"}, {"value": "other"}])
    'move = Moving house, other'
    """
    parts = []
    for option in options:
        value, label = (option.get("value"), option.get("label")) if isinstance(option, Mapping) \
            else (option.value, option.label)
        parts.append(f"{value} = {label}" if label else value)
    return ", ".join(parts)


# The case variable a field writes.


def variable_type_for(kind: str) -> DataType:
    """The type a new variable for a field of `kind` gets: the type of the same name where it fits, else text.

    >>> variable_type_for("money"), variable_type_for("long_text"), variable_type_for("group")
    (<DataType.MONEY: 'money'>, <DataType.TEXT: 'text'>, <DataType.RECORDS: 'records'>)
    """
    if kind == "group":
        return DataType.RECORDS
    if kind in ("section", FieldKind.CASE_VALUE):
        raise EditRejected(f"A {ELEMENT_KINDS[kind].lower()} writes no variable of its own.")
    same = DataType(kind) if kind in tuple(DataType) else None
    return same if same in FIELD_TYPES[FieldKind(kind)] else DataType.TEXT


def variable_choices(bundle: Bundle, form_id: str, element_id: str) -> list[str]:
    """The names the element may write: variables (or, in a repeating group, record fields) of a fitting type.

    >>> doc = add_entry(add_form({"key": "p", "name": "P"}, "intake", "Intake"), "variables",
    ...                 {"name": "amount", "type": "money"})
    >>> doc, field = add_field(doc, "intake", "money")
    >>> variable_choices(Bundle.model_validate(doc), "intake", field)
    ['amount']
    """
    form = bundle.form(form_id)
    if form is None:
        raise EditRejected(f"There is no form '{form_id}'.")
    element, group = _find(form.fields, element_id, None)
    if isinstance(element, Section):
        return []
    if isinstance(element, RepeatingGroup):
        return [v.name for v in bundle.variables if v.type is DataType.RECORDS]
    declared = bundle.variables
    if group is not None:
        records = bundle.variable(group.variable)
        declared = records.fields if records is not None else []
    return [v.name for v in declared if v.type in FIELD_TYPES[element.kind]]


def create_variable(document: Mapping[str, Any], form_id: str, element_id: str, name: str) -> Document:
    """A copy of `document` with a new case variable `name` that the element writes, of a type fitting its kind.

    The variable takes the element's label, so agents read it as the field
    they filled in. A choice field's variable takes the field's options. A field in a repeating
    group becomes a field of the group's records. A repeating group's variable
    gets one field per field of the group (each writing the variable named like
    the field unless it names one already).

    >>> doc = add_form({"key": "p", "name": "P"}, "intake", "Intake")
    >>> doc, group = add_field(doc, "intake", "group")
    >>> doc, line = add_field(doc, "intake", "money", container=group)
    >>> doc = create_variable(doc, "intake", group, "invoice_lines")
    >>> doc["variables"]
    [{'name': 'invoice_lines', 'type': 'records', 'fields': [{'name': 'money_1', 'type': 'money', 'label': 'Amount \
of money'}], 'label': 'Repeating group'}]
    >>> doc = create_variable(add_field(doc, "intake", "date", container=group)[0], "intake", "date_1", "paid_on")
    >>> [f["name"] for f in doc["variables"][0]["fields"]]
    ['money_1', 'paid_on']
    """
    name = name.strip()
    if not VARIABLE_NAME.match(name) or len(name) > 64:
        raise EditRejected(f"'{name}' is not a valid variable name: letters, digits and '_', starting with a letter, "
                           "e.g. 'claim_amount'.")
    result = copy.deepcopy(dict(document))
    form = _form(result, form_id)
    element = _element(result, form_id, element_id)
    type_ = variable_type_for(element["kind"])
    group = next((g for g in _walk(form["fields"]) if g["kind"] == "group"
                  and any(f["id"] == element_id for f in g.get("fields", []))), None)
    if element["kind"] == "group":
        result = add_entry(result, "variables", {"name": name, "type": type_.value, "fields": _record_fields(element),
                                                 **({"label": element["label"]} if element.get("label") else {})})
        element = _element(result, form_id, element_id)
        element["variable"] = name
        for field, record_field in zip(element["fields"], result["variables"][-1]["fields"], strict=True):
            field["variable"] = record_field["name"]
    elif group is not None:
        records = next((v for v in result.get("variables", []) if v.get("name") == group["variable"]), None)
        if records is None or records.get("type") != DataType.RECORDS:
            raise EditRejected(f"Create the list variable of group '{group['label']}' first; its fields become "
                               "the fields of each row.")
        if any(f.get("name") == name for f in records.get("fields", [])):
            raise EditRejected(f"The rows of '{records['name']}' already have a field '{name}'.")
        records["fields"] = [*records.get("fields", []), _new_variable(element, name, type_)]
        _element(result, form_id, element_id)["variable"] = name
    else:
        result = add_entry(result, "variables", _new_variable(element, name, type_))
        _element(result, form_id, element_id)["variable"] = name
    return result


def _new_variable(field: Mapping[str, Any], name: str, type_: DataType) -> dict[str, Any]:
    if type_ is DataType.CHOICE and not field.get("options"):
        raise EditRejected(f"Give choice field '{field['label']}' its options first; its variable takes them.")
    entry = variable_entry(name, type_.value)
    if field.get("label"):  # agents read the variable as the field they filled in
        entry["label"] = field["label"]
    if type_ is DataType.CHOICE:
        entry["options"] = copy.deepcopy(field["options"])
    return entry


def _record_fields(group: Mapping[str, Any]) -> list[dict[str, Any]]:
    if not group.get("fields"):
        raise EditRejected(f"Add the fields of group '{group['label']}' first; each becomes a field of every row.")
    record_fields = []
    for field in group["fields"]:
        name = field.get("variable") or field["id"]
        if not VARIABLE_NAME.match(name):
            raise EditRejected(f"Field '{field['label']}' has id '{name}', which is no variable name; choose its "
                               "variable first.")
        record_fields.append(_new_variable(field, name, variable_type_for(field["kind"])))
    return record_fields


# Finding things.


def form_of(bundle: Bundle, element_id: str) -> str | None:
    """The id of the form that is `element_id` or holds an element `element_id` (the first such form), else None.

    >>> doc, field = add_field(add_form({"key": "p", "name": "P"}, "intake", "Intake"), "intake", "text")
    >>> form_of(Bundle.model_validate(doc), field), form_of(Bundle.model_validate(doc), "start")
    ('intake', None)
    """
    for form in bundle.forms:
        if form.id == element_id or any(e.id == element_id for e in form.walk()):
            return form.id
    return None


def container_of(bundle: Bundle, form_id: str, element_id: str) -> str | None:
    """The id of the section or group `element_id` sits in; None when it sits on the form itself."""
    form = bundle.form(form_id)
    if form is None:
        raise EditRejected(f"There is no form '{form_id}'.")
    return next((e.id for e in form.walk() if isinstance(e, (Section, RepeatingGroup))
                 and any(f.id == element_id for f in e.fields)), None)


def _find(elements: list, element_id: str, group: RepeatingGroup | None,
          ) -> tuple[InputField | Section | RepeatingGroup, RepeatingGroup | None]:
    """The element `element_id` among `elements` (at any depth), and the repeating group it sits in, if any."""
    for element in elements:
        if element.id == element_id:
            return element, group
        if isinstance(element, (Section, RepeatingGroup)) and any(e.id == element_id for e in elements_in(element)):
            return _find(element.fields, element_id, element if isinstance(element, RepeatingGroup) else group)
    raise EditRejected(f"There is no field '{element_id}' on this form.")


def elements_in(container: Section | RepeatingGroup) -> Iterator[InputField | Section | RepeatingGroup]:
    """Every element inside a section or group, depth first (what `Form.walk` is for a form)."""
    for element in container.fields:
        yield element
        if isinstance(element, (Section, RepeatingGroup)):
            yield from elements_in(element)


def _form(document: Mapping[str, Any], form_id: str) -> dict[str, Any]:
    for form in document.get("forms", []):
        if form.get("id") == form_id:
            form.setdefault("fields", [])
            return form
    raise EditRejected(f"There is no form '{form_id}'.")


def _walk(elements: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for element in elements:
        yield element
        yield from _walk(element.get("fields", []))


def _locate(form: dict[str, Any], element_id: str) -> tuple[list[dict[str, Any]], int]:
    """The list holding `element_id` in `form`, and its place there."""
    for fields in [form["fields"], *(e["fields"] for e in _walk(form["fields"]) if "fields" in e)]:
        for index, element in enumerate(fields):
            if element.get("id") == element_id:
                return fields, index
    raise EditRejected(f"There is no field '{element_id}' on form '{form['id']}'.")


def _element(document: Mapping[str, Any], form_id: str, element_id: str) -> dict[str, Any]:
    fields, index = _locate(_form(document, form_id), element_id)
    return fields[index]


def _fields_of(form: dict[str, Any], container: str | None) -> list[dict[str, Any]]:
    if container is None:
        return form["fields"]
    fields, index = _locate(form, container)
    element = fields[index]
    if element.get("kind") not in ("section", "group"):
        raise EditRejected(f"'{element.get('label') or container}' is a field; fields go on the form, into a "
                           "section or into a repeating group.")
    return element.setdefault("fields", [])


def _check_fits(form: dict[str, Any], kind: str, container: str | None) -> None:
    if container is not None and kind in ("section", "group") and _locate_kind(form, container) == "group":
        raise EditRejected(f"A repeating group holds plain fields; put a {ELEMENT_KINDS[kind].lower()} on the form "
                           "or in a section.")


def _locate_kind(form: dict[str, Any], element_id: str) -> str:
    fields, index = _locate(form, element_id)
    return fields[index].get("kind", "")


def _taken_ids(document: Mapping[str, Any]) -> set[str]:
    taken = {str(e.get("id")) for e in [*document.get("nodes", []), *document.get("edges", [])]}
    for form in document.get("forms", []):
        taken |= {str(e.get("id")) for e in _walk(form.get("fields", []))}
    return taken
