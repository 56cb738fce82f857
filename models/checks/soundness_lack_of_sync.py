"""Parallel branches must meet at a parallel join before anything runs twice or the case ends.

After a parallel split every branch carries its own token. Where branches
come together at a step, a decision or an end instead of a parallel join,
both tokens arrive: the steps after it run twice, or the case reaches
an end while another branch is still working. Flowdesk is strict here: every
parallel branch is joined before the case ends, so a case records exactly one
outcome.

Close the branches of a parallel split with a parallel join.

Each step where two tokens can meet is named, with one way it can happen,
step by step from the start.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem, quoted
from models.phrases import Phrase
from models.soundness import LackOfSync

#: Steps of the example path spelled out in a message; longer paths are shortened in the middle.
_PATH_STEPS = 8


def check(ctx: CheckContext) -> Iterator[Problem]:
    for fault in ctx.soundness.lack_of_sync:
        message, hint = _explain(ctx, fault)
        if fault.path:
            message = Phrase("{problem} For example: {path}.", problem=message, path=_path(ctx, fault.path))
        related = tuple(dict.fromkeys(n for n in (*fault.splits, *fault.path) if n != fault.node))
        yield Problem(fault.node, message, hint, related)


def _path(ctx: CheckContext, path: tuple[str, ...]) -> str:
    names = [f"'{_name(ctx, node_id)}'" for node_id in path]
    if len(names) > _PATH_STEPS:
        names = [*names[: _PATH_STEPS // 2], "…", *names[-_PATH_STEPS // 2:]]
    return " → ".join(names)


def _explain(ctx: CheckContext, fault: LackOfSync) -> tuple[Phrase, Phrase]:
    node = ctx.bundle.find_node(fault.node)
    name = node.display if node else fault.node
    origin = Phrase("the parallel split {splits}", splits=quoted([_name(ctx, split) for split in fault.splits])) \
        if fault.splits else Phrase("an earlier parallel split")
    if fault.at_end:
        return (
            Phrase("The case can reach end '{name}' while other branches of {origin} are still running, "
                   "so it would end with work still open.", name=name, origin=origin),
            Phrase("Close the branches of {origin} with a parallel join before going to an end; a case ends with "
                   "exactly one outcome.", origin=origin),
        )
    if node is not None and node.kind == "parallel":
        return (
            Phrase("Parallel join '{name}' can receive two tokens along the same branch (started by {origin}) "
                   "before it goes on.", name=name, origin=origin),
            Phrase("Close the branches of {origin} with a parallel join before the branch can come round again, "
                   "or use a decision to repeat work.", origin=origin),
        )
    what = {"end": Phrase("End '{name}'", name=name), "decision": Phrase("Decision '{name}'", name=name)} \
        .get(node.kind if node else "", Phrase("Step '{name}'", name=name))
    return (
        Phrase("{what} can be reached by two branches of {origin} at once, so it would run twice.", what=what,
               origin=origin),
        Phrase("Close the branches of {origin} with a parallel join before '{name}'.", origin=origin, name=name),
    )


def _name(ctx: CheckContext, node_id: str) -> str:
    node = ctx.bundle.find_node(node_id)
    return node.display if node else node_id
