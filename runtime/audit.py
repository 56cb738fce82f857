"""The audit trail: append-only events, each sealed with the hash of its predecessor.

Changing or deleting any event breaks the chain from that point on, and the
case remembers the newest hash and the count, so even removing the last
events is detected. `verify_trail` names the first broken event.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from runtime.documents import AuditEvent, Case

GENESIS = "0" * 64


def seal(event_fields: dict[str, Any], previous_hash: str) -> str:
    """The hash of an event's content together with its predecessor's hash."""
    content = {k: v for k, v in event_fields.items() if k != "hash"} | {"previous_hash": previous_hash}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class TrailProblem:
    """Where a case's trail stops being trustworthy."""

    case_id: str
    seq: int | None
    event_id: str | None
    message: str


def verify_trail(case: Case, events: list[AuditEvent]) -> TrailProblem | None:
    """The first broken event of a case's trail, or None when the trail is intact."""
    previous = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if expected_seq > case.audit_count:
            return TrailProblem(case.id, event.seq, event.id,
                                f"event {event.seq} ({event.kind}) was added after the case's last recorded event")
        where = f"event {event.seq} ({event.kind}, {event.at:%Y-%m-%d %H:%M})"
        if event.seq != expected_seq:
            return TrailProblem(case.id, expected_seq, event.id,
                                f"event {expected_seq} is missing: the trail jumps to event {event.seq}")
        if event.previous_hash != previous:
            return TrailProblem(case.id, event.seq, event.id,
                                f"{where} does not follow the event before it (an event was removed or changed)")
        if seal(event.model_dump(mode="json"), previous) != event.hash:
            return TrailProblem(case.id, event.seq, event.id, f"{where} was changed after it was written")
        previous = event.hash
    if len(events) != case.audit_count or previous != (case.audit_head or GENESIS):
        return TrailProblem(case.id, len(events) + 1, None,
                            f"the trail ends after event {len(events)}, but the case recorded "
                            f"{case.audit_count} events: the last ones were removed")
    return None
