"""What happens when a work item (or the whole case) reaches its SLA warning or breach.

Each escalation of the SLA for that moment runs: notify (an e-mail through
the outbox to an address expression and/or the people of a queue), reassign
to another queue, or raise the priority.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.expressions import ExprType
from models.nodes import EscalationAction, EscalationMoment, Sla
from runtime.documents import Job, JobKind, OutboxEntry, WorkItem, WorkItemStatus
from runtime.storage.base import Store, WorkQuery
from runtime.transaction import Transaction, new_id

if TYPE_CHECKING:
    from runtime.engine import CaseRun

MOST_URGENT = 5


def escalate(store: Store, tx: Transaction, run: CaseRun, job: Job) -> None:
    """Run the escalations of the SLA behind `job` on the open work items concerned."""
    moment = EscalationMoment.WARNING if job.kind is JobKind.SLA_WARNING else EscalationMoment.BREACH
    if job.work_item:
        item = tx.work_item(job.work_item)
        items = [item] if item.status is WorkItemStatus.OPEN else []
        sla = run.version.nodes[item.node].sla
        subject = f"Task '{item.title}'"
    else:
        open_items = store.work_items(WorkQuery(case_id=run.case.id, limit=1000))
        items = [tx.work_item(i.id) for i in open_items]
        sla = run.version.bundle.case_sla
        subject = f"Case {run.case.id}"
    if sla is None or not items:
        return
    for escalation in (e for e in sla.escalations if e.when is moment):
        for item in items:
            _apply(store, tx, run, sla, escalation, item, subject)


def _apply(store: Store, tx: Transaction, run: CaseRun, sla: Sla, escalation, item: WorkItem,
           subject: str) -> None:
    reached = "is at risk of missing" if escalation.when is EscalationMoment.WARNING else "has missed"
    text = f"{subject} {reached} its service level of {sla.target}."
    if escalation.action is EscalationAction.REASSIGN:
        before, item.queue, item.assignee = item.queue, escalation.queue, None
        queue_name = run.version.bundle.queue_name
        detail = f"moved from queue '{queue_name(before)}' to '{queue_name(item.queue)}'"
    elif escalation.action is EscalationAction.RAISE_PRIORITY:
        item.priority = min(MOST_URGENT, item.priority + 1)
        detail = f"priority raised to {item.priority}"
    else:
        recipients = _recipients(store, run, escalation)
        for recipient in recipients:
            tx.add_outbox(OutboxEntry(
                id=new_id("out"), case_id=run.case.id, node=item.node, channel="email", language="en",
                recipient=recipient, subject=f"SLA {escalation.when.value}: {subject}", body=text,
                text_body=text, next_attempt_at=tx.now, created_at=tx.now,
            ))
        detail = f"notified {', '.join(recipients) or 'nobody (no e-mail address known)'}"
    run.audit("escalation", f"{text} Escalation: {detail}", node=item.node,
              details={"work_item": item.id, "action": escalation.action.value, "moment": escalation.when.value})


def _recipients(store: Store, run: CaseRun, escalation) -> list[str]:
    recipients = []
    if escalation.notify:
        address = run.version.expression(escalation.notify, ExprType.TEXT).evaluate(run.scope)
        if address:
            recipients.append(address)
    if escalation.queue:
        recipients += [u.email for u in store.users() if escalation.queue in u.queues and u.email]
    return recipients
