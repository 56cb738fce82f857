"""The agent's worklist on the /work page: "My work" and "My queues", filters, sort, paging and row actions.

The panel holds only what the agent chose (a `WorkFilter`) and the widgets;
which items and what each row says come from the runtime's read model
(`runtime.views.work`), and claim, release and reassign are `CaseWork` use
cases. A timer compares the worklist marker (and the next moment a shown SLA
badge changes colour) and redraws only when something changed, so a
colleague's claim or a new case shows up without a reload. Every refusal of
an action, such as someone else claiming the item first, becomes a
notification and a redraw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from html import escape
from typing import Any

from nicegui import events, ui

from designer.display import local_time, said
from designer.elements.tables import table
from designer.frame import runtime
from designer.i18n import N_, _, word
from models.errors import FlowdeskError
from runtime.casework import CaseWork
from runtime.documents import SlaStatus, User, WorkOrder
from runtime.errors import AccessDenied, ConflictError, NotFound
from runtime.views.work import (
    Tab,
    WorkFilter,
    WorkRow,
    handover,
    has_claimed_work,
    queue_counts,
    work_choices,
    work_page,
    worklist_marker,
)

#: Seconds between the checks for changed work items.
REFRESH_SECONDS = 2.0

ANY = ""  # the filter option that does not filter

SLA_COLOURS = {"on track": "positive", "at risk": "warning", "breached": "negative"}
#: Text on the badges: black on the yellow of "at risk" (white on it would be unreadable), white on the others.
SLA_TEXT_COLOURS = {"on track": "white", "at risk": "black", "breached": "white"}

COLUMNS = [
    {"name": name, "label": label, "field": field, "align": "left"}
    for name, label, field in [("title", N_("Task"), "title"), ("case", N_("Case"), "case"),
                               ("customer", N_("Customer"), "customer"), ("process", N_("Process"), "process_name"),
                               ("queue", N_("Queue"), "queue_name"), ("assignee", N_("Assignee"), "assignee_name"),
                               ("priority", N_("Priority"), "priority"), ("due", N_("Due"), "due"),
                               ("sla", N_("SLA"), "sla"), ("actions", "", "id")]
]

# Vue templates of the table's cells: values are shown with {{ }} (as text, never HTML).
TITLE_CELL = """<q-td :props="props">
  <a :href="'/work/case/' + encodeURIComponent(props.row.case_id) + '?item=' + encodeURIComponent(props.row.id)"
     class="text-primary">{{ props.value }}</a>
</q-td>"""
SLA_CELL = f"""<q-td :props="props">
  <q-badge v-if="props.value" :color="({SLA_COLOURS})[props.value]"
           :text-color="({SLA_TEXT_COLOURS})[props.value]" :label="props.row.sla_label" />
</q-td>"""
ACTIONS_CELL = """<q-td :props="props" class="whitespace-nowrap">
  <q-btn v-if="!props.row.assignee" dense flat color="primary" label="{claim}"
         @click="() => $parent.$emit('claim', props.row.id)" />
  <q-btn v-else dense flat color="primary" label="{release}" @click="() => $parent.$emit('release', props.row.id)" />
  <q-btn dense flat color="primary" label="{reassign}" @click="() => $parent.$emit('reassign', props.row.id)" />
</q-td>"""


#: Items per worklist page.
PAGE_SIZE = 50


def row_of(row: WorkRow) -> dict[str, Any]:
    """A table row: only values the page shows as text (due times local; the case by its reference)."""
    item = row.item
    return {"id": item.id, "title": item.title, "case": row.case_shown, "case_id": item.case_id,
            "customer": row.customer,
            "process": item.process_key, "process_name": row.process_name, "queue": item.queue,
            "queue_name": row.queue_name, "assignee": item.assignee or "", "assignee_name": row.assignee_name,
            "priority": item.priority, "due": local_time(item.due_at) if item.due_at else "",
            "sla": row.sla.value if row.sla else "", "sla_label": word(row.sla) if row.sla else ""}


class WorklistPanel:
    """The worklist of one signed-in user on one open page."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.wanted = WorkFilter(tab=Tab.MINE, limit=PAGE_SIZE)
        self.marker = -1  # the worklist marker when the rows were drawn
        self.next_sla_change: datetime | None = None

    def build(self) -> None:
        choices = work_choices(runtime(), self.user)
        self.queue_names = choices.queues
        self.counts = ui.row().classes("gap-2 items-center").mark("queue-counts")
        with ui.row().classes("w-full items-end gap-4"):
            with ui.tabs(on_change=lambda e: self._change(tab=Tab(e.value))).mark("tabs") as self.tabs:
                ui.tab(Tab.MINE, label=_("My work")).mark("tab-mine")
                ui.tab(Tab.QUEUES, label=_("My queues")).mark("tab-queues")
            ui.select({ANY: _("All queues")} | choices.queues, value=ANY, label=_("Queue"),
                      on_change=lambda e: self._change(queues=(e.value,) if e.value else None)) \
                .classes("w-48").mark("filter-queue")
            ui.select({ANY: _("All processes")} | choices.processes, value=ANY, label=_("Process"),
                      on_change=lambda e: self._change(process=e.value or None)).classes("w-56").mark(
                          "filter-process")
            ui.select({ANY: _("Any SLA status")} | {s.value: word(s).capitalize() for s in SlaStatus}, value=ANY,
                      label=_("SLA"), on_change=lambda e: self._change(sla=SlaStatus(e.value) if e.value else None)) \
                .classes("w-40").mark("filter-sla")
            ui.toggle({WorkOrder.DEADLINE: _("Deadline"), WorkOrder.PRIORITY: _("Priority")}, value=WorkOrder.DEADLINE,
                      on_change=lambda e: self._change(order=WorkOrder(e.value))).mark("sort")
        self.empty = ui.label("").mark("worklist-empty")
        # no "nothing to show" row: `empty` says why the list is empty
        self.table = table(COLUMNS, [], "id").props("hide-no-data").classes("w-full").mark("worklist")
        self.table.add_slot("body-cell-title", TITLE_CELL)
        self.table.add_slot("body-cell-sla", SLA_CELL)
        self.table.add_slot("body-cell-actions", ACTIONS_CELL.format(
            claim=escape(_("Claim")), release=escape(_("Release")), reassign=escape(_("Reassign"))))
        self.table.on("claim", lambda e: self._act(self._claim, e))
        self.table.on("release", lambda e: self._act(self._release, e))
        self.table.on("reassign", lambda e: self._reassign_dialog(str(e.args)))
        with ui.row().classes("items-center gap-2"):
            self.previous = ui.button(_("Previous"), on_click=lambda: self._page(-1)).props("flat") \
                .mark("page-previous")
            self.page_label = ui.label("").mark("page-number")
            self.next = ui.button(_("Next"), on_click=lambda: self._page(1)).props("flat").mark("page-next")
        self.dialog = ui.dialog()  # filled for the item to reassign
        self._start_tab()
        ui.timer(REFRESH_SECONDS, self.refresh_if_changed)

    # Showing ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Redraw counts and rows."""
        self.marker = worklist_marker(runtime(), self.user)
        self._show_counts()
        page = work_page(runtime(), self.user, self.wanted)
        self.table.rows = [row_of(row) for row in page.rows]
        self.next_sla_change = page.next_sla_change
        self.empty.set_text("" if page.rows else self._empty_text())
        self.previous.set_enabled(self.wanted.offset > 0)
        self.next.set_enabled(page.has_next)
        self.page_label.set_text(_("Page {page} of {pages}").format(page=self.wanted.offset // PAGE_SIZE + 1,
                                                                   pages=max(-(-page.total // PAGE_SIZE), 1)))

    def refresh_if_changed(self) -> None:
        """Redraw when work items changed or a shown SLA badge is due to change colour."""
        moved = worklist_marker(runtime(), self.user) != self.marker
        if moved or (self.next_sla_change is not None and runtime().now() >= self.next_sla_change):
            self.refresh()

    def _show_counts(self) -> None:
        counts = queue_counts(runtime(), self.user)
        self.counts.clear()
        with self.counts:
            ui.chip(_("All my queues: {count}").format(count=sum(counts.values())),
                    on_click=lambda: self._change(queues=None)).props("outline").mark("queue-total")
            for queue, count in counts.items():
                ui.chip(f"{self.queue_names.get(queue, queue)}: {count}",
                        on_click=lambda q=queue: self._change(queues=(q,))).props("outline").mark(f"queue-{queue}")

    def _empty_text(self) -> str:
        if self.wanted.offset > 0:
            return _("No more items.")
        if self.wanted.tab is Tab.MINE:
            return _("Nothing is assigned to you. Claim an item under \"My queues\".")
        return _("No unclaimed items in your queues match.")

    def _start_tab(self) -> None:
        """Open on "My work" when the user has claimed items, else on "My queues"."""
        tab = Tab.MINE if has_claimed_work(runtime(), self.user) else Tab.QUEUES
        self.wanted = replace(self.wanted, tab=tab)
        self.tabs.set_value(tab)
        self.refresh()

    def _change(self, **changes: Any) -> None:
        """Show the list with `changes`; any change but the page goes back to the first page."""
        wanted = replace(self.wanted, offset=0, **changes)
        if wanted != self.wanted:
            self.wanted = wanted
            self.refresh()

    def _page(self, step: int) -> None:
        self.wanted = replace(self.wanted, offset=max(self.wanted.offset + step * PAGE_SIZE, 0))
        self.refresh()

    # Acting ---------------------------------------------------------------------------------

    def _act(self, action: Callable[[str], str], event: events.GenericEventArguments) -> None:
        try:
            ui.notify(action(str(event.args)), type="positive")
        except FlowdeskError as error:
            ui.notify(said(error), type="negative", multi_line=True)
        self.refresh()

    def _claim(self, item_id: str) -> str:
        item = CaseWork(runtime()).claim(self.user, item_id)
        return _("'{task}' is yours now").format(task=item.title)

    def _release(self, item_id: str) -> str:
        item = CaseWork(runtime()).release(self.user, item_id)
        return _("'{task}' is back in queue {queue}").format(task=item.title,
                                                             queue=self.queue_names.get(item.queue, item.queue))

    def _reassign_dialog(self, item_id: str) -> None:
        try:
            targets = handover(runtime(), self.user, item_id)
        except FlowdeskError as error:
            ui.notify(said(error), type="negative")
            self.refresh()
            return
        item = targets.item
        choices = {f"user:{uid}": name for uid, name in targets.people.items()}
        choices |= {f"queue:{qid}": _("Queue {name}").format(name=name) for qid, name in targets.queues.items()}
        target_names = choices | {f"queue:{qid}": _("queue {name}").format(name=name)
                                  for qid, name in targets.queues.items()}
        dialog = self.dialog
        dialog.clear()
        with dialog, ui.card().classes("w-96").mark("reassign-dialog"):
            ui.label(_("Reassign '{task}'").format(task=item.title)).classes("text-lg")
            target = ui.select(choices, label=_("To a person or queue")).classes("w-full").mark("reassign-to")
            reason = ui.textarea(_("Reason (goes into the case's trail)")).classes("w-full").mark("reassign-reason")
            with ui.row():
                ui.button(_("Cancel"), on_click=dialog.close).props("flat")
                ui.button(_("Reassign"), on_click=lambda: self._reassign(dialog, item_id, target.value, reason.value,
                                                                      target_names)).mark("reassign-confirm")
        dialog.open()

    def _reassign(self, dialog: ui.dialog, item_id: str, target: str | None, reason: str | None,
                  target_names: dict[str, str]) -> None:
        if not target:
            ui.notify(_("Choose the person or queue to hand the task to"), type="warning")
            return
        kind, _colon, to = target.partition(":")
        try:
            item = CaseWork(runtime()).reassign(self.user, item_id, reason=reason or "",
                                                to_user=to if kind == "user" else None,
                                                to_queue=to if kind == "queue" else None)
        except (ConflictError, NotFound, AccessDenied) as error:  # taken or finished by someone else meanwhile
            dialog.close()
            ui.notify(said(error), type="negative", multi_line=True)
            self.refresh()
            return
        except FlowdeskError as error:  # e.g. no reason given: the agent can fix it in the dialog
            ui.notify(said(error), type="negative", multi_line=True)
            return
        dialog.close()
        ui.notify(_("'{task}' reassigned to {target}").format(task=item.title, target=target_names[target]),
                  type="positive")
        self.refresh()
