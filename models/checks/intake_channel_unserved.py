"""Intake rules should suggest a process only on channels where an agent can start it.

A process is suggested at intake on the channels its intake rules name (on
every channel when they name none). If it has no manual start, a contact on a
channel that none of its intake starts takes would have nowhere to begin.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.nodes import Channel, StartNode, StartTrigger
from models.phrases import Phrase


def check(ctx: CheckContext) -> Iterator[Problem]:
    rules = ctx.bundle.intake
    starts = [node for node in ctx.bundle.nodes if isinstance(node, StartNode)]
    if rules is None or not starts or any(start.trigger is StartTrigger.MANUAL for start in starts):
        return
    intake_starts = [start for start in starts if start.trigger is StartTrigger.INTAKE]
    served = {channel for start in intake_starts for channel in start.channels}
    unserved = [channel for channel in (rules.channels or list(Channel)) if channel not in served]
    if not unserved:
        return
    if not intake_starts:
        message = Phrase("The intake rules suggest this process to agents, but it has no manual or intake start.")
    elif rules.channels:
        message = Phrase("The intake rules suggest this process for contacts by {channels}, but no start takes "
                         "contacts on that channel.", channels=unserved)
    else:
        message = Phrase("The intake rules name no channels, so the process is suggested on every channel, but its "
                         "starts take only {channels}.", channels=sorted(served, key=lambda c: c.value))
    yield Problem("intake", message,
                  Phrase("List only the channels the intake starts take, add those channels to an intake start, "
                         "or add a manual start."),
                  related=tuple(start.id for start in intake_starts))
