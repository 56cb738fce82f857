"""Designer area: the process editor (`/design/{key}`) and the new-process form (`/design/new`).

The page holds a `designer.editing.Draft`, kept in `<data>/drafts/` after every
change. Canvas events become draft edits; after each one the canvas, the
problems list and the side panel show the draft again. Publishing stores the
draft as the process's next version through `Runtime.publish`.
"""

from __future__ import annotations

from typing import Any

from nicegui import APIRouter, ui

from designer.editing import Draft, DraftFolder, EditRejected, expression_names
from designer.elements.flow_canvas import PALETTE, FlowCanvas
from designer.frame import frame, runtime
from models.bundle import Bundle
from models.checks import Severity
from models.data import DataType
from models.nodes import Edge, TaskNode
from runtime.errors import FlowdeskError
from runtime.service import PublishError

__all__ = ["draft_folder", "known_processes", "open_draft", "routes"]

#: Keys the editor's own routes use, so no process may have them.
RESERVED_KEYS = frozenset({"new"})


def draft_folder() -> DraftFolder:
    """Where the running app keeps drafts: `<data folder>/drafts`."""
    return DraftFolder(runtime().store.directory / "drafts")


def known_processes() -> dict[str, Bundle]:
    """The newest published bundle of every process, by key."""
    latest: dict[str, Any] = {}
    for version in runtime().store.versions():
        if version.process_key not in latest or version.number > latest[version.process_key].number:
            latest[version.process_key] = version
    return {key: runtime().bundle(version) for key, version in latest.items()}


def open_draft(key: str) -> Draft:
    """`key`'s saved draft, else a draft of its newest published version (KeyError when neither exists)."""
    known = known_processes()
    return draft_folder().open(key, known.get(key), known_processes=known)


def published_number(key: str) -> int | None:
    latest = runtime().store.latest_version(key)
    return latest.number if latest else None


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/design/new", title="Flowdesk — new process")
    def new_process_page() -> None:
        with frame("New process"):
            key = ui.input("Process key", placeholder="e.g. refund_request").classes("w-96").mark("new-key")
            name = ui.input("Process name", placeholder="e.g. Refund request").classes("w-96").mark("new-name")
            problem = ui.label().classes("text-red-700").mark("new-problem")

            def create() -> None:
                folder, wanted = draft_folder(), (key.value or "").strip()
                try:
                    if wanted in RESERVED_KEYS:
                        raise EditRejected(f"'{wanted}' cannot be a process key; choose another one.")
                    draft = Draft.new(wanted, name.value or "", known_processes=known_processes())
                    if published_number(draft.key) is not None or folder.exists(draft.key):
                        raise EditRejected(f"A process '{draft.key}' exists already; open it from the process "
                                           "list or choose another key.")
                except EditRejected as error:
                    problem.set_text(str(error))
                    return
                folder.save(draft)
                ui.navigate.to(f"/design/{draft.key}")

            ui.button("Create", on_click=create).mark("new-create")

    @router.page("/design/{key}", title="Flowdesk — edit process")
    def editor_page(key: str) -> None:
        with frame(f"Edit process {key}") as user:
            try:
                draft = open_draft(key)
            except (KeyError, EditRejected):
                ui.label(f"There is no process '{key}'. Create it with 'New process'.").mark("no-process")
                ui.link("New process", "/design/new")
                return
            Editor(draft, author=user.id)

    return router


class Editor:
    """The editor's widgets around one draft (one per open page)."""

    def __init__(self, draft: Draft, author: str) -> None:
        self.draft = draft
        self.author = author
        self.selected: str | None = None
        with ui.row().classes("items-center gap-2"):
            self.undo_button = ui.button("Undo", icon="undo", on_click=self.undo).props("flat").mark("undo")
            self.redo_button = ui.button("Redo", icon="redo", on_click=self.redo).props("flat").mark("redo")
            ui.button("Auto-layout", icon="account_tree", on_click=self.auto_layout).props("flat").mark("auto-layout")
            ui.button("Discard draft", icon="delete_sweep", on_click=self.discard).props("flat color=negative") \
                .mark("discard")
            self.publish_button = ui.button("Publish", icon="publish", on_click=self.ask_note).mark("publish")
            self.status = ui.label().classes("text-slate-600").mark("status")
        with ui.row().classes("w-full no-wrap items-start gap-4"):
            self.canvas = FlowCanvas(draft.document, draft.findings()).style("flex: 1 1 auto; height: 620px") \
                .mark("canvas")
            with ui.column().classes("w-96 flex-none gap-4"):
                with ui.card().classes("w-full"):
                    self.side_panel()
                with ui.card().classes("w-full"):
                    self.problems()
                with ui.card().classes("w-full"):
                    self.case_data()
                with ui.card().classes("w-full"):
                    self.queues()
                with ui.card().classes("w-full"):
                    self.catalogues()
        self.canvas.on_node_added(lambda e: self.edit(lambda: self.draft.add_node(e.kind, e.x, e.y), select=True))
        self.canvas.on_node_moved(lambda e: self.edit(lambda: self.draft.move_node(e.id, e.x, e.y)))
        self.canvas.on_edge_added(lambda e: self.edit(lambda: self.draft.add_edge(e.source, e.target)))
        self.canvas.on_deleted(lambda e: self.edit(lambda: self.draft.delete(e.ids)))
        self.canvas.on_selected(lambda e: self.select(e.id, from_canvas=True))
        self.canvas.on_undo(lambda _: self.undo())
        self.canvas.on_redo(lambda _: self.redo())
        self.show_status()

    # Edits.

    def edit(self, operation: Any, select: bool = False) -> None:
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
        self.selected = element_id
        if not from_canvas:
            self.canvas.select(element_id)
            if element_id:
                self.canvas.center_on(element_id)
        self.side_panel.refresh()

    def refresh(self) -> None:
        if self.selected and self.selected not in {n.id for n in self.draft.bundle.nodes} | {
                e.id for e in self.draft.bundle.edges}:
            self.selected = None
        self.canvas.set_model(self.draft.document, self.draft.findings())
        self.problems.refresh()
        self.side_panel.refresh()
        self.case_data.refresh()
        self.queues.refresh()
        self.catalogues.refresh()
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

    # Panels.

    @ui.refreshable_method
    def side_panel(self) -> None:
        node = self.draft.bundle.find_node(self.selected) if self.selected else None
        edge = next((e for e in self.draft.bundle.edges if e.id == self.selected), None)
        if edge is not None:
            self.edge_panel(edge)
            return
        if node is None:
            ui.label("Select a step or connection on the canvas to see its settings.").classes("text-slate-600")
            return
        ui.label(PALETTE.get(node.kind, node.kind)).classes("text-lg").mark("selected-kind")
        ui.label(f"Id: {node.id}").classes("text-slate-600").mark("selected-id")
        name = ui.input("Name", value=node.name).classes("w-full").mark("selected-name")

        def rename() -> None:
            if (name.value or "") != node.name:
                self.edit(lambda: self.draft.set_name(node.id, name.value or ""))

        name.on("blur", rename)
        name.on("keydown.enter", rename)
        if isinstance(node, TaskNode):
            queues = {q.id: q.name or q.id for q in self.draft.bundle.queues}
            if node.queue not in queues:
                queues[node.queue] = f"{node.queue} (missing)"
            ui.select(queues, value=node.queue, label="Queue",
                      on_change=lambda e: e.value != node.queue and self.edit(
                          lambda: self.draft.set_queue(node.id, e.value))).classes("w-full").mark("selected-queue")
            self.sla_fields(node)

    def sla_fields(self, node: TaskNode) -> None:
        """The task's service level, written as people say it ("5 working days")."""
        target = ui.input("SLA target", value=str(node.sla.target) if node.sla else "",
                          placeholder="e.g. 5 working days").classes("w-full").mark("sla-target")
        warning = ui.input("Warn after", value=str(node.sla.warning) if node.sla and node.sla.warning else "",
                           placeholder="e.g. 4 working days").classes("w-full").mark("sla-warning")

        def save() -> None:
            before = (str(node.sla.target), str(node.sla.warning or "")) if node.sla else ("", "")
            if ((target.value or "").strip(), (warning.value or "").strip()) != before:
                self.edit(lambda: self.draft.set_sla(node.id, target.value or "", warning.value or ""))

        for field in (target, warning):
            field.on("blur", save)
            field.on("keydown.enter", save)

    def edge_panel(self, edge: Edge) -> None:
        """A connection's label and, leaving a decision, its condition (with the names it may use) or default."""
        bundle = self.draft.bundle
        source, target = bundle.find_node(edge.source), bundle.find_node(edge.target)
        ui.label("Connection").classes("text-lg").mark("selected-kind")
        ui.label(f"From '{source.display if source else edge.source}' to "
                 f"'{target.display if target else edge.target}'").classes("text-slate-600")
        label = ui.input("Label", value=edge.label).classes("w-full").mark("edge-label")
        from_decision = source is not None and source.kind == "decision"
        default = ui.checkbox("Default way (taken when no condition holds)", value=edge.default) \
            .mark("edge-default")
        default.set_visibility(from_decision)
        condition = ui.input("Condition", value=edge.condition, placeholder='e.g. claim_amount > 250',
                             autocomplete=expression_names(bundle)).classes("w-full font-mono").mark("edge-condition")
        condition.bind_visibility_from(default, "value", backward=lambda is_default: from_decision and not is_default)

        def save() -> None:
            if (label.value or "", condition.value or "", bool(default.value)) != (edge.label, edge.condition,
                                                                                  edge.default):
                self.edit(lambda: self.draft.set_edge(edge.id, condition=condition.value or "",
                                                      default=bool(default.value), label=label.value or ""))

        for field in (label, condition):
            field.on("blur", save)
            field.on("keydown.enter", save)
        default.on_value_change(save)
        if from_decision:
            with ui.expansion("Names you can use", value=True).classes("w-full text-sm").props("dense"), \
                    ui.row().classes("gap-1 max-h-48 overflow-auto"):
                for name in expression_names(bundle):
                    ui.chip(name, on_click=lambda n=name: condition.set_value(f"{condition.value or ''}{n}")) \
                        .props("dense outline").mark(f"name-{name}")

    @ui.refreshable_method
    def case_data(self) -> None:
        """The process's variables, with adding and removing (records are edited in the bundle file for now)."""
        variables = self.draft.bundle.variables
        ui.label(f"Case data ({len(variables)})").classes("text-lg").mark("case-data-title")
        for variable in variables:
            self.removable_row("variables", variable.name, variable.name, variable.type.value,
                               marker=f"variable-{variable.name}")
        types = [t.value for t in DataType if t is not DataType.RECORDS]
        with ui.row().classes("w-full items-end no-wrap gap-2"):
            name = ui.input("New variable", placeholder="e.g. claim_amount").classes("grow").mark("new-variable")
            kind = ui.select(types, value="text", label="Type").classes("w-28").mark("new-variable-type")
        options = ui.input("Options (comma separated)").classes("w-full").mark("new-variable-options")
        options.bind_visibility_from(kind, "value", backward=lambda value: value == "choice")
        ui.button("Add", icon="add", on_click=lambda: self.edit(lambda: self.draft.add_variable(
            name.value or "", kind.value, (options.value or "").split(",") if kind.value == "choice" else None))) \
            .props("flat").mark("add-variable")

    @ui.refreshable_method
    def queues(self) -> None:
        """The queues tasks go to and the role whose people work each one."""
        queues = self.draft.bundle.queues
        ui.label(f"Queues ({len(queues)})").classes("text-lg").mark("queues-title")
        for queue in queues:
            self.removable_row("queues", queue.id, queue.name or queue.id, f"role {queue.role}",
                               marker=f"queue-{queue.id}")
        with ui.row().classes("w-full items-end no-wrap gap-2"):
            queue_id = ui.input("New queue id", placeholder="e.g. billing").classes("grow").mark("new-queue")
            role = ui.input("Role", placeholder="e.g. agent").classes("w-28").mark("new-queue-role")
        ui.button("Add", icon="add", on_click=lambda: self.edit(lambda: self.draft.add_queue(
            queue_id.value or "", (queue_id.value or "").replace("_", " ").capitalize(), role.value or ""))) \
            .props("flat").mark("add-queue")

    @ui.refreshable_method
    def catalogues(self) -> None:
        """Root causes (chosen when a case closes) and ad-hoc task types (tasks agents may add to a case)."""
        bundle = self.draft.bundle
        ui.label(f"Root causes ({len(bundle.root_causes)})").classes("text-lg").mark("root-causes-title")
        for cause in bundle.root_causes:
            self.removable_row("root_causes", cause.id, cause.label)
        with ui.row().classes("w-full items-end no-wrap gap-2"):
            cause_id = ui.input("New root cause id", placeholder="e.g. meter_error").classes("grow") \
                .mark("new-root-cause")
            cause_label = ui.input("Label").classes("grow").mark("new-root-cause-label")
        ui.button("Add", icon="add", on_click=lambda: self.edit(lambda: self.draft.add_entry(
            "root_causes", {"id": cause_id.value or "", "label": cause_label.value or ""}))).props("flat") \
            .mark("add-root-cause")
        ui.label(f"Ad-hoc task types ({len(bundle.adhoc_task_types)})").classes("text-lg mt-2")
        for task_type in bundle.adhoc_task_types:
            self.removable_row("adhoc_task_types", task_type.id, task_type.name, f"queue {task_type.queue}")
        queues = [q.id for q in bundle.queues]
        with ui.row().classes("w-full items-end no-wrap gap-2"):
            type_id = ui.input("New task type id", placeholder="e.g. call_back").classes("grow") \
                .mark("new-task-type")
            type_name = ui.input("Name").classes("grow").mark("new-task-type-name")
            queue = ui.select(queues, value=queues[0] if queues else None, label="Queue").classes("w-28") \
                .mark("new-task-type-queue")
        ui.button("Add", icon="add", on_click=lambda: self.edit(lambda: self.draft.add_entry(
            "adhoc_task_types", {"id": type_id.value or "", "name": type_name.value or "",
                                 "queue": queue.value or ""}))).props("flat").mark("add-task-type")

    def removable_row(self, collection: str, entry_id: str, text: str, detail: str = "",
                      marker: str = "") -> None:
        """One entry of a bundle list (variables, queues, catalogues) with a button that removes it."""
        marker = marker or f"{collection}-{entry_id}"
        with ui.row().classes("w-full items-center no-wrap gap-2").mark(marker):
            ui.label(text).classes("grow")
            if detail:
                ui.label(detail).classes("text-slate-600")
            ui.button(icon="delete", on_click=lambda: self.edit(
                lambda: self.draft.remove_entry(collection, entry_id))).props("flat dense round") \
                .mark(f"remove-{marker}").tooltip("Remove")

    @ui.refreshable_method
    def problems(self) -> None:
        findings = self.draft.findings()
        ui.label(f"Problems ({len(findings)})").classes("text-lg").mark("problems-title")
        if not findings:
            ui.label("No problems found.").mark("no-problems")
            return
        with ui.list().props("dense separator").classes("w-full max-h-96 overflow-auto"):
            for finding in findings:
                error = finding.severity is Severity.ERROR
                with ui.item(on_click=lambda f=finding: f.element and self.select(f.element)) \
                        .mark(f"problem problem-{finding.element or 'process'}"):
                    with ui.item_section().props("avatar"):
                        ui.icon("error" if error else "warning", color="negative" if error else "warning") \
                            .tooltip(finding.severity.value)
                    with ui.item_section():
                        ui.label(finding.message)
                        if finding.hint:
                            ui.label(finding.hint).classes("text-xs text-slate-600")

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
