"""Pure edits of the settings a step, the process and its case data have beyond a plain field.

`edits.set_node_fields` sets independent fields; the edits here keep settings
that belong together consistent (a start's trigger and its channels, a wait's
kind and its duration or message), edit lists inside a step (assignments,
mappings, checklist items, escalations) and the process's own settings and
service level. Like every edit, each takes a document and returns a changed
copy; the draft then lets the models judge the result.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from models.editing.edits import COLLECTIONS, Document, EditRejected, check_key_and_name, node_entry, replace_entry
from models.references import is_prefix

#: Whose service level an SLA edit changes: a task's node id, or None for the whole case.
SlaOwner = str | None


def _node_of_kind(document: Document, node_id: str, kind: str, what: str) -> dict[str, Any]:
    node = node_entry(document, node_id)
    if node.get("kind") != kind:
        raise EditRejected(f"'{node_id}' is not a {kind}; only {what}.")
    return node


def _put(entry: dict[str, Any], name: str, value: Any) -> None:
    """Set `name` in `entry`, or leave it out when the value is empty (the model's default then holds)."""
    if value in ("", None, [], ()):
        entry.pop(name, None)
    else:
        entry[name] = value


def set_start_trigger(document: Mapping[str, Any], node_id: str, trigger: str, channels: Sequence[str] = (),
                      message: str = "") -> Document:
    """A copy of `document` in which start `node_id` is started this way; settings of other triggers go.

    >>> from models.editing.edits import new_process
    >>> doc = set_start_trigger(new_process("p", "P"), "start", "intake", ["phone", "web"], "ignored")
    >>> {k: v for k, v in doc["nodes"][0].items() if k in ("trigger", "channels", "message")}
    {'trigger': 'intake', 'channels': ['phone', 'web']}
    """
    result = copy.deepcopy(dict(document))
    node = _node_of_kind(result, node_id, "start", "a start has a trigger")
    node["trigger"] = trigger
    _put(node, "channels", list(channels) if trigger == "intake" else [])
    _put(node, "message", message.strip() if trigger == "message" else "")
    return result


def set_wait(document: Mapping[str, Any], node_id: str, wait_for: str, *, duration: str = "", until: str = "",
             message: str = "", timeout: str = "") -> Document:
    """A copy of `document` in which wait `node_id` waits for a timer or a message; settings of the other go.

    >>> from models.editing.edits import add_node, new_process
    >>> doc, wait = add_node(new_process("p", "P"), "wait", 0, 0)
    >>> node = node_entry(set_wait(doc, wait, "message", duration="2 days", message="reply", timeout="10 days"), wait)
    >>> {k: node.get(k) for k in ("wait_for", "duration", "message", "timeout")}
    {'wait_for': 'message', 'duration': None, 'message': 'reply', 'timeout': '10 days'}
    """
    result = copy.deepcopy(dict(document))
    node = _node_of_kind(result, node_id, "wait", "a wait waits for something")
    timer = wait_for == "timer"
    node["wait_for"] = wait_for
    _put(node, "duration", duration.strip() if timer else "")
    _put(node, "until", until.strip() if timer else "")
    _put(node, "message", "" if timer else message.strip())
    _put(node, "timeout", "" if timer else timeout.strip())
    return result


#: Lists inside a step edited item by item: the step kind that has each, and how an item is called.
NODE_LISTS = {
    "assignments": ("automatic", "assignment"),
    "inputs": ("subprocess", "input mapping"),
    "outputs": ("subprocess", "output mapping"),
    "checklist": ("task", "checklist item"),
}


def _node_list(document: Document, node_id: str, setting: str) -> list[Any]:
    if setting not in NODE_LISTS:
        raise EditRejected(f"'{setting}' is not a list of a step that can be edited here.")
    kind, item = NODE_LISTS[setting]
    node = _node_of_kind(document, node_id, kind, f"a {kind} step has {item}s")
    return node.setdefault(setting, [])


def add_to_node_list(document: Mapping[str, Any], node_id: str, setting: str, item: Mapping[str, Any]) -> Document:
    """A copy of `document` with `item` appended to the list `setting` of step `node_id` (texts stripped).

    >>> from models.editing.edits import add_node, new_process
    >>> doc, auto = add_node(new_process("p", "P"), "automatic", 0, 0)
    >>> add_to_node_list(doc, auto, "assignments", {"variable": "x", "expression": " 1 "})["nodes"][-1]["assignments"]
    [{'variable': 'x', 'expression': '1'}]
    """
    result = copy.deepcopy(dict(document))
    items = _node_list(result, node_id, setting)
    items.append({name: value.strip() if isinstance(value, str) else value for name, value in item.items()})
    return result


def remove_from_node_list(document: Mapping[str, Any], node_id: str, setting: str, index: int) -> Document:
    """A copy of `document` without item number `index` (from 0) of the list `setting` of step `node_id`.

    >>> from models.editing.edits import add_node, new_process
    >>> doc, auto = add_node(new_process("p", "P"), "automatic", 0, 0)
    >>> doc = add_to_node_list(doc, auto, "assignments", {"variable": "x", "expression": "1"})
    >>> remove_from_node_list(doc, auto, "assignments", 0)["nodes"][-1]["assignments"]
    []
    """
    result = copy.deepcopy(dict(document))
    items = _node_list(result, node_id, setting)
    if not 0 <= index < len(items):
        raise EditRejected(f"Step '{node_id}' has no {NODE_LISTS[setting][1]} number {index + 1}.")
    del items[index]
    return result


def add_checklist_item(document: Mapping[str, Any], node_id: str, text: str, required: bool = True) -> Document:
    """A copy of `document` with a checklist item on task `node_id`; its id is made from the text.

    >>> from models.editing.edits import add_task_in_new_queue, new_process
    >>> doc, task = add_task_in_new_queue(new_process("p", "P"), 0, 0, "Meters")
    >>> doc = add_checklist_item(doc, task, "Meter read?")
    >>> add_checklist_item(doc, task, "Meter read!", required=False)["nodes"][-1]["checklist"]
    [{'id': 'meter_read', 'text': 'Meter read?', 'required': True}, \
{'id': 'meter_read_2', 'text': 'Meter read!', 'required': False}]
    """
    if not text.strip():
        raise EditRejected("Write what the agent has to check.")
    base = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or "item"
    taken = {item.get("id") for item in node_entry(dict(document), node_id).get("checklist", [])}
    item_id, number = base, 1
    while item_id in taken:
        number += 1
        item_id = f"{base}_{number}"
    return add_to_node_list(document, node_id, "checklist", {"id": item_id, "text": text, "required": required})


# Service levels: a task's and the whole case's, edited the same way. -------------------------


def _sla_place(document: Document, owner: SlaOwner) -> tuple[dict[str, Any], str]:
    """The entry holding the service level of `owner`, and the key it is under."""
    if owner is None:
        return document, "case_sla"
    return _node_of_kind(document, owner, "task", "tasks have a service level"), "sla"


def set_sla_times(document: Mapping[str, Any], owner: SlaOwner, target: str, warning: str) -> Document:
    """A copy of `document` with this service level ("5 working days") for task `owner` or, with None, the case.

    An empty target removes the service level; escalations already set stay with a target.

    >>> from models.editing.edits import new_process
    >>> set_sla_times(new_process("p", "P"), None, "10 days", "")["case_sla"]
    {'target': '10 days'}
    """
    result = copy.deepcopy(dict(document))
    holder, key = _sla_place(result, owner)
    if not target.strip():
        holder.pop(key, None)
        return result
    sla = dict(holder.get(key) or {})
    sla["target"] = target.strip()
    _put(sla, "warning", warning.strip())
    holder[key] = sla
    return result


def add_escalation(document: Mapping[str, Any], owner: SlaOwner, when: str, action: str, queue: str = "",
                   notify: str = "") -> Document:
    """A copy of `document` with an escalation on the service level of task `owner` or, with None, the case.

    >>> from models.editing.edits import new_process
    >>> doc = set_sla_times(new_process("p", "P"), None, "10 days", "")
    >>> add_escalation(doc, None, "breach", "notify", notify="'lead@example.org'")["case_sla"]["escalations"]
    [{'when': 'breach', 'action': 'notify', 'notify': "'lead@example.org'"}]
    """
    result = copy.deepcopy(dict(document))
    holder, key = _sla_place(result, owner)
    if not holder.get(key):
        raise EditRejected("Set the SLA target first; escalations happen at its warning or breach.")
    escalation: dict[str, Any] = {"when": when, "action": action}
    _put(escalation, "queue", queue.strip())
    _put(escalation, "notify", notify.strip())
    holder[key].setdefault("escalations", []).append(escalation)
    return result


def remove_escalation(document: Mapping[str, Any], owner: SlaOwner, index: int) -> Document:
    """A copy of `document` without escalation number `index` (from 0) of that service level.

    >>> from models.editing.edits import new_process
    >>> doc = add_escalation(set_sla_times(new_process("p", "P"), None, "1 day", ""), None, "breach", "raise priority")
    >>> remove_escalation(doc, None, 0)["case_sla"]
    {'target': '1 day', 'escalations': []}
    """
    result = copy.deepcopy(dict(document))
    holder, key = _sla_place(result, owner)
    escalations = (holder.get(key) or {}).get("escalations", [])
    if not 0 <= index < len(escalations):
        raise EditRejected(f"There is no escalation number {index + 1}.")
    del escalations[index]
    return result


# The process itself and its case data. ---------------------------------------------------------


def set_process_settings(document: Mapping[str, Any], *, name: str | None = None, owner: str | None = None,
                         description: str | None = None, language: str | None = None,
                         reference_prefix: str | None = None) -> Document:
    """A copy of `document` with the process settings given (None: as is); the key stays, the name and the
    language may not be empty; an empty reference prefix means the one made from the name's initials. Only what
    is given changes, so the edit can be repeated on a newer draft.

    >>> from models.editing.edits import new_process
    >>> doc = set_process_settings(new_process("p", "P"), name=" Refund ", owner="Billing", language="en",
    ...                            reference_prefix=" rf ")
    >>> doc["name"], doc["owner"], doc["language"], doc["reference_prefix"], "description" in doc
    ('Refund', 'Billing', 'en', 'RF', False)
    """
    result = copy.deepcopy(dict(document))
    if name is not None:
        _, result["name"] = check_key_and_name(str(result.get("key", "")), name)
    if owner is not None:
        _put(result, "owner", owner.strip())
    if description is not None:
        _put(result, "description", description.strip())
    if language is not None:
        if not language.strip():
            raise EditRejected("Give the language of the process's texts, e.g. 'nl' or 'en'.")
        result["language"] = language.strip()
    if reference_prefix is not None:
        prefix = reference_prefix.strip().upper()
        if prefix and not is_prefix(prefix):
            raise EditRejected(f"'{reference_prefix.strip()}' cannot start case references: use a letter, then at "
                               "most five letters or digits, e.g. 'BC'.")
        _put(result, "reference_prefix", prefix)
    return result


def set_variable_details(document: Mapping[str, Any], name: str, *, label: str | None = None,
                         description: str | None = None, personal: bool | None = None) -> Document:
    """A copy of `document` in which variable `name` has the label, description and personal-data mark given
    (None: as is).

    >>> from models.editing.edits import add_entry, new_process
    >>> doc = add_entry(new_process("p", "P"), "variables", {"name": "iban", "type": "iban"})
    >>> set_variable_details(doc, "iban", label="IBAN", personal=True)["variables"]
    [{'name': 'iban', 'type': 'iban', 'label': 'IBAN', 'personal': True}]
    """
    key, naming = COLLECTIONS["variables"]
    entry = next((dict(v) for v in document.get("variables", []) if v.get(key) == name), None)
    if entry is None:
        raise EditRejected(f"There is no {naming.format(id=name)}.")
    if label is not None:
        _put(entry, "label", label.strip())
    if description is not None:
        _put(entry, "description", description.strip())
    if personal is not None:
        _put(entry, "personal", personal or None)
    return replace_entry(document, "variables", name, entry)
