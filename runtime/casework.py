"""What agents do to a case besides completing the flow's tasks: claim, release, reassign, tick the
checklist, add notes, files and ad-hoc tasks, and close with a root cause.

Each operation is one step like any other: it loads the case in a transaction,
changes the work item or case, appends an audit event and commits, so two
agents acting on one case at once get a clear conflict (the case revision
moved), never a lost change. `sla_status` says where a work item stands
against its service level, for worklist badges and the monitor.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from runtime.documents import Attachment, Case, CaseStatus, SlaStatus, WorkItem, WorkItemStatus
from runtime.errors import ConflictError, EngineError
from runtime.service import Runtime
from runtime.storage.base import WorkQuery
from runtime.transaction import Transaction, new_id

#: Longest note an agent may add, in characters.
NOTE_LIMIT = 10_000
#: Longest file name kept for an attachment, in characters.
FILENAME_LIMIT = 200


def sla_status(item: WorkItem, now: datetime) -> SlaStatus | None:
    """Where `item` stands at `now`: breached after its due time, at risk after its warning time; None without SLA."""
    if item.due_at is None:
        return None
    if now >= item.due_at:
        return SlaStatus.BREACHED
    if item.warning_at is not None and now >= item.warning_at:
        return SlaStatus.AT_RISK
    return SlaStatus.ON_TRACK


class CaseWork:
    """Agents' operations on cases and work items of one runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    # Work items -----------------------------------------------------------------

    def claim(self, item_id: str, *, actor: str) -> WorkItem:
        """Take the item: it is then `actor`'s; someone else's claim is a conflict, one's own a no-op."""
        tx, item, case = self._open_item(item_id, actor)
        if item.assignee == actor:
            return item
        if item.assignee:
            raise ConflictError(f"task '{item.title}' was claimed by {item.assignee} already; ask them or a "
                                "supervisor to release or reassign it")
        item.assignee = actor
        tx.audit(case, "task claimed", f"Task '{item.title}' claimed by {actor}", node=item.node,
                 details={"work_item": item.id})
        self._commit(tx)
        return item

    def release(self, item_id: str, *, actor: str) -> WorkItem:
        """Give the item back to its queue."""
        tx, item, case = self._open_item(item_id, actor)
        if item.assignee is None:
            return item
        previous, item.assignee = item.assignee, None
        tx.audit(case, "task released", f"Task '{item.title}' released by {actor} back to queue '{item.queue}'",
                 node=item.node, details={"work_item": item.id, "was_assigned_to": previous})
        self._commit(tx)
        return item

    def reassign(self, item_id: str, *, actor: str, reason: str, to_user: str | None = None,
                 to_queue: str | None = None) -> WorkItem:
        """Hand the item to a person or another queue of the process, saying why."""
        if not reason.strip():
            raise EngineError("say why the task is reassigned (the reason goes into the case's trail)")
        if (to_user is None) == (to_queue is None):
            raise EngineError("reassign to either a person or a queue")
        tx, item, case = self._open_item(item_id, actor)
        if to_user is not None:
            self.runtime.store.user(to_user)  # NotFound names the user
            item.assignee, target = to_user, f"to {to_user}"
        else:
            bundle = self.runtime.process_version(case.version_hash).bundle
            if bundle.queue(to_queue) is None:
                raise EngineError(f"process '{bundle.name}' has no queue '{to_queue}'")
            item.queue, item.assignee, target = to_queue, None, f"to queue '{to_queue}'"
        tx.audit(case, "task reassigned", f"Task '{item.title}' reassigned {target} by {actor}: {reason.strip()}",
                 node=item.node, details={"work_item": item.id, "to_user": to_user, "to_queue": to_queue,
                                          "reason": reason.strip()})
        self._commit(tx)
        return item

    def tick(self, item_id: str, checklist_item: str, done: bool = True, *, actor: str) -> WorkItem:
        """Tick (or untick) one item of the task's compliance checklist."""
        tx, item, case = self._open_item(item_id, actor)
        node = self.runtime.process_version(case.version_hash).nodes.get(item.node)
        entry = next((c for c in getattr(node, "checklist", []) if c.id == checklist_item), None)
        if entry is None:
            raise EngineError(f"task '{item.title}' has no checklist item '{checklist_item}'")
        ticked = set(item.checklist_ticked)
        if (checklist_item in ticked) == done:
            return item
        item.checklist_ticked = sorted(ticked | {checklist_item} if done else ticked - {checklist_item})
        tx.audit(case, "checklist ticked" if done else "checklist unticked",
                 f"{'Ticked' if done else 'Unticked'} '{entry.text}' on task '{item.title}'", node=item.node,
                 details={"work_item": item.id, "checklist_item": checklist_item})
        self._commit(tx)
        return item

    # Cases ----------------------------------------------------------------------

    def add_note(self, case_id: str, text: str, *, actor: str) -> Case:
        """A free note on the case's trail."""
        text = text.strip()
        if not text:
            raise EngineError("a note needs some text")
        if len(text) > NOTE_LIMIT:
            raise EngineError(f"a note may have at most {NOTE_LIMIT:,} characters; this one has {len(text):,}")
        tx = self.runtime.transaction(actor)
        case = tx.case(case_id)
        tx.audit(case, "note added", f"Note by {actor}", details={"text": text})
        self._commit(tx)
        return case

    def attach(self, case_id: str, filename: str, content: bytes, content_type: str = "", *,
               actor: str) -> Attachment:
        """Attach a file to the case: its bytes kept under a new id (at most `ATTACHMENT_LIMIT`), the trail naming it.

        The bytes are written first; the attachment and its audit event are committed
        together, so a failed step leaves no attachment behind (only unread bytes).
        """
        name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
        if not name:
            raise EngineError("the file has no name; give it one before attaching it")
        if len(name) > FILENAME_LIMIT:
            raise EngineError(f"a file name may have at most {FILENAME_LIMIT} characters; this one has {len(name)}")
        if not content:
            raise EngineError(f"'{name}' is empty; attach a file with content")
        tx = self.runtime.transaction(actor)
        case = tx.case(case_id)
        attachment = Attachment(id=new_id("file"), case_id=case.id, filename=name,
                                content_type=content_type or "application/octet-stream", size=len(content),
                                sha256=hashlib.sha256(content).hexdigest(), added_by=actor, added_at=tx.now)
        self.runtime.store.put_attachment_content(attachment.id, content)  # AttachmentTooLarge says the limit
        tx.audit(case, "file attached", f"File '{name}' ({len(content):,} bytes) attached by {actor}",
                 details={"attachment": attachment.id, "filename": name, "size": len(content),
                          "sha256": attachment.sha256})
        changes = tx.changes()
        changes.attachments.append(attachment)
        self.runtime.store.commit(changes)
        return attachment

    def add_task(self, case_id: str, *, actor: str, task_type: str | None = None, title: str = "",
                 queue: str | None = None) -> WorkItem:
        """An ad-hoc task on an open case: one of the process's ad-hoc task types, or a free task for a queue."""
        tx = self.runtime.transaction(actor)
        case = tx.case(case_id)
        if case.status is not CaseStatus.ACTIVE:
            raise EngineError(f"case {case_id} is {case.status.value}; tasks can only be added to an open case")
        bundle = self.runtime.process_version(case.version_hash).bundle
        if task_type is not None:
            kind = next((t for t in bundle.adhoc_task_types if t.id == task_type), None)
            if kind is None:
                raise EngineError(f"process '{bundle.name}' has no ad-hoc task type '{task_type}'")
            title, queue = title.strip() or kind.name, kind.queue
        elif not title.strip() or queue is None:
            raise EngineError("a free task needs a title and a queue")
        if bundle.queue(queue) is None:
            raise EngineError(f"process '{bundle.name}' has no queue '{queue}'")
        item = tx.put_work_item(WorkItem(
            id=new_id("item"), case_id=case.id, process_key=case.process_key, node="", token="",
            title=title.strip(), queue=queue, created_at=tx.now, adhoc=True))
        tx.audit(case, "task added", f"Ad-hoc task '{item.title}' added to queue '{queue}' by {actor}",
                 details={"work_item": item.id, "task_type": task_type})
        self._commit(tx)
        return item

    def close(self, case_id: str, root_cause: str, *, actor: str, note: str = "") -> Case:
        """Close the case with a root cause from the process's list.

        A case the flow completed gets its root cause; an open one is closed by the
        agent: its open tasks are cancelled and its timers dropped.
        """
        tx = self.runtime.transaction(actor)
        case = tx.case(case_id)
        bundle = self.runtime.process_version(case.version_hash).bundle
        cause = next((c for c in bundle.root_causes if c.id == root_cause), None)
        if cause is None:
            known = ", ".join(c.id for c in bundle.root_causes) or "none defined"
            raise EngineError(f"'{root_cause}' is not a root cause of process '{bundle.name}' (choose: {known})")
        if case.root_cause is not None:
            raise ConflictError(f"case {case_id} was closed already with root cause '{case.root_cause}'")
        if case.status is CaseStatus.ACTIVE:
            self._cancel_open_work(tx, case)
            case.status, case.closed_at, case.outcome = CaseStatus.COMPLETED, tx.now, case.outcome or "closed by agent"
        case.root_cause = cause.id
        tx.audit(case, "case closed", f"Case closed by {actor}; root cause: {cause.label}",
                 details={"root_cause": cause.id, "note": note.strip()})
        self._commit(tx)
        return case

    # Helpers --------------------------------------------------------------------

    def _open_item(self, item_id: str, actor: str) -> tuple[Transaction, WorkItem, Case]:
        tx = self.runtime.transaction(actor)
        item = tx.work_item(item_id)
        if item.status is not WorkItemStatus.OPEN:
            who = f" by {item.completed_by}" if item.completed_by else ""
            raise ConflictError(f"task '{item.title}' was already {item.status.value}{who}; nothing was changed")
        return tx, item, tx.case(item.case_id)

    def _cancel_open_work(self, tx: Transaction, case: Case) -> None:
        for open_item in self.runtime.store.work_items(WorkQuery(case_id=case.id, limit=10_000)):
            item = tx.work_item(open_item.id)
            item.status = WorkItemStatus.CANCELLED
            for job_id in item.sla_jobs:
                tx.job(job_id).done = True
        for job in self.runtime.store.case_jobs(case.id):
            if not job.done:
                tx.job(job.id).done = True
        case.tokens = []
        case.sla_jobs = []

    def _commit(self, tx: Transaction) -> None:
        self.runtime.commit(tx)
