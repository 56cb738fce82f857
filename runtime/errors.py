"""Errors of the runtime, from the one Flowdesk exception tree.

Every door (pages, REST API, CLI, test-run) turns these into the same answer:
`AccessDenied` is "not allowed" (403), `NotFound` an unknown id (404),
`ConflictError` someone else was faster (409), `PreconditionFailed` the case
moved on since the caller read it (412), `DataError` names each field that is
wrong (422), any other `FlowdeskError` is a refused request (422).
"""

from __future__ import annotations

from collections.abc import Mapping

from models.errors import FlowdeskError
from models.phrases import Phrase


class EngineError(FlowdeskError):
    """A request the runtime refuses (wrong state, unknown item); nothing was changed."""


class DataError(EngineError):
    """Input data does not fit; `errors` maps each field or variable to what is wrong, in English (the command line,
    the API); `phrases` to the same as the runtime phrased it, for a page to say in its reader's language."""

    def __init__(self, errors: Mapping[str, Phrase | str]) -> None:
        self.phrases = dict(errors)
        self.errors = {name: str(problem) for name, problem in self.phrases.items()}
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))


class CaseStuck(FlowdeskError):
    """Raised by a node handler when the case cannot go on at this node; becomes an incident."""


class AccessDenied(FlowdeskError):
    """The acting user may not do this (`runtime.access` decides); nothing was changed."""


class StoreError(FlowdeskError):
    """The store cannot do what was asked (locked, unreadable, full)."""


class NotFound(StoreError):
    """No document with that id."""


class ConflictError(StoreError):
    """Someone else changed it first; the message says who and what. Reload and try again."""


class ChangedMeanwhile(ConflictError):
    """What a step found missing was created by someone else before the step could commit: `Runtime.step` runs
    the step again, as it does after a conflicting commit."""


class PreconditionFailed(ConflictError):
    """The case is no longer at the revision the caller last saw (e.g. an HTTP If-Match); nothing was changed."""


class AttachmentTooLarge(StoreError):
    """A file bigger than the store's attachment limit; nothing was kept."""
