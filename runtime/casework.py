"""What agents do to a case besides completing the flow's tasks: claim, release, reassign, tick the
checklist, add notes, files and ad-hoc tasks, and close with a root cause.

Each operation is a use case like any other (`Runtime.step`): it takes the
acting user, reads the work item and case in its transaction, asks
`runtime.access` whether the user may, changes them, appends an audit event
and commits. Two agents acting on one case at once never lose a change: the
runtime runs a step again when only the case moved, and says who was faster
when the item itself changed.
"""

from __future__ import annotations

import hashlib

from models.phrases import Phrase
from runtime.access import UseCase, require, require_reassign, require_release, require_work
from runtime.documents import Attachment, Case, CaseStatus, User, WorkItem, WorkItemStatus
from runtime.errors import ConflictError, EngineError
from runtime.service import Request, Runtime, require_open
from runtime.storage.base import ATTACHMENT_LIMIT as ATTACHMENT_LIMIT  # the largest file `attach` takes, for doors
from runtime.storage.base import WorkQuery
from runtime.transaction import Transaction, new_id

#: Longest note an agent may add, in characters.
NOTE_LIMIT = 10_000
#: Longest file name kept for an attachment, in characters.
FILENAME_LIMIT = 200


class CaseWork:
    """Agents' operations on cases and work items of one runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    # Work items -----------------------------------------------------------------

    def claim(self, user: User, item_id: str, *, request: Request | None = None) -> WorkItem:
        """Take the item: it is then `user`'s; someone else's claim is refused, one's own a no-op."""
        require(user, UseCase.CLAIM)

        def claim(tx: Transaction) -> WorkItem:
            item, case = self._open_item(tx, item_id)
            version = self.runtime.process_version(case.version_hash)
            require_work(user, item, UseCase.CLAIM, self.runtime.display_name, self.runtime.kept_apart(version, item))
            if item.assignee == user.id:
                return item
            item.assignee, item.claimed_at = user.id, tx.now
            tx.audit(case, "task claimed", Phrase("Task '{task}' claimed by {who}", task=item.title,
                                                  who=user.name or user.id), node=item.node,
                     details={"work_item": item.id})
            return item

        return self.runtime.step(user, claim, request=request)

    def release(self, user: User, item_id: str, *, request: Request | None = None) -> WorkItem:
        """Give the item back to its queue: one's own, or (a supervisor) anyone's."""
        require(user, UseCase.RELEASE)

        def release(tx: Transaction) -> WorkItem:
            item, case = self._open_item(tx, item_id)
            require_release(user, item, self.runtime.display_name)
            if item.assignee is None:
                return item
            previous, item.assignee, item.claimed_at = item.assignee, None, None
            queue = self.runtime.process_version(case.version_hash).bundle.queue_name(item.queue)
            tx.audit(case, "task released", Phrase("Task '{task}' released by {who} back to queue '{queue}'",
                                                   task=item.title, who=user.name or user.id, queue=queue),
                     node=item.node, details={"work_item": item.id, "was_assigned_to": previous})
            return item

        return self.runtime.step(user, release, request=request)

    def reassign(self, user: User, item_id: str, *, reason: str, to_user: str | None = None,
                 to_queue: str | None = None, request: Request | None = None) -> WorkItem:
        """Hand the item to a person or another queue of the process, saying why."""
        require(user, UseCase.REASSIGN)
        if not reason.strip():
            raise EngineError(Phrase("say why the task is reassigned (the reason goes into the case's trail)"))
        if (to_user is None) == (to_queue is None):
            raise EngineError(Phrase("reassign to either a person or a queue"))

        def reassign(tx: Transaction) -> WorkItem:
            item, case = self._open_item(tx, item_id)
            require_reassign(user, item, self.runtime.display_name)
            if to_user is not None:
                self.runtime.store.user(to_user)  # NotFound names the user
                item.assignee, item.claimed_at = to_user, tx.now
                said = Phrase("Task '{task}' reassigned to {to} by {who}: {reason}", task=item.title,
                              to=self.runtime.display_name(to_user), who=user.name or user.id, reason=reason.strip())
            else:
                bundle = self.runtime.process_version(case.version_hash).bundle
                if bundle.queue(to_queue) is None:
                    raise EngineError(Phrase("process '{process}' has no queue '{queue}'", process=bundle.name,
                                             queue=to_queue))
                item.queue, item.assignee, item.claimed_at = to_queue, None, None
                said = Phrase("Task '{task}' reassigned to queue '{queue}' by {who}: {reason}", task=item.title,
                              queue=bundle.queue_name(to_queue), who=user.name or user.id, reason=reason.strip())
            tx.audit(case, "task reassigned", said, node=item.node, details={"work_item": item.id, "to_user": to_user,
                                                                    "to_queue": to_queue, "reason": reason.strip()})
            return item

        return self.runtime.step(user, reassign, request=request)

    def tick(self, user: User, item_id: str, checklist_item: str, done: bool = True) -> WorkItem:
        """Tick (or untick) one item of the task's compliance checklist."""
        require(user, UseCase.TICK)

        def tick(tx: Transaction) -> WorkItem:
            item, case = self._open_item(tx, item_id)
            version = self.runtime.process_version(case.version_hash)
            require_work(user, item, UseCase.TICK, self.runtime.display_name, self.runtime.kept_apart(version, item))
            node = version.nodes.get(item.node)
            entry = next((c for c in getattr(node, "checklist", []) if c.id == checklist_item), None)
            if entry is None:
                raise EngineError(Phrase("task '{task}' has no checklist item '{entry}'", task=item.title,
                                         entry=checklist_item))
            ticked = set(item.checklist_ticked)
            if (checklist_item in ticked) == done:
                return item
            item.checklist_ticked = sorted(ticked | {checklist_item} if done else ticked - {checklist_item})
            tx.audit(case, "checklist ticked" if done else "checklist unticked",
                     Phrase("Ticked '{entry}' on task '{task}'", entry=entry.text, task=item.title) if done else
                     Phrase("Unticked '{entry}' on task '{task}'", entry=entry.text, task=item.title), node=item.node,
                     details={"work_item": item.id, "checklist_item": checklist_item})
            return item

        return self.runtime.step(user, tick)

    # Cases ----------------------------------------------------------------------

    def add_note(self, user: User, case_id: str, text: str, *, request: Request | None = None) -> Case:
        """A free note on the case's trail."""
        require(user, UseCase.ADD_NOTE)
        text = text.strip()
        if not text:
            raise EngineError(Phrase("a note needs some text"))
        if len(text) > NOTE_LIMIT:
            raise EngineError(Phrase("a note may have at most {limit} characters; this one has {count}",
                                     limit=NOTE_LIMIT, count=len(text)))

        def note(tx: Transaction) -> Case:
            case = tx.case(case_id)
            tx.audit(case, "note added", Phrase("Note by {who}", who=user.name or user.id), details={"text": text})
            return case

        return self.runtime.step(user, note, request=request)

    def attach(self, user: User, case_id: str, filename: str, content: bytes, content_type: str = "", *,
               request: Request | None = None) -> Attachment:
        """Attach a file to the case: its bytes kept under a new id (at most `ATTACHMENT_LIMIT`), the trail naming it.

        The bytes are written first; the attachment and its audit event are committed
        together, so a failed step leaves no attachment behind (only unread bytes).
        """
        require(user, UseCase.ATTACH)
        name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
        if not name:
            raise EngineError(Phrase("the file has no name; give it one before attaching it"))
        if len(name) > FILENAME_LIMIT:
            raise EngineError(Phrase("a file name may have at most {limit} characters; this one has {count}",
                                     limit=FILENAME_LIMIT, count=len(name)))
        if not content:
            raise EngineError(Phrase("'{file}' is empty; attach a file with content", file=name))
        attachment_id = new_id("file")
        self.runtime.store.put_attachment_content(attachment_id, content)  # AttachmentTooLarge says the limit

        def attach(tx: Transaction) -> Attachment:
            case = tx.case(case_id)
            attachment = Attachment(id=attachment_id, case_id=case.id, filename=name,
                                    content_type=content_type or "application/octet-stream", size=len(content),
                                    sha256=hashlib.sha256(content).hexdigest(), added_by=tx.actor, added_at=tx.now)
            tx.audit(case, "file attached", Phrase("File '{file}' ({size} bytes) attached by {who}", file=name,
                                                   size=len(content), who=user.name or user.id),
                     details={"attachment": attachment.id, "filename": name, "size": len(content),
                              "sha256": attachment.sha256})
            tx.add_attachment(attachment)
            return attachment

        return self.runtime.step(user, attach, request=request)

    def add_task(self, user: User, case_id: str, *, task_type: str | None = None, title: str = "",
                 queue: str | None = None, request: Request | None = None) -> WorkItem:
        """An ad-hoc task on an open case: one of the process's ad-hoc task types, or a free task for a queue."""
        require(user, UseCase.ADD_TASK)

        def add(tx: Transaction) -> WorkItem:
            case = tx.case(case_id)
            if case.status is not CaseStatus.ACTIVE:
                raise EngineError(Phrase("case {case} is {status}; tasks can only be added to an open case",
                                         case=case_id, status=case.status))
            bundle = self.runtime.process_version(case.version_hash).bundle
            task_title, task_queue = title.strip(), queue
            if task_type is not None:
                kind = next((t for t in bundle.adhoc_task_types if t.id == task_type), None)
                if kind is None:
                    raise EngineError(Phrase("process '{process}' has no ad-hoc task type '{task_type}'",
                                             process=bundle.name, task_type=task_type))
                task_title, task_queue = task_title or kind.name, kind.queue
            elif not task_title or task_queue is None:
                raise EngineError(Phrase("a free task needs a title and a queue"))
            if bundle.queue(task_queue) is None:
                raise EngineError(Phrase("process '{process}' has no queue '{queue}'", process=bundle.name,
                                         queue=task_queue))
            item = tx.put_work_item(WorkItem(
                id=new_id("item"), case_id=case.id, process_key=case.process_key, node="", token="",
                title=task_title, queue=task_queue, created_at=tx.now, adhoc=True))
            tx.audit(case, "task added", Phrase("Ad-hoc task '{task}' added to queue '{queue}' by {who}",
                                                task=item.title, queue=bundle.queue_name(task_queue),
                                                who=user.name or user.id),
                     details={"work_item": item.id, "task_type": task_type})
            return item

        return self.runtime.step(user, add, request=request)

    def close(self, user: User, case_id: str, root_cause: str, *, note: str = "",
              request: Request | None = None) -> Case:
        """Close the case with a root cause from the process's list.

        A case the flow completed gets its root cause; an open one is closed by the
        agent: its open tasks are cancelled and its timers dropped.
        """
        require(user, UseCase.CLOSE_CASE)

        def close(tx: Transaction) -> Case:
            case = tx.case(case_id)
            bundle = self.runtime.process_version(case.version_hash).bundle
            cause = next((c for c in bundle.root_causes if c.id == root_cause), None)
            if cause is None:
                raise EngineError(Phrase("'{cause}' is not a root cause of process '{process}' (choose: {known})",
                                         cause=root_cause, process=bundle.name,
                                         known=[c.id for c in bundle.root_causes]))
            if case.root_cause is not None:
                raise ConflictError(Phrase("case {case} was closed already with root cause '{cause}'", case=case_id,
                                           cause=case.root_cause))
            if case.status is CaseStatus.ACTIVE:
                self._cancel_open_work(tx, case)
                case.status, case.closed_at = CaseStatus.COMPLETED, tx.now
                case.outcome = case.outcome or "closed by agent"
            case.root_cause = cause.id
            tx.audit(case, "case closed", Phrase("Case closed by {who}; root cause: {cause}", who=user.name or user.id,
                                                 cause=cause.label),
                     details={"root_cause": cause.id, "note": note.strip()})
            return case

        return self.runtime.step(user, close, request=request)

    # Helpers --------------------------------------------------------------------

    def _open_item(self, tx: Transaction, item_id: str) -> tuple[WorkItem, Case]:
        """The item and its case as this step reads them; a task no longer open is a conflict."""
        item, case = tx.item_and_case(item_id)
        require_open(item, self.runtime.display_name)
        return item, case

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
