"""Editing a process in the designer: a draft bundle document, its edits, history and autosave.

A `Draft` holds the bundle document being edited. Every edit is a pure function
of a document (`add_node`, `move_node`, `add_edge`, `delete`, `set_name`,
`set_queue`, `apply_layout`) that returns a new document; the draft validates
the result through the pydantic models and keeps it only when the models accept
it, else it raises `EditRejected` with a message and nothing changes. Accepted
edits go on an undo history of whole-document snapshots. `DraftFolder` keeps
each draft as a JSON file (`<data>/drafts/<key>.json`), written atomically.

No UI here: the editor page (designer.pages.editor) calls these.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from codegen.layout import layout
from models.bundle import Bundle
from models.checks import Finding, Severity, check
from models.expressions import ExprType, names_for
from models.nodes import NODE_KINDS
from models.serialization import bundle_document, problems_from_validation

__all__ = [
    "HISTORY_LIMIT",
    "Draft",
    "DraftFolder",
    "EditRejected",
    "add_edge",
    "add_node",
    "apply_layout",
    "check_key_and_name",
    "copy_as",
    "delete",
    "move_node",
    "new_process",
    "set_name",
    "set_queue",
]

#: Undo steps kept per draft.
HISTORY_LIMIT = 100

Document = dict[str, Any]

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class EditRejected(ValueError):
    """An edit the models refuse, or one that names something that is not there. Nothing changed."""


# Pure operations on documents ------------------------------------------------------------------


def new_process(key: str, name: str) -> Document:
    """The document of a new process: a start and an end, still to be connected.

    >>> doc = new_process("refund", "Refund")
    >>> [n["kind"] for n in doc["nodes"]], doc["edges"]
    (['start', 'end'], [])
    """
    return {"key": key, "name": name,
            "nodes": [{"id": "start", "kind": "start", "name": "Start", "position": {"x": 80, "y": 80}},
                      {"id": "end", "kind": "end", "name": "End", "position": {"x": 480, "y": 80}}],
            "edges": []}


def check_key_and_name(key: str, name: str) -> tuple[str, str]:
    """`key` and `name` without surrounding spaces, or EditRejected when the key is no valid id or the name empty."""
    key, name = key.strip(), name.strip()
    if not _KEY.match(key) or len(key) > 80:
        raise EditRejected("The key may hold letters, digits, '_', '.' and '-', starts with a letter or "
                           "digit and is at most 80 characters, e.g. 'refund_request'.")
    if not name:
        raise EditRejected("Give the process a name.")
    return key, name


def copy_as(document: Mapping[str, Any], key: str, name: str) -> Document:
    """A copy of `document` as another process: the same content under a new key and name.

    >>> copy_as(new_process("refund", "Refund"), " refund_b2b ", "Refund B2B")["key"]
    'refund_b2b'
    """
    key, name = check_key_and_name(key, name)
    return copy.deepcopy(dict(document)) | {"key": key, "name": name}


def _ids(document: Mapping[str, Any]) -> set[str]:
    return {str(e.get("id")) for e in [*document.get("nodes", []), *document.get("edges", [])]}


def _fresh_id(prefix: str, taken: set[str]) -> str:
    number = 1
    while f"{prefix}_{number}" in taken:
        number += 1
    return f"{prefix}_{number}"


def _first_id(document: Mapping[str, Any], collection: str, fallback: str) -> str:
    items = document.get(collection) or []
    return str(items[0]["id"]) if items else fallback


def _node(document: Mapping[str, Any], node_id: str) -> dict[str, Any]:
    for node in document.get("nodes", []):
        if node.get("id") == node_id:
            return node
    raise EditRejected(f"There is no node '{node_id}' in this process.")


def add_node(document: Mapping[str, Any], kind: str, x: float, y: float,
             known_processes: Mapping[str, Any] | None = None) -> tuple[Document, str]:
    """A copy of `document` with a new node of `kind` at (x, y); returns it and the new node's id.

    The id is the kind and the first free number (`task_1`). Settings a kind
    requires are filled in: a task gets the first queue (or a new queue "q" for
    a new role "q"), a send the first letter, an automatic step the first
    decision table, a subprocess the first other known process, a wait one day.
    Where the thing referred to does not exist yet the reference is still made,
    and the checks report it.

    >>> doc, node_id = add_node(new_process("p", "P"), "task", 300, 200)
    >>> node_id, doc["nodes"][-1]["queue"], doc["queues"]
    ('task_1', 'q', [{'id': 'q', 'name': 'Queue', 'role': 'q'}])
    """
    if kind not in NODE_KINDS:
        raise EditRejected(f"'{kind}' is not a kind of step Flowdesk knows; use one of {', '.join(NODE_KINDS)}.")
    result = copy.deepcopy(dict(document))
    node_id = _fresh_id(kind, _ids(result))
    node: dict[str, Any] = {"id": node_id, "kind": kind, "position": {"x": float(x), "y": float(y)}}
    if kind == "task":
        if not result.get("queues"):
            result.setdefault("roles", [])
            if not any(r.get("id") == "q" for r in result["roles"]):
                result["roles"].append({"id": "q", "name": "Role"})
            result["queues"] = [{"id": "q", "name": "Queue", "role": "q"}]
        node["queue"] = _first_id(result, "queues", "q")
    elif kind == "send":
        node["letter"] = _first_id(result, "letters", "letter")
    elif kind == "automatic":
        node["decision_table"] = _first_id(result, "decision_tables", "decision_table")
    elif kind == "subprocess":
        others = [k for k in (known_processes or {}) if k != result.get("key")]
        node["process"] = others[0] if others else "process"
    elif kind == "wait":
        node["wait_for"] = "timer"
        node["duration"] = {"amount": 1, "unit": "days"}
    result["nodes"] = [*result.get("nodes", []), node]
    return result, node_id


def move_node(document: Mapping[str, Any], node_id: str, x: float, y: float) -> Document:
    """A copy of `document` with node `node_id` centred on (x, y)."""
    result = copy.deepcopy(dict(document))
    _node(result, node_id)["position"] = {"x": float(x), "y": float(y)}
    return result


def add_edge(document: Mapping[str, Any], source: str, target: str) -> tuple[Document, str]:
    """A copy of `document` with an edge from `source` to `target`; returns it and the edge id (`flow_1`)."""
    result = copy.deepcopy(dict(document))
    _node(result, source)
    _node(result, target)
    if source == target:
        raise EditRejected(f"A step cannot be connected to itself ('{source}').")
    if any(e.get("source") == source and e.get("target") == target for e in result.get("edges", [])):
        raise EditRejected(f"'{source}' is already connected to '{target}'.")
    edge_id = _fresh_id("flow", _ids(result))
    result["edges"] = [*result.get("edges", []), {"id": edge_id, "source": source, "target": target}]
    return result, edge_id


def delete(document: Mapping[str, Any], ids: list[str]) -> Document:
    """A copy of `document` without these nodes (and every edge touching them) and edges."""
    result = copy.deepcopy(dict(document))
    unknown = sorted(set(ids) - _ids(result))
    if unknown:
        raise EditRejected(f"Nothing to delete: {', '.join(unknown)} is not in this process.")
    gone = set(ids)
    result["nodes"] = [n for n in result.get("nodes", []) if n.get("id") not in gone]
    result["edges"] = [e for e in result.get("edges", [])
                       if e.get("id") not in gone and e.get("source") not in gone and e.get("target") not in gone]
    return result


def set_name(document: Mapping[str, Any], node_id: str, name: str) -> Document:
    """A copy of `document` in which node `node_id` is called `name`."""
    result = copy.deepcopy(dict(document))
    _node(result, node_id)["name"] = name
    return result


def set_queue(document: Mapping[str, Any], node_id: str, queue: str) -> Document:
    """A copy of `document` in which task `node_id` goes to `queue` (one of the process's queues)."""
    result = copy.deepcopy(dict(document))
    node = _node(result, node_id)
    if node.get("kind") != "task":
        raise EditRejected(f"'{node_id}' is not a task; only tasks have a queue.")
    if not any(q.get("id") == queue for q in result.get("queues", [])):
        raise EditRejected(f"There is no queue '{queue}' in this process.")
    node["queue"] = queue
    return result


def set_edge(document: Mapping[str, Any], edge_id: str, *, condition: str, default: bool,
             label: str) -> Document:
    """A copy of `document` in which edge `edge_id` has this condition, default mark and label.

    A default way has no condition, so marking it default clears the condition.
    """
    result = copy.deepcopy(dict(document))
    edge = next((e for e in result.get("edges", []) if e.get("id") == edge_id), None)
    if edge is None:
        raise EditRejected(f"There is no connection '{edge_id}' in this process.")
    edge["condition"] = "" if default else condition.strip()
    edge["default"] = default
    edge["label"] = label.strip()
    return result


#: Lists of a bundle edited entry by entry: the field that identifies an entry, and how to name one.
COLLECTIONS = {
    "variables": ("name", "variable '{id}'"),
    "queues": ("id", "queue '{id}'"),
    "root_causes": ("id", "entry '{id}' in the root causes"),
    "adhoc_task_types": ("id", "entry '{id}' in the ad-hoc task types"),
}


def add_entry(document: Mapping[str, Any], collection: str, entry: Mapping[str, Any]) -> Document:
    """A copy of `document` with `entry` appended to `collection`; its identifying field must be new.

    >>> add_entry(new_process("p", "P"), "root_causes", {"id": "meter", "label": "Meter error"})["root_causes"]
    [{'id': 'meter', 'label': 'Meter error'}]
    """
    if collection not in COLLECTIONS:
        raise EditRejected(f"'{collection}' is not a list of a process that can be edited here.")
    key, naming = COLLECTIONS[collection]
    result = copy.deepcopy(dict(document))
    entry = {name: value.strip() if isinstance(value, str) else value for name, value in entry.items()}
    if any(e.get(key) == entry.get(key) for e in result.get(collection, [])):
        named = naming.format(id=entry.get(key))
        raise EditRejected(f"There is already {'an' if named[0] in 'aeiou' else 'a'} {named}.")
    result[collection] = [*result.get(collection, []), entry]
    return result


def remove_entry(document: Mapping[str, Any], collection: str, entry_id: str) -> Document:
    """A copy of `document` without that entry of `collection` (the checks then show where it was used)."""
    key, naming = COLLECTIONS[collection]
    result = copy.deepcopy(dict(document))
    kept = [e for e in result.get(collection, []) if e.get(key) != entry_id]
    if len(kept) == len(result.get(collection, [])):
        raise EditRejected(f"There is no {naming.format(id=entry_id)}.")
    result[collection] = kept
    return result


def variable_entry(name: str, type_: str, options: list[str] | None = None) -> dict[str, Any]:
    """A case variable as a bundle entry; a choice gets its options.

    >>> variable_entry("reason", "choice", ["move", " other"])
    {'name': 'reason', 'type': 'choice', 'options': [{'value': 'move'}, {'value': 'other'}]}
    """
    variable: dict[str, Any] = {"name": name.strip(), "type": type_}
    if options:
        variable["options"] = [{"value": option.strip()} for option in options if option.strip()]
    return variable


def add_queue(document: Mapping[str, Any], queue_id: str, name: str, role: str) -> Document:
    """A copy of `document` with a new queue for people with `role` (the role is added if it is new).

    >>> add_queue(new_process("p", "P"), "billing", "Billing", "agent")["queues"]
    [{'id': 'billing', 'name': 'Billing', 'role': 'agent'}]
    """
    result = add_entry(document, "queues", {"id": queue_id, "name": name, "role": role})
    if not any(r.get("id") == role.strip() for r in result.get("roles", [])):
        result["roles"] = [*result.get("roles", []), {"id": role.strip()}]
    return result


def set_sla(document: Mapping[str, Any], node_id: str, target: str, warning: str) -> Document:
    """A copy of `document` in which task `node_id` has this SLA ("5 working days"); an empty target removes it.

    Escalations already set stay as they are.

    >>> doc, task = add_node(new_process("p", "P"), "task", 0, 0)
    >>> _node(set_sla(doc, task, "5 working days", "4 working days"), task)["sla"]
    {'target': '5 working days', 'warning': '4 working days'}
    """
    result = copy.deepcopy(dict(document))
    node = _node(result, node_id)
    if node.get("kind") != "task":
        raise EditRejected(f"'{node_id}' is not a task; only tasks have a service level.")
    if not target.strip():
        node.pop("sla", None)
        return result
    sla = dict(node.get("sla") or {})
    sla["target"] = target.strip()
    if warning.strip():
        sla["warning"] = warning.strip()
    else:
        sla.pop("warning", None)
    node["sla"] = sla
    return result


def expression_names(bundle: Bundle) -> list[str]:
    """Every name a condition in `bundle` may use, for completion: case data, customer fields, today, now.

    >>> expression_names(Bundle(key="k", name="K"))[:3]
    ['customer.address.city', 'customer.address.country', 'customer.address.house_number']
    """
    names: list[str] = []

    def walk(prefix: str, expr_type: ExprType) -> None:
        if expr_type.kind == "record":
            for field, field_type in sorted(expr_type.fields.items()):
                walk(f"{prefix}.{field}", field_type)
        else:
            names.append(prefix)

    for name, expr_type in sorted(names_for(bundle.variables).items()):
        walk(name, expr_type)
    return names


def apply_layout(document: Mapping[str, Any]) -> Document:
    """A copy of `document` with every node placed by `codegen.layout.layout`."""
    result = copy.deepcopy(dict(document))
    positions = layout(_validate(result))
    for node in result.get("nodes", []):
        position = positions[node["id"]]
        node["position"] = {"x": position.x, "y": position.y}
    return result


def _validate(document: Mapping[str, Any]) -> Bundle:
    try:
        return Bundle.model_validate(document)
    except ValidationError as error:
        problems = problems_from_validation(error)
        raise EditRejected("; ".join(f"{p.path}: {p.message}" if p.path else p.message
                                     for p in problems)) from None


# The draft ----------------------------------------------------------------------------------


class Draft:
    """A bundle document being edited, with undo/redo and checks.

    :param document: the bundle document to start from (validated)
    :param known_processes: published processes by key, for checking subprocess calls
    :param on_change: called with the draft after every accepted change (edit, undo, redo)
    """

    def __init__(self, document: Mapping[str, Any], *, known_processes: Mapping[str, Bundle] | None = None,
                 on_change: Callable[[Draft], None] | None = None) -> None:
        self._bundle = _validate(document)
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

    def set_sla(self, node_id: str, target: str, warning: str) -> None:
        self._commit(set_sla(self._document, node_id, target, warning))

    def add_queue(self, queue_id: str, name: str, role: str) -> None:
        self._commit(add_queue(self._document, queue_id, name, role))

    def add_entry(self, collection: str, entry: Mapping[str, Any]) -> None:
        self._commit(add_entry(self._document, collection, entry))

    def remove_entry(self, collection: str, entry_id: str) -> None:
        self._commit(remove_entry(self._document, collection, entry_id))

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
        bundle = _validate(document)  # raises EditRejected; nothing changed then
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
        if not _KEY.match(key) or len(key) > 80:
            raise EditRejected(f"'{key}' is not a process key.")
        return self.folder / f"{key}.json"

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    def draft_keys(self) -> list[str]:
        """The keys of every saved draft, sorted (set-aside `.broken` files and temp files not included)."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json") if _KEY.match(p.stem) and len(p.stem) <= 80)

    def save(self, draft: Draft) -> None:
        """Write the draft's document: temp file, fsync, then os.replace over the old one."""
        path = self.path(draft.key)
        self.folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"document": draft.document}, indent=1, ensure_ascii=False)
        fd, temp = tempfile.mkstemp(dir=self.folder, prefix=f".{draft.key}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        try:  # make the rename itself durable
            directory = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        except OSError:
            pass

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
