"""The editor page's frame: toolbar (undo, redo, layout, discard, publish), the tabs and their panels.

The flow tab shows the canvas with the selection's settings and the problems
list beside it; every other tab (`TABS`) shows its panels side by side. After
each accepted edit, undo or redo, the canvas and every panel show the draft again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from designer.editing import Draft, EditRejected
from designer.elements.flow_canvas import FlowCanvas
from designer.frame import runtime
from designer.pages.editor.decision_tables import DecisionTablesPanel
from designer.pages.editor.drafts import draft_folder, open_draft, published_number
from designer.pages.editor.forms import FormsPanel
from designer.pages.editor.letters import LettersPanel
from designer.pages.editor.lists import CaseDataPanel, CataloguesPanel, QueuesPanel
from designer.pages.editor.panel import Panel
from designer.pages.editor.problems import ProblemsPanel
from designer.pages.editor.process_settings import ProcessSettingsPanel
from designer.pages.editor.sandbox_run import SandboxRunPanel
from designer.pages.editor.selection import SelectionPanel
from runtime.errors import FlowdeskError
from runtime.service import PublishError

#: The tabs after the flow: name, label, icon and the panels each shows.
TABS: list[tuple[str, str, str, list[type[Panel]]]] = [
    ("data", "Case data & queues", "dataset", [ProcessSettingsPanel, CaseDataPanel, QueuesPanel, CataloguesPanel]),
    ("forms", "Forms", "dynamic_form", [FormsPanel]),
    ("letters", "Letters", "mail", [LettersPanel]),
    ("tables", "Decision tables", "table_chart", [DecisionTablesPanel]),
    ("test", "Test-run", "play_circle", [SandboxRunPanel]),
]

FLOW_TAB = "flow"


class Editor:
    """The editor's widgets around one draft (one per open page)."""

    def __init__(self, draft: Draft, author: str) -> None:
        self.draft = draft
        self.author = author
        self.selected: str | None = None
        self.panels: dict[str, list[Panel]] = {}
        self.toolbar()
        with ui.tabs().classes("w-full").props("align=left dense").mark("editor-tabs") as self.tabs:
            ui.tab(FLOW_TAB, "Flow", icon="account_tree").mark("tab-flow")
            for name, label, icon, _ in TABS:
                ui.tab(name, label, icon=icon).mark(f"tab-{name}")
        with ui.tab_panels(self.tabs, value=FLOW_TAB).classes("w-full").props("keep-alive"):
            with ui.tab_panel(FLOW_TAB).classes("p-0"), ui.row().classes("w-full no-wrap items-start gap-4"):
                self.canvas = FlowCanvas(draft.document, draft.findings()).style("flex: 1 1 auto; height: 620px") \
                    .mark("canvas")
                with ui.column().classes("w-96 flex-none gap-4"):
                    self.panels[FLOW_TAB] = [self.card(SelectionPanel), self.card(ProblemsPanel)]
            for name, _, _, panel_types in TABS:
                with ui.tab_panel(name).classes("p-0"), ui.row().classes("w-full items-start gap-4"):
                    width = "w-full" if len(panel_types) == 1 else "w-96"  # a tab of its own gets the width
                    self.panels[name] = [self.card(panel_type, width) for panel_type in panel_types]
        self.canvas.on_node_added(lambda e: self.edit(lambda: self.draft.add_node(e.kind, e.x, e.y), select=True))
        self.canvas.on_node_moved(lambda e: self.edit(lambda: self.draft.move_node(e.id, e.x, e.y)))
        self.canvas.on_edge_added(lambda e: self.edit(lambda: self.draft.add_edge(e.source, e.target)))
        self.canvas.on_deleted(lambda e: self.edit(lambda: self.draft.delete(e.ids)))
        self.canvas.on_selected(lambda e: self.select(e.id, from_canvas=True))
        self.canvas.on_undo(lambda _: self.undo())
        self.canvas.on_redo(lambda _: self.redo())
        self.show_status()

    def toolbar(self) -> None:
        with ui.row().classes("items-center gap-2"):
            self.undo_button = ui.button("Undo", icon="undo", on_click=self.undo).props("flat").mark("undo")
            self.redo_button = ui.button("Redo", icon="redo", on_click=self.redo).props("flat").mark("redo")
            ui.button("Auto-layout", icon="account_tree", on_click=self.auto_layout).props("flat").mark("auto-layout")
            ui.button("Discard draft", icon="delete_sweep", on_click=self.discard).props("flat color=negative") \
                .mark("discard")
            self.publish_button = ui.button("Publish", icon="publish", on_click=self.ask_note).mark("publish")
            self.status = ui.label().classes("text-slate-600").mark("status")

    def card(self, panel_type: type[Panel], width: str = "w-full") -> Panel:
        with ui.card().classes(width):
            return panel_type(self)

    # Edits.

    def edit(self, operation: Callable[[], Any], select: bool = False) -> None:
        """Apply a draft edit; a refused one is explained and the canvas shows the draft as it was."""
        try:
            result = operation()
        except EditRejected as error:
            ui.notify(str(error), type="warning")
        else:
            if select and isinstance(result, str):
                self.selected = result
                self.canvas.select(result)
        self.refresh()

    def undo(self) -> None:
        if not self.draft.undo():
            ui.notify("Nothing to undo.")
        self.refresh()

    def redo(self) -> None:
        if not self.draft.redo():
            ui.notify("Nothing to redo.")
        self.refresh()

    def auto_layout(self) -> None:
        self.edit(self.draft.auto_layout)

    def discard(self) -> None:
        key = self.draft.key
        draft_folder().discard(key)
        try:
            self.draft = open_draft(key)
        except KeyError:  # a new process never published: nothing to go back to
            ui.navigate.to("/design")
            return
        self.selected = None
        self.canvas.select(None)
        ui.notify(f"Draft discarded; back to published version {published_number(key)}.")
        self.refresh()

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

    def refresh(self) -> None:
        if self.selected and self.selected not in {n.id for n in self.draft.bundle.nodes} | {
                e.id for e in self.draft.bundle.edges}:
            self.selected = None
        self.canvas.set_model(self.draft.document, self.draft.findings())
        for panels in self.panels.values():
            for panel in panels:
                panel.refresh()
        self.show_status()

    def show_status(self) -> None:
        number = published_number(self.draft.key)
        errors = len(self.draft.errors())
        self.undo_button.set_enabled(self.draft.can_undo)
        self.redo_button.set_enabled(self.draft.can_redo)
        self.publish_button.set_enabled(errors == 0)
        based = f"draft of published version {number}" if number else "new process, not published yet"
        self.status.set_text(f"{self.draft.bundle.name}: {based}"
                             + (f"; {errors} error(s) to fix before publishing" if errors else ""))

    # Publishing.

    def ask_note(self) -> None:
        if self.draft.errors():
            ui.notify("Fix the errors in the problems list first.", type="warning")
            return
        with ui.dialog() as dialog, ui.card().classes("w-96"):
            ui.label(f"Publish {self.draft.bundle.name}").classes("text-lg")
            note = ui.textarea("Note: what changed and why").classes("w-full").mark("publish-note")
            with ui.row():
                ui.button("Cancel", on_click=dialog.close).props("flat")
                ui.button("Publish", on_click=lambda: self.publish(dialog, note.value or "")) \
                    .mark("publish-confirm")
        dialog.open()

    def publish(self, dialog: ui.dialog, note: str) -> None:
        try:
            version = runtime().publish(self.draft.bundle, author=self.author, note=note.strip())
        except PublishError as error:
            ui.notify(f"Not published: {len(error.findings)} error(s); see the problems list.", type="negative")
        except FlowdeskError as error:
            ui.notify(f"Not published: {error}", type="warning")
        else:
            draft_folder().discard(self.draft.key)
            ui.notify(f"Published version {version.number} of {version.name}.", type="positive")
        dialog.close()
        self.refresh()
