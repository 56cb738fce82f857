"""The rules of a form, checked on the server when an agent (or an API client) submits it.

One function walks the form as the agent sees it: hidden sections and fields
are skipped, every visible field is checked for required, bounds, pattern,
options and its validation expressions, and repeating groups row by row.
Errors come back per field, in plain language; nothing is saved while any
field is wrong.
"""

from __future__ import annotations

import json
from collections import ChainMap
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from models.data import Variable
from models.expressions import CompiledExpression, ExprType, type_of_variable
from models.forms import Form, InputField, RepeatingGroup, Section

#: Compiles an expression with extra names (e.g. `value`) on top of the case data.
Compiler = Callable[[str, ExprType | None, Mapping[str, ExprType]], CompiledExpression]

EMPTY = (None, "", [])


def validate_submission(form: Form, variables: Mapping[str, Variable], entered: Mapping[str, Any],
                        case_values: Mapping[str, Any], compile_: Compiler) -> dict[str, str]:
    """Field id -> what is wrong, for the form filled with `entered` over the case's current values."""
    checker = _Checker(variables, compile_)
    checker.elements(form.fields, ChainMap(dict(entered), case_values), {}, prefix="")
    return checker.errors


class _Checker:
    def __init__(self, variables: Mapping[str, Variable], compile_: Compiler) -> None:
        self.variables = variables
        self.compile = compile_
        self.errors: dict[str, str] = {}

    def visible(self, element: InputField | Section | RepeatingGroup, scope: Mapping[str, Any],
                extra: Mapping[str, ExprType]) -> bool:
        if not element.visible_when:
            return True
        return bool(self.compile(element.visible_when, ExprType.BOOLEAN, extra).evaluate(scope))

    def elements(self, elements: list, scope: Mapping[str, Any], extra: Mapping[str, ExprType], prefix: str) -> None:
        for element in elements:
            if not self.visible(element, scope, extra):
                continue
            if isinstance(element, Section):
                self.elements(element.fields, scope, extra, prefix)
            elif isinstance(element, RepeatingGroup):
                self.group(element, scope, extra, prefix)
            else:
                self.field(element, scope, extra, prefix, self.variables)

    def group(self, group: RepeatingGroup, scope: Mapping[str, Any], extra: Mapping[str, ExprType],
              prefix: str) -> None:
        rows = scope.get(group.variable) or []
        where = f"{prefix}{group.id}"
        if len(rows) < group.min_items:
            self.errors[where] = f"'{group.label}' needs at least {group.min_items} row(s)"
        elif len(rows) > group.max_items:
            self.errors[where] = f"'{group.label}' may have at most {group.max_items} rows"
        variable = self.variables.get(group.variable)
        fields = {f.name: f for f in variable.fields} if variable else {}
        row_types = {name: type_of_variable(f) for name, f in fields.items()}
        for number, row in enumerate(rows, start=1):
            row_scope = ChainMap(row, scope)
            for field in group.fields:
                if self.visible(field, row_scope, {**extra, **row_types}):
                    self.field(field, row_scope, {**extra, **row_types}, f"{where}[{number}].", fields)

    def field(self, field: InputField, scope: Mapping[str, Any], extra: Mapping[str, ExprType], prefix: str,
              variables: Mapping[str, Variable]) -> None:
        if field.variable is None or field.kind.value == "case_value":
            return
        value = scope.get(field.variable)
        problem = self.problem(field, value, scope, extra, variables.get(field.variable))
        if problem:
            self.errors[f"{prefix}{field.id}"] = problem

    def problem(self, field: InputField, value: Any, scope: Mapping[str, Any], extra: Mapping[str, ExprType],
                variable: Variable | None) -> str | None:
        label = field.label
        if value in EMPTY:
            return f"'{label}' is required" if field.required else None
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            if field.min is not None and value < Decimal(str(field.min)):
                return f"'{label}' must be at least {_number(field.min)}"
            if field.max is not None and value > Decimal(str(field.max)):
                return f"'{label}' must be at most {_number(field.max)}"
        if isinstance(value, str):
            if field.min is not None and len(value) < field.min:
                return f"'{label}' needs at least {_number(field.min)} characters"
            if field.max is not None and len(value) > field.max:
                return f"'{label}' may have at most {_number(field.max)} characters"
            if field.pattern and not self.compile(f"value.matches({json.dumps(field.pattern)})", ExprType.BOOLEAN,
                                                  {"value": ExprType.TEXT}).evaluate({"value": value}):
                return f"'{label}' is not in the expected form"
        if field.options and value not in [o.value for o in field.options]:
            return f"'{label}' must be one of the options offered"
        value_type = type_of_variable(variable) if variable else ExprType.ANY
        with_value = {**extra, "value": value_type}
        for rule in field.validations:
            if not self.compile(rule.expression, ExprType.BOOLEAN, with_value).evaluate(
                    ChainMap({"value": value}, scope)):
                return rule.message
        return None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
