"""Two processes must not give their cases the same reference prefix.

A case's reference (BC-2026-00123) starts with its process's prefix: the
process setting, else the initials of the process's name. When another
published process (or one checked together with this one) has the same
prefix, a reference no longer tells an agent which process a case is of.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.phrases import Phrase
from models.references import reference_prefix


def check(ctx: CheckContext) -> Iterator[Problem]:
    prefix = reference_prefix(ctx.bundle)
    others = {key: other.name for key, other in sorted((ctx.known_processes or {}).items())
              if key != ctx.bundle.key and reference_prefix(other) == prefix}
    if others:
        how = Phrase("it is set") if ctx.bundle.reference_prefix else \
            Phrase("it comes from the initials of '{name}'", name=ctx.bundle.name)
        yield Problem("reference_prefix", Phrase("Case references of this process start with '{prefix}' ({how}), "
                                                 "as those of {names} do.", prefix=prefix, how=how,
                                                 names=[f"'{name}'" for name in others.values()]),
                      Phrase("Give the process a reference prefix of its own in its settings (Case data & queues)."),
                      related=tuple(others))
