"""A parallel node either splits (one way in, several out) or joins (several in, one out).

A split starts all its outgoing branches at once; a join waits until every
incoming branch has arrived. One that does both, or neither, is unclear.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.phrases import Phrase


def check(ctx: CheckContext) -> Iterator[Problem]:
    for node in ctx.bundle.nodes:
        if node.kind != "parallel":
            continue
        ins, outs = ctx.graph.in_degree(node.id), ctx.graph.out_degree(node.id)
        if (ins == 1 and outs >= 2) or (ins >= 2 and outs == 1):
            continue
        if ins >= 2 and outs >= 2:
            message = Phrase("Parallel node '{name}' both joins {ins} branches and splits into {outs}.",
                             name=node.display, ins=ins, outs=outs)
            hint = Phrase("Use two parallel nodes: a join followed by a split.")
        elif ins <= 1 and outs <= 1:
            message = Phrase("Parallel node '{name}' neither splits nor joins anything.", name=node.display)
            hint = Phrase("Remove it, or give it several outgoing (split) or incoming (join) connections.")
        else:
            message = Phrase("Parallel node '{name}' has {ins} incoming and {outs} outgoing connections.",
                             name=node.display, ins=ins, outs=outs)
            hint = Phrase("A split has one incoming connection; a join has one outgoing connection.")
        yield Problem(node.id, message, hint)
