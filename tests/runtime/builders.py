"""Tiny process models for runtime tests, built inline in a few lines.

`process("k", nodes=[start("s"), task("t"), end("e")], edges="s>t t>e")`;
an edge may carry a condition (`"d>x: amount > 10"`), be the default
(`"d>y: default"`) or a timeout (`"w>r: timeout"`).
"""

from __future__ import annotations

from typing import Any

from models import Bundle


def start(node_id: str = "s", **settings: Any) -> dict[str, Any]:
    return {"id": node_id, "kind": "start", **settings}


def task(node_id: str, queue: str = "q", **settings: Any) -> dict[str, Any]:
    return {"id": node_id, "kind": "task", "queue": queue, "name": settings.pop("name", node_id.title()),
            **settings}


def auto(node_id: str, *, table: str | None = None, connector: str = "", **assignments: str) -> dict[str, Any]:
    node: dict[str, Any] = {"id": node_id, "kind": "automatic",
                            "assignments": [{"variable": k, "expression": v} for k, v in assignments.items()]}
    if table:
        node["decision_table"] = table
    if connector:
        node["connector"] = connector
    return node


def decision(node_id: str) -> dict[str, Any]:
    return {"id": node_id, "kind": "decision"}


def parallel(node_id: str) -> dict[str, Any]:
    return {"id": node_id, "kind": "parallel"}


def timer(node_id: str, duration: str = "", until: str = "") -> dict[str, Any]:
    node: dict[str, Any] = {"id": node_id, "kind": "wait", "wait_for": "timer"}
    return node | ({"duration": duration} if duration else {"until": until})


def message(node_id: str, name: str, timeout: str = "") -> dict[str, Any]:
    node: dict[str, Any] = {"id": node_id, "kind": "wait", "wait_for": "message", "message": name}
    return node | ({"timeout": timeout} if timeout else {})


def send(node_id: str, letter: str, recipient: str = "") -> dict[str, Any]:
    return {"id": node_id, "kind": "send", "letter": letter, **({"recipient": recipient} if recipient else {})}


def subprocess(node_id: str, process_key: str, inputs: dict[str, str] | None = None,
               outputs: dict[str, str] | None = None) -> dict[str, Any]:
    return {"id": node_id, "kind": "subprocess", "process": process_key,
            "inputs": [{"target": k, "expression": v} for k, v in (inputs or {}).items()],
            "outputs": [{"target": k, "expression": v} for k, v in (outputs or {}).items()]}


def end(node_id: str = "e", outcome: str = "done") -> dict[str, Any]:
    return {"id": node_id, "kind": "end", "outcome": outcome}


def edges(spec: str) -> list[dict[str, Any]]:
    """Edges from `"a>b b>c"`, or one per line with `: condition` / `: default` / `: timeout`."""
    lines = [line.strip() for line in spec.strip().splitlines()] if "\n" in spec.strip() else spec.split()
    result = []
    for number, line in enumerate(lines, start=1):
        route, _, extra = line.partition(":")
        source, target = (part.strip() for part in route.split(">"))
        edge: dict[str, Any] = {"id": f"f{number}", "source": source, "target": target}
        extra = extra.strip()
        if extra == "default":
            edge["default"] = True
        elif extra == "timeout":
            edge["timeout"] = True
        elif extra:
            edge["condition"] = extra
        result.append(edge)
    return result


def process(key: str, *, nodes: list[dict[str, Any]], flow: str, variables: dict[str, str] | None = None,
            **extra: Any) -> Bundle:
    """A bundle with one role/queue `q` and the given variables (`{"amount": "money"}`)."""
    document = {
        "key": key, "name": key.replace("_", " ").title(),
        "roles": [{"id": "agent"}], "queues": [{"id": "q", "role": "agent"}, {"id": "q2", "role": "agent"}],
        "variables": [{"name": n, "type": t} for n, t in (variables or {}).items()],
        "nodes": nodes, "edges": edges(flow), **extra,
    }
    return Bundle.model_validate(document)
