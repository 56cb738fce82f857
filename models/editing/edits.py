"""Pure edits of a bundle document: each takes a document and returns a changed copy.

The draft (`models.editing.draft.Draft`) commits an edit only when the
pydantic models accept the result; an edit that names something missing, or
that the models refuse, raises `EditRejected` and nothing changes. Edits of
one topic beyond the flow itself live in their own module of this package.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from models.bundle import Bundle
from models.errors import FlowdeskError, LoadProblem
from models.expressions import ExprType, names_for
from models.nodes import NODE_KINDS, Position
from models.phrases import Phrase, one_by_one
from models.serialization import problems_from_validation

Document = dict[str, Any]

_KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: The longest process key (or form id) the designer accepts.
KEY_LIMIT = 80


def is_key(text: str) -> bool:
    """Whether `text` may be a process key or form id: letters, digits, '_', '.', '-', at most `KEY_LIMIT` long.

    >>> is_key("refund_request"), is_key("two words"), is_key("-x")
    (True, False, False)
    """
    return bool(_KEY_PATTERN.match(text)) and len(text) <= KEY_LIMIT


class EditRejected(FlowdeskError, ValueError):
    """An edit the models refuse, or one that names something that is not there. Nothing changed."""



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
    if not is_key(key):
        raise EditRejected(Phrase("The key may hold letters, digits, '_', '.' and '-', starts with a letter or "
                                  "digit and is at most {limit} characters, e.g. 'refund_request'.", limit=KEY_LIMIT))
    if not name:
        raise EditRejected(Phrase("Give the process a name."))
    return key, name


def copy_as(document: Mapping[str, Any], key: str, name: str) -> Document:
    """A copy of `document` as another process: the same content under a new key and name.

    >>> copy_as(new_process("refund", "Refund"), " refund_b2b ", "Refund B2B")["key"]
    'refund_b2b'
    """
    key, name = check_key_and_name(key, name)
    return copy.deepcopy(dict(document)) | {"key": key, "name": name}


def taken_ids(document: Mapping[str, Any]) -> set[str]:
    return {str(e.get("id")) for e in [*document.get("nodes", []), *document.get("edges", [])]}


def key_from_label(label: str, fallback: str) -> str:
    """An id (and variable name) for something people named `label`: its words in lower case joined by '_';
    `fallback` in front when it does not start with a letter.

    >>> key_from_label("Back office (NL)", "queue"), key_from_label("Überweisung", "q")
    ('back_office_nl', 'uberweisung')
    >>> key_from_label("€ 10", "queue"), key_from_label("2nd line", "queue"), key_from_label("—", "queue")
    ('queue_10', 'queue_2nd_line', 'queue')
    """
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower())
    key = "_".join(words)[:56] or fallback  # with the fallback in front, still a valid variable name
    return key if key[0].isalpha() else f"{fallback}_{key}"


def fresh_id(prefix: str, taken: set[str]) -> str:
    number = 1
    while f"{prefix}_{number}" in taken:
        number += 1
    return f"{prefix}_{number}"


def _first_id(document: Mapping[str, Any], collection: str, fallback: str) -> str:
    items = document.get(collection) or []
    return str(items[0]["id"]) if items else fallback


def _existing(document: Mapping[str, Any], collection: str, wanted: str | None, none_yet: str) -> str:
    """`wanted` (else the first) of the document's `collection`; EditRejected when it is not there."""
    ids = [str(item["id"]) for item in document.get(collection) or []]
    if not ids:
        raise EditRejected(none_yet)
    if wanted is not None and wanted not in ids:
        raise EditRejected(f"There is no {COLLECTIONS[collection][1].format(id=wanted)}.")
    return wanted if wanted is not None else ids[0]


def _new_step_name(document: Mapping[str, Any], kind: str) -> tuple[str, str]:
    """The id and name of a new step of `kind`: `task_3` and "Task 3", the first number neither is used with."""
    taken = taken_ids(document)
    names = {str(node.get("name", "")) for node in document.get("nodes", [])}
    number = 1
    while f"{kind}_{number}" in taken or f"{STEP_NAMES[kind]} {number}" in names:
        number += 1
    return f"{kind}_{number}", f"{STEP_NAMES[kind]} {number}"


def node_entry(document: Mapping[str, Any], node_id: str) -> dict[str, Any]:
    for node in document.get("nodes", []):
        if node.get("id") == node_id:
            return node
    raise EditRejected(f"There is no node '{node_id}' in this process.")


#: What a new step of each kind is called, before a number ("Task 3"); the owner types over it.
STEP_NAMES = {"start": "Start", "task": "Task", "automatic": "Automatic step", "send": "Send", "decision": "Decision",
              "parallel": "Parallel", "wait": "Wait", "subprocess": "Subprocess", "end": "End"}


def add_node(document: Mapping[str, Any], kind: str, x: float, y: float,
             known_processes: Mapping[str, Any] | None = None, *, queue: str | None = None,
             letter: str | None = None) -> tuple[Document, str]:
    """A copy of `document` with a new node of `kind` at (x, y); returns it and the new node's id.

    The id is the kind and a number (`task_3`), the name the kind's `STEP_NAMES`
    entry and the same number ("Task 3"), the first number neither used yet.
    Settings a kind requires are filled in: a task goes to `queue` (else the
    first queue), a send sends `letter` (else the first letter), an automatic
    step evaluates the first decision table, a subprocess calls the first other
    known process, a wait waits one day. A task or send step refers only to a
    queue or letter that exists: without one, the edit is refused, so the owner
    adds one first (`add_task_in_new_queue`, `letters.add_send_step`).

    >>> doc = add_queue(new_process("p", "P"), "billing", "Billing", "agent")
    >>> doc, node_id = add_node(doc, "task", 300, 200)
    >>> node_id, doc["nodes"][-1]["name"], doc["nodes"][-1]["queue"]
    ('task_1', 'Task 1', 'billing')
    >>> try:
    ...     add_node(new_process("p", "P"), "send", 0, 0)
    ... except EditRejected as refused:
    ...     print(refused)
    A send step sends a letter, e-mail or SMS of this process, and it has none yet: create one for it.
    """
    if kind not in NODE_KINDS:
        raise EditRejected(f"'{kind}' is not a kind of step Flowdesk knows; use one of {', '.join(NODE_KINDS)}.")
    result = copy.deepcopy(dict(document))
    node_id, name = _new_step_name(result, kind)
    node: dict[str, Any] = {"id": node_id, "kind": kind, "name": name, "position": {"x": float(x), "y": float(y)}}
    if kind == "task":
        node["queue"] = _existing(result, "queues", queue, "A task is worked in a queue of this process, and it has "
                                                           "none yet: add a queue for it.")
    elif kind == "send":
        node["letter"] = _existing(result, "letters", letter, "A send step sends a letter, e-mail or SMS of this "
                                                             "process, and it has none yet: create one for it.")
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


def add_task_in_new_queue(document: Mapping[str, Any], x: float, y: float, queue_name: str,
                          role: str = "agent") -> tuple[Document, str]:
    """A copy of `document` with a new queue called `queue_name` (for people with `role`) and a new task in it at
    (x, y): how the first task of a process is added. Returns it and the task's id.

    >>> doc, task = add_task_in_new_queue(new_process("p", "P"), 300, 200, "Customer service")
    >>> doc["queues"], doc["nodes"][-1]["queue"]
    ([{'id': 'customer_service', 'name': 'Customer service', 'role': 'agent'}], 'customer_service')
    """
    with_queue = add_queue(document, "", queue_name, role)
    return add_node(with_queue, "task", x, y, queue=with_queue["queues"][-1]["id"])


def move_node(document: Mapping[str, Any], node_id: str, x: float, y: float) -> Document:
    """A copy of `document` with node `node_id` centred on (x, y)."""
    result = copy.deepcopy(dict(document))
    node_entry(result, node_id)["position"] = {"x": float(x), "y": float(y)}
    return result


def add_edge(document: Mapping[str, Any], source: str, target: str) -> tuple[Document, str]:
    """A copy of `document` with an edge from `source` to `target`; returns it and the edge id (`flow_1`)."""
    result = copy.deepcopy(dict(document))
    node_entry(result, source)
    node_entry(result, target)
    if source == target:
        raise EditRejected(f"A step cannot be connected to itself ('{source}').")
    if any(e.get("source") == source and e.get("target") == target for e in result.get("edges", [])):
        raise EditRejected(f"'{source}' is already connected to '{target}'.")
    edge_id = fresh_id("flow", taken_ids(result))
    result["edges"] = [*result.get("edges", []), {"id": edge_id, "source": source, "target": target}]
    return result, edge_id


def delete(document: Mapping[str, Any], ids: list[str]) -> Document:
    """A copy of `document` without these nodes (and every edge touching them) and edges."""
    result = copy.deepcopy(dict(document))
    unknown = sorted(set(ids) - taken_ids(result))
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
    node_entry(result, node_id)["name"] = name
    return result


def set_queue(document: Mapping[str, Any], node_id: str, queue: str) -> Document:
    """A copy of `document` in which task `node_id` goes to `queue` (one of the process's queues)."""
    result = copy.deepcopy(dict(document))
    node = node_entry(result, node_id)
    if node.get("kind") != "task":
        raise EditRejected(f"'{node_id}' is not a task; only tasks have a queue.")
    if not any(q.get("id") == queue for q in result.get("queues", [])):
        raise EditRejected(f"There is no queue '{queue}' in this process.")
    node["queue"] = queue
    return result


def set_edge(document: Mapping[str, Any], edge_id: str, *, condition: str | None = None,
             default: bool | None = None, label: str | None = None) -> Document:
    """A copy of `document` in which edge `edge_id` has the condition, default mark and label given (None: as is).

    A default way has no condition, so marking it default clears the condition.

    >>> doc, flow = add_edge(new_process("p", "P"), "start", "end")
    >>> edge = set_edge(set_edge(doc, flow, label="Yes"), flow, condition="true")["edges"][0]
    >>> edge["label"], edge["condition"]
    ('Yes', 'true')
    """
    result = copy.deepcopy(dict(document))
    edge = next((e for e in result.get("edges", []) if e.get("id") == edge_id), None)
    if edge is None:
        raise EditRejected(f"There is no connection '{edge_id}' in this process.")
    if default is not None:
        edge["default"] = default
    if condition is not None:
        edge["condition"] = condition.strip()
    if edge.get("default"):
        edge["condition"] = ""
    if label is not None:
        edge["label"] = label.strip()
    return result


#: Lists of a bundle edited entry by entry: the field that identifies an entry, and how to name one.
COLLECTIONS = {
    "variables": ("name", "variable '{id}'"),
    "queues": ("id", "queue '{id}'"),
    "root_causes": ("id", "entry '{id}' in the root causes"),
    "adhoc_task_types": ("id", "entry '{id}' in the ad-hoc task types"),
    "decision_tables": ("id", "decision table '{id}'"),
    "forms": ("id", "form '{id}'"),
    "letters": ("id", "letter '{id}'"),
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


def replace_entry(document: Mapping[str, Any], collection: str, entry_id: str,
                  entry: Mapping[str, Any]) -> Document:
    """A copy of `document` in which that entry of `collection` is `entry` (in the same place).

    >>> doc = add_entry(new_process("p", "P"), "root_causes", {"id": "meter", "label": "Meter"})
    >>> replace_entry(doc, "root_causes", "meter", {"id": "meter", "label": "Meter error"})["root_causes"]
    [{'id': 'meter', 'label': 'Meter error'}]
    """
    key, naming = COLLECTIONS[collection]
    result = copy.deepcopy(dict(document))
    entries = result.get(collection, [])
    place = next((i for i, e in enumerate(entries) if e.get(key) == entry_id), None)
    if place is None:
        raise EditRejected(f"There is no {naming.format(id=entry_id)}.")
    if entry.get(key) != entry_id and any(e.get(key) == entry.get(key) for e in entries):
        named = naming.format(id=entry.get(key))
        raise EditRejected(f"There is already {'an' if named[0] in 'aeiou' else 'a'} {named}.")
    entries[place] = copy.deepcopy(dict(entry))
    return result


def set_node_fields(document: Mapping[str, Any], node_id: str, fields: Mapping[str, Any]) -> Document:
    """A copy of `document` in which node `node_id` has these settings; a value of None removes one.

    The node's id and kind stay; the models then judge whether the settings fit the kind.

    >>> doc, task = add_task_in_new_queue(new_process("p", "P"), 0, 0, "Billing")
    >>> node_entry(set_node_fields(doc, task, {"instructions": "Call back"}), task)["instructions"]
    'Call back'
    """
    result = copy.deepcopy(dict(document))
    node = node_entry(result, node_id)
    for name, value in fields.items():
        if name in ("id", "kind"):
            raise EditRejected(f"A step's {name} cannot be changed; add a new step instead.")
        if value is None:
            node.pop(name, None)
        else:
            node[name] = copy.deepcopy(value)
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


def add_variable(document: Mapping[str, Any], label: str, type_: str, options: list[str] | None = None,
                 name: str = "", fields: Sequence[tuple[str, str]] = ()) -> Document:
    """A copy of `document` with a new case variable that agents read as `label`; its `name` (what conditions
    and templates use) is made from the label unless given. A choice gets its `options`, a list of records
    (`records`) its `fields` as (name, type) pairs.

    >>> add_variable(new_process("p", "P"), "Disputed amount", "money")["variables"]
    [{'name': 'disputed_amount', 'type': 'money', 'label': 'Disputed amount'}]
    """
    if not label.strip():
        raise EditRejected("Give the variable a label, as agents will read it, e.g. 'Disputed amount'.")
    entry = variable_entry(name.strip() or key_from_label(label, "value"), type_, options)
    if type_ == "records":
        entry["fields"] = [{"name": field.strip(), "type": kind} for field, kind in fields]
    return add_entry(document, "variables", entry | {"label": label.strip()})


def add_queue(document: Mapping[str, Any], queue_id: str, name: str, role: str) -> Document:
    """A copy of `document` with a new queue that agents read as `name`, for people with `role` (the role is
    added if it is new); its id is made from the name unless given.

    >>> add_queue(new_process("p", "P"), "", "Billing", "agent")["queues"]
    [{'id': 'billing', 'name': 'Billing', 'role': 'agent'}]
    """
    if not name.strip():
        raise EditRejected("Name the queue as agents will read it, e.g. 'Customer service'.")
    queue_id = queue_id.strip() or key_from_label(name, "queue")
    result = add_entry(document, "queues", {"id": queue_id, "name": name, "role": role})
    if not any(r.get("id") == role.strip() for r in result.get("roles", [])):
        result["roles"] = [*result.get("roles", []), {"id": role.strip()}]
    return result


#: Per catalogue `add_named` adds to: the field holding what people read, the start of an id made from nothing
#: usable, and the words asking for what people read.
NAMED_BY = {
    "root_causes": ("label", "cause", "Give the root cause a label, as agents will choose it, e.g. 'Meter error'."),
    "adhoc_task_types": ("name", "task", "Name the task type as agents will add it, e.g. 'Call the customer back'."),
}


def add_named(document: Mapping[str, Any], collection: str, text: str, entry_id: str = "",
              **fields: str) -> Document:
    """A copy of `document` with a new root cause or ad-hoc task type (`collection`) under the words agents read
    (`text`: its label or name) and `fields`; its id is made from the words unless given.

    >>> add_named(new_process("p", "P"), "root_causes", "Meter error")["root_causes"]
    [{'id': 'meter_error', 'label': 'Meter error'}]
    >>> add_named(new_process("p", "P"), "adhoc_task_types", "Call back", queue="billing")["adhoc_task_types"]
    [{'id': 'call_back', 'name': 'Call back', 'queue': 'billing'}]
    """
    if collection not in NAMED_BY:
        raise EditRejected(f"'{collection}' is not a catalogue of a process that is named here.")
    field, fallback, asked = NAMED_BY[collection]
    if not text.strip():
        raise EditRejected(asked)
    entry_id = entry_id.strip() or key_from_label(text, fallback)
    return add_entry(document, collection, {"id": entry_id, field: text.strip(), **fields})


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


def place_nodes(document: Mapping[str, Any], positions: Mapping[str, Position]) -> Document:
    """A copy of `document` with each node named in `positions` centred there (e.g. by `codegen.layout`);
    nodes not named keep their place, names of nodes no longer there are passed over.

    >>> doc = place_nodes(new_process("p", "P"), {"end": Position(x=300, y=80), "gone": Position(x=0, y=0)})
    >>> [n["position"] for n in doc["nodes"]]
    [{'x': 80, 'y': 80}, {'x': 300.0, 'y': 80.0}]
    """
    result = copy.deepcopy(dict(document))
    for node in result.get("nodes", []):
        position = positions.get(node.get("id"))
        if position is not None:
            node["position"] = {"x": float(position.x), "y": float(position.y)}
    return result


def validate(document: Mapping[str, Any]) -> Bundle:
    """The bundle `document` describes, or EditRejected naming each wrong setting as a designer knows it."""
    try:
        return Bundle.model_validate(document)
    except ValidationError as error:
        raise EditRejected(one_by_one(refused_setting(document, problem)
                                      for problem in problems_from_validation(error))) from None


#: How a refusal names the entry of a list of the process that a wrong setting belongs to.
_ENTRY_NAMES: dict[str, Callable[[str], Phrase]] = {
    "nodes": lambda name: Phrase("Step '{name}'", name=name),
    "variables": lambda name: Phrase("Variable '{name}'", name=name),
    "queues": lambda name: Phrase("Queue '{name}'", name=name),
    "forms": lambda name: Phrase("Form '{name}'", name=name),
    "letters": lambda name: Phrase("Letter '{name}'", name=name),
    "decision_tables": lambda name: Phrase("Decision table '{name}'", name=name),
}
#: The settings a refusal names most often, in the words of the editor's fields (else their JSON path is shown).
_SETTING_NAMES = {
    "name": Phrase("Name"), "label": Phrase("Label"), "queue": Phrase("Queue"),
    "sla.target": Phrase("SLA target"), "sla.warning": Phrase("Warn after"),
    "case_sla.target": Phrase("SLA target"), "case_sla.warning": Phrase("Warn after"),
    "duration": Phrase("Duration"), "timeout": Phrase("Timeout (optional)"),
}
_ENTRY_PATH = re.compile(r"([a-z_]+)\[(\d+)\](?:\.(.+))?")


def refused_setting(document: Mapping[str, Any], problem: LoadProblem) -> Phrase | str:
    """A problem the models found in `document`, naming the setting and the step (form, letter…) it belongs to
    by its name, as a designer knows them.

    >>> doc = new_process("p", "P") | {"nodes": [{"id": "check", "kind": "task", "name": "Check"}]}
    >>> str(refused_setting(doc, LoadProblem("nodes[0].sla.target", "expected text")))
    "Step 'Check', setting 'SLA target': expected text"
    >>> str(refused_setting(doc, LoadProblem("nodes[0].sla.escalations[0].queue", "expected text")))
    "Step 'Check', setting 'sla.escalations[0].queue': expected text"
    >>> str(refused_setting(doc, LoadProblem("nodes[0].checklist[1]", "needs a text")))
    "Step 'Check': needs a text"
    >>> str(refused_setting(doc, LoadProblem("key", "must not be empty")))
    "Setting 'key': must not be empty"
    """
    match = _ENTRY_PATH.fullmatch(problem.path)
    if match is None or match[1] not in _ENTRY_NAMES:
        return Phrase("Setting '{setting}': {problem}", setting=_SETTING_NAMES.get(problem.path, problem.path),
                      problem=problem.phrased) if problem.path else problem.phrased
    entries, index = document.get(match[1]), int(match[2])
    entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
    named = [entry.get(name) for name in ("name", "label", "title", "id")] if isinstance(entry, Mapping) else []
    where = _ENTRY_NAMES[match[1]](next((name for name in named if isinstance(name, str) and name), str(index + 1)))
    if match[3] is None or match[3].endswith("]"):  # the entry itself, or one inside it (a form's field)
        return Phrase("{where}: {problem}", where=where, problem=problem.phrased)
    return Phrase("{where}, setting '{setting}': {problem}", where=where,
                  setting=_SETTING_NAMES.get(match[3], match[3]), problem=problem.phrased)
