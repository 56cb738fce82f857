"""The runtime's field errors for data entered on a form, named as the caller sent the data.

A form's validator names its fields by element id with rows counted from 1
(`lines[2].price`); the caller sent `data` by variable name with rows counted
from 0. `form_problems` turns one into the other: `data.order_lines[1].price`.
"""

from __future__ import annotations

import re

from designer.api.problems import FieldProblems, data_fields
from models.forms import Form, InputField, RepeatingGroup
from runtime.errors import DataError

_ROW_PATH = re.compile(r"(?P<group>[^\[\]]+)\[(?P<row>\d+)\]\.(?P<field>.+)")


def form_problems(error: DataError, form: Form | None) -> FieldProblems:
    """`error`'s fields as fields of the request body's `data`, by variable."""
    renamed = {_variable_path(form, name): message for name, message in error.errors.items()}
    return FieldProblems(data_fields(renamed))


def _variable_path(form: Form | None, name: str) -> str:
    if form is None or name in ("(data)", "(form)"):
        return name
    elements = {e.id: e for e in form.walk() if isinstance(e, (InputField, RepeatingGroup))}
    row = _ROW_PATH.fullmatch(name)
    if row and isinstance(group := elements.get(row["group"]), RepeatingGroup):
        field = next((f for f in group.fields if f.id == row["field"]), None)
        return f"{group.variable}[{int(row['row']) - 1}].{getattr(field, 'variable', None) or row['field']}"
    return getattr(elements.get(name), "variable", None) or name
