"""Each kind of node has its own number of connections.

A start has no incoming connection and one outgoing; an end has no outgoing
connection; a step (task, automatic step, send, wait, subprocess) has exactly
one way onward, except a message wait with a timeout, which has one normal
way and one marked "timeout". Only decisions and parallel nodes branch.
A connection from a node to itself is never right.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.nodes import NodeBase, WaitNode
from models.phrases import Phrase

_GATEWAYS = {"decision", "parallel"}


def check(ctx: CheckContext) -> Iterator[Problem]:
    for edge in ctx.bundle.edges:
        if edge.source == edge.target:
            yield Problem(
                edge.id,
                Phrase("Connection '{edge}' leads from a node back to itself.", edge=edge.label or edge.id),
                Phrase("To repeat a step, loop back through a decision."),
            )
    for node in ctx.bundle.nodes:
        yield from _node_problems(ctx, node)


def _node_problems(ctx: CheckContext, node: NodeBase) -> Iterator[Problem]:
    incoming = ctx.incoming[node.id]
    outgoing = ctx.outgoing[node.id]
    name = node.display
    if node.kind == "start":
        if incoming:
            yield Problem(node.id, Phrase("Start '{name}' has an incoming connection.", name=name),
                          Phrase("Nothing can lead into a start; connect to the step after it instead."))
        if len(outgoing) != 1:
            yield Problem(node.id, Phrase("Start '{name}' has {count} outgoing connections; it needs one.",
                                          name=name, count=len(outgoing)),
                          Phrase("Connect the start to the first step; branch with a decision or parallel node."))
        return
    if node.kind == "end":
        if outgoing:
            yield Problem(node.id, Phrase("End '{name}' has an outgoing connection; nothing follows an end.",
                                          name=name),
                          Phrase("Delete the connection, or replace the end with a step."))
        return
    timeout_edges = [e for e in outgoing if e.timeout]
    has_timeout = isinstance(node, WaitNode) and node.timeout is not None
    if timeout_edges and not has_timeout:
        for edge in timeout_edges:
            yield Problem(edge.id, Phrase("Connection '{edge}' is marked as a timeout, but '{name}' is not a wait "
                                          "with a timeout.", edge=edge.label or edge.id, name=name),
                          Phrase("Only a message wait with a timeout has a timeout connection; unmark it."))
        return
    if has_timeout:
        if len(timeout_edges) != 1 or len(outgoing) != 2:
            yield Problem(node.id, Phrase("Wait '{name}' has a timeout, so it needs exactly two outgoing "
                                          "connections: one for the message and one marked as the timeout.",
                                          name=name),
                          Phrase("Connect the timeout path and mark that connection as timeout."))
        return
    if node.kind in _GATEWAYS:
        return
    if len(outgoing) != 1:
        yield Problem(node.id, Phrase("'{name}' has {count} outgoing connections; a step has exactly one.",
                                      name=name, count=len(outgoing)),
                      Phrase("To choose a way use a decision after the step; to do things at once, a parallel "
                             "split."))
