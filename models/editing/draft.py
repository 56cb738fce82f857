"""A draft: the bundle document being edited, with undo/redo, checks and the last edit kept to repeat it.

A `Draft` holds the bundle document being edited. It applies pure edits
(`models.editing.edits` and the topic modules beside it), keeps the result
only when the models accept it, and puts accepted edits on an undo history of
whole-document snapshots.

Because every edit is a pure function of the document, the draft keeps the
last one (`last_edit`: the function and its arguments). When someone else
saved the draft meanwhile, `rebase` starts from their document and applies
that edit again on top of it, so a change made on an older version is not
lost; when it no longer applies, `EditRejected` says why and the caller
decides (keep one's own document or drop the edit).

No I/O and no UI here: the runtime keeps drafts (`runtime.drafts`), the
editor page (designer.pages.editor) calls these.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from models.bundle import Bundle
from models.checks import Finding, Severity, check
from models.editing.edits import (
    Document,
    EditRejected,
    add_edge,
    add_entry,
    add_named,
    add_node,
    add_queue,
    add_variable,
    check_key_and_name,
    delete,
    move_node,
    new_process,
    remove_entry,
    set_edge,
    set_name,
    set_queue,
    validate,
)
from models.serialization import bundle_document

#: Undo steps kept per draft.
HISTORY_LIMIT = 100

#: A pure edit: `edit(document, *args, **kwargs)` returns the changed document, or (document, what it added).
EditFunction = Callable[..., Any]


@dataclass(frozen=True)
class Edit:
    """One edit as it was asked for: the pure function and its arguments, to apply it again on a newer draft."""

    function: EditFunction
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def __call__(self, document: Document) -> tuple[Document, Any]:
        """The changed document and what the edit returned beside it (e.g. a new node's id), else None."""
        result = self.function(document, *self.args, **self.kwargs)
        return result if isinstance(result, tuple) else (result, None)


def replace_document(document: Mapping[str, Any], replacement: Mapping[str, Any]) -> Document:
    """`replacement` as the whole new document: how one keeps one's own version over someone else's.

    >>> replace_document({"key": "a"}, {"key": "b"})
    {'key': 'b'}
    """
    return copy.deepcopy(dict(replacement))


class Draft:
    """A bundle document being edited, with undo/redo, checks and the last edit.

    :param document: the bundle document to start from (validated)
    :param known_processes: published processes by key, for checking subprocess calls
    """

    def __init__(self, document: Mapping[str, Any], *, known_processes: Mapping[str, Bundle] | None = None) -> None:
        self._bundle = validate(document)
        self._document = bundle_document(self._bundle)
        self.known_processes = dict(known_processes) if known_processes is not None else None
        self._undo: deque[Document] = deque(maxlen=HISTORY_LIMIT)
        self._redo: deque[Document] = deque(maxlen=HISTORY_LIMIT)
        self.revision = 0  # counts every change of this object's document (not the stored draft's revision)
        self.last_edit: Edit | None = None  # None after undo, redo or a reload: nothing to apply again
        self._findings: tuple[int, list[Finding]] | None = None

    @classmethod
    def new(cls, key: str, name: str, **options: Any) -> Draft:
        """A draft of a new process with a start and an end."""
        key, name = check_key_and_name(key, name)
        return cls(new_process(key, name), **options)

    # What it holds.

    @property
    def document(self) -> Document:
        """The current bundle document (a copy: change it through the edits)."""
        return copy.deepcopy(self._document)

    @property
    def bundle(self) -> Bundle:
        return self._bundle

    @property
    def key(self) -> str:
        return self._bundle.key

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def findings(self) -> list[Finding]:
        """The checks' findings for the current document (computed once per revision)."""
        if self._findings is None or self._findings[0] != self.revision:
            known = None if self.known_processes is None else {**self.known_processes, self.key: self._bundle}
            self._findings = (self.revision, check(self._bundle, known_processes=known))
        return self._findings[1]

    def errors(self) -> list[Finding]:
        return [f for f in self.findings() if f.severity is Severity.ERROR]

    # Edits.

    def apply(self, edit: EditFunction, *args: Any, **kwargs: Any) -> Any:
        """Commit any pure edit: `edit(document, *args, **kwargs)` returns the changed document (or the document
        and what it added, which is returned). Kept as `last_edit`."""
        asked = Edit(edit, args, kwargs)
        document, added = asked(self._document)
        self._commit(document)
        self.last_edit = asked
        return added

    def add_node(self, kind: str, x: float, y: float, *, queue: str | None = None, letter: str | None = None) -> str:
        return self.apply(add_node, kind, x, y, self.known_processes, queue=queue, letter=letter)

    def move_node(self, node_id: str, x: float, y: float) -> None:
        self.apply(move_node, node_id, x, y)

    def add_edge(self, source: str, target: str) -> str:
        return self.apply(add_edge, source, target)

    def delete(self, ids: list[str]) -> None:
        self.apply(delete, ids)

    def set_name(self, node_id: str, name: str) -> None:
        self.apply(set_name, node_id, name)

    def set_queue(self, node_id: str, queue: str) -> None:
        self.apply(set_queue, node_id, queue)

    def set_edge(self, edge_id: str, *, condition: str | None = None, default: bool | None = None,
                 label: str | None = None) -> None:
        self.apply(set_edge, edge_id, condition=condition, default=default, label=label)

    def add_variable(self, label: str, type_: str, options: list[str] | None = None, name: str = "",
                     fields: Sequence[tuple[str, str]] = ()) -> None:
        self.apply(add_variable, label, type_, options, name, fields)

    def add_queue(self, queue_id: str, name: str, role: str) -> None:
        self.apply(add_queue, queue_id, name, role)

    def add_named(self, collection: str, text: str, entry_id: str = "", **fields: str) -> None:
        self.apply(add_named, collection, text, entry_id, **fields)

    def add_entry(self, collection: str, entry: Mapping[str, Any]) -> None:
        self.apply(add_entry, collection, entry)

    def remove_entry(self, collection: str, entry_id: str) -> None:
        self.apply(remove_entry, collection, entry_id)

    def undo(self) -> bool:
        """Back to the document before the last edit; False when there is nothing to undo."""
        if not self._undo:
            return False
        self._redo.append(self._document)
        self._set(self._undo.pop())
        self.last_edit = None
        return True

    def redo(self) -> bool:
        """Again the edit last undone; False when there is nothing to redo."""
        if not self._redo:
            return False
        self._undo.append(self._document)
        self._set(self._redo.pop())
        self.last_edit = None
        return True

    # Someone else's version.

    def reload(self, document: Mapping[str, Any]) -> None:
        """Continue from `document` (e.g. saved by someone else); the history is cleared, as undoing would
        silently take back their change."""
        bundle = validate(document)
        if bundle.key != self._bundle.key:
            raise EditRejected(f"'{bundle.key}' is another process than '{self.key}'.")
        self._undo.clear()
        self._redo.clear()
        self.last_edit = None
        self._set(bundle_document(bundle), bundle)

    def rebase(self, document: Mapping[str, Any]) -> None:
        """Continue from `document` and apply the last edit again on top of it.

        Raises EditRejected (the draft is then `document`, without the edit) when the edit no longer
        applies there, or when there is no edit to repeat (the last change was an undo or redo).
        """
        edit = self.last_edit
        self.reload(document)
        if edit is None:
            raise EditRejected("An undo or redo cannot be repeated on top of another version.")
        document, _ = edit(self._document)
        self._commit(document)
        self.last_edit = edit

    def _commit(self, document: Document) -> None:
        bundle = validate(document)  # raises EditRejected; nothing changed then
        if bundle.key != self._bundle.key:
            raise EditRejected("The process key cannot be changed while editing.")
        new = bundle_document(bundle)
        if new == self._document:
            return
        self._undo.append(self._document)
        self._redo.clear()
        self._set(new, bundle)

    def _set(self, document: Document, bundle: Bundle | None = None) -> None:
        self._document = document
        self._bundle = bundle or Bundle.model_validate(document)
        self.revision += 1
