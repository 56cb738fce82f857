"""Every case must always be able to finish.

A case can get into a state from which no end can be reached any more: a
token waits at a step that has no way onward, or tokens keep going round
without ever being able to leave. (A parallel join waiting forever is
reported as a deadlock; a flow too intricate to verify as
soundness-too-complex.)
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.phrases import Phrase


def check(ctx: CheckContext) -> Iterator[Problem]:
    for fault in ctx.soundness.no_completion:
        name = _name(ctx, fault.node)
        yield Problem(
            fault.node,
            Phrase("A case can get stuck at '{name}': from there it can never reach an end.", name=name),
            Phrase("Make sure every path from '{name}' leads to an end, and that it can leave every loop.", name=name),
            fault.related,
        )


def _name(ctx: CheckContext, node_id: str) -> str:
    node = ctx.bundle.find_node(node_id)
    return node.display if node else node_id
