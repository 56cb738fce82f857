"""Decision tables: hit policy and settings, input and output columns, and the rules row by row, cell by cell.

Columns are matched by id, rules by id. A cell is compared only where its
column is in both versions (`when.<input id>`, `then.<output id>`), so adding
or removing a column is one change, not one per row. Rule order matters for the
FIRST hit policy: the fewest rules that changed place are REORDERED (`place`,
1-based), and likewise for columns.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

from codegen.diff.changes import Change, ChangeKind, Part
from codegen.diff.compare import authored, changed_settings, match, out_of_order, settings
from models.bundle import Bundle
from models.decision_tables import DecisionTable, TableInput, TableOutput, TableRule

Item = TableInput | TableOutput | TableRule


def diff_decision_tables(old: Bundle, new: Bundle) -> Iterator[Change]:
    """Tables added, removed or changed: name, hit policy, collect-into; columns; rules and their cells."""
    matched = match(old.decision_tables, new.decision_tables, key=_table_id)
    for table in matched.removed:
        yield Change(Part.DECISION_TABLES, ChangeKind.REMOVED, table.id, _label(table), before=authored(table))
    for before, after in matched.changed:
        yield from changed_settings(Part.DECISION_TABLES, after.id, _label(after), settings(before), settings(after),
                                    skip=("inputs", "outputs", "rules"))
        yield from _item_changes(before, after, "input", before.inputs, after.inputs, skip=())
        yield from _item_changes(before, after, "output", before.outputs, after.outputs, skip=())
        yield from _item_changes(before, after, "rule", before.rules, after.rules, skip=("when", "then"))
        yield from _cell_changes(before, after)
    for table in matched.added:
        yield Change(Part.DECISION_TABLES, ChangeKind.ADDED, table.id, _label(table), after=authored(table))


def _item_changes(old: DecisionTable, new: DecisionTable, kind: Literal["input", "output", "rule"],
                  old_items: Sequence[Item], new_items: Sequence[Item], skip: tuple[str, ...]) -> Iterator[Change]:
    """Columns or rules added, removed, changed (their own settings) and reordered."""
    matched = match(old_items, new_items, key=_item_id)
    label = _label(new)

    def item(element: Item) -> dict[str, str]:
        return {"item": element.id, "item_kind": kind, "item_label": getattr(element, "label", "") or element.id}

    for element in matched.removed:
        yield Change(Part.DECISION_TABLES, ChangeKind.REMOVED, new.id, label, before=authored(element),
                     **item(element))
    for before, after in matched.changed:
        yield from changed_settings(Part.DECISION_TABLES, new.id, label, settings(before), settings(after), skip,
                                    **item(after))
    old_places = {element.id: index for index, element in enumerate(old_items)}
    new_places = {element.id: index for index, element in enumerate(new_items)}
    moved = set(out_of_order([e.id for e in old_items], [e.id for e in new_items]))
    for element in new_items:
        if element.id in moved:
            yield Change(Part.DECISION_TABLES, ChangeKind.REORDERED, new.id, label, "place",
                         old_places[element.id] + 1, new_places[element.id] + 1, **item(element))
    for element in matched.added:
        yield Change(Part.DECISION_TABLES, ChangeKind.ADDED, new.id, label, after=authored(element), **item(element))


def _cell_changes(old: DecisionTable, new: DecisionTable) -> Iterator[Change]:
    """Per rule in both versions, each cell of a column in both versions whose text changed."""
    columns = [("when", _places(old.inputs), _places(new.inputs)), ("then", _places(old.outputs), _places(new.outputs))]
    for before, after in match(old.rules, new.rules, key=_item_id).changed:
        for side, old_places, new_places in columns:
            old_cells, new_cells = getattr(before, side), getattr(after, side)
            for column, new_place in new_places.items():
                if column not in old_places:
                    continue
                was, now = old_cells[old_places[column]], new_cells[new_place]
                if was != now:
                    yield Change(Part.DECISION_TABLES, ChangeKind.CHANGED, new.id, _label(new), f"{side}.{column}",
                                 was, now, item=after.id, item_kind="rule", item_label=after.id)


def _places(columns: Sequence[TableInput | TableOutput]) -> dict[str, int]:
    return {column.id: index for index, column in enumerate(columns)}


def _label(table: DecisionTable) -> str:
    return table.name or table.id


def _table_id(table: DecisionTable) -> str:
    return table.id


def _item_id(element: Item) -> str:
    return element.id
