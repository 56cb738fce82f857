"""One exception tree for everything a user can get wrong in a model.

Bad input (a malformed bundle file, an expression that does not parse) is a
`FlowdeskError`; a bug in Flowdesk is any other exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.phrases import Phrase


class FlowdeskError(Exception):
    """Something a user supplied is wrong; the message says what and where."""


@dataclass(frozen=True)
class LoadProblem:
    """One thing wrong with a bundle file: where (a JSON path) and what, in English and, where it has one, as the
    `phrase` the web app says in its reader's language."""

    path: str
    message: str
    phrase: Phrase | None = field(default=None, compare=False)

    @property
    def phrased(self) -> Phrase | str:
        """What is wrong: its phrase, else the English message."""
        return self.message if self.phrase is None else self.phrase

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class BundleLoadError(FlowdeskError):
    """A bundle file could not be loaded; `problems` lists every reason found."""

    def __init__(self, problems: list[LoadProblem], source: str = "") -> None:
        self.problems = problems
        self.source = source
        where = f"{source}: " if source else ""
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{where}cannot load the process bundle:\n{lines}")
