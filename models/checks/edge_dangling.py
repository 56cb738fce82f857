"""Every connection must run from a node to a node of this process.

A connection whose start or end names a node that does not exist (for
instance after the node was deleted) leads nowhere.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem, quoted
from models.phrases import Phrase


def check(ctx: CheckContext) -> Iterator[Problem]:
    for edge in ctx.bundle.edges:
        missing = [end for end in (edge.source, edge.target) if end not in ctx.node_ids]
        if missing:
            yield Problem(
                edge.id,
                Phrase("Connection '{edge}' refers to {names}, which is not a node of this process.",
                       edge=edge.label or edge.id, names=quoted(missing, joined_by_and=True)),
                Phrase("Delete the connection or connect it to an existing node."),
            )
