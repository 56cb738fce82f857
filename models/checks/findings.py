"""What a check reports: a finding a business owner can act on."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """What a rule reports; `check()` adds the rule's code and severity."""

    element: str
    message: str
    hint: str = ""
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

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "element": self.element,
            "message": self.message,
            "hint": self.hint,
            "related": list(self.related),
        }
