"""Several starts are allowed only when their triggers differ.

Two manual starts, two starts for the same message, or two intake starts
sharing a channel leave Flowdesk unable to tell where a new case begins.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.nodes import StartNode, StartTrigger
from models.phrases import Phrase


def check(ctx: CheckContext) -> Iterator[Problem]:
    starts = [n for n in ctx.bundle.nodes if isinstance(n, StartNode)]
    claimed: dict[tuple[str, ...], StartNode] = {}
    for start in starts:
        for trigger in _triggers(start):
            first = claimed.setdefault(trigger, start)
            if first is not start:
                yield Problem(
                    start.id,
                    Phrase("Start '{name}' has the same trigger ({trigger}) as start '{first}', so a new case "
                           "could begin at either.", name=start.display, trigger=" ".join(trigger),
                           first=first.display),
                    Phrase("Give each start its own trigger (a different channel or message), or keep one start."),
                    related=(first.id,),
                )
                break


def _triggers(start: StartNode) -> list[tuple[str, ...]]:
    """Each channel of an intake start is a trigger of its own, so overlaps are caught."""
    if start.trigger is StartTrigger.INTAKE:
        return [("intake", channel.value) for channel in start.channels]
    return [start.trigger_signature()]
