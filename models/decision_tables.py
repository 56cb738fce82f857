"""Decision tables: rows of conditions on inputs giving output values.

An input column is an expression over case data; a cell tests it the way
business staff write tests in a spreadsheet (see `cell_condition`). Output
cells are expressions whose values go to the output columns' variables.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import Field, model_validator

from models.base import ElementId, Expression, FlowdeskModel, Label, VariableName


class HitPolicy(StrEnum):
    FIRST = "FIRST"
    UNIQUE = "UNIQUE"
    COLLECT = "COLLECT"


class TableInput(FlowdeskModel):
    id: ElementId
    label: Label = ""
    expression: Expression


class TableOutput(FlowdeskModel):
    """An output column; its value is written to case variable `variable`.

    With hit policy COLLECT the variable is a `records` list and each matching
    row adds one record whose fields are the output columns' ids.
    """

    id: VariableName
    label: Label = ""
    variable: VariableName | None = None


class TableRule(FlowdeskModel):
    id: ElementId
    when: list[Expression]
    then: list[Expression]
    note: Label = ""


class DecisionTable(FlowdeskModel):
    id: ElementId
    name: Label = ""
    hit_policy: HitPolicy = HitPolicy.FIRST
    inputs: list[TableInput] = Field(min_length=1)
    outputs: list[TableOutput] = Field(min_length=1)
    rules: list[TableRule] = Field(default_factory=list)
    collect_into: VariableName | None = None

    @model_validator(mode="after")
    def _rows_fit_columns(self) -> DecisionTable:
        for rule in self.rules:
            if len(rule.when) != len(self.inputs):
                raise ValueError(
                    f"table '{self.id}', rule '{rule.id}': {len(rule.when)} input cells "
                    f"for {len(self.inputs)} input columns"
                )
            if len(rule.then) != len(self.outputs):
                raise ValueError(
                    f"table '{self.id}', rule '{rule.id}': {len(rule.then)} output cells "
                    f"for {len(self.outputs)} output columns"
                )
        if self.hit_policy is HitPolicy.COLLECT and not self.collect_into:
            raise ValueError(f"table '{self.id}' collects: name the records variable in collect_into")
        if self.hit_policy is not HitPolicy.COLLECT and self.collect_into:
            raise ValueError(f"table '{self.id}': collect_into is only for hit policy COLLECT")
        return self

    def output_variable(self, output: TableOutput) -> str:
        return output.variable or output.id


_COMPARISON = re.compile(r"^(<=|>=|==|!=|<|>)\s*(.+)$", re.DOTALL)
_RANGE = re.compile(r"^\[\s*(.+?)\s*\.\.\s*(.+?)\s*\]$", re.DOTALL)


def cell_condition(input_expression: str, cell: str) -> str | None:
    """The boolean expression a condition cell stands for; None for "any value".

    A cell is `-` or empty (any value), a comparison (`< 250`, `>= 10`), a range
    `[100..250]` (both ends included), a list of values separated by commas, or
    a single value.

    >>> cell_condition("amount", "< 250")
    '(amount) < 250'
    >>> cell_condition("segment", '"gold", "platinum"')
    '(segment) in ["gold", "platinum"]'
    >>> cell_condition("amount", "[100..250]")
    '(amount) >= 100 && (amount) <= 250'
    >>> cell_condition("segment", "-") is None
    True
    """
    text = cell.strip()
    subject = f"({input_expression})"
    if text in ("", "-"):
        return None
    if match := _COMPARISON.match(text):
        return f"{subject} {match.group(1)} {match.group(2).strip()}"
    if match := _RANGE.match(text):
        return f"{subject} >= {match.group(1)} && {subject} <= {match.group(2)}"
    values = _split_top_level(text)
    if len(values) > 1:
        return f"{subject} in [{', '.join(values)}]"
    return f"{subject} == {text}"


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are outside quotes and brackets."""
    parts, depth, quote, current = [], 0, "", []
    for char in text:
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]
