"""Every connection must run from a node to a node of this process.

A connection whose start or end names a node that does not exist (for
instance after the node was deleted) leads nowhere.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem


def check(ctx: CheckContext) -> Iterator[Problem]:
    for edge in ctx.bundle.edges:
        missing = [end for end in (edge.source, edge.target) if end not in ctx.node_ids]
        if missing:
            names = " and ".join(f"'{m}'" for m in missing)
            yield Problem(
                edge.id,
                f"Connection '{edge.label or edge.id}' refers to {names}, which is not a node of this process.",
                "Delete the connection or connect it to an existing node.",
            )
