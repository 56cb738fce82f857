"""Evaluating a decision table against a case: which rows match, and what they give.

FIRST takes the first matching row, UNIQUE insists on at most one, COLLECT
gathers every matching row as a record. No matching row leaves the outputs
unchanged (FIRST/UNIQUE) or collects an empty list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.decision_tables import DecisionTable, HitPolicy, TableRule
from models.errors import FlowdeskError
from models.phrases import Phrase, together
from runtime.process_version import ProcessVersion


class DecisionTableError(FlowdeskError):
    """The table cannot decide for this case (e.g. two rows match under UNIQUE)."""


def evaluate_table(version: ProcessVersion, table: DecisionTable, scope: Mapping[str, Any]) -> dict[str, Any]:
    """Variable name -> new value, from the table's matching rows."""
    return table_outputs(version, table, matching_rules(version, table, scope), scope)


def matching_rules(version: ProcessVersion, table: DecisionTable, scope: Mapping[str, Any]) -> list[TableRule]:
    """The rows whose every condition holds for `scope`, top to bottom (before the hit policy applies)."""
    return [rule for rule in table.rules if _matches(version, table, rule, scope)]


def table_outputs(version: ProcessVersion, table: DecisionTable, matching: list[TableRule],
                  scope: Mapping[str, Any]) -> dict[str, Any]:
    """Variable name -> new value from the `matching` rows, as the table's hit policy says."""
    if table.hit_policy is HitPolicy.COLLECT:
        records = [_outputs(version, table, rule, scope, by_column=True) for rule in matching]
        return {table.collect_into: records}
    if not matching:
        return {}
    if table.hit_policy is HitPolicy.UNIQUE and len(matching) > 1:
        numbers = together(table.rules.index(rule) + 1 for rule in matching)  # as the editor numbers its rows
        raise DecisionTableError(Phrase("decision table '{table}' allows only one matching row, but rows "
                                        "{rows} all match", table=table.name or table.id, rows=numbers))
    return _outputs(version, table, matching[0], scope, by_column=False)


def _matches(version: ProcessVersion, table: DecisionTable, rule: TableRule, scope: Mapping[str, Any]) -> bool:
    for column, cell in enumerate(rule.when):
        condition = version.table_condition(table, column, cell)
        if condition is not None and not condition.evaluate(scope):
            return False
    return True


def _outputs(version: ProcessVersion, table: DecisionTable, rule: TableRule, scope: Mapping[str, Any],
             *, by_column: bool) -> dict[str, Any]:
    values = {}
    for output, cell in zip(table.outputs, rule.then, strict=True):
        name = output.id if by_column else table.output_variable(output)
        expect = None if by_column else version.variable_type(name)
        values[name] = version.expression(cell, expect).evaluate(scope)
    return values
