"""Tables whose rows can be chosen, with checkboxes a screen reader can name.

Quasar's selection column draws bare checkboxes; axe-core (rightly) finds them without a name. These slots draw
the same checkboxes, each labelled by the row it chooses.
"""

from __future__ import annotations

import json

from nicegui import ui


def name_selection(table: ui.table, row_name: str, all_rows: str, each_row: str) -> ui.table:
    """Label the selection checkboxes of `table`: the header's `all_rows` ("Choose every case"), each row's
    `each_row` ("Choose {name}") with `{name}` its `row_name` field."""
    table.add_slot("header-selection", '<q-checkbox v-model="props.selected" dense '
                                       f':aria-label="{_attribute(json.dumps(all_rows))}" />')
    label = f"{json.dumps(each_row)}.replace('{{name}}', props.row[{json.dumps(row_name)}])"
    table.add_slot("body-selection", f'<q-checkbox v-model="props.selected" dense :aria-label="{_attribute(label)}" />')
    return table


def _attribute(script: str) -> str:
    """A JavaScript expression written inside a double-quoted HTML attribute."""
    return script.replace("&", "&amp;").replace('"', "&quot;")
