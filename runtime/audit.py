"""The audit trail: append-only events, each sealed with the hash of its predecessor.

Changing or deleting any event breaks the chain from that point on, and the
case remembers the newest hash and the count, so even removing the last
events is detected. `verify_trail` names the first broken event.

A step seals each new event as it records it (`seal_event`): each event is
linked to the one before it and hashed over its own canonical JSON, so the
trail stays verifiable event by event, and only the event's JSON text is kept
until the step commits. The
canonical JSON is the event's fields with sorted keys, compact, in the event's
`seal` format: 2 is orjson's (what events are sealed with now, a fraction of
a microsecond per event); 1 is the standard library's `json` without the
`seal` field itself (events written before, and any event orjson cannot
express, such as an integer beyond 64 bits).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from runtime.documents import AuditEvent, Case, SealedEvent

GENESIS = "0" * 64
#: The seal format new events get (see the module docstring).
SEAL = 2
_SORTED = orjson.OPT_SORT_KEYS


def seal(event_fields: Mapping[str, Any], previous_hash: str) -> str:
    """The hash of an event's content (JSON data, its `hash` aside) together with its predecessor's hash."""
    content = {k: v for k, v in event_fields.items() if k != "hash"} | {"previous_hash": previous_hash}
    return _digest(content)


def seal_event(content: dict[str, Any], head: str) -> SealedEvent:
    """Seal a new event (JSON data, without `hash`) after the event whose hash is `head`.

    The content gets its `previous_hash`, its `seal` format and its `hash`. The JSON
    text a store writes is the sealed text with the hash added, so no event is
    serialised twice, and the content can go as soon as it is sealed.
    """
    content["previous_hash"] = head
    content["seal"] = SEAL
    try:
        text = orjson.dumps(content, option=_SORTED)
    except orjson.JSONEncodeError:
        content["seal"] = 1
        text = _standard_json(content)
        content["hash"] = hashlib.sha256(text).hexdigest()
        return SealedEvent(content["id"], content["case_id"], content["seq"], content["hash"],
                           json.dumps(content, separators=(",", ":"), default=str).encode())
    digest = content["hash"] = hashlib.sha256(text).hexdigest()
    return SealedEvent(content["id"], content["case_id"], content["seq"], digest,
                       b'%s,"hash":"%s"}' % (text[:-1], digest.encode()))


def seal_events(contents: list[dict[str, Any]], head: str) -> list[SealedEvent]:
    """Seal events of one case oldest first, the first following `head` (`seal_event`, one after the other)."""
    sealed = []
    for content in contents:
        sealed.append(seal_event(content, head))
        head = sealed[-1].hash
    return sealed


def _digest(content: dict[str, Any]) -> str:
    if content.get("seal", 1) == 1:
        return hashlib.sha256(_standard_json(content)).hexdigest()
    return hashlib.sha256(orjson.dumps(content, option=_SORTED)).hexdigest()


def _standard_json(content: Mapping[str, Any]) -> bytes:
    """Seal format 1: the standard library's sorted, compact JSON of the content without its `seal` field."""
    fields = {k: v for k, v in content.items() if k not in ("seal", "hash")}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode()


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
