"""Pure edits of a bundle's decision tables: the tables, their columns, rows and cells.

Each edit takes a bundle document and returns a changed copy; the draft
(`Draft.apply`) keeps it only when the models accept it. A new row's input
cells say "any value" (`-`); its output cells start empty, so the checks ask
for a value until one is typed. Removing a whole table is the generic
`edits.remove_entry(document, "decision_tables", table_id)`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Literal

from models.decision_tables import HitPolicy
from models.editing.edits import Document, EditRejected, add_entry, fresh_id

#: The two sides of a row: conditions on the input columns, values for the output columns.
Side = Literal["when", "then"]

#: What a new input cell says: any value.
ANY = "-"


def add_table(document: Mapping[str, Any], table_id: str, name: str) -> Document:
    """A copy of `document` with a new FIRST table without rows.

    It starts with one input column (the first case variable, or the
    customer's segment when there is none) and one output column `result`;
    change them to what the table decides.

    >>> doc = add_table({"key": "p", "name": "P", "variables": [{"name": "amount", "type": "money"}]},
    ...                 "routing", "Routing")
    >>> table = doc["decision_tables"][0]
    >>> table["inputs"], table["outputs"], table["rules"]
    ([{'id': 'input_1', 'label': '', 'expression': 'amount'}], [{'id': 'result'}], [])
    """
    variables = [v["name"] for v in document.get("variables", []) if v.get("type") != "records"]
    first_input = variables[0] if variables else "customer.segment"
    return add_entry(document, "decision_tables", {
        "id": table_id, "name": name, "hit_policy": HitPolicy.FIRST.value,
        "inputs": [{"id": "input_1", "label": "", "expression": first_input}],
        "outputs": [{"id": "result"}], "rules": []})


def set_table_name(document: Mapping[str, Any], table_id: str, name: str) -> Document:
    """A copy of `document` in which the table is called `name`.

    >>> set_table_name(add_table({"key": "p", "name": "P"}, "t", "T"), "t", " Routing ")["decision_tables"][0]["name"]
    'Routing'
    """
    result, table = _copy_with_table(document, table_id)
    table["name"] = name.strip()
    return result


def set_hit_policy(document: Mapping[str, Any], table_id: str, policy: str,
                   collect_into: str | None = None) -> Document:
    """A copy of `document` in which the table decides by `policy`; COLLECT needs the records variable.

    >>> doc = add_table({"key": "p", "name": "P"}, "t", "T")
    >>> table = set_hit_policy(doc, "t", "COLLECT", "lines")["decision_tables"][0]
    >>> table["hit_policy"], table["collect_into"]
    ('COLLECT', 'lines')
    >>> "collect_into" in set_hit_policy(doc, "t", "UNIQUE")["decision_tables"][0]
    False
    """
    if policy not in HitPolicy.__members__:
        raise EditRejected(f"'{policy}' is not a hit policy; use one of {', '.join(HitPolicy.__members__)}.")
    result, table = _copy_with_table(document, table_id)
    table["hit_policy"] = policy
    table.pop("collect_into", None)
    if policy == HitPolicy.COLLECT:
        if not (collect_into or "").strip():
            raise EditRejected(f"Table '{table_id}' collects a record per matching row: choose the list of "
                               "records to collect into (declare one in the case data if there is none).")
        table["collect_into"] = collect_into.strip()
    return result


def add_input(document: Mapping[str, Any], table_id: str, label: str, expression: str) -> Document:
    """A copy of `document` with an input column testing `expression`; every row says "any value" there.

    >>> doc = add_rule(add_table({"key": "p", "name": "P"}, "t", "T"), "t")
    >>> table = add_input(doc, "t", "Amount", "disputed_amount")["decision_tables"][0]
    >>> table["inputs"][-1], table["rules"][0]["when"]
    ({'id': 'input_2', 'label': 'Amount', 'expression': 'disputed_amount'}, ['-', '-'])
    """
    if not expression.strip():
        raise EditRejected("Say what the new input column tests, e.g. customer.segment.")
    result, table = _copy_with_table(document, table_id)
    column_id = fresh_id("input", {str(column.get("id")) for column in table.get("inputs", [])})
    table["inputs"] = [*table.get("inputs", []),
                       {"id": column_id, "label": label.strip(), "expression": expression.strip()}]
    for rule in table.get("rules", []):
        rule["when"] = [*rule.get("when", []), ANY]
    return result


def set_input(document: Mapping[str, Any], table_id: str, input_id: str, label: str, expression: str) -> Document:
    """A copy of `document` in which input column `input_id` has this label and tests `expression`.

    >>> doc = add_table({"key": "p", "name": "P"}, "t", "T")
    >>> set_input(doc, "t", "input_1", "Amount", "disputed_amount * 2")["decision_tables"][0]["inputs"]
    [{'id': 'input_1', 'label': 'Amount', 'expression': 'disputed_amount * 2'}]
    """
    if not expression.strip():
        raise EditRejected("An input column needs an expression to test, e.g. customer.segment.")
    result, table = _copy_with_table(document, table_id)
    column = table["inputs"][_column_index(table, "when", input_id)]
    column["label"], column["expression"] = label.strip(), expression.strip()
    return result


def remove_input(document: Mapping[str, Any], table_id: str, input_id: str) -> Document:
    """A copy of `document` without input column `input_id` and its cell in every row.

    >>> doc = add_input(add_rule(add_table({"key": "p", "name": "P"}, "t", "T"), "t"), "t", "Amount", "disputed_amount")
    >>> doc = set_cell(doc, "t", "rule_1", "when", "input_2", "< 50")
    >>> remove_input(doc, "t", "input_1")["decision_tables"][0]["rules"][0]["when"]
    ['< 50']
    """
    return _remove_column(document, table_id, "when", input_id)


def add_output(document: Mapping[str, Any], table_id: str, variable: str, label: str = "") -> Document:
    """A copy of `document` with an output column setting `variable` (with COLLECT: a field of each record).

    Every row's cell for it starts empty, for a value to be typed.

    >>> doc = add_rule(add_table({"key": "p", "name": "P"}, "t", "T"), "t")
    >>> doc = set_cell(doc, "t", "rule_1", "then", "result", "1")
    >>> table = add_output(doc, "t", "reason", "Reason")["decision_tables"][0]
    >>> table["outputs"][-1], table["rules"][0]["then"]
    ({'id': 'reason', 'label': 'Reason'}, ['1', ''])
    """
    variable = variable.strip()
    if not variable:
        raise EditRejected("Name the case variable the new output column sets.")
    result, table = _copy_with_table(document, table_id)
    if any(_output_variable(output) == variable for output in table.get("outputs", [])):
        raise EditRejected(f"Table '{table_id}' already has an output column for '{variable}'.")
    output = {"id": variable, "label": label.strip()} if label.strip() else {"id": variable}
    table["outputs"] = [*table.get("outputs", []), output]
    for rule in table.get("rules", []):
        rule["then"] = [*rule.get("then", []), ""]
    return result


def set_output(document: Mapping[str, Any], table_id: str, output_id: str, variable: str) -> Document:
    """A copy of `document` in which output column `output_id` sets `variable` instead.

    >>> doc = add_table({"key": "p", "name": "P"}, "t", "T")
    >>> set_output(doc, "t", "result", "route")["decision_tables"][0]["outputs"]
    [{'id': 'route'}]
    """
    variable = variable.strip()
    result, table = _copy_with_table(document, table_id)
    column = table["outputs"][_column_index(table, "then", output_id)]
    if any(_output_variable(o) == variable for o in table["outputs"] if o is not column):
        raise EditRejected(f"Table '{table_id}' already has an output column for '{variable}'.")
    column["id"] = variable
    column.pop("variable", None)
    return result


def remove_output(document: Mapping[str, Any], table_id: str, output_id: str) -> Document:
    """A copy of `document` without output column `output_id` and its cell in every row.

    >>> doc = add_rule(add_table({"key": "p", "name": "P"}, "t", "T"), "t")
    >>> doc = set_cell(doc, "t", "rule_1", "then", "result", "1")
    >>> remove_output(add_output(doc, "t", "reason"), "t", "result")["decision_tables"][0]["rules"][0]["then"]
    ['']
    """
    return _remove_column(document, table_id, "then", output_id)


def add_rule(document: Mapping[str, Any], table_id: str) -> Document:
    """A copy of `document` with a new last row: any value on every input, output values still to type.

    >>> add_rule(add_rule(add_table({"key": "p", "name": "P"}, "t", "T"), "t"), "t")["decision_tables"][0]["rules"][-1]
    {'id': 'rule_2', 'when': ['-'], 'then': ['']}
    """
    result, table = _copy_with_table(document, table_id)
    rule_id = fresh_id("rule", {str(rule.get("id")) for rule in table.get("rules", [])})
    table["rules"] = [*table.get("rules", []), {"id": rule_id, "when": [ANY] * len(table.get("inputs", [])),
                                                "then": [""] * len(table.get("outputs", []))}]
    return result


def remove_rule(document: Mapping[str, Any], table_id: str, rule_id: str) -> Document:
    """A copy of `document` without row `rule_id`.

    >>> doc = add_rule(add_table({"key": "p", "name": "P"}, "t", "T"), "t")
    >>> remove_rule(doc, "t", "rule_1")["decision_tables"][0]["rules"]
    []
    """
    result, table = _copy_with_table(document, table_id)
    table["rules"].pop(_rule_index(table, rule_id))
    return result


def move_rule(document: Mapping[str, Any], table_id: str, rule_id: str, offset: int) -> Document:
    """A copy of `document` with row `rule_id` moved `offset` places down (negative: up); order matters for FIRST.

    >>> doc = add_rule(add_rule(add_table({"key": "p", "name": "P"}, "t", "T"), "t"), "t")
    >>> [r["id"] for r in move_rule(doc, "t", "rule_2", -1)["decision_tables"][0]["rules"]]
    ['rule_2', 'rule_1']
    """
    result, table = _copy_with_table(document, table_id)
    rules = table["rules"]
    place = _rule_index(table, rule_id)
    target = place + offset
    if not 0 <= target < len(rules):
        raise EditRejected(f"Row '{rule_id}' is already the {'first' if offset < 0 else 'last'} row.")
    rules.insert(target, rules.pop(place))
    return result


def set_cell(document: Mapping[str, Any], table_id: str, rule_id: str, side: Side, column_id: str,
             text: str) -> Document:
    """A copy of `document` in which row `rule_id` says `text` in a cell, kept as typed (ends trimmed).

    `side` "when" is an input column's condition (`< 250`, `"gold", "silver"`,
    `[100..250]`, `-` for any value); "then" an output column's expression.

    >>> doc = add_rule(add_table({"key": "p", "name": "P"}, "t", "T"), "t")
    >>> set_cell(doc, "t", "rule_1", "when", "input_1", ' "gold", "silver" ')["decision_tables"][0]["rules"][0]
    {'id': 'rule_1', 'when': ['"gold", "silver"'], 'then': ['']}
    """
    result, table = _copy_with_table(document, table_id)
    rule = table["rules"][_rule_index(table, rule_id)]
    rule[side][_column_index(table, side, column_id)] = text.strip()
    return result


# Helpers ------------------------------------------------------------------------------------


def _copy_with_table(document: Mapping[str, Any], table_id: str) -> tuple[Document, dict[str, Any]]:
    result = copy.deepcopy(dict(document))
    table = next((t for t in result.get("decision_tables", []) if t.get("id") == table_id), None)
    if table is None:
        raise EditRejected(f"There is no decision table '{table_id}'.")
    table.setdefault("rules", [])
    return result, table


def _column_index(table: Mapping[str, Any], side: Side, column_id: str) -> int:
    columns = table.get("inputs" if side == "when" else "outputs", [])
    place = next((i for i, column in enumerate(columns) if column.get("id") == column_id), None)
    if place is None:
        kind = "input" if side == "when" else "output"
        raise EditRejected(f"Table '{table.get('id')}' has no {kind} column '{column_id}'.")
    return place


def _rule_index(table: Mapping[str, Any], rule_id: str) -> int:
    place = next((i for i, rule in enumerate(table.get("rules", [])) if rule.get("id") == rule_id), None)
    if place is None:
        raise EditRejected(f"Table '{table.get('id')}' has no row '{rule_id}'.")
    return place


def _remove_column(document: Mapping[str, Any], table_id: str, side: Side, column_id: str) -> Document:
    result, table = _copy_with_table(document, table_id)
    columns = "inputs" if side == "when" else "outputs"
    place = _column_index(table, side, column_id)
    if len(table[columns]) == 1:
        raise EditRejected(f"Table '{table_id}' needs at least one {columns[:-1]} column; add another one first.")
    table[columns].pop(place)
    for rule in table["rules"]:
        rule[side].pop(place)
    return result


def _output_variable(output: Mapping[str, Any]) -> str:
    return str(output.get("variable") or output.get("id"))

