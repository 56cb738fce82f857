"""A decision without a default way out stops a case when no condition holds.

Flowdesk then raises an incident on the case for an operator to resolve.
Mark the way to take "otherwise" as the default.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.phrases import Phrase


def check(ctx: CheckContext) -> Iterator[Problem]:
    for node in ctx.bundle.nodes:
        if node.kind != "decision":
            continue
        outgoing = ctx.outgoing[node.id]
        if len(outgoing) >= 2 and not any(e.default for e in outgoing):
            yield Problem(node.id, Phrase("Decision '{name}' has no default way: if none of its conditions holds, "
                                          "the case stops with an incident.", name=node.display),
                          Phrase("Mark one outgoing connection as the default (\"otherwise\")."))
