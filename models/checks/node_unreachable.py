"""Every node must be reachable from a start.

A node no path leads to is never executed: usually a connection is missing.
"""

from collections.abc import Iterator

import networkx as nx

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.phrases import Phrase


def check(ctx: CheckContext) -> Iterator[Problem]:
    starts = [n.id for n in ctx.bundle.nodes if n.kind == "start"]
    if not starts:
        return
    reached: set[str] = set(starts)
    for start in starts:
        reached |= nx.descendants(ctx.graph, start)
    for node in ctx.bundle.nodes:
        if node.id not in reached:
            yield Problem(
                node.id,
                Phrase("No path from a start leads to '{name}', so it never runs.", name=node.display),
                Phrase("Connect an earlier step to it, or delete it."),
            )
