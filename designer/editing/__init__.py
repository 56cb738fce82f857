"""Editing a process in the designer: pure edits of a bundle document, and the draft that commits them.

`edits` holds the edits of the flow and of the bundle's lists; `draft` the
`Draft` (undo/redo, checks) and `DraftFolder` (autosave). Topic modules beside
them (e.g. decision tables, forms, letters) add the edits of their part.
"""

from designer.editing.draft import HISTORY_LIMIT, Draft, DraftFolder
from designer.editing.edits import (
    Document,
    EditRejected,
    add_edge,
    add_entry,
    add_node,
    apply_layout,
    check_key_and_name,
    copy_as,
    delete,
    expression_names,
    move_node,
    new_process,
    remove_entry,
    replace_entry,
    set_edge,
    set_name,
    set_node_fields,
    set_queue,
)

__all__ = [
    "HISTORY_LIMIT",
    "Document",
    "Draft",
    "DraftFolder",
    "EditRejected",
    "add_edge",
    "add_entry",
    "add_node",
    "apply_layout",
    "check_key_and_name",
    "copy_as",
    "delete",
    "expression_names",
    "move_node",
    "new_process",
    "remove_entry",
    "replace_entry",
    "set_edge",
    "set_name",
    "set_node_fields",
    "set_queue",
]
