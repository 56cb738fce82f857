"""The app's tables: column headings and the empty table's words in the reader's language, and rows that can be
chosen with checkboxes a screen reader can name.

Quasar's own texts (its "No data available") come from a language pack NiceGUI loads once per page route, so
`table` says them itself. Quasar's selection column draws bare checkboxes; axe-core (rightly) finds them without
a name: `name_selection` draws the same checkboxes, each labelled by the row it chooses.
"""

from __future__ import annotations

import json
from typing import Any

from nicegui import ui

from designer.i18n import _


def table(columns: list[dict[str, Any]], rows: list[dict[str, Any]], row_key: str, **options: Any) -> ui.table:
    """A table whose columns' `label`s are message ids (`N_`), said in the reader's language, as is the empty
    table's line; `options` go to `ui.table` (e.g. `selection="multiple"`)."""
    said = [{**column, "label": _(column["label"]) if column.get("label") else ""} for column in columns]
    nothing = _("Nothing to show")
    return ui.table(columns=said, rows=rows, row_key=row_key, **options) \
        .props(f'no-data-label="{_attribute(nothing)}"')


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
