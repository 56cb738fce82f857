"""A process must not call itself as a subprocess, directly or through other processes.

A call that comes back round (A → B → A) starts a new case inside the case
that called it, again and again, until the nesting limit stops the case with
an incident. The processes checked together and the versions already
published are looked at, so a circle closed by publishing one of them is seen.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.phrases import Phrase
from models.subprocess_calls import cycles_through


def check(ctx: CheckContext) -> Iterator[Problem]:
    for node, circle in cycles_through(ctx.bundle, ctx.known_processes or {}):
        yield Problem(node.id, Phrase("Subprocess '{name}' calls '{process}', which comes back to '{key}': "
                                      "{circle}. Its cases would nest without end.", name=node.display,
                                      process=node.process, key=ctx.bundle.key, circle=" → ".join(circle)),
                      Phrase("Remove the call that closes the circle, or move the shared steps into a process "
                             "that calls neither."), related=tuple(circle[1:-1]))
