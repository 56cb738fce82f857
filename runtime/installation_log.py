"""The installation's own logs, beside the case trails: what happened to accounts, and to process versions.

Each log is a kind of `Record` keyed by time, so every app process appends to
the same log through the store and an entry is written in the step it records
(a role given, a token revoked, a version submitted, approved or rejected).
A summary given as a `Phrase` is kept as its English text and as the phrase
(as audit events keep theirs), so a page says it in its reader's language;
entries from before show their stored text (`LogEntry.phrase`).
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from models.phrases import Phrase, kept_phrase
from runtime.storage.base import Store
from runtime.transaction import Transaction

#: Who did what to which account, and sign-in locks.
ACCOUNTS = "account_event"
#: Process versions submitted for approval, approved and rejected (four eyes).
VERSIONS = "version_event"


class LogEntry(BaseModel):
    """One entry of a log: who did what (`kind`) to what (`subject`), in words (`summary`, in English; `said`: the
    same as a `Phrase`, kept as data)."""

    at: datetime
    actor: str
    kind: str
    subject: str
    summary: str
    said: dict[str, Any] | None = None

    @property
    def phrase(self) -> Phrase | str:
        """What happened as the runtime said it, for a reader of any language; else the stored summary."""
        return kept_phrase(self.said, self.summary)


def write(tx: Transaction, log: str, kind: str, subject: str, summary: Phrase | str) -> None:
    """Append an entry to `log` with the step `tx` (by its actor, at its time)."""
    entry = LogEntry(at=tx.now, actor=tx.actor, kind=kind, subject=subject, summary=str(summary),
                     said=summary.as_data() if isinstance(summary, Phrase) else None)
    # keyed by the step's time, then the wall clock's nanoseconds: entries of one moment (a clock stood still in a
    # test-run) keep the order they were written in; the random part keeps two processes' keys apart
    key = f"{tx.now:%Y%m%d%H%M%S%f}-{time.time_ns():020d}-{secrets.token_hex(4)}"
    tx.new_record(log, key, entry.model_dump(mode="json"))


def entries(store: Store, log: str, limit: int = 100, subject: str | None = None) -> list[LogEntry]:
    """The newest entries of `log` (about `subject` only, if given), newest first."""
    found = [LogEntry.model_validate(record.data) for record in reversed(store.records(log))]
    return [entry for entry in found if subject is None or entry.subject == subject][:limit]
