"""Small documents for the storage tests, and one realistic engine step.

Every builder takes the few fields a test cares about; the rest are fixed,
so tests read as "a case of process p", "a work item due at +3 h".
Also imported by the crash-test writer and bench/bench_storage.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from models.customers import Address, Customer
from runtime.documents import (
    AuditEvent,
    Case,
    Contact,
    Job,
    JobKind,
    OutboxEntry,
    OutboxStatus,
    SealedEvent,
    Token,
    User,
    Version,
    WorkItem,
    WorkItemStatus,
)
from runtime.storage.base import Changes

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """T0 plus `minutes`."""
    return T0 + timedelta(minutes=minutes)


def case(case_id: str = "c1", *, process_key: str = "complaint", customer_id: str | None = "k1",
         started: float = 0, data: dict[str, Any] | None = None, version: int = 1, **fields: Any) -> Case:
    if data is None:
        data = {"amount": 12.5, "lines": [{"text": "meter", "qty": 2}], "note": "café ✓"}
    return Case(id=case_id, process_key=process_key, version=version, version_hash=f"h{version}",
                started_at=at(started),
                started_by="agent", customer_id=customer_id, data=data,
                tokens=[Token(id="t1", node="review", waiting_for=f"{case_id}-w1")], **fields)


def work_item(item_id: str = "w1", case_id: str = "c1", *, queue: str = "billing", due: float | None = None,
              priority: int = 3, created: float = 0, process_key: str = "complaint", **fields: Any) -> WorkItem:
    return WorkItem(id=item_id, case_id=case_id, process_key=process_key, node="review", token="t1",
                    title=f"Review {case_id}", queue=queue, priority=priority, created_at=at(created),
                    due_at=None if due is None else at(due), **fields)


def job(job_id: str = "j1", case_id: str = "c1", *, due: float = 60, done: bool = False) -> Job:
    return Job(id=job_id, case_id=case_id, kind=JobKind.SLA_BREACH, due_at=at(due), work_item="w1", done=done)


def outbox_entry(entry_id: str = "o1", case_id: str = "c1", *, created: float = 0, next_attempt: float = 0,
                 status: OutboxStatus = OutboxStatus.PENDING) -> OutboxEntry:
    return OutboxEntry(id=entry_id, case_id=case_id, node="confirm", letter="confirmation", channel="email",
                       language="nl", recipient="an@example.org", subject="Ontvangen", body="<p>Beste An</p>",
                       status=status, next_attempt_at=at(next_attempt), created_at=at(created))


def audit_event(event_id: str = "a1", case_id: str = "c1", *, seq: int = 1) -> AuditEvent:
    return AuditEvent(id=event_id, case_id=case_id, seq=seq, at=at(seq), actor="agent", kind="task completed",
                      node="review", version_hash="h1", summary="Review done", changes={"amount": [10, 12.5]},
                      previous_hash=f"p{seq}", hash=f"h{seq}")


def sealed_event(event_id: str = "a1", case_id: str = "c1", *, seq: int = 1) -> SealedEvent:
    """`audit_event` as a step hands it to a store."""
    return SealedEvent.of(audit_event(event_id, case_id, seq=seq))


def version(process_key: str = "complaint", number: int = 1, version_hash: str = "h1") -> Version:
    return Version(process_key=process_key, number=number, hash=version_hash, name="Complaint",
                   author="owner", published_at=at(number), note="first")


def bundle(key: str = "complaint") -> dict[str, Any]:
    return {"key": key, "name": "Complaint", "nodes": [{"id": "s", "kind": "start"}], "edges": []}


def customer(customer_id: str = "k1", name: str = "An de Vries") -> Customer:
    return Customer(id=customer_id, number=f"N-{customer_id}", name=name,
                    address=Address(street="Dorpsstraat", house_number="1", postcode="1234 AB", city="Ede"))


def contact(contact_id: str = "k1-call", customer_id: str | None = "k1", *, minutes: float = 0,
            case_ids: list[str] | None = None) -> Contact:
    return Contact(id=contact_id, customer_id=customer_id, channel="phone", reason="Factuur te hoog",
                   note="Belt terug na 17:00 — graag 's avonds", agent="agent", at=at(minutes),
                   case_ids=case_ids or [])


def user(user_id: str = "u1") -> User:
    return User(id=user_id, name="Agent One", roles=["agent"], queues=["billing"])


def new_case_changes(case_id: str, *, queue: str = "billing", due: float | None = 60, created: float = 0) -> Changes:
    """A case started: the case, its first work item, an SLA job and the first audit event."""
    return Changes(cases=[(case(case_id, started=created), None)],
                   work_items=[work_item(f"{case_id}-w1", case_id, queue=queue, due=due, created=created)],
                   jobs=[job(f"{case_id}-j1", case_id, due=created + 120)],
                   audit=[sealed_event(f"{case_id}-a1", case_id, seq=1)])


def step_changes(current: Case, number: int, *, queue: str = "billing") -> Changes:
    """A realistic step on `current`: case updated, one work item closed and one opened, two audit events, a job."""
    case_id = current.id
    updated = current.model_copy(update={"data": current.data | {"step": number}})
    closed = work_item(f"{case_id}-w{number}", case_id, queue=queue, due=number,
                       status=WorkItemStatus.COMPLETED, completed_by="agent", completed_at=at(number))
    opened = work_item(f"{case_id}-w{number + 1}", case_id, queue=queue, due=number + 60, created=number)
    seq = 2 * number
    return Changes(cases=[(updated, current.revision)], work_items=[closed, opened],
                   audit=[sealed_event(f"{case_id}-a{seq}", case_id, seq=seq),
                          sealed_event(f"{case_id}-a{seq + 1}", case_id, seq=seq + 1)],
                   jobs=[job(f"{case_id}-j{number + 1}", case_id, due=number + 120)])
