"""A process needs a start: the point where a case begins.

Add a start node and connect it to the first step.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.phrases import Phrase


def check(ctx: CheckContext) -> Iterator[Problem]:
    if not any(node.kind == "start" for node in ctx.bundle.nodes):
        yield Problem(
            "",
            Phrase("The process has no start, so no case can ever begin."),
            Phrase("Add a start node from the palette and connect it to the first step."),
        )
