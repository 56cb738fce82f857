"""The flow: steps (nodes) and connections (edges) added, removed, changed, or only moved on the canvas.

A node keeps its identity through its id: one whose kind changed is changed
(setting `kind`, first), with its other settings after it. A node whose only
difference is its place on the canvas is MOVED; a changed node that also moved
is only reported as changed, the move meaning nothing to its cases. A task's
SLA is left to the SLA part (`codegen.diff.slas`), so it is reported once.
"""

from __future__ import annotations

from collections.abc import Iterator

from codegen.diff.changes import Change, ChangeKind, Part
from codegen.diff.compare import authored, changed_settings, match, settings
from models.bundle import Bundle
from models.nodes import Edge, NodeBase

#: Node settings another part reports (the SLA) or that carry no meaning (the place on the canvas).
_NOT_SETTINGS = ("position", "sla")


def diff_nodes(old: Bundle, new: Bundle) -> Iterator[Change]:
    """Nodes added, removed, changed setting by setting (kind first), or only moved."""
    matched = match(old.nodes, new.nodes, key=_node_id)
    for node in matched.removed:
        yield Change(Part.NODES, ChangeKind.REMOVED, node.id, node.display, before=authored(node))
    for before, after in matched.changed:
        old_settings, new_settings = settings(before), settings(after)
        changes = list(changed_settings(Part.NODES, after.id, after.display, old_settings, new_settings,
                                        skip=_NOT_SETTINGS))
        yield from changes
        if not changes and old_settings["position"] != new_settings["position"]:
            yield Change(Part.NODES, ChangeKind.MOVED, after.id, after.display, "position",
                         old_settings["position"], new_settings["position"])
    for node in matched.added:
        yield Change(Part.NODES, ChangeKind.ADDED, node.id, node.display, after=authored(node))


def diff_edges(old: Bundle, new: Bundle) -> Iterator[Change]:
    """Connections added, removed, or changed (ends, condition, default, timeout, label)."""
    matched = match(old.edges, new.edges, key=_edge_id)
    old_names, new_names = node_names(old), node_names(new)
    for edge in matched.removed:
        yield Change(Part.EDGES, ChangeKind.REMOVED, edge.id, edge_label(old_names, edge), before=authored(edge))
    for before, after in matched.changed:
        yield from changed_settings(Part.EDGES, after.id, edge_label(new_names, after), settings(before),
                                    settings(after))
    for edge in matched.added:
        yield Change(Part.EDGES, ChangeKind.ADDED, edge.id, edge_label(new_names, edge), after=authored(edge))


def node_names(bundle: Bundle) -> dict[str, str]:
    """Node id -> the name people know the step by."""
    return {node.id: node.display for node in bundle.nodes}


def edge_label(names: dict[str, str], edge: Edge) -> str:
    """How people know a connection: its label, else "from → to" by the steps' names (`node_names`)."""
    if edge.label:
        return edge.label
    return f"{names.get(edge.source, edge.source)} → {names.get(edge.target, edge.target)}"


def _node_id(node: NodeBase) -> str:
    return node.id


def _edge_id(edge: Edge) -> str:
    return edge.id
