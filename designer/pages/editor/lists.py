"""The data tab's panels: case data (variables), queues with their roles, root causes and ad-hoc task types."""

from __future__ import annotations

from nicegui import ui

from designer.pages.editor.panel import Panel, removable_row
from models.data import DataType


class CaseDataPanel(Panel):
    """The process's variables, with adding and removing."""

    @ui.refreshable_method
    def show(self) -> None:
        variables = self.draft.bundle.variables
        ui.label(f"Case data ({len(variables)})").classes("text-lg").mark("case-data-title")
        for variable in variables:
            removable_row(self, "variables", variable.name, variable.name, variable.type.value,
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


class QueuesPanel(Panel):
    """The queues tasks go to and the role whose people work each one."""

    @ui.refreshable_method
    def show(self) -> None:
        queues = self.draft.bundle.queues
        ui.label(f"Queues ({len(queues)})").classes("text-lg").mark("queues-title")
        for queue in queues:
            removable_row(self, "queues", queue.id, queue.name or queue.id, f"role {queue.role}",
                          marker=f"queue-{queue.id}")
        with ui.row().classes("w-full items-end no-wrap gap-2"):
            queue_id = ui.input("New queue id", placeholder="e.g. billing").classes("grow").mark("new-queue")
            role = ui.input("Role", placeholder="e.g. agent").classes("w-28").mark("new-queue-role")
        ui.button("Add", icon="add", on_click=lambda: self.edit(lambda: self.draft.add_queue(
            queue_id.value or "", (queue_id.value or "").replace("_", " ").capitalize(), role.value or ""))) \
            .props("flat").mark("add-queue")


class CataloguesPanel(Panel):
    """Root causes (chosen when a case closes) and ad-hoc task types (tasks agents may add to a case)."""

    @ui.refreshable_method
    def show(self) -> None:
        bundle = self.draft.bundle
        ui.label(f"Root causes ({len(bundle.root_causes)})").classes("text-lg").mark("root-causes-title")
        for cause in bundle.root_causes:
            removable_row(self, "root_causes", cause.id, cause.label)
        with ui.row().classes("w-full items-end no-wrap gap-2"):
            cause_id = ui.input("New root cause id", placeholder="e.g. meter_error").classes("grow") \
                .mark("new-root-cause")
            cause_label = ui.input("Label").classes("grow").mark("new-root-cause-label")
        ui.button("Add", icon="add", on_click=lambda: self.edit(lambda: self.draft.add_entry(
            "root_causes", {"id": cause_id.value or "", "label": cause_label.value or ""}))).props("flat") \
            .mark("add-root-cause")
        ui.label(f"Ad-hoc task types ({len(bundle.adhoc_task_types)})").classes("text-lg mt-2")
        for task_type in bundle.adhoc_task_types:
            removable_row(self, "adhoc_task_types", task_type.id, task_type.name, f"queue {task_type.queue}")
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
