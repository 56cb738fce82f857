"""The proposed node map for moving open cases from one version to another, read from the diff.

`Runtime.migrate` moves each token of a case to the node with the same id in
the new version, or to the node the owner mapped it to, which must be of the
same kind. So a step that stayed (changed or not) maps to itself, and a step
that was removed, or whose kind changed, needs the owner's choice among the new
version's steps of its kind. `NodeMapProposal.node_map` checks the choices and
gives the map `migrate` takes.

A token stands at a step while it waits there (`WAITS_AT`); at any other step
only when an incident stopped it. Starts and ends never hold one: a token
leaves a start at once and is gone at an end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from codegen.diff.changes import ChangeKind
from codegen.diff.flow import diff_nodes
from models.bundle import Bundle
from models.errors import FlowdeskError

#: Node kind -> what a case's token waits for there while running normally.
WAITS_AT: dict[str, str] = {
    "task": "its work item",
    "wait": "a timer or a message",
    "subprocess": "the case it started",
    "parallel": "the other branches (a join)",
}

#: What a token waits for at the other steps that can hold one.
INCIDENT = "an incident to be retried"

#: Kinds where no token ever stands, so they need no choice.
NEVER_HELD = frozenset({"start", "end"})


class NodeMapError(FlowdeskError):
    """A chosen mapping `migrate` would refuse; the message names the step and the choices."""


@dataclass(frozen=True)
class NodeChoice:
    """A step of the old version whose cases need the owner to choose a step in the new one.

    `candidates` are the new version's steps of the same kind, those new in that
    version first (the likely replacements), each list in model order.
    """

    node_id: str
    label: str
    kind: str
    reason: str
    waits_for: str
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class NodeMapProposal:
    """Steps that map to themselves (`mapping`), and those that need a choice (`choices`)."""

    mapping: dict[str, str]
    choices: tuple[NodeChoice, ...]

    def node_map(self, chosen: Mapping[str, str] | None = None) -> dict[str, str]:
        """The map for `Runtime.migrate`: old step id -> new step id, with the owner's `chosen` steps.

        A choice left open stays out: a case waiting at that step cannot move.
        """
        by_node = {choice.node_id: choice for choice in self.choices}
        for node_id, target in (chosen or {}).items():
            choice = by_node.get(node_id)
            if choice is None:
                needing = ", ".join(by_node) or "none"
                raise NodeMapError(f"step '{node_id}' needs no choice; the steps that do: {needing}")
            if target not in choice.candidates:
                options = ", ".join(choice.candidates) or f"none: the new version has no {choice.kind} step"
                raise NodeMapError(f"step '{choice.label}' ({choice.kind}) cannot move to '{target}'; "
                                   f"choose one of: {options}")
        return {**self.mapping, **dict(chosen or {})}


def propose_node_map(old: Bundle, new: Bundle) -> NodeMapProposal:
    """Which steps of `old` map to themselves in `new`, and which need a choice (with candidates).

    >>> from models import Bundle
    >>> def bundle(*nodes):
    ...     return Bundle.model_validate({"key": "p", "name": "P", "nodes": [
    ...         {"id": "s", "kind": "start"}, *nodes, {"id": "e", "kind": "end"}]})
    >>> proposal = propose_node_map(bundle({"id": "check", "kind": "task", "queue": "q"}),
    ...                             bundle({"id": "review", "kind": "task", "queue": "q"}))
    >>> proposal.mapping, [(c.node_id, c.candidates) for c in proposal.choices]
    ({'s': 's', 'e': 'e'}, [('check', ('review',))])
    >>> proposal.node_map({"check": "review"})
    {'s': 's', 'e': 'e', 'check': 'review'}
    """
    changes = list(diff_nodes(old, new))
    added = {change.element_id for change in changes if change.kind is ChangeKind.ADDED}
    removed = {change.element_id for change in changes if change.kind is ChangeKind.REMOVED}
    retyped = {change.element_id for change in changes if change.field == "kind"}
    candidates: dict[str, list[str]] = {}
    for node in sorted(new.nodes, key=lambda node: node.id not in added):  # stable: model order within each
        candidates.setdefault(node.kind, []).append(node.id)
    mapping, choices = {}, []
    for node in old.nodes:
        if node.id not in removed and node.id not in retyped:
            mapping[node.id] = node.id
        elif node.kind not in NEVER_HELD:
            reason = "removed" if node.id in removed else f"its kind changed to {new.node(node.id).kind}"
            choices.append(NodeChoice(node.id, node.display, node.kind, reason, WAITS_AT.get(node.kind, INCIDENT),
                                      tuple(c for c in candidates.get(node.kind, []) if c != node.id)))
    return NodeMapProposal(mapping, tuple(choices))
