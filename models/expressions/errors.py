"""Errors of the expression language, worded for the business owner who wrote the expression.

One class for everything found before a case runs (syntax, names, types) and a
subclass for what can only go wrong with real values (no value yet, division by
zero), so callers can tell a broken model from unlucky data.
"""

from __future__ import annotations

from models.errors import FlowdeskError


class ExpressionError(FlowdeskError):
    """An expression is wrong; `message` says what, `hint` how to fix it.

    `position` is the 0-based character offset in `source` where the problem is,
    or None when it concerns the expression as a whole.

    >>> error = ExpressionError("unknown name 'amont'", source="amont > 1", position=0,
    ...                         hint="did you mean 'amount'?")
    >>> str(error)
    "unknown name 'amont'; did you mean 'amount'?"
    """

    def __init__(self, message: str, *, source: str = "", position: int | None = None,
                 hint: str | None = None) -> None:
        self.source = source
        self.message = message
        self.position = position
        self.hint = hint
        super().__init__(f"{message}; {hint}" if hint else message)

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
