"""A checked sub-expression and small helpers shared by the checker's modules."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from models.expressions import syntax as s
from models.expressions.emitter import Cel
from models.expressions.types import ExprType
from models.phrases import Phrase


@dataclass(frozen=True, slots=True)
class Typed:
    """A checked sub-expression: its static type and the CEL that computes it."""

    type: ExprType
    cel: Cel


def is_untyped_number(node: s.Node) -> bool:
    """Whether `node` is built only from number literals, so its type follows its surroundings.

    Iterative along left-leaning chains (`1 + 2 + 3 ...`), which can be hundreds long.
    """
    while True:
        match node:
            case s.Number():
                return True
            case s.Unary(op="-", operand=operand):
                node = operand
            case s.Binary(op="+" | "-", left=left, right=right):
                if not is_untyped_number(right):
                    return False
                node = left
            case s.Conditional(then=then, otherwise=otherwise):
                if not is_untyped_number(then):
                    return False
                node = otherwise
            case s.ListLit(items=items):
                return bool(items) and all(is_untyped_number(i) for i in items)
            case _:
                return False


def suggestion(name: str, candidates: Iterable[str]) -> Phrase | None:
    """ "did you mean 'x'?" for the closest candidate, or None."""
    options = sorted(set(candidates))
    folded = {c.lower(): c for c in options}
    if name.lower() in folded:
        return Phrase("did you mean '{name}'?", name=folded[name.lower()])
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return Phrase("did you mean '{name}'?", name=close[0]) if close else None
