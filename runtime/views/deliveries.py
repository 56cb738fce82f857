"""Failed deliveries as supervisors see them: every letter, e-mail, SMS or request the worker gave up on, with why,
across cases (for the monitor and `flowdesk resend --list`), read from the "failed_delivery" records
(`runtime.deliveries`) rather than from every case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from models.phrases import Phrase
from runtime.access import UseCase, require
from runtime.deliveries import FAILED_KIND, delivery_text, failed_reason, may_resend
from runtime.documents import OutboxStatus, User

if TYPE_CHECKING:
    from runtime.service import Runtime


@dataclass(frozen=True)
class FailedDelivery:
    """One entry that failed: of which case, what (`text`: "the e-mail to …"), why, since when, whether a resend
    takes it (False: it may have arrived; check by hand)."""

    case_id: str
    entry_id: str
    text: Phrase
    reason: Phrase | str
    failed_at: datetime
    resendable: bool


def failed_deliveries(runtime: Runtime, user: User) -> list[FailedDelivery]:
    """Every delivery that failed and was not resent since, the most recent failure first."""
    require(user, UseCase.MONITOR)
    records = runtime.store.records(FAILED_KIND)
    failed_at = {record.key: record.updated_at for record in records if record.updated_at is not None}
    kept = {record.key: record.data for record in records}
    found = []
    for case_id in sorted({record.data["case_id"] for record in records}):
        for entry in runtime.store.outbox(case_id=case_id):
            if entry.status is OutboxStatus.FAILED and entry.id in failed_at:
                found.append(FailedDelivery(case_id, entry.id, delivery_text(entry),
                                            failed_reason(kept[entry.id], entry), failed_at[entry.id],
                                            may_resend(entry)))
    return sorted(found, key=lambda failed: failed.failed_at, reverse=True)
