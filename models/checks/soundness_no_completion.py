"""Every case must always be able to finish, and Flowdesk must be able to verify that.

A case can get into a state from which no end can be reached any more: a
token waits at a step that has no way onward, or tokens keep going round
without ever being able to leave. (A parallel join waiting forever is
reported as a deadlock.)

Flowdesk checks every combination of where the branches of a case can be.
When parallel branches cross each other so much that there are too many
combinations to check, the flow cannot be verified and is refused too:
restructure the parallel branches into blocks: each parallel split closed by
one parallel join, the branches of each decision coming together at one step,
blocks nested inside each other.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem


def check(ctx: CheckContext) -> Iterator[Problem]:
    report = ctx.soundness
    for fault in report.no_completion:
        name = _name(ctx, fault.node)
        yield Problem(
            fault.node,
            f"A case can get stuck at '{name}': from there it can never reach an end.",
            f"Make sure every path from '{name}' leads to an end, and that it can leave every loop.",
            fault.related,
        )
    for part in report.too_complex:
        element = part.nodes[0] if part.nodes else part.start
        yield Problem(
            element,
            f"The flow from start '{_name(ctx, part.start)}' has too many combinations of parallel "
            f"branches around '{_name(ctx, element)}' to check (more than {part.states:,}), so Flowdesk "
            "cannot verify that every case finishes properly.",
            "Restructure the parallel branches into blocks: close each parallel split with one parallel "
            "join, let the branches of each decision come together in a merging decision, and nest blocks inside "
            "each other.",
            part.nodes[1:],
        )


def _name(ctx: CheckContext, node_id: str) -> str:
    node = ctx.bundle.find_node(node_id)
    return node.display if node else node_id
