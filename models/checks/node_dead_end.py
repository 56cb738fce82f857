"""From every node a path must lead to an end.

A case that reaches a node with no way to an end can never finish.
"""

from collections.abc import Iterator

import networkx as nx

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.phrases import Phrase


def check(ctx: CheckContext) -> Iterator[Problem]:
    ends = [n.id for n in ctx.bundle.nodes if n.kind == "end"]
    finishing: set[str] = set(ends)
    for end in ends:
        finishing |= nx.ancestors(ctx.graph, end)
    for node in ctx.bundle.nodes:
        if node.id not in finishing:
            hint = (
                Phrase("Add an end to the process and connect the last step to it.")
                if not ends
                else Phrase("Connect it onward so that a path leads to an end.")
            )
            yield Problem(node.id, Phrase("No path leads from '{name}' to an end: the case cannot finish.",
                                          name=node.display), hint)
