"""A draft: the bundle document being edited, with undo/redo, checks and autosave.

A `Draft` holds the bundle document being edited. It applies pure edits
(`designer.editing.edits` and the topic modules beside it), keeps the result
only when the models accept it, and puts accepted edits on an undo history of
whole-document snapshots. `DraftFolder` keeps each draft as a JSON file
(`<data>/drafts/<key>.json`), written atomically.

No UI here: the editor page (designer.pages.editor) calls these.
"""

from __future__ import annotations

import copy
import json
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from codegen.layout import layout
from designer.editing.edits import (
    Document,
    EditRejected,
    add_edge,
    add_entry,
    add_node,
    add_queue,
    apply_layout,
    check_key_and_name,
    delete,
    is_key,
    move_node,
    new_process,
    remove_entry,
    set_edge,
    set_name,
    set_queue,
    validate,
    variable_entry,
)
from models.bundle import Bundle
from models.checks import Finding, Severity, check
from models.serialization import bundle_document
from runtime.storage.files import atomic_write, make_directory

#: Undo steps kept per draft.
HISTORY_LIMIT = 100

class Draft:
    """A bundle document being edited, with undo/redo and checks.

    :param document: the bundle document to start from (validated)
    :param known_processes: published processes by key, for checking subprocess calls
    :param on_change: called with the draft after every accepted change (edit, undo, redo)
    """

    def __init__(self, document: Mapping[str, Any], *, known_processes: Mapping[str, Bundle] | None = None,
                 on_change: Callable[[Draft], None] | None = None) -> None:
        self._bundle = validate(document)
        self._document = bundle_document(self._bundle)
        self.known_processes = dict(known_processes) if known_processes is not None else None
        self.on_change = on_change
        self._undo: deque[Document] = deque(maxlen=HISTORY_LIMIT)
        self._redo: deque[Document] = deque(maxlen=HISTORY_LIMIT)
        self.revision = 0
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

    @property
    def positions(self) -> dict[str, tuple[float, float]]:
        """Every node's centre: its stored position, or where the layout puts it."""
        computed = None
        result = {}
        for node in self._bundle.nodes:
            if node.position is not None:
                result[node.id] = (node.position.x, node.position.y)
            else:
                computed = computed or layout(self._bundle)
                result[node.id] = (computed[node.id].x, computed[node.id].y)
        return result

    def findings(self) -> list[Finding]:
        """The checks' findings for the current document (computed once per revision)."""
        if self._findings is None or self._findings[0] != self.revision:
            known = None if self.known_processes is None else {**self.known_processes, self.key: self._bundle}
            self._findings = (self.revision, check(self._bundle, known_processes=known))
        return self._findings[1]

    def errors(self) -> list[Finding]:
        return [f for f in self.findings() if f.severity is Severity.ERROR]

    # Edits.

    def add_node(self, kind: str, x: float, y: float) -> str:
        document, node_id = add_node(self._document, kind, x, y, self.known_processes)
        self._commit(document)
        return node_id

    def move_node(self, node_id: str, x: float, y: float) -> None:
        self._commit(move_node(self._document, node_id, x, y))

    def add_edge(self, source: str, target: str) -> str:
        document, edge_id = add_edge(self._document, source, target)
        self._commit(document)
        return edge_id

    def delete(self, ids: list[str]) -> None:
        self._commit(delete(self._document, ids))

    def set_name(self, node_id: str, name: str) -> None:
        self._commit(set_name(self._document, node_id, name))

    def set_queue(self, node_id: str, queue: str) -> None:
        self._commit(set_queue(self._document, node_id, queue))

    def set_edge(self, edge_id: str, *, condition: str, default: bool, label: str) -> None:
        self._commit(set_edge(self._document, edge_id, condition=condition, default=default, label=label))

    def add_variable(self, name: str, type_: str, options: list[str] | None = None) -> None:
        self._commit(add_entry(self._document, "variables", variable_entry(name, type_, options)))

    def add_queue(self, queue_id: str, name: str, role: str) -> None:
        self._commit(add_queue(self._document, queue_id, name, role))

    def add_entry(self, collection: str, entry: Mapping[str, Any]) -> None:
        self._commit(add_entry(self._document, collection, entry))

    def remove_entry(self, collection: str, entry_id: str) -> None:
        self._commit(remove_entry(self._document, collection, entry_id))

    def apply(self, edit: Callable[..., Document], *args: Any, **kwargs: Any) -> None:
        """Commit any pure edit: `edit(document, *args, **kwargs)` returns the changed document."""
        self._commit(edit(self._document, *args, **kwargs))

    def auto_layout(self) -> None:
        self._commit(apply_layout(self._document))

    def undo(self) -> bool:
        """Back to the document before the last edit; False when there is nothing to undo."""
        if not self._undo:
            return False
        self._redo.append(self._document)
        self._set(self._undo.pop())
        return True

    def redo(self) -> bool:
        """Again the edit last undone; False when there is nothing to redo."""
        if not self._redo:
            return False
        self._undo.append(self._document)
        self._set(self._redo.pop())
        return True

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
        if self.on_change is not None:
            self.on_change(self)


# Autosave ----------------------------------------------------------------------------------


class DraftFolder:
    """Drafts kept as `<folder>/<process key>.json`, each written atomically after every change."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        if not is_key(key):
            raise EditRejected(f"'{key}' is not a process key.")
        return self.folder / f"{key}.json"

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    def draft_keys(self) -> list[str]:
        """The keys of every saved draft, sorted (set-aside `.broken` files and temp files not included)."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json") if is_key(p.stem))

    def save(self, draft: Draft) -> None:
        """Write the draft's document atomically (temp file, fsync, rename), so a crash keeps the old or the new."""
        make_directory(self.folder)
        atomic_write(self.path(draft.key), json.dumps({"document": draft.document}, indent=1,
                                                      ensure_ascii=False).encode("utf-8"))

    def load(self, key: str) -> Document | None:
        """The saved document of `key`'s draft, or None when there is none (or it cannot be read)."""
        path = self.path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        document = data.get("document") if isinstance(data, dict) else None
        return document if isinstance(document, dict) else None

    def discard(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def open(self, key: str, published: Bundle | None, **options: Any) -> Draft:
        """`key`'s saved draft, else a draft of the newest published version; saves after every change.

        A saved draft the models no longer accept is ignored (kept on disk as `<key>.json.broken`).
        """
        saved = self.load(key)
        draft = None
        if saved is not None:
            try:
                draft = Draft(saved, **options)
            except EditRejected:
                self.path(key).replace(self.path(key).with_suffix(".json.broken"))
        if draft is None:
            if published is None:
                raise KeyError(key)
            draft = Draft(bundle_document(published), **options)
        draft.on_change = self.save
        return draft
