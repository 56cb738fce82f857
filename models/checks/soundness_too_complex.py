"""Flowdesk must be able to verify that every case finishes properly.

Flowdesk checks every combination of where the branches of a case can be.
When parallel branches cross each other so much that there are too many
combinations to check, the flow cannot be verified, and it is refused: not
because a fault was found, but because none can be ruled out. Restructure
the parallel branches into blocks: each parallel split closed by one
parallel join, the branches of each decision coming together at one step,
blocks nested inside each other.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.phrases import Phrase


def check(ctx: CheckContext) -> Iterator[Problem]:
    for part in ctx.soundness.too_complex:
        element = part.nodes[0] if part.nodes else part.start
        yield Problem(
            element,
            Phrase("The flow from start '{start}' has too many combinations of parallel branches around '{name}' "
                   "to check (more than {states}), so Flowdesk cannot verify that every case finishes properly.",
                   start=_name(ctx, part.start), name=_name(ctx, element), states=part.states),
            Phrase("Restructure the parallel branches into blocks: close each parallel split with one parallel "
                   "join, let the branches of each decision come together in a merging decision, and nest blocks "
                   "inside each other."),
            part.nodes[1:],
        )


def _name(ctx: CheckContext, node_id: str) -> str:
    node = ctx.bundle.find_node(node_id)
    return node.display if node else node_id
