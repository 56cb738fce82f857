"""The case view: one case beside its customer's data sheet, where an agent works the case's current task.

Left: the case (process and version, status, data, attachments, the timeline
newest first), the current work item (instructions, compliance checklist, the
generated form, Complete) and ad-hoc actions (note, attach a file, add a task,
close with a root cause). Right: `customer_sheet` and what was sent
(`sent_items`, redrawn when the worker has sent something since). Every
change is one call to `Runtime` or `CaseWork`; the page decides nothing
itself. When someone else was faster (a `ConflictError`), the page says who
did what and shows the case as it is now; nothing typed is silently dropped
without saying so.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from urllib.parse import quote

from nicegui import APIRouter, events, ui

from codegen.forms.view import FormView
from designer.display import case_value_text, form_words, local_time, number_text, said
from designer.elements.drop_zone import drop_zone, size_in_words
from designer.frame import current_user, frame, runtime
from designer.i18n import N_, _, word
from designer.pages.customer_sheet import case_url, customer_sheet
from designer.pages.sent import sent_items
from models.bundle import Bundle
from models.data import Variable
from models.errors import FlowdeskError
from runtime.casework import CaseWork
from runtime.documents import ATTACHMENT_LIMIT, AuditEvent, CaseStatus, OutboxStatus, SlaStatus, User, WorkItemStatus
from runtime.errors import AccessDenied, ConflictError, NotFound
from runtime.service import Request
from runtime.views.cases import CaseView as CaseRead
from runtime.views.cases import (
    Change,
    OpenTask,
    TaskView,
    case_named,
    case_view,
    event_changes,
    event_phrase,
    incident_phrase,
    task_view,
)
from runtime.views.cases import sent_items as sent_list

#: How often an open case page looks whether the worker has sent something since it was drawn, in seconds.
SENT_CHECK_SECONDS = 3


def attachment_url(case_id: str, attachment_id: str) -> str:
    return f"/api/v1/cases/{quote(case_id, safe='')}/attachments/{quote(attachment_id, safe='')}"


def event_body(event: AuditEvent, changes: list[Change], variables: Mapping[str, Variable]) -> None:
    """What an event of a trail says (in the reader's language where the event kept its phrase), a note's text, and
    each value it changed from → to."""
    ui.label(said(event_phrase(event)))
    if event.kind == "note added":
        ui.label(str(event.details.get("text", ""))).classes("whitespace-pre-line italic")
    for change in changes:
        variable = variables.get(change.variable)
        ui.label(f"{change.label}: {case_value_text(change.before, variable)} → "
                 f"{case_value_text(change.after, variable)}").classes("text-sm whitespace-pre-line")


class CaseView:
    """The case page of one signed-in user; `show` draws it, the action methods change the case."""

    def __init__(self, case_id: str, item_id: str | None, user: User) -> None:
        self.case_id = case_id
        self.item_id = item_id
        self.user = user
        self.work = CaseWork(runtime())
        self.notice = ""  # what the last refused action means, kept across redraws
        self.form: FormView | None = None
        self.sent_shown: list[tuple[str, OutboxStatus]] = []  # the sent items as drawn: (entry, status)

    # Drawing ------------------------------------------------------------------------------------

    @ui.refreshable_method
    def show(self) -> None:
        try:
            read = self._read()
        except NotFound:
            ui.label(_("There is no case {case}.").format(case=self.case_id)).mark("no-case")
            return
        if self.notice:
            with ui.card().classes("w-full bg-amber-50 border-amber-400").mark("notice"):
                ui.label(self.notice).classes("whitespace-pre-line")
        with ui.row().classes("w-full gap-6 items-start no-wrap"):
            with ui.column().classes("grow basis-2/3 gap-4 min-w-0"):
                self._case_block(read)
                self._work_block(read)
                self._actions(read)
                self._timeline(read)
            with ui.column().classes("basis-1/3 gap-4 min-w-0"):
                customer_sheet(self.user, read.case)
                self._sent()

    @ui.refreshable_method
    def _sent(self) -> None:
        self.sent_shown = self._sent_state()
        sent_items(self.user, self.case_id, on_resent=self._resent)

    def _resent(self) -> None:
        """After a resend from the sent items: its incident is gone and the timeline says who resent it."""
        read = self._read()
        self._incidents.refresh(read)
        self._timeline.refresh(read)
        self.sent_shown = self._sent_state()

    def _sent_state(self) -> list[tuple[str, OutboxStatus]]:
        return [(entry.id, entry.status) for entry in sent_list(runtime(), self.user, self.case_id)]

    def redraw_sent_if_changed(self) -> None:
        """Show what the worker sent (or failed to send) since the page drew it, so 'queued' does not linger."""
        if self._sent_state() != self.sent_shown:
            self._sent.refresh()

    def _case_block(self, read: CaseRead) -> None:
        case, bundle = read.case, read.version.bundle
        ui.page_title("Flowdesk — " + _("Case {case}").format(case=case.display))
        with ui.column().classes("w-full gap-1").mark("case"):
            ui.label(_("{process} — version {version}").format(process=read.process_name, version=case.version)) \
                .classes("text-lg").mark("case-process")
            status = _("open since {moment}").format(moment=local_time(case.started_at))
            if case.status is not CaseStatus.ACTIVE:
                outcome = case.outcome or _("done")
                status = _("closed {moment}: {outcome}").format(moment=local_time(case.closed_at), outcome=outcome) \
                    if case.closed_at else _("closed: {outcome}").format(outcome=outcome)
            if case.root_cause:
                cause = next((c.label for c in bundle.root_causes if c.id == case.root_cause), case.root_cause)
                status += _("; root cause: {cause}").format(cause=cause)
            ui.label(status).mark("case-status")
            self._incidents(read)
            with ui.grid(columns="auto 1fr").classes("gap-x-4 gap-y-1").mark("case-data"):
                for variable in bundle.variables:  # every one, so what is still unset shows as such
                    ui.label(variable.display).classes("text-sm text-gray-600")
                    ui.label(case_value_text(case.data.get(variable.name), variable)).classes("whitespace-pre-line") \
                        .mark(f"value-{variable.name}")
            self._attachments(read)

    @ui.refreshable_method
    def _incidents(self, read: CaseRead) -> None:
        """What stopped the case, and what it sent that could not be delivered (until someone resends it)."""
        for incident in read.case.incidents:
            node = read.version.nodes.get(incident.node)
            message = said(incident_phrase(incident))
            text = message if incident.outbox_entry else _("Stopped at '{step}': {problem}").format(
                step=node.display if node else incident.node, problem=message)
            ui.label(text).classes("text-red-700").mark("incident")

    @ui.refreshable_method
    def _attachments(self, read: CaseRead) -> None:
        if read.attachments:
            ui.label(_("Attachments")).classes("text-sm text-gray-600")
        for attachment in read.attachments:
            ui.link(_("{file} ({size} bytes, {who}, {moment})").format(
                file=attachment.filename, size=number_text(attachment.size), who=read.names.user(attachment.added_by),
                moment=local_time(attachment.added_at)), attachment_url(self.case_id, attachment.id)) \
                .mark(f"attachment-{attachment.filename}")

    def _work_block(self, read: CaseRead) -> None:
        self.form = None
        current = self._current_task(read.open_tasks)
        self.item_id = current if current is not None else self.item_id  # redraws keep to this item
        with ui.column().classes("w-full gap-2").mark("work"):
            self._other_tasks(read)
            if self.item_id is None:
                if not read.open_tasks:
                    ui.label(self._no_work_text(read)).mark("no-work")
                return
            try:
                task = task_view(runtime(), self.user, self.item_id)
            except NotFound:
                return
            if task.case.id != self.case_id:
                return
            if task.item.status is not WorkItemStatus.OPEN:
                by = _(" by {who}").format(who=task.completed_by_name) if task.completed_by_name else ""
                when = _(" at {moment}").format(moment=local_time(task.item.completed_at)) \
                    if task.item.completed_at else ""
                ui.label(_("Task '{task}' was {status}{by}{when}.").format(
                    task=task.item.title, status=word(task.item.status), by=by, when=when)).mark("item-done")
                return
            self._task(task, read)

    @ui.refreshable_method
    def _other_tasks(self, read: CaseRead) -> None:
        """Links to the case's open tasks besides the one being worked."""
        others = [task for task in read.open_tasks if task.row.item.id != self.item_id]
        if others:
            ui.label(_("Open tasks")).classes("text-sm text-gray-600")
        for other in others:
            who = _(", claimed by {who}").format(who=other.row.assignee_name) if other.row.item.assignee else ""
            ui.link(_("{task} (queue {queue}{who})").format(task=other.row.item.title, queue=other.row.queue_name,
                                                           who=who),
                    f"{case_url(self.case_id)}?item={quote(other.row.item.id, safe='')}") \
                .mark(f"open-item-{other.row.item.id}")

    @staticmethod
    def _no_work_text(read: CaseRead) -> str:
        if read.case.status is CaseStatus.ACTIVE:
            return _("No open tasks.")
        if read.case.root_cause is None and read.version.bundle.root_causes:
            return _("The case is closed. It has no root cause yet: record it under 'close the case' below.")
        return _("The case is closed.")

    def _current_task(self, open_tasks: list[OpenTask]) -> str | None:
        """The item asked for (?item=), else the case's one open task this user may work."""
        if self.item_id is not None:
            return self.item_id
        for_me = [task.row.item.id for task in open_tasks if task.refusal is None]
        return for_me[0] if len(for_me) == 1 else None

    def _task(self, task: TaskView, read: CaseRead) -> None:
        item = task.item
        ui.label(item.title).classes("text-xl").mark("item-title")
        sla = SlaStatus.of(item, runtime().now())
        due = _(", due {moment} ({sla})").format(moment=local_time(item.due_at), sla=word(sla)) \
            if item.due_at and sla else ""
        who = _(", claimed by {who}").format(who=read.names.user(item.assignee)) if item.assignee else ""
        ui.label(_("Queue {queue}{who}{due}").format(queue=read.names.queue(item.queue), who=who, due=due)) \
            .classes("text-sm text-gray-600")
        if task.refusal is not None:
            ui.label(_("You can read this task but not work it: {why}.").format(why=said(task.refusal))) \
                .mark("item-not-mine")
            return
        instructions = getattr(task.node, "instructions", "")
        if instructions:
            ui.label(instructions).classes("whitespace-pre-line bg-slate-50 p-2 rounded").mark("instructions")
        checklist = getattr(task.node, "checklist", [])
        ticked = set(item.checklist_ticked)
        if checklist:
            ui.label(_("Checklist")).classes("text-sm text-gray-600")
        for entry in checklist:
            text = entry.text if entry.required else _("{entry} (optional)").format(entry=entry.text)
            ui.checkbox(text, value=entry.id in ticked,
                        on_change=lambda e, c=entry.id: self._tick(item.id, c, e.value, ticked, update)) \
                .mark(f"check-{entry.id}")
        if task.form is not None:
            try:
                self.form = FormView(task.form, task.version.variables, task.values, task.version.expression,
                                     defaulted=task.values.defaulted, words=form_words())
            except FlowdeskError as error:
                ui.label(_("The form '{form}' cannot be shown: {problem}. Ask the process owner to fix it; the task "
                           "cannot be completed until then.").format(form=task.form.name or task.form.id,
                                                                     problem=said(error))).classes("text-red-700") \
                    .mark("form-broken")
                return
        key = f"page-{os.urandom(8).hex()}"  # a second click on Complete replays, it does not complete twice
        with ui.row().classes("items-center gap-4"):
            button = ui.button(_("Complete"), icon="check", on_click=lambda: self._complete(item.id, item.title, key)) \
                .mark("complete")
            reason = ui.label().classes("text-sm text-orange-800").mark("complete-reason")

        def update() -> None:
            missing = [c.text for c in checklist if c.required and c.id not in ticked]
            button.set_enabled(not missing)
            reason.set_text(_("Tick the checklist first: {missing}").format(missing="; ".join(missing)) if missing
                            else "")
            reason.set_visibility(bool(missing))

        update()

    @ui.refreshable_method
    def _timeline(self, read: CaseRead) -> None:
        variables = read.version.variables
        with ui.column().classes("w-full gap-1").mark("timeline"):
            ui.label(_("Timeline")).classes("text-lg")
            for event in reversed(read.events):
                with ui.column().classes("gap-0 border-b pb-1 w-full").mark("timeline-entry"):
                    ui.label(f"{local_time(event.at)} · {read.names.user(event.actor)}") \
                        .classes("text-sm text-gray-600")
                    event_body(event, event_changes(read.version, event), variables)

    def _actions(self, read: CaseRead) -> None:
        case, bundle = read.case, read.version.bundle
        with ui.expansion(_("Add a note, a file or a task; close the case"), icon="more_horiz") \
                .classes("w-full border rounded").mark("actions"):
            note = ui.textarea(_("Note")).classes("w-full").mark("note-text")
            ui.button(_("Add note"), on_click=lambda: self._add_note(note)).props("flat").mark("add-note")
            drop_zone(_("Attach a file"), ATTACHMENT_LIMIT, self._attach).mark("upload")
            if case.status is CaseStatus.ACTIVE:
                self._add_task_form(bundle)
            if case.root_cause is None and bundle.root_causes:
                active = case.status is CaseStatus.ACTIVE
                ui.button(_("Close case…") if active else _("Record the root cause…"), icon="task_alt",
                          on_click=lambda: self._close_dialog(bundle, active)).props("outline").mark("close-case")

    def _add_task_form(self, bundle: Bundle) -> None:
        ui.label(_("Add a task")).classes("text-sm text-gray-600")
        free = "__free__"
        kinds = {t.id: _("{task} (queue {queue})").format(task=t.name, queue=bundle.queue_name(t.queue))
                 for t in bundle.adhoc_task_types} | {free: _("Free task…")}
        with ui.row().classes("w-full items-end gap-2"):
            kind = ui.select(kinds, label=_("Task"), value=next(iter(kinds))).classes("w-72").mark("task-type")
            title = ui.input(_("Title")).classes("w-64").mark("task-title")
            queue = ui.select({q.id: q.display for q in bundle.queues}, label=_("Queue")).classes("w-56") \
                .mark("task-queue")
            title.bind_visibility_from(kind, "value", value=free)
            queue.bind_visibility_from(kind, "value", value=free)
            ui.button(_("Add task"), on_click=lambda: self._add_task(
                None if kind.value == free else kind.value, title.value or "", queue.value)) \
                .props("flat").mark("add-task")

    def _close_dialog(self, bundle: Bundle, active: bool) -> None:
        """Close an open case, or give a case its flow completed the root cause it still lacks."""
        with ui.dialog() as dialog, ui.card().classes("w-[32rem] max-w-full").mark("close-dialog"):
            ui.label(_("Close the case") if active else _("Record the root cause")).classes("text-lg")
            ui.label(_("Open tasks are cancelled. Choose what caused the customer's problem.") if active else
                     _("The case's flow has ended. Choose what caused the customer's problem.")) \
                .mark("close-explained")
            cause = ui.select({c.id: c.label for c in bundle.root_causes}, label=_("Root cause")) \
                .classes("w-full").mark("root-cause")
            note = ui.input(_("Note (optional)")).classes("w-full").mark("close-note")
            with ui.row():
                ui.button(_("Close case") if active else _("Record root cause"),
                          on_click=lambda: self._close(dialog, cause.value, note.value or "", active)) \
                    .mark("confirm-close")
                ui.button(_("Cancel"), on_click=dialog.close).props("flat")
        dialog.open()

    # Acting -------------------------------------------------------------------------------------

    def _tick(self, item_id: str, checklist_item: str, done: bool, ticked: set[str],
              update: Callable[[], None]) -> None:
        if self._run(lambda: self.work.tick(self.user, item_id, checklist_item, done)):
            if done:
                ticked.add(checklist_item)
            else:
                ticked.discard(checklist_item)
            update()

    def _complete(self, item_id: str, title: str, key: str) -> None:
        if self.form is not None and self.form.validate():
            ui.notify(_("Correct the marked fields; nothing was saved."), type="warning")
            return
        values = self.form.values() if self.form is not None else {}
        if self._run(lambda: runtime().complete(self.user, item_id, values,
                                                request=Request.of(key, item_id, values))):
            ui.notify(_("Task '{task}' completed.").format(task=title), type="positive")
            self.item_id = None
            self.notice = ""
            self.show.refresh()

    def _add_note(self, note: ui.textarea) -> None:
        if self._run(lambda: self.work.add_note(self.user, self.case_id, note.value or "")):
            ui.notify(_("Note added."), type="positive")
            note.value = ""
            self._timeline.refresh(self._read())  # not the whole page: what is typed in the form stays

    async def _attach(self, event: events.UploadEventArguments) -> None:
        upload = event.file
        if upload.size() > ATTACHMENT_LIMIT:
            ui.notify(_("'{file}' has {size} bytes; attachments may have at most {limit}. It was not attached.")
                      .format(file=upload.name, size=number_text(upload.size()), limit=size_in_words(ATTACHMENT_LIMIT)),
                      type="warning")
            return
        content = await upload.read()
        if self._run(lambda: self.work.attach(self.user, self.case_id, upload.name, content, upload.content_type)):
            ui.notify(_("'{file}' attached.").format(file=upload.name), type="positive")
            read = self._read()
            self._attachments.refresh(read)
            self._timeline.refresh(read)

    def _add_task(self, task_type: str | None, title: str, queue: str | None) -> None:
        if self._run(lambda: self.work.add_task(self.user, self.case_id, task_type=task_type, title=title,
                                                queue=queue)):
            ui.notify(_("Task added."), type="positive")
            read = self._read()
            self._other_tasks.refresh(read)
            self._timeline.refresh(read)

    def _close(self, dialog: ui.dialog, root_cause: str | None, note: str, active: bool) -> None:
        if root_cause is None:
            ui.notify(_("Choose a root cause."), type="warning")
            return
        dialog.close()
        if self._run(lambda: self.work.close(self.user, self.case_id, root_cause, note=note)):
            ui.notify(_("Case closed.") if active else _("Root cause recorded."), type="positive")
            self.item_id = None
            self.show.refresh()

    def _read(self) -> CaseRead:
        return case_view(runtime(), self.user, self.case_id)

    def _run(self, action: Callable[[], object]) -> bool:
        """Do `action`; explain a refusal (and redraw the case as it is now after a conflict). True if it worked."""
        try:
            action()
        except (ConflictError, AccessDenied) as error:
            self.notice = _("Someone else changed this case while you had it open: {problem}.\nNothing you entered for "
                            "this step was saved. Below is the case as it is now.").format(problem=said(error))
            self.item_id = None
            self.show.refresh()
            return False
        except FlowdeskError as error:
            ui.notify(_("Not saved: {problem}").format(problem=said(error)), type="negative", multi_line=True)
            return False
        return True


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/work/case/{case_id}", title="Flowdesk — case")
    def case_page(case_id: str, item: str | None = None) -> None:
        """The case named by its id or its reference (BC-2026-00123)."""
        try:
            case = case_named(runtime(), current_user(), case_id)
        except FlowdeskError:  # not there, or not the reader's to read: the view says so
            case = None
        with frame(N_("Case {case}"), case=case.display if case else case_id) as user:
            view = CaseView(case.id if case else case_id, item, user)
            view.show()
            ui.timer(SENT_CHECK_SECONDS, view.redraw_sent_if_changed)

    return router
