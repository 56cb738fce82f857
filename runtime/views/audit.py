"""What an auditor reads: a case's trail on its pinned version's diagram, the verification of the store.

`case_trail` gathers one case for review: the exact published version that
ran it (number and content hash), every event with who, when and what changed
from what to what, the way the case went through the diagram (the edges its
tokens followed, how often) and where it is now, what was sent and attached,
and whether its chain and its anchors still verify. Auditors read; nothing
here changes anything.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from runtime.access import UseCase, require
from runtime.anchors import Checkpoint, Verdict
from runtime.documents import Attachment, AuditEvent, Case, OutboxEntry, User, Version
from runtime.outbox import sent_to_customer
from runtime.process_version import ProcessVersion
from runtime.views.cases import Change, event_changes
from runtime.views.names import Names

if TYPE_CHECKING:
    from runtime.service import Runtime


@dataclass(frozen=True)
class TrailEntry:
    event: AuditEvent
    actor: str  # the actor's name
    changes: list[Change]


@dataclass(frozen=True)
class CaseTrail:
    case: Case
    version: Version  # the published version that ran the case, with its content hash
    process: ProcessVersion
    entries: list[TrailEntry]  # oldest first
    edges_taken: dict[str, int]  # edge id -> how often the case's tokens followed it
    visited: set[str]  # nodes the case passed through
    waiting_at: list[str]  # nodes its tokens wait at now
    verdict: Verdict  # its chain and anchors, verified now
    sent: list[OutboxEntry]
    attachments: list[Attachment]


def case_trail(runtime: Runtime, user: User, case_id: str) -> CaseTrail:
    """One case as an auditor reviews it (see the module docstring)."""
    require(user, UseCase.READ_AUDIT)
    case = runtime.store.case(case_id)
    process = runtime.process_version(case.version_hash)
    events = runtime.store.audit_events(case_id)
    names = Names(runtime)
    entries = [TrailEntry(event, names.user(event.actor), event_changes(process, event)) for event in events]
    taken: Counter[str] = Counter(edge for event in events for edge in event.details.get("edges", []))
    targets = {edge.id: edge.target for edge in process.bundle.edges}
    visited = {event.node for event in events if event.node} | {targets[e] for e in taken if e in targets}
    return CaseTrail(case, process.version, process, entries, dict(taken), visited,
                     [token.node for token in case.tokens], runtime.verify_audit(user, case_id),
                     sent_to_customer(runtime.store, case_id), runtime.store.attachments(case_id))


def newest_checkpoint(runtime: Runtime, user: User) -> Checkpoint | None:
    """The newest checkpoint, for the auditor to note down or keep in their anchor file."""
    require(user, UseCase.READ_AUDIT)
    return runtime.anchoring.tip()
