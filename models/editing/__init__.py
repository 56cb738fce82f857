"""Editing a process: pure edits of a bundle document, and the draft that commits them.

`edits` holds the edits of the flow and of the bundle's lists; `draft` the
`Draft` (undo/redo, checks, the last edit to repeat on a newer version). Topic
modules beside them (node settings, forms, letters, decision tables) add the
edits of their part. Pure: where drafts are kept is the runtime's business
(`runtime.drafts`).
"""

from models.editing.draft import HISTORY_LIMIT, Draft, Edit, replace_document
from models.editing.edits import (
    Document,
    EditRejected,
    add_edge,
    add_entry,
    add_node,
    check_key_and_name,
    copy_as,
    delete,
    expression_names,
    is_key,
    move_node,
    new_process,
    place_nodes,
    remove_entry,
    replace_entry,
    set_edge,
    set_name,
    set_node_fields,
    set_queue,
    validate,
)

__all__ = [
    "HISTORY_LIMIT",
    "Document",
    "Draft",
    "Edit",
    "EditRejected",
    "add_edge",
    "add_entry",
    "add_node",
    "check_key_and_name",
    "copy_as",
    "delete",
    "expression_names",
    "is_key",
    "move_node",
    "new_process",
    "place_nodes",
    "remove_entry",
    "replace_document",
    "replace_entry",
    "set_edge",
    "set_name",
    "set_node_fields",
    "set_queue",
    "validate",
]
