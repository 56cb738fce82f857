"""A parallel join must never wait for a branch that cannot come.

A parallel join lets the case go on only when every incoming branch has
arrived. If a decision earlier on sends the case along just one of those
branches, or a branch can only come from later in the flow (a loop that leads
back into the join), the join waits forever and the case is stuck there.

Let the branches of a decision come together at a step (connect them to the
same next step), and close the branches of a parallel split with a parallel
join.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem, quoted
from models.phrases import Phrase
from models.soundness import Deadlock


def check(ctx: CheckContext) -> Iterator[Problem]:
    for fault in ctx.soundness.deadlocks:
        message, hint = _explain(ctx, fault)
        yield Problem(fault.join, message, hint, fault.related)


def _explain(ctx: CheckContext, fault: Deadlock) -> tuple[Phrase, Phrase]:
    join = _name(ctx, fault.join)
    branch = _names(ctx, fault.waits_for)
    if fault.decisions:
        decisions = _names(ctx, fault.decisions)
        return (
            Phrase("Parallel join '{join}' can wait forever: decision {decisions} sends the case along one way "
                   "only, so the branch from {branch} may never arrive.", join=join, decisions=decisions,
                   branch=branch),
            Phrase("Let the branches of decision {decisions} come together in a merging decision (or at one "
                   "next step), not at a parallel join.", decisions=decisions),
        )
    if fault.loop:
        return (
            Phrase("Parallel join '{join}' can wait forever for the branch from {branch}, which only comes "
                   "after '{join}' itself: a loop leads back into the parallel join.", join=join, branch=branch),
            Phrase("Let the loop go back to a step before the parallel split, not into the parallel join "
                   "'{join}'.", join=join),
        )
    return (
        Phrase("Parallel join '{join}' can wait forever: the branch from {branch} does not start together "
               "with the other branches.", join=join, branch=branch),
        Phrase("Start every branch that '{join}' waits for at one parallel split.", join=join),
    )


def _name(ctx: CheckContext, node_id: str) -> str:
    node = ctx.bundle.find_node(node_id)
    return node.display if node else node_id


def _names(ctx: CheckContext, node_ids: tuple[str, ...]) -> Phrase | str:
    return quoted([_name(ctx, node_id) for node_id in node_ids])
