"""A case's audit trail as one file that proves itself, offline, without the store.

`export_cases` writes, per case: the case, its events with their hashes, the
published version's bundle it ran on (whose content hash is the version's
hash), digests of everything sent and attached, and the newest signed
checkpoint anchoring the trail with the public key that signed it. Exporting is
itself an event on each case's trail, and a checkpoint is made right after, so
the export is anchored up to its own event.

`verify_export` checks such a file with nothing but the file (and, best, the
auditor's trusted public key): every event's seal and link, the case's recorded
head, the anchor's head against the events, the checkpoint's hash and
signature, the bundle against its version hash, and the digests of what was
sent. A single flipped byte fails it, naming the event or part.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

from runtime.access import UseCase, require
from runtime.anchors import (
    AnchorError,
    Checkpoint,
    key_id,
    load_public_key,
    public_pem,
    read_checkpoint,
    signature_valid,
)
from runtime.audit import verify_trail
from runtime.documents import AuditEvent, Case, User, Version
from runtime.outbox import sent_to_customer
from runtime.transaction import Transaction

if TYPE_CHECKING:
    from runtime.service import Request, Runtime

FORMAT = "flowdesk-case-export/1"
#: The most cases one export may hold.
MAX_CASES = 500


def export_cases(runtime: Runtime, user: User, case_ids: list[str], *,
                 request: Request | None = None) -> dict[str, Any]:
    """The export of the cases (at most `MAX_CASES`), each recorded on its trail (once per `request`) and
    anchored first."""
    require(user, UseCase.READ_AUDIT)
    if not case_ids or len(case_ids) > MAX_CASES:
        raise AnchorError(f"choose 1 to {MAX_CASES} cases to export; {len(case_ids)} were asked for")
    for case_id in case_ids:
        runtime.store.case(case_id)  # NotFound names a case that does not exist, before anything is recorded

    def record(tx: Transaction) -> None:
        for case_id in case_ids:
            tx.audit(tx.case(case_id), "trail exported", f"Audit trail exported by {user.name or user.id}",
                     details={"cases": len(case_ids)})

    runtime.step(user, record, request=request)
    runtime.checkpoint()
    key = runtime.anchoring.key
    return {"format": FORMAT, "exported_at": runtime.now().isoformat(), "exported_by": user.id,
            "public_key": public_pem(key.public).decode() if key else None,
            "cases": [_case_export(runtime, case_id) for case_id in case_ids]}


def _case_export(runtime: Runtime, case_id: str) -> dict[str, Any]:
    case = runtime.store.case(case_id)
    events = runtime.store.audit_events(case_id)
    version = next(v for v in runtime.store.versions(case.process_key) if v.hash == case.version_hash)
    anchor = _newest_anchor(runtime, case_id)
    return {
        "case": case.model_dump(mode="json"),
        "events": [event.model_dump(mode="json") for event in events],
        "version": version.model_dump(mode="json"),
        "bundle": runtime.store.bundle_document(case.version_hash),
        "sent": [{"entry": entry.model_dump(mode="json"), "sha256": _digest(entry.model_dump(mode="json"))}
                 for entry in sent_to_customer(runtime.store, case_id)],
        "attachments": [attachment.model_dump(mode="json") for attachment in runtime.store.attachments(case_id)],
        "anchor": anchor.model_dump(mode="json") if anchor else None,
    }


def _newest_anchor(runtime: Runtime, case_id: str) -> Checkpoint | None:
    tip = runtime.anchoring.tip()
    seq = tip.seq if tip else 0
    while seq > 0:
        checkpoint = read_checkpoint(runtime.store, seq)
        if case_id in checkpoint.heads:
            return checkpoint
        seq -= 1
    return None


def export_bytes(export: dict[str, Any]) -> bytes:
    return json.dumps(export, indent=1, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _content_hash(bundle: Any) -> str:
    canonical = json.dumps(bundle, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


# Verifying offline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseVerdict:
    case_id: str
    events: int
    anchored: int  # events the checkpoint vouches for
    signed_by: str  # key fingerprint, or "" when unsigned
    problems: list[str]


@dataclass(frozen=True)
class ExportVerdict:
    cases: list[CaseVerdict]
    key: str  # the fingerprint of the key the signatures were checked with
    trusted: bool  # whether that key was the auditor's own (not just the one in the file)
    problems: list[str]  # about the file as a whole

    @property
    def intact(self) -> bool:
        return not self.problems and all(not case.problems for case in self.cases)


def verify_export(data: bytes, trusted: Ed25519PublicKey | None = None) -> ExportVerdict:
    """Check an export file on its own (see the module docstring); never raises on a damaged file."""
    try:
        export = json.loads(data)
        if not isinstance(export, dict) or export.get("format") != FORMAT:
            raise ValueError(f"it is not a {FORMAT} file")
        embedded = load_public_key(export["public_key"].encode()) if export.get("public_key") else None
        cases = export["cases"]
    except (ValueError, KeyError, TypeError, AttributeError, AnchorError) as error:
        return ExportVerdict([], "", False, [f"the file cannot be read as a case export: {error}"])
    key = trusted or embedded
    problems = []
    if trusted is not None and embedded is not None and key_id(trusted) != key_id(embedded):
        problems.append(f"the file names key {key_id(embedded)}, not the trusted key {key_id(trusted)}")
    verdicts = [_verify_case(part, key) for part in cases]
    return ExportVerdict(verdicts, key_id(key) if key else "", trusted is not None, problems)


def _verify_case(part: Any, key: Ed25519PublicKey | None) -> CaseVerdict:
    try:
        case = Case.model_validate(part["case"])
        events = [AuditEvent.model_validate(event) for event in part["events"]]
        version = Version.model_validate(part["version"])
        anchor = Checkpoint.model_validate(part["anchor"]) if part.get("anchor") else None
    except (ValidationError, KeyError, TypeError) as error:
        return CaseVerdict(str(part.get("case", {}).get("id", "?")) if isinstance(part, dict) else "?", 0, 0, "",
                           [f"the case's part of the file is damaged: {_first_error(error)}"])
    problems = []
    trail = verify_trail(case, events)
    if trail is not None:
        problems.append(f"event {trail.seq}" + (f" ({trail.event_id})" if trail.event_id else "") +
                        f": {trail.message}")
    if _content_hash(part.get("bundle")) != version.hash or case.version_hash != version.hash:
        problems.append(f"the process version in the file is not version {version.number} ({version.hash[:12]}) "
                        "the case ran on: its content was changed")
    for event in events:
        if event.version_hash not in (version.hash, case.version_hash):
            problems.append(f"event {event.seq} names version {event.version_hash[:12]}, not the case's")
            break
    for sent in part.get("sent", []):
        if _digest(sent.get("entry")) != sent.get("sha256"):
            problems.append(f"what was sent as '{sent.get('entry', {}).get('id', '?')}' was changed")
    anchored, signed_by = 0, ""
    if anchor is None:
        problems.append("no checkpoint anchors this case: its trail is vouched for by its own chain only")
    else:
        anchored, signed_by, anchor_problems = _check_anchor(case, events, anchor, key)
        problems += anchor_problems
    return CaseVerdict(case.id, len(events), anchored, signed_by, problems)


def _check_anchor(case: Case, events: list[AuditEvent], anchor: Checkpoint,
                  key: Ed25519PublicKey | None) -> tuple[int, str, list[str]]:
    problems = []
    if anchor.content_hash() != anchor.hash:
        problems.append(f"checkpoint {anchor.seq} in the file was changed")
    if not anchor.signature:
        problems.append(f"checkpoint {anchor.seq} is not signed")
    elif key is None:
        problems.append(f"checkpoint {anchor.seq} is signed, but no public key was given to check it with")
    elif not signature_valid(anchor, key):
        problems.append(f"checkpoint {anchor.seq}'s signature does not match key {key_id(key)}")
    count, head = anchor.heads.get(case.id, (0, ""))
    if count == 0:
        problems.append(f"checkpoint {anchor.seq} does not anchor this case")
    elif count > len(events):
        problems.append(f"checkpoint {anchor.seq} anchored {count} events, the file holds {len(events)}")
    elif events[count - 1].hash != head:
        problems.append(f"event {count} does not match checkpoint {anchor.seq}: the trail was changed and sealed "
                        "again")
    return count, anchor.key_id if anchor.signature else "", problems


def _first_error(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
    return str(error)


def export_summary(export: dict[str, Any]) -> list[dict[str, Any]]:
    """Per case, what a readable report shows: id, process, version, status, events."""
    rows = []
    for part in export["cases"]:
        case = part["case"]
        rows.append({"case": case["id"], "process": part["version"]["name"], "version": part["version"]["number"],
                     "hash": part["version"]["hash"], "status": case["status"], "events": part["events"],
                     "anchor": part["anchor"], "sent": part["sent"],
                     "exported": datetime.fromisoformat(export["exported_at"])})
    return rows
