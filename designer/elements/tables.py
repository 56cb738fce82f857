"""Tables whose rows can be chosen, with checkboxes a screen reader can name.

Quasar's selection column draws bare checkboxes; axe-core (rightly) finds them without a name. These slots draw
the same checkboxes, each labelled by the row it chooses.
"""

from __future__ import annotations

import json

from nicegui import ui


def name_selection(table: ui.table, row_name: str, all_rows: str = "Choose every row") -> ui.table:
    """Label the selection checkboxes of `table`: each row's by its `row_name` field, the header's `all_rows`."""
    table.add_slot("header-selection", '<q-checkbox v-model="props.selected" dense '
                                       f':aria-label="{_attribute(json.dumps(all_rows))}" />')
    table.add_slot("body-selection", '<q-checkbox v-model="props.selected" dense '
                                     f':aria-label="\'Choose \' + props.row[{_attribute(json.dumps(row_name))}]" />')
    return table


def _attribute(script: str) -> str:
    """A JavaScript expression written inside a double-quoted HTML attribute."""
    return script.replace("&", "&amp;").replace('"', "&quot;")
