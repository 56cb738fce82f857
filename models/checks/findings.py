"""What a check reports: a finding a business owner can act on.

A finding's message and hint are `Phrase`s (or plain English text, for rules not phrased yet), so the designer
says them in its reader's language; `as_dict()`, the command line and the REST API give the English text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from models.phrases import Phrase


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """What a rule reports; `check()` adds the rule's code and severity."""

    element: str
    message: Phrase | str
    hint: Phrase | str = ""
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One thing wrong (error) or doubtful (warning) about a bundle.

    `element` is the id of the node, edge, form, letter, table, queue or
    variable concerned ("" for the whole bundle); `related` names other
    elements involved, e.g. the nodes on the path to a deadlock.
    """

    code: str
    severity: Severity
    element: str
    message: Phrase | str
    hint: Phrase | str = ""
    related: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "element": self.element,
            "message": str(self.message),
            "hint": str(self.hint),
            "related": list(self.related),
        }


def quoted(names: Sequence[str], *, joined_by_and: bool = False) -> Phrase | str:
    """One or more names in quotes, joined by "or" (or "and"), as a phrase so the joining word is translated.

    >>> str(quoted(["Pay", "Check", "Call"])), str(quoted(["a", "b"], joined_by_and=True)), quoted(["Pay"])
    ("'Pay' or 'Check' or 'Call'", "'a' and 'b'", "'Pay'")
    """
    first, *others = names
    said: Phrase | str = f"'{first}'"
    for name in others:
        said = Phrase("{some} and {last}", some=said, last=f"'{name}'") if joined_by_and else \
            Phrase("{some} or {last}", some=said, last=f"'{name}'")
    return said
