"""What a check reports: a finding a business owner can act on.

A rule phrases its message and hint (`Phrase`, or plain English text for a rule not phrased yet). A finding
keeps both: its `message` and `hint` are the English text, which `as_dict()`, the command line, the REST API
and every reader of `message` get as before; `phrased_message` and `phrased_hint` are what the designer says
in its reader's language (`designer.display.said`).
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
    message: str
    hint: str = ""
    related: tuple[str, ...] = field(default=())
    #: The message and hint as the rule phrased them (None: as `message` and `hint` say them).
    message_phrase: Phrase | None = None
    hint_phrase: Phrase | None = None

    @classmethod
    def of(cls, code: str, severity: Severity, problem: Problem) -> Finding:
        """What `problem` reports, with its English text and its phrases."""
        return cls(code, severity, problem.element, str(problem.message), str(problem.hint), problem.related,
                   problem.message if isinstance(problem.message, Phrase) else None,
                   problem.hint if isinstance(problem.hint, Phrase) else None)

    @property
    def phrased_message(self) -> Phrase | str:
        """The message to say in the reader's language (`designer.display.said`)."""
        return self.message_phrase or self.message

    @property
    def phrased_hint(self) -> Phrase | str:
        """The hint to say in the reader's language."""
        return self.hint_phrase or self.hint

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "element": self.element,
            "message": self.message,
            "hint": self.hint,
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
