"""Tiny flows for the soundness tests, written as edges: `flow("s>a a>e")`.

A node's kind comes from the first letter of its name: `s` start, `e` end,
`d` decision, `p` or `j` parallel, `w` message wait with a timeout (its edge
written `w>x!` is the timeout edge); anything else is a task. Decisions get a
default edge (their first) and `approved` on the others, so the bundles also
pass the structural checks.
"""

from __future__ import annotations

from typing import Any

from models import Bundle

KIND_BY_LETTER = {"s": "start", "e": "end", "d": "decision", "p": "parallel", "j": "parallel", "w": "wait"}


def kind_of(name: str) -> str:
    return KIND_BY_LETTER.get(name[0], "task")


def flow(spec: str) -> Bundle:
    """A bundle with the edges in `spec` (space separated `source>target`, `!` marks a timeout edge)."""
    edges: list[dict[str, Any]] = []
    names: dict[str, None] = {}
    has_default: set[str] = set()
    for i, written in enumerate(spec.split(), 1):
        source, target = written.rstrip("!").split(">")
        names.update({source: None, target: None})
        edge: dict[str, Any] = {"id": f"f{i}", "source": source, "target": target}
        if written.endswith("!"):
            edge["timeout"] = True
        elif kind_of(source) == "decision":
            if source in has_default:
                edge["condition"] = "approved"
            else:
                edge["default"] = True
                has_default.add(source)
        edges.append(edge)
    return bundle_of([node(name) for name in names], edges)


def node(name: str) -> dict[str, Any]:
    kind = kind_of(name)
    data: dict[str, Any] = {"id": name, "kind": kind}
    if kind == "task":
        data["queue"] = "q"
    if kind == "wait":
        data |= {"wait_for": "message", "message": "reply", "timeout": "5 days"}
    return data


def bundle_of(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> Bundle:
    return Bundle.model_validate(document(nodes, edges))


def document(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, Any]:
    """A whole bundle document around a flow: one role, one queue, a boolean `approved`."""
    return {
        "key": "flow",
        "name": "Flow",
        "roles": [{"id": "agent"}],
        "queues": [{"id": "q", "role": "agent"}],
        "variables": [{"name": "approved", "type": "boolean"}],
        "nodes": nodes,
        "edges": edges,
    }


# --------------------------------------------------------------------------- block-structured flows

#: A block: ("task",), ("empty",) (only as a decision branch), ("seq", *blocks),
#: ("xor", *branches), ("and", *branches) or ("loop", body, back path).
Block = tuple


class BlockFlow:
    """Nodes and edges of a block-structured flow, remembering where each block opens and closes."""

    def __init__(self, block: Block) -> None:
        self.block = block
        self.nodes: list[dict[str, Any]] = [node("s")]
        self.edges: list[dict[str, Any]] = []
        self.xor_blocks: list[tuple[str, str]] = []  # (decision, step where its branches meet)
        self.and_blocks: list[tuple[str, str]] = []  # (parallel split, parallel join)
        self._defaults: set[str] = set()
        last = self.add(block, "s")
        self.edge(last, self.new("e"))

    def __repr__(self) -> str:
        return f"BlockFlow({self.block!r})"

    def new(self, prefix: str) -> str:
        name = f"{prefix}{len(self.nodes)}"
        self.nodes.append(node(name))
        return name

    def edge(self, source: str, target: str) -> None:
        edge: dict[str, Any] = {"id": f"f{len(self.edges) + 1}", "source": source, "target": target}
        if kind_of(source) == "decision":
            if source in self._defaults:
                edge["condition"] = "approved"
            else:
                edge["default"] = True
                self._defaults.add(source)
        self.edges.append(edge)

    def add(self, block: Block, before: str) -> str:
        """Add `block` after node `before`; return the block's last node."""
        kind, parts = block[0], block[1:]
        if kind == "empty":
            return before
        if kind == "task":
            task = self.new("t")
            self.edge(before, task)
            return task
        if kind == "seq":
            for part in parts:
                before = self.add(part, before)
            return before
        if kind == "loop":
            return self.add_loop(parts[0], parts[1], before)
        return self.add_branches(kind, parts, before)

    def add_branches(self, kind: str, branches: tuple[Block, ...], before: str) -> str:
        split = self.new("d" if kind == "xor" else "p")
        close = self.new("m" if kind == "xor" else "j")  # decision branches meet at a step
        self.edge(before, split)
        for branch in branches:
            self.edge(self.add(branch, split), close)
        (self.xor_blocks if kind == "xor" else self.and_blocks).append((split, close))
        return close

    def add_loop(self, body: Block, back: Block, before: str) -> str:
        entry = self.new("m")  # a step where the first pass and every repeat come in
        self.edge(before, entry)
        decision = self.new("d")
        self.edge(self.add(body, entry), decision)
        after = self.new("t")
        self.edge(decision, after)  # the default: leave the loop
        self.edge(self.add(back, decision), entry)
        return after

    def bundle(self) -> Bundle:
        return bundle_of(self.nodes, self.edges)

    def with_kind(self, node_id: str, kind: str) -> Bundle:
        """The flow with one node turned into another kind."""
        nodes = [node(n["id"]) | {"kind": kind} if n["id"] == node_id else n for n in self.nodes]
        for n in nodes:
            if n["id"] == node_id and kind != "task":
                n.pop("queue", None)
            if n["id"] == node_id and kind == "task":
                n["queue"] = "q"
        return bundle_of(nodes, self.edges)
