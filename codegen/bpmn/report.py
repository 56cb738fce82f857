"""The import report: what a BPMN or DMN file became, element by element, before anything is created.

Every element of the file lands in exactly one of four outcomes, so the report
leaves nothing unsaid: imported as it was, translated (same meaning, written
the Flowdesk way), kept as written (a check will ask a person to rewrite it),
or not imported (Flowdesk does not run it; the entry says what to do instead).

What became of an element is phrased (`models.phrases.Phrase`): the command line and `as_dict` give the English
`detail`, the designer says `phrased_detail` in its reader's language, and the summary likewise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from models.phrases import Phrase

__all__ = ["ImportReport", "Outcome", "ReportEntry"]


class Outcome(StrEnum):
    IMPORTED = "imported"
    TRANSLATED = "translated"
    TO_FIX = "to fix"
    NOT_IMPORTED = "not imported"


@dataclass(frozen=True)
class ReportEntry:
    """One element of the file: its id and name there, its element type, and what became of it."""

    outcome: Outcome
    element: str
    name: str
    what: str
    phrased_detail: Phrase | str

    @property
    def detail(self) -> str:
        """What became of the element, in English."""
        return str(self.phrased_detail)

    def line(self) -> str:
        name = f" '{' '.join(self.name.split())}'" if self.name.strip() else ""
        return f"{self.outcome.value:<12} {self.what} {self.element}{name}: {self.detail}"


@dataclass
class ImportReport:
    """What one process (or one DMN file) of a file became."""

    source: str
    subject: Phrase | str
    entries: list[ReportEntry] = field(default_factory=list)

    def add(self, outcome: Outcome, element: str, name: str, what: str, detail: Phrase | str) -> None:
        self.entries.append(ReportEntry(outcome, element, name, what, detail))

    def of(self, outcome: Outcome) -> list[ReportEntry]:
        return [entry for entry in self.entries if entry.outcome is outcome]

    @property
    def complete(self) -> bool:
        """Nothing left out and nothing to rewrite."""
        return not (self.of(Outcome.TO_FIX) or self.of(Outcome.NOT_IMPORTED))

    @property
    def phrased_summary(self) -> Phrase:
        """Where it came from and a count per outcome."""
        return Phrase("{source}: {subject} — {counts}", source=self.source, subject=self.subject,
                      counts=[Phrase("{count} {outcome}", count=len(self.of(o)), outcome=o) for o in Outcome])

    @property
    def summary(self) -> str:
        """The summary in English."""
        return str(self.phrased_summary)

    def lines(self) -> list[str]:
        """The report as text, grouped by outcome, with the summary first."""
        lines = [self.summary]
        for outcome in Outcome:
            lines += [f"  {entry.line()}" for entry in self.of(outcome)]
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "subject": str(self.subject),
            "entries": [
                {"outcome": e.outcome.value, "element": e.element, "name": e.name, "what": e.what, "detail": e.detail}
                for e in self.entries
            ],
        }
