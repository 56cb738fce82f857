"""The data tab's panels: case data (variables), queues with their roles, root causes and ad-hoc task types.

A variable, a queue, a root cause and an ad-hoc task type are added under the
words agents will read ("Disputed amount", "Customer service", "Meter error");
the name conditions use and the ids are made from them unless the owner gives
them. Queues are shown by their names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from designer.i18n import _, word
from designer.pages.editor.panel import Panel, removable_row
from designer.pages.editor.setting_fields import heading, text_setting
from models.data import DataType
from models.editing.node_settings import set_variable_details

if TYPE_CHECKING:
    from designer.pages.editor.shell import Editor


class CaseDataPanel(Panel):
    """The process's variables: adding (a list of records with its fields), details, removing."""

    def __init__(self, editor: Editor) -> None:
        self.new_fields: list[tuple[str, str]] = []  # fields of a records variable still being added
        self.detailed: str | None = None  # the variable whose details are shown
        super().__init__(editor)

    @ui.refreshable_method
    def show(self) -> None:
        variables = self.draft.bundle.variables
        ui.label(_("Case data ({count})").format(count=len(variables))).classes("text-lg").mark("case-data-title")
        for variable in variables:
            detail = f"{variable.name} · {word(variable.type)}"
            if variable.type is DataType.RECORDS:
                detail = _("{name} · records: {fields}").format(
                    name=variable.name, fields=", ".join(f"{f.name} ({word(f.type)})" for f in variable.fields))
            removable_row(self, "variables", variable.name, variable.display, detail,
                          marker=f"variable-{variable.name}")
        self.variable_details()
        self.new_variable()

    def variable_details(self) -> None:
        """The label, description and personal-data mark of one chosen variable."""
        names = {v.name: v.display for v in self.draft.bundle.variables}  # chosen by what agents read
        if self.detailed not in names:
            self.detailed = None
        heading(_("Details of a variable"))
        ui.select(names, value=self.detailed, label=_("Variable"), with_input=True,
                  on_change=lambda e: self.show_details(e.value)) \
            .classes("w-full").props("dense").mark("variable-details")
        variable = self.draft.bundle.variable(self.detailed) if self.detailed else None
        if variable is None:
            return
        name = variable.name
        text_setting(self, _("Label people see"), variable.label,
                     lambda value: self.draft.apply(set_variable_details, name, label=value),
                     marker="variable-label", placeholder=variable.display)
        text_setting(self, _("Description"), variable.description,
                     lambda value: self.draft.apply(set_variable_details, name, description=value),
                     marker="variable-description", multiline=True)
        ui.checkbox(_("Personal data"), value=variable.personal, on_change=lambda e: self.edit(
            lambda: self.draft.apply(set_variable_details, name, personal=bool(e.value)))).mark("variable-personal")

    def show_details(self, name: str | None) -> None:
        self.detailed = name
        self.refresh()

    def new_variable(self) -> None:
        """Fields to add a variable: a choice with its options, a list of records with its fields."""
        heading(_("New variable"))
        label = ui.input(_("Label agents read"), placeholder=_("e.g. Disputed amount")).classes("w-full") \
            .mark("new-variable-label")
        with ui.row().classes("w-full items-end no-wrap gap-2"):
            name = ui.input(_("Name in conditions (optional)"), placeholder=_("made from the label")).classes("grow") \
                .mark("new-variable")
            kind = ui.select({t.value: word(t) for t in DataType}, value="records" if self.new_fields else "text",
                             label=_("Type")).classes("w-40").mark("new-variable-type")
        options = ui.input(_("Options (comma separated)")).classes("w-full").mark("new-variable-options")
        options.bind_visibility_from(kind, "value", backward=lambda value: value == DataType.CHOICE.value)
        with ui.column().classes("w-full gap-1") as fields:
            fields.bind_visibility_from(kind, "value", backward=lambda value: value == DataType.RECORDS.value)
            ui.label(_("Fields of each record")).classes("text-xs text-slate-600")
            self.pending_fields()
            with ui.row().classes("w-full items-end no-wrap gap-2"):
                field_name = ui.input(_("Field"), placeholder=_("e.g. amount")).classes("grow").mark("new-field-name")
                field_type = ui.select({t.value: word(t) for t in DataType if t is not DataType.RECORDS}, value="text",
                                       label=_("Type")).classes("w-40").mark("new-field-type")
                ui.button(icon="add", on_click=lambda: self.add_field(field_name, field_type.value)) \
                    .props("flat dense round").mark("add-field").tooltip(_("Add field"))

        def add_variable() -> None:
            choices = (options.value or "").split(",") if kind.value == DataType.CHOICE.value else None
            fields = self.new_fields if kind.value == DataType.RECORDS.value else []
            self.draft.add_variable(label.value or "", kind.value, choices, name.value or "", fields)
            self.new_fields = []

        def add() -> None:
            self.edit(add_variable)

        ui.button(_("Add"), icon="add", on_click=add).props("flat").mark("add-variable")

    @ui.refreshable_method
    def pending_fields(self) -> None:
        """The fields given so far for the records variable being added, each removable."""
        for number, (field_name, field_type) in enumerate(self.new_fields):
            with ui.row().classes("w-full items-center no-wrap gap-2").mark(f"new-field-{field_name}"):
                ui.label(f"{field_name} ({word(DataType(field_type))})").classes("grow text-sm")
                ui.button(icon="delete", on_click=lambda n=number: self.drop_field(n)) \
                    .props("flat dense round").tooltip(_("Remove"))

    def add_field(self, name: ui.input, type_: str) -> None:
        self.new_fields.append(((name.value or "").strip(), type_))
        name.set_value("")
        self.pending_fields.refresh()

    def drop_field(self, number: int) -> None:
        del self.new_fields[number]
        self.pending_fields.refresh()


class QueuesPanel(Panel):
    """The queues tasks go to and the role whose people work each one."""

    @ui.refreshable_method
    def show(self) -> None:
        queues = self.draft.bundle.queues
        ui.label(_("Queues ({count})").format(count=len(queues))).classes("text-lg").mark("queues-title")
        for queue in queues:
            detail = _("{id} · role {role}").format(id=queue.id, role=queue.role)
            removable_row(self, "queues", queue.id, queue.display, detail,
                          marker=f"queue-{queue.id}")
        name = ui.input(_("New queue, as agents read it"), placeholder=_("e.g. Customer service")).classes("w-full") \
            .mark("new-queue-name")
        with ui.row().classes("w-full items-end no-wrap gap-2"):
            queue_id = ui.input(_("Id (optional)"), placeholder=_("made from the name")).classes("grow") \
                .mark("new-queue")
            role = ui.input(_("Role"), value="agent", placeholder=_("e.g. agent")).classes("w-28") \
                .mark("new-queue-role")
        ui.button(_("Add"), icon="add", on_click=lambda: self.edit(lambda: self.draft.add_queue(
            queue_id.value or "", name.value or "", role.value or ""))).props("flat").mark("add-queue")


class CataloguesPanel(Panel):
    """Root causes (chosen when a case closes) and ad-hoc task types (tasks agents may add to a case)."""

    @ui.refreshable_method
    def show(self) -> None:
        bundle = self.draft.bundle
        ui.label(_("Root causes ({count})").format(count=len(bundle.root_causes))).classes("text-lg") \
            .mark("root-causes-title")
        for cause in bundle.root_causes:
            removable_row(self, "root_causes", cause.id, cause.label)
        cause_label = ui.input(_("New root cause, as agents choose it"), placeholder=_("e.g. Meter error")) \
            .classes("w-full").mark("new-root-cause-label")
        cause_id = ui.input(_("Id (optional)"), placeholder=_("made from the label")).classes("w-full") \
            .mark("new-root-cause")
        ui.button(_("Add"), icon="add", on_click=lambda: self.edit(lambda: self.draft.add_named(
            "root_causes", cause_label.value or "", cause_id.value or ""))).props("flat").mark("add-root-cause")
        ui.label(_("Ad-hoc task types ({count})").format(count=len(bundle.adhoc_task_types))) \
            .classes("text-lg mt-2")
        for task_type in bundle.adhoc_task_types:
            removable_row(self, "adhoc_task_types", task_type.id, task_type.name,
                          _("queue {queue}").format(queue=bundle.queue_name(task_type.queue)))
        queues = {q.id: q.display for q in bundle.queues}
        type_name = ui.input(_("New task type, as agents add it"), placeholder=_("e.g. Call the customer back")) \
            .classes("w-full").mark("new-task-type-name")
        with ui.row().classes("w-full items-end no-wrap gap-2"):
            type_id = ui.input(_("Id (optional)"), placeholder=_("made from the name")).classes("grow") \
                .mark("new-task-type")
            queue = ui.select(queues, value=next(iter(queues), None), label=_("Queue")).classes("w-40") \
                .mark("new-task-type-queue")
        ui.button(_("Add"), icon="add", on_click=lambda: self.edit(lambda: self.draft.add_named(
            "adhoc_task_types", type_name.value or "", type_id.value or "", queue=queue.value or ""))) \
            .props("flat").mark("add-task-type")
