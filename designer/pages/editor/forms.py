"""The forms tab: the forms, a palette of field kinds, the form laid out, the selected field's settings, a preview.

Fields are added by dragging a palette entry onto the form (or clicking it: the
field goes after the selected one, or into the selected section or group) and
reordered by dragging, with the up/down buttons or by choosing where a field is
placed. Every change is a pure edit of `models.editing.forms`, committed
through the draft, so it can be undone and the checks report on it at once; a
typed setting is saved as it is typed (`save_as_typed`), and the settings column
is then left as it is, so the field being typed in, or the field or button the
owner moved on to, keeps its focus and click. The preview is the agent's own form (`codegen.forms.view.FormView`)
over sample case data. Everything the owner typed is shown as text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from nicegui import ui

from codegen.forms.view import FormView
from codegen.letter_samples import SAMPLE_CUSTOMER, sample_value
from designer.display import form_words, said
from designer.frame import runtime
from designer.i18n import N_, _, reader
from designer.pages.editor.panel import Panel
from designer.pages.editor.setting_fields import save_as_typed
from models.bundle import Bundle
from models.editing import Document, expression_names
from models.editing.forms import (
    ELEMENT_KINDS,
    add_field,
    add_form,
    add_validation,
    container_of,
    create_variable,
    elements_in,
    form_of,
    move_field,
    options_text,
    parse_options,
    remove_field,
    remove_form,
    remove_validation,
    rename_form,
    set_field,
    step_field,
    variable_choices,
)
from models.errors import FlowdeskError
from models.forms import FieldKind, Form, InputField, RepeatingGroup, Section
from runtime.process_version import ProcessVersion

if TYPE_CHECKING:
    from designer.pages.editor.shell import Editor

#: The icon of each kind of form element in the palette and on the form.
ICONS: dict[str, str] = {
    FieldKind.TEXT: "short_text",
    FieldKind.LONG_TEXT: "notes",
    FieldKind.NUMBER: "pin",
    FieldKind.MONEY: "euro",
    FieldKind.DATE: "event",
    FieldKind.BOOLEAN: "toggle_on",
    FieldKind.CHOICE: "list",
    FieldKind.EMAIL: "alternate_email",
    FieldKind.PHONE: "call",
    FieldKind.IBAN: "account_balance",
    FieldKind.CUSTOMER_LOOKUP: "person_search",
    FieldKind.CASE_VALUE: "visibility",
    "section": "view_agenda",
    "group": "table_rows",
}

#: The name of each kind of form element, as the palette and the form show it (models.editing.forms.ELEMENT_KINDS
#: in the reader's language).
KIND_NAMES: dict[str, str] = {
    FieldKind.TEXT: N_("Text"),
    FieldKind.LONG_TEXT: N_("Long text"),
    FieldKind.NUMBER: N_("Number"),
    FieldKind.MONEY: N_("Amount of money"),
    FieldKind.DATE: N_("Date"),
    FieldKind.BOOLEAN: N_("Yes/no"),
    FieldKind.CHOICE: N_("Choice"),
    FieldKind.EMAIL: N_("E-mail address"),
    FieldKind.PHONE: N_("Phone number"),
    FieldKind.IBAN: N_("Bank account (IBAN)"),
    FieldKind.CUSTOMER_LOOKUP: N_("Customer lookup"),
    FieldKind.CASE_VALUE: N_("Read-only case value"),
    "section": N_("Section"),
    "group": N_("Repeating group"),
}


def kind_name(kind: str) -> str:
    return _(KIND_NAMES[kind]) if kind in KIND_NAMES else ELEMENT_KINDS.get(kind, kind)


#: Kinds whose value is text, so min/max count characters and a pattern applies.
TEXT_KINDS = {FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.EMAIL, FieldKind.PHONE, FieldKind.IBAN}

Element = InputField | Section | RepeatingGroup


class FormsPanel(Panel):
    """Forms list and palette, the form's layout, the selected element's settings."""

    keeps_refused_text = True

    def __init__(self, editor: Editor) -> None:
        self.form_id: str | None = None
        self.element_id: str | None = None
        #: What is being dragged: ("new", kind) from the palette or ("move", element id) on the form.
        self.dragged: tuple[str, str] | None = None
        super().__init__(editor)

    def after_typing(self) -> None:
        """After a typed setting or form name is saved: the fields on the form and the preview."""
        self.show_rows.refresh()
        self.show_preview.refresh()

    # Where an element of the draft is edited.

    def shows(self, element_id: str) -> bool:
        return form_of(self.draft.bundle, element_id) is not None

    def focus(self, element_id: str) -> None:
        self.form_id = form_of(self.draft.bundle, element_id)
        self.element_id = None if element_id == self.form_id else element_id
        self.refresh()

    # The tab.

    @ui.refreshable_method
    def show(self) -> None:
        form = self.current_form()
        with ui.row().classes("w-full no-wrap items-start gap-4"):
            with ui.column().classes("w-60 flex-none gap-1"):
                self.forms_list()
                if form is not None:
                    self.palette()
            with ui.column().classes("grow gap-1").style("min-width: 20rem"):
                self.show_layout()
            if form is not None:
                with ui.column().classes("w-80 flex-none gap-1"):
                    self.settings(form)
                with ui.column().classes("w-80 flex-none gap-1"):
                    self.show_preview()

    @ui.refreshable_method
    def show_layout(self) -> None:
        form = self.current_form()
        if form is None:
            ui.label(_("Add a form to design it.")).classes("text-slate-600").mark("no-form")
        else:
            self.layout(form)

    @ui.refreshable_method
    def show_preview(self) -> None:
        form = self.current_form()
        if form is not None:
            self.preview(form)

    def current_form(self) -> Form | None:
        """The form being designed: the one picked, else the first; a selection no longer there is dropped."""
        bundle = self.draft.bundle
        form = bundle.form(self.form_id) if self.form_id else None
        if form is None:
            form = bundle.forms[0] if bundle.forms else None
            self.element_id = None
        self.form_id = form.id if form else None
        if form is not None and self.element_id and not any(e.id == self.element_id for e in form.walk()):
            self.element_id = None
        return form

    def apply(self, edit: Callable[..., Document], *args: Any) -> None:
        """Commit `edit(document, form id, *args)` on the current form."""
        self.edit(lambda: self.draft.apply(edit, self.form_id, *args))

    def pick(self, form_id: str | None, element_id: str | None = None) -> None:
        self.form_id, self.element_id = form_id, element_id
        self.refresh()

    # Forms and palette.

    def forms_list(self) -> None:
        forms = self.draft.bundle.forms
        ui.label(_("Forms ({count})").format(count=len(forms))).classes("text-lg").mark("forms-title")
        for form in forms:
            chosen = form.id == self.form_id
            with ui.row().classes("w-full items-center no-wrap gap-1 rounded px-1"
                                  + (" bg-blue-100" if chosen else "")):
                ui.label(form.name or form.id).classes("grow cursor-pointer").mark(f"pick-form-{form.id}") \
                    .on("click", lambda f=form.id: self.pick(f)).tooltip(_("Id: {id}").format(id=form.id))
                ui.button(icon="delete", on_click=lambda f=form.id: self.edit(
                    lambda: self.draft.apply(remove_form, f))).props("flat dense round") \
                    .mark(f"remove-form-{form.id}").tooltip(_("Remove this form"))
        form_id = ui.input(_("New form id"), placeholder=_("e.g. intake")).classes("w-full").mark("new-form-id")
        name = ui.input(_("Name"), placeholder=_("e.g. Record the complaint")).classes("w-full") \
            .mark("new-form-name")

        def add(document: Document) -> Document:
            document = add_form(document, form_id.value or "", name.value or "")
            self.form_id, self.element_id = document["forms"][-1]["id"], None
            return document

        ui.button(_("Add form"), icon="add", on_click=lambda: self.edit(lambda: self.draft.apply(add))) \
            .props("flat").mark("add-form")

    def palette(self) -> None:
        ui.label(_("Fields")).classes("text-lg mt-2")
        ui.label(_("Drag onto the form, or click to add after the selected field.")).classes("text-xs text-slate-600")
        with ui.list().props("dense").classes("w-full"):
            for kind in ELEMENT_KINDS:
                with ui.item(on_click=lambda k=kind: self.add_near_selection(k)).props("clickable draggable") \
                        .mark(f"palette-{kind}") as entry:
                    with ui.item_section().props("avatar"):
                        ui.icon(ICONS[kind])
                    with ui.item_section():
                        ui.label(kind_name(kind))
                entry.on("dragstart", lambda k=kind: self.start_drag("new", k))

    # Adding and moving.

    def add(self, kind: str, container: str | None = None, position: int | None = None) -> None:
        """Add an element of `kind` to the current form and select it."""
        def edit(document: Document) -> Document:
            document, self.element_id = add_field(document, self.form_id, kind, container, position)
            return document

        self.edit(lambda: self.draft.apply(edit))

    def add_near_selection(self, kind: str) -> None:
        """Add into the selected section or group, else right after the selected field, else at the end."""
        form = self.current_form()
        selected = next((e for e in form.walk() if e.id == self.element_id), None) if form else None
        if selected is None:
            self.add(kind)
        elif isinstance(selected, Section) or (isinstance(selected, RepeatingGroup)
                                               and kind not in ("section", "group")):
            self.add(kind, selected.id)
        else:
            container, index = self.place_of(form, selected.id)
            self.add(kind, container, index + 1)

    def place_of(self, form: Form, element_id: str) -> tuple[str | None, int]:
        container = container_of(self.draft.bundle, form.id, element_id)
        holder = form if container is None else next(e for e in form.walk() if e.id == container)
        return container, [e.id for e in holder.fields].index(element_id)

    def start_drag(self, what: str, name: str) -> None:
        self.dragged = (what, name)

    def drop(self, container: str | None, position: int | None) -> None:
        """What was dragged lands in `container` before the element at `position` (None: at the end)."""
        dragged, self.dragged = self.dragged, None
        if dragged is None:
            return
        what, name = dragged
        if what == "new":
            self.add(name, container, position)
        else:
            self.element_id = name
            self.apply(move_field, name, container, position)

    def drop_target(self, element: ui.element, container: str | None, position: int | None) -> ui.element:
        return element.on("dragover.prevent", js_handler="() => {}") \
            .on("drop", lambda: self.drop(container, position))

    # The form's layout.

    def layout(self, form: Form) -> None:
        name = ui.input(_("Form name"), value=form.name).classes("w-full").mark("form-name")

        def rename() -> None:
            if (name.value or "").strip() != form.name:
                self.apply(rename_form, name.value or "")

        save_as_typed(self, name, rename)
        ui.label(_("Id: {id}").format(id=form.id)).classes("text-xs text-slate-600")
        self.show_rows()

    @ui.refreshable_method
    def show_rows(self) -> None:
        form = self.current_form()
        if form is None:
            return
        self.rows(form.fields, None)
        self.drop_target(ui.label(_("Drop a field here to put it at the end of the form"))
                         .classes("w-full border border-dashed rounded p-2 text-xs text-slate-600"),
                         None, None).mark("drop-end")

    def rows(self, elements: list, container: str | None) -> None:
        for index, element in enumerate(elements):
            self.row(element, container, index, len(elements))

    def row(self, element: Element, container: str | None, index: int, count: int) -> None:
        chosen = element.id == self.element_id
        with ui.column().classes("w-full gap-1 rounded border p-1" + (" border-blue-500 bg-blue-50" if chosen else "")):
            with ui.row().classes("w-full items-center no-wrap gap-1 cursor-pointer") \
                    .props("draggable").mark(f"layout-{element.id}") as head:
                ui.icon(ICONS[element.kind]).classes("text-slate-600")
                ui.label(element.label or _("(no label)")).classes("grow").mark(f"layout-label-{element.id}")
                detail = kind_name(element.kind)
                if getattr(element, "variable", None):
                    detail += f" → {element.variable}"
                if isinstance(element, InputField) and element.required:
                    detail += " · " + _("required")
                ui.label(detail).classes("text-xs text-slate-600")
                self.step_button(element, "arrow_upward", -1, index > 0, "up", _("Move up"))
                self.step_button(element, "arrow_downward", 1, index < count - 1, "down", _("Move down"))
                ui.button(icon="delete", on_click=lambda: self.apply(remove_field, element.id)) \
                    .props("flat dense round size=sm").mark(f"remove-field-{element.id}").tooltip(_("Remove"))
            head.on("click", lambda: self.pick(self.form_id, element.id))
            head.on("dragstart", lambda: self.start_drag("move", element.id))
            self.drop_target(head, container, index)
            if isinstance(element, (Section, RepeatingGroup)):
                with ui.column().classes("w-full gap-1 pl-6"):
                    self.rows(element.fields, element.id)
                    drop_here = _("Drop a field here to put it in '{section}'").format(section=element.label)
                    self.drop_target(ui.label(drop_here)
                                     .classes("w-full border border-dashed rounded p-1 text-xs text-slate-600"),
                                     element.id, None).mark(f"drop-into-{element.id}")

    def step_button(self, element: Element, icon: str, offset: int, enabled: bool, marker: str, tip: str) -> None:
        def step() -> None:
            self.element_id = element.id
            self.apply(step_field, element.id, offset)

        ui.button(icon=icon, on_click=step).props("flat dense round size=sm").mark(f"{marker}-{element.id}") \
            .tooltip(tip).set_enabled(enabled)

    # The selected element's settings.

    def settings(self, form: Form) -> None:
        element = next((e for e in form.walk() if e.id == self.element_id), None)
        if element is None:
            ui.label(_("Select a field on the form to see its settings.")).classes("text-slate-600") \
                .mark("no-field-selected")
            return
        ui.label(_("{kind} · id {id}").format(kind=kind_name(element.kind), id=element.id)).classes("text-lg") \
            .mark("field-kind")
        names = expression_names(self.draft.bundle)
        self.text_setting(element, "label", _("Label"), "prop-label")
        if isinstance(element, InputField):
            self.text_setting(element, "help", _("Help for the agent"), "prop-help", textarea=True)
            if element.kind is not FieldKind.CASE_VALUE:
                ui.checkbox(_("Required"), value=element.required, on_change=lambda e: e.value != element.required
                            and self.apply(set_field, element.id, {"required": e.value})).mark("prop-required")
            if element.kind in TEXT_KINDS | {FieldKind.NUMBER, FieldKind.MONEY}:
                text = element.kind in TEXT_KINDS
                with ui.row().classes("w-full no-wrap gap-2"):
                    self.number_setting(element, "min", _("Min characters") if text else _("Min"), "prop-min")
                    self.number_setting(element, "max", _("Max characters") if text else _("Max"), "prop-max")
            if element.kind in TEXT_KINDS:
                self.text_setting(element, "pattern", _("Pattern (regular expression)"), "prop-pattern",
                                  placeholder=_("e.g. ^[0-9]{4}[A-Z]{2}$"))
            if element.kind is FieldKind.CHOICE:
                self.options_setting(element)
            if element.kind is not FieldKind.CASE_VALUE:
                self.text_setting(element, "default", _("Default (expression)"), "prop-default", names=names)
        self.text_setting(element, "visible_when", _("Show only when (expression)"), "prop-visible", names=names,
                          placeholder=_("e.g. complaint_category == 'other'"))
        if isinstance(element, InputField) and element.kind is not FieldKind.CASE_VALUE:
            self.validations(element, [*names, "value"])
        if isinstance(element, RepeatingGroup):
            with ui.row().classes("w-full no-wrap gap-2"):
                self.number_setting(element, "min_items", _("Fewest rows"), "prop-min-items")
                self.number_setting(element, "max_items", _("Most rows"), "prop-max-items")
        if not isinstance(element, Section):
            self.variable_setting(form, element)
        self.place_setting(form, element)

    def save(self, element_id: str, changes: dict[str, Any]) -> None:
        self.element_id = element_id
        self.apply(set_field, element_id, changes)

    def saved_setting(self, element_id: str, name: str) -> Any:
        """The setting as the draft holds it now (a kept settings column may show an older value)."""
        form = self.current_form()
        element = next((e for e in form.walk() if e.id == element_id), None) if form else None
        return getattr(element, name, None)

    def text_setting(self, element: Element, name: str, label: str, marker: str, *, textarea: bool = False,
                     names: list[str] | None = None, placeholder: str = "") -> None:
        if textarea:
            widget = ui.textarea(label, value=getattr(element, name)).props("autogrow")
        else:
            widget = ui.input(label, value=getattr(element, name), placeholder=placeholder, autocomplete=names)
        widget.classes("w-full" + (" font-mono" if names is not None else "")).mark(marker)

        def save() -> None:
            if (widget.value or "").strip() != (self.saved_setting(element.id, name) or ""):
                self.save(element.id, {name: widget.value or ""})

        save_as_typed(self, widget, save, on_enter=not textarea)

    def number_setting(self, element: Element, name: str, label: str, marker: str) -> None:
        widget = ui.number(label, value=getattr(element, name)).classes("grow").mark(marker)

        def save() -> None:
            value = widget.value
            if name in ("min_items", "max_items") and value is not None:
                value = int(value)
            if value != self.saved_setting(element.id, name):
                self.save(element.id, {name: value})

        save_as_typed(self, widget, save)

    def options_setting(self, field: InputField) -> None:
        widget = ui.input(_("Options"), value=options_text(field.options),
                          placeholder=_("value = label people see, other value")).classes("w-full") \
            .mark("prop-options")

        def save() -> None:
            if (widget.value or "").strip() != options_text(self.saved_setting(field.id, "options") or []):
                self.save(field.id, {"options": parse_options(widget.value or "") or None})

        save_as_typed(self, widget, save)

    def validations(self, field: InputField, names: list[str]) -> None:
        ui.label(_("Validations")).classes("font-medium mt-2")
        for number, rule in enumerate(field.validations):
            with ui.row().classes("w-full items-center no-wrap gap-1").mark(f"validation-{number}"):
                with ui.column().classes("grow gap-0"):
                    ui.label(rule.expression).classes("font-mono text-sm")
                    ui.label(rule.message).classes("text-xs text-slate-600")
                ui.button(icon="delete", on_click=lambda n=number: self.apply(remove_validation, field.id, n)) \
                    .props("flat dense round size=sm").mark(f"remove-validation-{number}").tooltip(_("Remove"))
        expression = ui.input(_("Rule the value must meet"), placeholder=_("e.g. value > 0"), autocomplete=names) \
            .classes("w-full font-mono").mark("new-validation-expression")
        message = ui.input(_("Message when it is not met")).classes("w-full").mark("new-validation-message")

        def add() -> None:
            self.element_id = field.id
            self.apply(add_validation, field.id, expression.value or "", message.value or "")

        ui.button(_("Add validation"), icon="add", on_click=add).props("flat dense").mark("add-validation")

    def variable_setting(self, form: Form, element: InputField | RepeatingGroup) -> None:
        """Which case variable the element writes (or shows), and creating a new one that fits it."""
        choices = {name: name for name in variable_choices(self.draft.bundle, form.id, element.id)}
        if element.variable and element.variable not in choices:
            choices[element.variable] = _("{variable} (does not fit or is missing)").format(variable=element.variable)
        if isinstance(element, InputField):
            choices = {"": _("(none chosen)"), **choices}
        writes = _("Shows case variable") if element.kind == FieldKind.CASE_VALUE else _("Writes case variable")
        ui.select(choices, value=element.variable or "", label=writes,
                  on_change=lambda e: (e.value or "") != (element.variable or "") and self.save(
                      element.id, {"variable": e.value or None})).classes("w-full").mark("prop-variable")
        if element.kind == FieldKind.CASE_VALUE:
            return
        with ui.row().classes("w-full items-end no-wrap gap-1"):
            name = ui.input(_("New variable"), placeholder=_("e.g. claim_amount")).classes("grow") \
                .mark("field-new-variable")

            def create() -> None:
                self.element_id = element.id
                self.apply(create_variable, element.id, name.value or "")

            ui.button(_("Create"), icon="add", on_click=create).props("flat dense").mark("create-variable") \
                .tooltip(_("Add this variable to the case data, of a type that fits the field, and use it here"))

    def place_setting(self, form: Form, element: Element) -> None:
        """Where the element sits: on the form itself, or in a section or group (a way to move without a mouse)."""
        inside = {element.id} | ({e.id for e in elements_in(element)}
                                 if isinstance(element, (Section, RepeatingGroup)) else set())
        places = {"": _("The form itself")}
        for candidate in form.walk():
            fits = isinstance(candidate, Section) or (isinstance(candidate, RepeatingGroup)
                                                      and isinstance(element, InputField))
            if fits and candidate.id not in inside:
                places[candidate.id] = f"{kind_name(candidate.kind)} '{candidate.label}'"
        current = container_of(self.draft.bundle, form.id, element.id) or ""
        ui.select(places, value=current, label=_("Place in"),
                  on_change=lambda e: (e.value or "") != current and self.move_into(element.id, e.value or None)) \
            .classes("w-full").mark("prop-place")

    def move_into(self, element_id: str, container: str | None) -> None:
        self.element_id = element_id
        self.apply(move_field, element_id, container, None)

    # The live preview.

    def preview(self, form: Form) -> None:
        """The form as the agent will get it (`codegen.forms.view.FormView`) over sample case data."""
        ui.label(_("Preview")).classes("text-lg")
        ui.label(_("As the agent sees it, over sample case data: type to see fields show, hide and check.")) \
            .classes("text-xs text-slate-600")
        bundle = self.draft.bundle
        on_form = {form.id} | {e.id for e in form.walk()}
        broken = [f for f in self.draft.errors() if f.code == "expression-invalid" and f.element in on_form]
        if broken:
            ui.label(_("The preview shows again once the form's expressions are fixed (see the problems list).")) \
                .classes("text-orange-800").mark("preview-unavailable")
            return
        with ui.column().classes("w-full gap-2").mark("preview") as area:
            try:
                view = FormView(form, {v.name: v for v in bundle.variables}, preview_values(bundle, form),
                                ProcessVersion.of_draft(bundle).expression, words=form_words())
            except FlowdeskError as error:
                area.clear()
                ui.label(_("The preview cannot be shown: {problem}").format(problem=said(error))) \
                    .classes("text-orange-800") \
                    .mark("preview-unavailable")
                return
        ui.button(_("Check as on submit"), icon="fact_check", on_click=view.validate).props("flat") \
            .mark("preview-check").tooltip(_("Show what the agent would be told to correct; it updates as you type"))


def preview_values(bundle: Bundle, form: Form) -> dict[str, Any]:
    """Case values for the preview: a sample of every variable the form does not write, the sample customer, today.

    The variables the form writes start empty, as on a task the agent opens for the first time; the sample texts are
    in the reader's language ("voorbeeld Factuurnummer").
    """
    written = {e.variable for e in form.walk() if isinstance(e, RepeatingGroup)
               or (isinstance(e, InputField) and e.kind is not FieldKind.CASE_VALUE and e.variable)}
    language = reader().language
    values: dict[str, Any] = {v.name: sample_value(v, language) for v in bundle.variables if v.name not in written}
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo(runtime().calendar.timezone)).date()  # the day as the runtime counts it
    return {**values, "customer": SAMPLE_CUSTOMER.model_dump(mode="json"), "now": now, "today": today}


