"""The editor page's frame: toolbar (undo, redo, layout, discard, publish), the tabs and their panels, and keeping
the draft in the runtime so that no edit is lost.

The flow tab shows the canvas with the selection's settings and the problems
list beside it; every other tab (`TABS`) shows its panels side by side. After
each accepted edit, undo or redo, the canvas and every panel show the draft again.

Every accepted change is saved at once (`runtime.drafts.Drafts.save`), naming
the stored revision it was made on. When someone else saved first, the runtime
refuses it with `DraftChanged` (who and when); the editor then takes their
version and makes the user's own edit again on top of it (`Draft.rebase`: the
edit is a pure function, kept with its arguments), or, when it no longer fits,
asks whether to keep theirs or one's own. A timer saves typed text half a second
after the last keystroke, notices within seconds when someone else saved (and
shows their version), and tells who else has the draft open.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from nicegui import context, ui

from codegen.diff import diff_bundles
from codegen.layout import layout
from designer.display import said
from designer.elements.flow_canvas import FlowCanvas
from designer.frame import runtime
from designer.i18n import N_, _
from designer.pages.diff_view import diff_view
from designer.pages.editor.decision_tables import DecisionTablesPanel
from designer.pages.editor.forms import FormsPanel
from designer.pages.editor.letters import LettersPanel
from designer.pages.editor.lists import CaseDataPanel, CataloguesPanel, QueuesPanel
from designer.pages.editor.new_step import place_step
from designer.pages.editor.panel import Panel
from designer.pages.editor.problems import ProblemsPanel
from designer.pages.editor.process_settings import ProcessSettingsPanel
from designer.pages.editor.sandbox_run import SandboxRunPanel
from designer.pages.editor.selection import SelectionPanel
from models.bundle import Bundle
from models.editing import Document, Draft, EditRejected, place_nodes, replace_document
from models.errors import FlowdeskError
from runtime.documents import User
from runtime.drafts import DraftChanged, Drafts, Presence, StoredDraft
from runtime.errors import NotFound
from runtime.service import PublishError
from runtime.views.processes import process_version

log = logging.getLogger(__name__)

#: The tabs after the flow: name, label, icon and the panels each shows.
TABS: list[tuple[str, str, str, list[type[Panel]]]] = [
    ("data", N_("Case data & queues"), "dataset", [ProcessSettingsPanel, CaseDataPanel, QueuesPanel,
                                                  CataloguesPanel]),
    ("forms", N_("Forms"), "dynamic_form", [FormsPanel]),
    ("letters", N_("Letters"), "mail", [LettersPanel]),
    ("tables", N_("Decision tables"), "table_chart", [DecisionTablesPanel]),
    ("test", N_("Test-run"), "play_circle", [SandboxRunPanel]),
]

FLOW_TAB = "flow"
#: Seconds between the editor timer's ticks; after the last keystroke a typed text waits `TYPING_DELAY`.
TICK = 0.25
TYPING_DELAY = 0.5
#: Seconds between looks at the stored draft (did someone else save?) and at who else has it open.
LOOK_EVERY = 2.0
#: Seconds between notes that this editor still has the draft open (the runtime forgets it after 30 s).
VISIT_EVERY = 10.0
#: How often a save is made again on top of a newer version before giving up.
SAVE_ATTEMPTS = 3


class Editor:
    """The editor's widgets around one draft (one per open page), as `user`."""

    def __init__(self, user: User, stored: StoredDraft, known: Mapping[str, Bundle]) -> None:
        self.user = user
        self.drafts = Drafts(runtime())
        self.stored = stored
        self.draft = Draft(stored.document, known_processes=known)
        self.selected: str | None = None
        self.just_added: str | None = None  # a step just added: its name field takes the focus, ready to type over
        self.panels: dict[str, list[Panel]] = {}
        #: Texts typed but not yet saved, by field: the panel, its save, and when to save it.
        self.typing: dict[int, tuple[Panel, Callable[[], Any], float]] = {}
        self.typed_in: tuple[Panel, bool] | None = None  # while a typed text is saved: its panel, and whether
        # a refusal is explained (when the field is left) or not yet (while typing)
        self.next_look = self.next_visit = 0.0
        with ui.column().classes("w-full gap-2") as self.root:
            self.toolbar()
            with ui.tabs().classes("w-full").props("align=left dense").mark("editor-tabs") as self.tabs:
                ui.tab(FLOW_TAB, _("Flow"), icon="account_tree").mark("tab-flow")
                for name, label, icon, _panels in TABS:
                    ui.tab(name, _(label), icon=icon).mark(f"tab-{name}")
            with ui.tab_panels(self.tabs, value=FLOW_TAB).classes("w-full").props("keep-alive"):
                with ui.tab_panel(FLOW_TAB).classes("p-0"), ui.row().classes("w-full no-wrap items-start gap-4"):
                    self.canvas = FlowCanvas(self.draft.document, self.draft.findings()) \
                        .style("flex: 1 1 auto; height: 620px").mark("canvas")
                    with ui.column().classes("w-96 flex-none gap-4"):
                        self.panels[FLOW_TAB] = [self.card(SelectionPanel), self.card(ProblemsPanel)]
                for name, _label, _icon, panel_types in TABS:
                    with ui.tab_panel(name).classes("p-0"), ui.row().classes("w-full items-start gap-4"):
                        width = "w-full" if len(panel_types) == 1 else "w-96"  # a tab of its own gets the width
                        self.panels[name] = [self.card(panel_type, width) for panel_type in panel_types]
        self.canvas.on_node_added(lambda e: place_step(self, e.kind, e.x, e.y))
        self.canvas.on_node_moved(lambda e: self.edit(lambda: self.draft.move_node(e.id, e.x, e.y)))
        self.canvas.on_edge_added(lambda e: self.edit(lambda: self.draft.add_edge(e.source, e.target)))
        self.canvas.on_deleted(lambda e: self.edit(lambda: self.draft.delete(e.ids)))
        self.canvas.on_selected(lambda e: self.select(e.id, from_canvas=True))
        self.canvas.on_undo(lambda _: self.undo())
        self.canvas.on_redo(lambda _: self.redo())
        self.show_status()
        ui.timer(TICK, self.tick)
        client = context.client
        client.on_disconnect(lambda: self.flush_typing())  # e.g. a reload right after typing: the text is kept
        client.on_delete(lambda: self.leave())

    @property
    def key(self) -> str:
        return self.draft.key

    def toolbar(self) -> None:
        with ui.row().classes("items-center gap-2"):
            self.undo_button = ui.button(_("Undo"), icon="undo", on_click=self.undo).props("flat").mark("undo")
            self.redo_button = ui.button(_("Redo"), icon="redo", on_click=self.redo).props("flat").mark("redo")
            ui.button(_("Auto-layout"), icon="account_tree", on_click=self.auto_layout).props("flat") \
                .mark("auto-layout")
            ui.button(_("Discard draft"), icon="delete_sweep", on_click=self.discard).props("flat color=negative") \
                .mark("discard")
            self.publish_button = ui.button(_("Publish"), icon="publish", on_click=self.ask_note).mark("publish")
            self.status = ui.label().classes("text-slate-600").mark("status")
            self.presence = ui.label().classes("text-sm text-blue-800").mark("presence")

    def card(self, panel_type: type[Panel], width: str = "w-full") -> Panel:
        with ui.card().classes(width):
            return panel_type(self)

    # Edits.

    def edit(self, operation: Callable[[], Any], select: bool = False) -> None:
        """Apply a draft edit and save it; a refused one is explained and the draft is shown as it was.

        While a typed text is saved (`typed_in`), its panel is not drawn again under the cursor; a refusal is
        explained only once the field is left.
        """
        typed_in, revision = self.typed_in, self.draft.revision
        try:
            result = operation()
        except EditRejected as error:
            if typed_in is None or typed_in[1]:  # explained, and the draft shown as it is
                ui.notify(said(error), type="warning")
                self.refresh(keep=typed_in[0] if typed_in and typed_in[0].keeps_refused_text else None)
            return
        if select and isinstance(result, str):
            self.selected = self.just_added = result
            self.canvas.select(result)
        if self.draft.revision == revision:
            if select:
                self.refresh()
            return
        kept = self.save_draft()
        self.refresh(keep=typed_in[0] if typed_in and kept else None)

    def add_step(self, operation: Callable[[], str]) -> bool:
        """Add a step (`operation` returns its id), select it and show its settings with the name ready to be typed
        over; False when the draft refused it (the reason was shown)."""
        revision = self.draft.revision
        self.edit(operation, select=True)
        return self.draft.revision != revision

    def undo(self) -> None:
        if self.draft.undo():
            self.save_draft()
        else:
            ui.notify(_("Nothing to undo."))
        self.refresh()

    def redo(self) -> None:
        if self.draft.redo():
            self.save_draft()
        else:
            ui.notify(_("Nothing to redo."))
        self.refresh()

    def auto_layout(self) -> None:
        self.edit(lambda: self.draft.apply(place_nodes, layout(self.draft.bundle)))

    # Typing.

    def typed(self, panel: Panel, field: int, save: Callable[[], Any]) -> None:
        """Text was typed in `field`: `save` it once `TYPING_DELAY` passed without another keystroke."""
        self.typing[field] = (panel, save, time.monotonic() + TYPING_DELAY)

    def done_typing(self, panel: Panel, field: int, save: Callable[[], Any]) -> None:
        """The field was left (or Enter pressed): save it now, and explain a refusal."""
        self.typing.pop(field, None)
        self.save_typed(panel, save, explain=True)

    def flush_typing(self, due_only: bool = False) -> None:
        """Save the texts typed but not saved yet (only those whose delay passed, with `due_only`)."""
        now = time.monotonic()
        for field, (panel, save, due) in list(self.typing.items()):
            if not due_only or due <= now:
                self.typing.pop(field, None)
                self.save_typed(panel, save, explain=False)

    def save_typed(self, panel: Panel, save: Callable[[], Any], explain: bool) -> None:
        self.typed_in = (panel, explain)
        try:
            save()
        finally:
            self.typed_in = None

    # Keeping the draft.

    def save_draft(self) -> bool:
        """Save the draft as it is now, on the revision it was made on; when someone else saved first, make the
        last edit again on top of theirs. Whether the user's panels may stay as they are (False: the draft now
        holds someone else's change too, or the user must choose)."""
        for _attempt in range(SAVE_ATTEMPTS):
            try:
                self.stored = self.drafts.save(self.user, self.key, self.draft.document, self.stored.revision)
                return True
            except DraftChanged as changed:
                if not self.rebase(changed):
                    return False
            except FlowdeskError as error:  # not allowed (any more), too big: show what is stored
                ui.notify(_("Not saved: {problem}").format(problem=said(error)), type="negative", multi_line=True)
                self.draft.reload(self.stored.document)
                return False
        ui.notify(_("Not saved: the draft keeps changing; your version is shown, make a change to save it again."),
                  type="warning")
        return False

    def rebase(self, changed: DraftChanged) -> bool:
        """Someone else saved: take their version and make the last edit again on top (True), or ask (False)."""
        if changed.current is None:
            ui.notify(_("{change}; the process is gone.").format(change=said(changed.change)), type="warning")
            ui.navigate.to("/design")
            return False
        mine = self.draft.document
        self.stored = changed.current
        try:
            self.draft.rebase(changed.current.document)
        except EditRejected as why:
            self.ask_whose(said(changed.change), mine, said(why))
            return False
        ui.notify(_("{change}; your change was made again on top of theirs.").format(change=said(changed.change)),
                  multi_line=True)
        self.refresh()
        return True

    def ask_whose(self, change: str, mine: Document, why: str) -> None:
        """Your edit does not fit on their version: keep theirs (drop yours) or keep yours (over theirs)."""
        with ui.dialog().props("persistent") as dialog, ui.card().classes("w-[32rem]").mark("edit-conflict"):
            ui.label(f"{change}.").classes("text-lg")
            ui.label(_("Your change does not fit on their version: {why}").format(why=why)) \
                .classes("whitespace-pre-wrap")
            ui.label(_("Keep their version (your change is dropped), or keep yours (the whole process as you had "
                       "it, over their change).")).classes("text-sm text-slate-600")

            def keep_theirs() -> None:
                dialog.close()
                ui.notify(_("Your change was dropped; the draft is as they saved it."))

            def keep_mine() -> None:
                dialog.close()
                self.edit(lambda: self.draft.apply(replace_document, mine))

            with ui.row():
                ui.button(_("Keep theirs"), on_click=keep_theirs).props("flat").mark("keep-theirs")
                ui.button(_("Keep mine"), on_click=keep_mine).mark("keep-mine")
        dialog.open()
        self.refresh()

    def take(self, stored: StoredDraft) -> None:
        """Show `stored` (e.g. saved by someone else, or after publishing): the history starts again there."""
        self.stored = stored
        self.draft.reload(stored.document)
        self.refresh()

    def tick(self) -> None:
        """Save typed texts whose delay passed; now and then look whether someone else saved, and who is here."""
        self.flush_typing(due_only=True)
        now = time.monotonic()
        if now < self.next_look:
            return
        self.next_look = now + LOOK_EVERY
        try:
            self.look_for_changes()
            if now >= self.next_visit:
                self.next_visit = now + VISIT_EVERY
                self.show_presence(self.drafts.here(self.user, self.key))
            else:
                self.show_presence(self.drafts.present(self.user, self.key))
        except FlowdeskError as error:  # e.g. no longer allowed; the page says so on its next use
            log.info("editor of '%s' for %s: %s", self.key, self.user.id, error)

    def look_for_changes(self) -> None:
        """Show the stored draft when someone else saved, published or discarded it meanwhile."""
        if self.drafts.revision(self.user, self.key) == self.stored.revision:
            return
        self.flush_typing()  # one's own typing first: a conflict then makes it again on top of theirs
        try:
            stored = self.drafts.open(self.user, self.key)
        except NotFound:
            ui.notify(_("This process was discarded meanwhile; it is gone."), type="warning")
            ui.navigate.to("/design")
            return
        if stored.revision != self.stored.revision:
            ui.notify(said(stored.change) if stored.change else _("The draft was changed in another window."),
                      multi_line=True)
            self.take(stored)

    def show_presence(self, others: list[Presence]) -> None:
        names = ", ".join(dict.fromkeys(p.name for p in others))
        self.presence.set_text(_("Also open by {names}").format(names=names) if names else "")

    def leave(self) -> None:
        try:
            self.drafts.leave(self.user, self.key)
        except FlowdeskError as error:
            log.info("editor of '%s' for %s closed: %s", self.key, self.user.id, error)

    # Showing the draft.

    def select(self, element_id: str | None, from_canvas: bool = False) -> None:
        """Show `element_id`: a step or connection on the canvas, else in the panel where it is edited."""
        bundle = self.draft.bundle
        if element_id and element_id not in {n.id for n in bundle.nodes} | {e.id for e in bundle.edges}:
            for tab, panels in self.panels.items():
                panel = next((p for p in panels if p.shows(element_id)), None)
                if panel is not None:
                    self.tabs.set_value(tab)
                    panel.focus(element_id)
                    return
        self.selected = element_id
        if not from_canvas:
            self.tabs.set_value(FLOW_TAB)
            self.canvas.select(element_id)
            if element_id:
                self.canvas.center_on(element_id)
        self.panels[FLOW_TAB][0].refresh()

    def refresh(self, keep: Panel | None = None) -> None:
        """Show the draft in the canvas and every panel (`keep`, the panel just typed in: only `after_typing`)."""
        if self.selected and self.selected not in {n.id for n in self.draft.bundle.nodes} | {
                e.id for e in self.draft.bundle.edges}:
            self.selected = None
            self.canvas.select(None)
        self.canvas.set_model(self.draft.document, self.draft.findings())
        for panels in self.panels.values():
            for panel in panels:
                if panel is keep:
                    panel.after_typing()
                else:
                    panel.refresh()
        self.show_status()

    def show_status(self) -> None:
        number = self.stored.published
        errors = len(self.draft.errors())
        self.undo_button.set_enabled(self.draft.can_undo)
        self.redo_button.set_enabled(self.draft.can_redo)
        self.publish_button.set_enabled(errors == 0 and self.stored.saved)
        based = _("draft of published version {number}").format(number=number) if number else \
            _("new process, not published yet")
        unchanged = _("; no changes yet") if number and not self.stored.saved else ""
        to_fix = _("; {count} error(s) to fix before publishing").format(count=errors) if errors else ""
        self.status.set_text(f"{self.draft.bundle.name}: {based}{unchanged}{to_fix}")

    # Discarding and publishing.

    def discard(self) -> None:
        self.flush_typing()
        try:
            stored = self.drafts.discard(self.user, self.key, self.stored.revision)
        except DraftChanged as changed:
            ui.notify(_("Not discarded: {change}; their version is shown.").format(change=said(changed.change)),
                      type="warning", multi_line=True)
            if changed.current is not None:
                self.take(changed.current)
            return
        except FlowdeskError as error:
            ui.notify(_("Not discarded: {problem}").format(problem=said(error)), type="warning")
            return
        if stored is None:  # a new process never published: nothing to go back to
            ui.navigate.to("/design")
            return
        self.selected = None
        self.canvas.select(None)
        self.take(stored)
        ui.notify(_("Draft discarded; back to published version {number}.").format(number=stored.published))

    def ask_note(self) -> None:
        """The publish dialog: what changed against the published version, a note, then publish (or, where four
        eyes apply, submit for a second person's approval)."""
        self.flush_typing()
        if self.draft.errors():
            ui.notify(_("Fix the errors in the problems list first."), type="warning")
            return
        approval = runtime().needs_approval(self.draft.bundle)
        with ui.dialog() as dialog, ui.card().classes("w-[72rem] max-w-full").mark("publish-dialog"):
            verb = _("Submit for approval") if approval else _("Publish")
            ui.label(f"{verb}: {self.draft.bundle.name}").classes("text-lg")
            if approval:
                ui.label(_("This process goes live only after a second person approves it (four eyes).")) \
                    .mark("needs-approval")
            self._changes_since_published()
            note = ui.textarea(_("Note: what changed and why")).classes("w-full").mark("publish-note")
            act = self.submit if approval else self.publish
            with ui.row():
                ui.button(_("Cancel"), on_click=dialog.close).props("flat")
                ui.button(verb, on_click=lambda: act(dialog, note.value or "")).mark("publish-confirm")
        dialog.open()

    def _changes_since_published(self) -> None:
        try:
            published = process_version(runtime(), self.user, self.key).bundle
        except NotFound:
            ui.label(_("A new process: everything is new.")).classes("text-sm text-gray-600")
            return
        with ui.expansion(_("What changes against the published version"), value=True).classes("w-full") \
                .mark("publish-diff"):
            diff_view(published, self.draft.bundle, diff_bundles(published, self.draft.bundle),
                      old_title=_("Published version {number}").format(number=self.stored.published),
                      new_title=_("This draft"))

    def submit(self, dialog: ui.dialog, note: str) -> None:
        """Submit the draft as this editor last saved it for a second person's approval."""
        dialog.close()
        self.flush_typing()
        try:
            self.drafts.submit(self.user, self.key, self.stored.revision, note.strip())
        except DraftChanged as changed:
            ui.notify(_("Not submitted: {change}. Look at their version, then submit again.")
                      .format(change=said(changed.change)), type="warning", multi_line=True)
            if changed.current is not None:
                self.take(changed.current)
            return
        except FlowdeskError as error:
            ui.notify(_("Not submitted: {problem}").format(problem=said(error)), type="warning", multi_line=True)
            return
        ui.notify(_("{process} is submitted; it goes live when someone else approves it.")
                  .format(process=self.draft.bundle.name), type="positive")

    def publish(self, dialog: ui.dialog, note: str) -> None:
        """Publish the draft as this editor last saved it; refused when someone else saved since."""
        dialog.close()
        self.flush_typing()
        try:
            version = self.drafts.publish(self.user, self.key, self.stored.revision, note.strip())
        except DraftChanged as changed:
            ui.notify(_("Not published: {change}. Look at their version, then publish again.")
                      .format(change=said(changed.change)), type="warning", multi_line=True)
            if changed.current is not None:
                self.take(changed.current)
            return
        except PublishError as error:
            ui.notify(_("Not published: {count} error(s); see the problems list.").format(count=len(error.findings)),
                      type="negative")
            return
        except FlowdeskError as error:
            ui.notify(_("Not published: {problem}").format(problem=said(error)), type="warning")
            return
        ui.notify(_("Published version {number} of {process}.").format(number=version.number, process=version.name),
                  type="positive")
        self.take(self.drafts.open(self.user, self.key))
