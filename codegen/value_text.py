"""A case value as the text people read: one rule for the case page, its timeline, the auditor's trail and the
read-only values of forms.

Nothing set reads "—" (also a yes/no question nobody answered yet), a choice
reads as its option's label, a list of records one record per line with the
fields' labels. Money, numbers and dates read as their canonical JSON text,
unless the caller says how to write one value (`scalar`: the web app writes
them in its reader's language, `designer.display.case_value_text`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from models.data import Variable
from models.values import to_json_value

__all__ = ["NOTHING", "ScalarText", "json_text", "value_text"]

#: What an unset value reads as.
NOTHING = "—"

#: How one value that is set, no choice and no list is written, given its variable (if known).
ScalarText = Callable[[Any, Variable | None], str]


def json_text(value: Any, variable: Variable | None = None) -> str:
    """A single value as its canonical JSON text; yes/no for a boolean."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(to_json_value(value))


def value_text(value: Any, variable: Variable | None = None, scalar: ScalarText = json_text) -> str:
    """`value` of `variable` (if known) as plain text, single values written by `scalar`.

    >>> value_text(None), value_text(""), value_text(True), value_text(False)
    ('—', '—', 'yes', 'no')
    >>> lines = Variable(name="lines", type="records", fields=[
    ...     Variable(name="amount", type="money"), Variable(name="paid", type="boolean", label="Paid?")])
    >>> value_text([{"amount": "12.50", "paid": None}, {"amount": "3.10", "paid": True}], lines)
    'amount: 12.50, Paid?: —\\namount: 3.10, Paid?: yes'
    """
    if value is None or value == "" or value == []:
        return NOTHING
    options = {o.value: o.display for o in variable.options} if variable is not None else {}
    if isinstance(value, str) and value in options:
        return options[value]
    if isinstance(value, list):
        fields = {f.name: f for f in variable.fields} if variable is not None else {}
        return "\n".join(_record_text(row, fields, scalar) if isinstance(row, Mapping)
                         else value_text(row, None, scalar) for row in value)
    return scalar(value, variable)


def _record_text(row: Mapping[str, Any], fields: Mapping[str, Variable], scalar: ScalarText) -> str:
    return ", ".join(f"{fields[name].display if name in fields else name}: "
                     f"{value_text(value, fields.get(name), scalar)}" for name, value in row.items())
