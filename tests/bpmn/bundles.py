"""Random valid bundles for the BPMN property tests: every node kind, every setting, odd texts and positions.

The flows are not meant to pass the checks: edges join random nodes, with
conditions, defaults and timeout flags wherever the models allow them. Edges
always join existing nodes (the export leaves a dangling edge out: it cannot
be drawn, and a process with one is never published).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from models import Bundle
from tests.soundness.soundness_flows import document

#: Text a person could type, line breaks and tabs included (XML 1.0 cannot hold other control characters).
texts = st.text(
    st.one_of(st.characters(blacklist_categories=("Cs", "Cc")), st.sampled_from("\n\t \r&<>\"'")), max_size=30)
labels = texts.map(lambda t: t[:200])
ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,12}", fullmatch=True)
durations = st.builds(lambda n, unit: f"{n} {unit}", st.integers(1, 500),
                      st.sampled_from(["minutes", "hours", "days", "weeks", "working hours", "working days"]))
positions = st.one_of(st.none(), st.fixed_dictionaries({
    "x": st.floats(-5000, 5000, allow_nan=False), "y": st.floats(-5000, 5000, allow_nan=False)}))
expressions = st.sampled_from(["approved", "!approved", "amount > 250", 'reason == "moved"', "amount >= 10 && approved",
                               "not valid CEL (", "  spaced  "])


def _common(draw: st.DrawFn, node_id: str, kind: str) -> dict[str, Any]:
    node: dict[str, Any] = {"id": node_id, "kind": kind}
    for key, strategy in (("name", labels), ("description", texts), ("position", positions)):
        value = draw(strategy)
        if value:
            node[key] = value
    return node


@st.composite
def _node(draw: st.DrawFn, node_id: str, kind: str) -> dict[str, Any]:
    node = _common(draw, node_id, kind)
    if kind == "start":
        trigger = draw(st.sampled_from(["manual", "intake", "message"]))
        node["trigger"] = trigger
        if trigger == "intake":
            node["channels"] = draw(st.lists(st.sampled_from(["phone", "email", "sms", "web", "letter"]),
                                             min_size=1, max_size=3, unique=True))
        if trigger == "message":
            node["message"] = draw(labels.filter(bool))
        if draw(st.booleans()):
            node["form"] = "form1"
    elif kind == "task":
        node["queue"] = draw(st.sampled_from(["q", "backoffice", "missing_queue"]))
        if draw(st.booleans()):
            node["instructions"] = draw(texts)
        if draw(st.booleans()):
            node["form"] = "form1"
        items = st.builds(lambda i, t, r: {"id": i, "text": t, "required": r}, ids, labels, st.booleans())
        node["checklist"] = draw(st.lists(items, max_size=2, unique_by=lambda c: c["id"]))
        if draw(st.booleans()):
            node["sla"] = {"target": draw(durations), "escalations": [{"action": "notify", "queue": "q"}]}
        node["priority"] = draw(st.integers(1, 5))
    elif kind == "automatic":
        node["assignments"] = draw(st.lists(st.builds(lambda e: {"variable": "amount", "expression": e}, expressions),
                                            max_size=2))
        node["connector"] = draw(st.sampled_from(["", "crm.update", "ledger"]))
        if draw(st.booleans()) or not (node["assignments"] or node["connector"]):
            node["decision_table"] = "table1"
    elif kind == "send":
        node["letter"] = "letter1"
        node["recipient"] = draw(st.sampled_from(["", "customer.email"]))
    elif kind == "wait":
        if draw(st.booleans()):
            node |= {"wait_for": "message", "message": draw(labels.filter(bool))}
            if draw(st.booleans()):
                node["timeout"] = draw(durations)
        elif draw(st.booleans()):
            node |= {"wait_for": "timer", "duration": draw(durations)}
        else:
            node |= {"wait_for": "timer",
                     "until": draw(st.sampled_from(['add_days(today, 3)', 'date("2027-01-31")', "deadline"]))}
    elif kind == "subprocess":
        node["process"] = draw(ids)
        node["inputs"] = draw(st.lists(st.builds(lambda e: {"target": "amount", "expression": e}, expressions),
                                       max_size=1))
    elif kind == "end":
        node["outcome"] = draw(labels)
    return node


KINDS = ["start", "task", "automatic", "send", "decision", "parallel", "wait", "subprocess", "end"]


@st.composite
def bundles(draw: st.DrawFn) -> Bundle:
    """A bundle the models accept, with a random flow over every node kind."""
    names = draw(st.lists(ids, min_size=1, max_size=12, unique=True))
    nodes = [draw(_node(name, draw(st.sampled_from(KINDS)))) for name in names]
    kinds = {n["id"]: n for n in nodes}
    edges = []
    edge_names = draw(st.lists(ids.filter(lambda i: i not in kinds), max_size=16, unique=True))
    for edge_id in edge_names:
        source, target = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        edge: dict[str, Any] = {"id": edge_id, "source": source, "target": target}
        role = draw(st.sampled_from(["plain", "condition", "default", "timeout"]))
        if role == "condition":
            edge["condition"] = draw(expressions)
        elif role != "plain":
            edge[role] = True
        label = draw(labels)
        if label:
            edge["label"] = label
        edges.append(edge)
    settings = document(nodes, edges) | {
        "key": draw(ids), "name": draw(labels), "description": draw(texts),
        "variables": [{"name": "approved", "type": "boolean"}, {"name": "amount", "type": "money"},
                      {"name": "reason", "type": "choice", "options": [{"value": "moved", "label": "Moved"}]}],
        "queues": [{"id": "q", "role": "agent"}, {"id": "backoffice", "name": "Back office", "role": "agent"}],
        "forms": [{"id": "form1", "fields": [{"id": "f", "kind": "money", "label": "Amount", "variable": "amount"}]}],
        "letters": [{"id": "letter1", "channel": "email", "variants": [{"subject": "S", "body": "Dear {{ x }}"}]}],
        "decision_tables": [{"id": "table1", "inputs": [{"id": "i", "expression": "amount"}],
                             "outputs": [{"id": "approved"}],
                             "rules": [{"id": "r", "when": ["< 5"], "then": ["true"]}]}],
    }
    return Bundle.model_validate(settings)
