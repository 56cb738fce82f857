"""Errors of the expression language, worded for the business owner who wrote the expression.

One class for everything found before a case runs (syntax, names, types) and a
subclass for what can only go wrong with real values (no value yet, division by
zero), so callers can tell a broken model from unlucky data.
"""

from __future__ import annotations

from models.errors import FlowdeskError
from models.phrases import Phrase


class ExpressionError(FlowdeskError):
    """An expression is wrong; `message` says what, `hint` how to fix it (both English text).

    `position` is the 0-based character offset in `source` where the problem is,
    or None when it concerns the expression as a whole. What is wrong is phrased
    (`models.phrases.Phrase`, the names and kinds in its values) and kept as
    `message_phrase` and `hint_phrase`, and as the exception's argument, so the
    designer says it in its reader's language (`designer.display.said(error)`).

    >>> error = ExpressionError("unknown name 'amont'", source="amont > 1", position=0,
    ...                         hint="did you mean 'amount'?")
    >>> str(error)
    "unknown name 'amont'; did you mean 'amount'?"
    """

    def __init__(self, message: Phrase | str, *, source: str = "", position: int | None = None,
                 hint: Phrase | str | None = None) -> None:
        self.source = source
        self.message = str(message)
        self.position = position
        self.hint = str(hint) if hint else None
        self.message_phrase = message
        self.hint_phrase = hint or None
        super().__init__(Phrase("{message}; {hint}", message=message, hint=hint) if hint else message)

    def pointer(self) -> str:
        """The source with a caret under the problem, for monospace display ("" without a position)."""
        if self.position is None or not self.source:
            return ""
        line_start = self.source.rfind("\n", 0, self.position) + 1
        line_end = self.source.find("\n", self.position)
        line = self.source[line_start: None if line_end < 0 else line_end]
        return f"{line}\n{' ' * (self.position - line_start)}^"


class EvaluationError(ExpressionError):
    """A valid expression could not give a result for these values (e.g. no value yet, 1 / 0)."""
