"""Errors of the runtime, from the one Flowdesk exception tree."""

from __future__ import annotations

from models.errors import FlowdeskError


class EngineError(FlowdeskError):
    """A request the runtime refuses (wrong state, unknown item); nothing was changed."""


class DataError(EngineError):
    """Input data does not fit; `errors` maps each field or variable to what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))


class CaseStuck(FlowdeskError):
    """Raised by a node handler when the case cannot go on at this node; becomes an incident."""
