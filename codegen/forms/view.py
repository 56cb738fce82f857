"""The form an agent fills in, as NiceGUI widgets generated from the form definition.

Which widget a field gets comes from its kind's rule (`rules.py`); what is
shown, hidden and wrong comes from the server's own check (`validator.py`),
run again as the agent types, so the page never accepts what the server
refuses. Every label, help text, option and case value is shown as text.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from nicegui import ui

from codegen.forms.rules import FieldRules, Widget, field_rules, is_editable, to_text
from codegen.forms.validator import Compiler, Submission, check_submission, top_level
from codegen.value_text import ScalarText, json_text, value_text
from models.data import Variable
from models.errors import FlowdeskError
from models.forms import FieldKind, Form, InputField, RepeatingGroup, Section
from models.phrases import Phrase


@dataclass(frozen=True)
class FormWords:
    """What a form says of its own accord, in the language of the page that shows it: codegen speaks no language,
    so the page passes these in (the defaults are English, with values as their JSON text and yes/no)."""

    add_row: str = "Add row"
    #: How a read-only value that is set, no choice and no list reads: yes/no, amounts, dates.
    value: ScalarText = json_text
    #: What is wrong with a field (`Submission.errors`), in the page's language.
    problem: Callable[[Phrase | str], str] = str
    #: How the page's language writes the decimal point in the amounts and numbers its inputs start with.
    decimal_separator: str = "."


#: The words of a form shown outside a page's language (and in tests of codegen).
ENGLISH = FormWords()


class FormView:
    """The widgets of `form`, built in the current NiceGUI context.

    `values` are the case's current values (they fill the fields and feed
    visibility, defaults and validations); `compile_expression` is the
    published version's compiler (`ProcessVersion.expression`). A field whose
    variable is in `read_only_values` shows that value as text and is neither
    checked nor submitted, like a case value field; the server sees it in the case's values. A case value field
    of a variable in `defaulted` (nobody set it; `values` holds its declared default) shows "—". `words` are what
    the form says itself, in the page's language.
    """

    def __init__(self, form: Form, variables: Mapping[str, Variable], values: Mapping[str, Any],
                 compile_expression: Compiler, *, read_only_values: Mapping[str, Any] | None = None,
                 defaulted: Collection[str] = (), words: FormWords = ENGLISH) -> None:
        self.form = form
        self.words = words
        self.defaulted = frozenset(defaulted)
        self.variables = variables
        self.compile = compile_expression
        self.read_only = dict(read_only_values or {})
        self.case_values = ChainMap(self.read_only, values)  # read-only values count as the case's
        self._raw: dict[str, Any] = {}  # field id -> what is in its widget
        self._rows: dict[str, list[dict[str, Any]]] = {}  # group id -> its rows as entered
        self._shown: dict[str, ui.element] = {}  # path -> what to hide when the element is hidden
        self._messages: dict[str, ui.label] = {}  # path -> where its error shows
        self._row_areas: dict[str, ui.column] = {}
        self._add_buttons: dict[str, ui.button] = {}
        self._checked = False
        with ui.column().classes("w-full gap-3").mark(f"form-{form.id}") as self.root:
            self._elements(form.fields)
        self._refresh()

    # -- what callers use -----------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The values entered, by variable, for the fields shown (money as Decimal, dates as date).

        A value that cannot be read (validate() says why) comes back as typed.
        """
        submission = self._check()
        if not submission.errors:
            return submission.values
        values: dict[str, Any] = {}
        for field in self._top_fields():
            if field.id not in submission.hidden:
                values[field.variable] = _typed(field, self.variables.get(field.variable), self._raw[field.id])
        for group in self._groups():
            if group.id not in submission.hidden:
                values[group.variable] = self._typed_rows(group, submission.hidden)
        return values

    def validate(self) -> dict[str, str]:
        """Field path -> what is wrong, by the server's own check; each message shows under its field."""
        self._checked = True
        return self._refresh().errors

    # -- building -------------------------------------------------------------------------------

    def _elements(self, elements: list) -> None:
        for element in elements:
            if isinstance(element, Section):
                with ui.column().classes("w-full gap-2").mark(f"section-{element.id}") as box:
                    ui.label(element.label).classes("text-h6")
                    self._elements(element.fields)
            elif isinstance(element, RepeatingGroup) and element.variable in self.read_only:
                with ui.column().classes("w-full gap-0") as box:
                    _read_only(element, self.read_only[element.variable], self.variables.get(element.variable),
                               self.words.value)
            elif isinstance(element, RepeatingGroup):
                box = self._group(element)
            else:
                read_only = element.variable in self.read_only
                box = self._field(element, self.variables.get(element.variable or ""), element.id,
                                  self.read_only[element.variable] if read_only else self._initial(element),
                                  lambda value, field=element: self._set(field.id, value), read_only=read_only)
            self._shown[element.id] = box

    def _field(self, field: InputField, variable: Variable | None, path: str, current: Any,
               store: Callable[[Any], None], *, read_only: bool = False) -> ui.element:
        """One field's widget, help and error line; `current` is its value now, `variable` what it writes."""
        with ui.column().classes("w-full gap-0") as box:
            if read_only or not is_editable(field):
                _read_only(field, current, variable, self.words.value)
                return box
            initial = _initial_value(field, variable, current, self.words.decimal_separator)
            store(initial)
            widget = _widget(field, field_rules(field, variable), initial)
            widget.mark(f"field-{path}")
            widget.on_value_change(lambda event: (store(event.value), self._refresh()))
            if field.help:
                ui.label(field.help).classes("text-caption text-grey-8")
            self._messages[path] = ui.label().classes("text-negative text-caption").mark(f"error-{path}")
        return box

    def _group(self, group: RepeatingGroup) -> ui.element:
        rows = self.case_values.get(group.variable)
        rows = [dict(row) for row in rows if isinstance(row, Mapping)] if isinstance(rows, list) else []
        rows += [{} for _ in range(group.min_items - len(rows))]
        self._rows[group.id] = [self._row_entries(group, row) for row in rows]
        with ui.column().classes("w-full gap-2").mark(f"group-{group.id}") as box:
            ui.label(group.label).classes("text-h6")
            self._row_areas[group.id] = ui.column().classes("w-full gap-2")
            self._messages[group.id] = ui.label().classes("text-negative text-caption").mark(f"error-{group.id}")
            self._add_buttons[group.id] = ui.button(self.words.add_row, icon="add",
                                                    on_click=lambda: self._add_row(group)).props("flat") \
                .mark(f"add-{group.id}")
        self._draw_rows(group)
        return box

    def _row_entries(self, group: RepeatingGroup, row: dict[str, Any]) -> dict[str, Any]:
        """A row as entered: the record's other fields as they were, the form's fields as their widgets hold them."""
        record_fields = self._record_fields(group)
        entries = dict(row)
        for field in group.fields:
            if is_editable(field):
                entries[field.variable] = _initial_value(field, record_fields.get(field.variable),
                                                         row.get(field.variable), self.words.decimal_separator)
        return entries

    def _draw_rows(self, group: RepeatingGroup) -> None:
        rows = self._rows[group.id]
        record_fields = self._record_fields(group)
        for path in [p for p in self._messages if p.startswith(f"{group.id}[")]:
            del self._messages[path]
        for path in [p for p in self._shown if p.startswith(f"{group.id}[")]:
            del self._shown[path]
        area = self._row_areas[group.id]
        area.clear()
        with area:
            for number, row in enumerate(rows, start=1):
                with ui.card().classes("w-full").mark(f"row-{group.id}[{number}]"), ui.row().classes("w-full"):
                    for field in group.fields:
                        path = f"{group.id}[{number}].{field.id}"
                        self._shown[path] = self._field(
                            field, record_fields.get(field.variable or ""), path, row.get(field.variable),
                            lambda value, row=row, field=field: row.__setitem__(field.variable, value))
                    ui.button(icon="delete", on_click=lambda number=number: self._remove_row(group, number)) \
                        .props("flat round").mark(f"remove-{group.id}[{number}]") \
                        .set_enabled(len(rows) > group.min_items)
        self._add_buttons[group.id].set_enabled(len(rows) < group.max_items)

    def _add_row(self, group: RepeatingGroup) -> None:
        if len(self._rows[group.id]) < group.max_items:
            self._rows[group.id].append(self._row_entries(group, {}))
            self._draw_rows(group)
            self._refresh()

    def _remove_row(self, group: RepeatingGroup, number: int) -> None:
        if len(self._rows[group.id]) > group.min_items:
            del self._rows[group.id][number - 1]
            self._draw_rows(group)
            self._refresh()

    def _record_fields(self, group: RepeatingGroup) -> dict[str, Variable]:
        record = self.variables.get(group.variable)
        return {f.name: f for f in record.fields} if record else {}

    def _initial(self, field: InputField) -> Any:
        """The field's value now, else its default (an expression over the case's values); a case value nobody set
        is shown as not set, not as the variable's declared default."""
        if not is_editable(field) and field.variable in self.defaulted:
            return None
        value = self.case_values.get(field.variable) if field.variable else None
        if value is None and field.default and is_editable(field):
            try:
                value = self.compile(field.default, None, {}).evaluate(self.case_values)
            except FlowdeskError:
                value = None
        return value

    # -- checking -------------------------------------------------------------------------------

    def _set(self, field_id: str, value: Any) -> None:
        self._raw[field_id] = value

    def _entered(self) -> dict[str, Any]:
        entered: dict[str, Any] = {field.variable: self._raw[field.id] for field in self._top_fields()}
        for group in self._groups():
            entered[group.variable] = [dict(row) for row in self._rows[group.id]]
        return entered

    def _check(self) -> Submission:
        return check_submission(self.form, self.variables, self._entered(), self.case_values, self.compile)

    def _refresh(self) -> Submission:
        submission = self._check()
        for path, box in self._shown.items():
            box.set_visibility(path not in submission.hidden)
        for path, label in self._messages.items():
            message = self.words.problem(submission.phrases.get(path, "")) if self._checked else ""
            label.set_text(message)
            label.set_visibility(bool(message))
        return submission

    def _top_fields(self) -> list[InputField]:
        return [e for e in top_level(self.form) if e.variable not in self.read_only]

    def _groups(self) -> list[RepeatingGroup]:
        return [e for e in self.form.walk() if isinstance(e, RepeatingGroup) and e.variable not in self.read_only]

    def _typed_rows(self, group: RepeatingGroup, hidden: frozenset[str]) -> list[dict[str, Any]]:
        rows = []
        for number, row in enumerate(self._rows[group.id], start=1):
            typed = dict(row)
            for field in group.fields:
                if is_editable(field):
                    if f"{group.id}[{number}].{field.id}" in hidden:
                        typed.pop(field.variable, None)
                    else:
                        typed[field.variable] = _typed(field, None, row.get(field.variable))
            rows.append(typed)
        return rows


def _widget(field: InputField, rules: FieldRules, initial: Any) -> ui.element:
    widget = rules.kind.widget
    if widget is Widget.CHECKBOX:
        return ui.checkbox(field.label, value=bool(initial))
    if widget is Widget.SELECT:
        options = {o.value: o.display for o in rules.options or []}
        return ui.select(options, label=field.label, value=initial if initial in options else None,
                         clearable=not field.required).classes("w-full")
    if widget is Widget.TEXTAREA:
        return ui.textarea(field.label, value=initial).classes("w-full")
    box = ui.input(field.label, value=initial).classes("w-full")
    if field.kind is FieldKind.MONEY:
        box.props("prefix=€")
    if widget is Widget.DATE:
        with ui.menu().props("no-parent-event") as picker:
            ui.date(mask="YYYY-MM-DD").bind_value(box)
        with box.add_slot("append"):
            ui.icon("edit_calendar").classes("cursor-pointer").on("click", picker.open)
    return box


def _read_only(element: InputField | RepeatingGroup, value: Any, variable: Variable | None,
               scalar: ScalarText) -> None:
    """A value shown as text (`value_text`, single values written by `scalar`); a choice by its label (the field's
    own options, else its variable's)."""
    options = getattr(element, "options", None) or (variable.options if variable is not None else [])
    labels = {option.value: option.display for option in options}
    with ui.column().classes("gap-0").mark(f"value-{element.id}"):
        ui.label(element.label).classes("text-caption text-grey-8")
        ui.label(labels[value] if isinstance(value, str) and value in labels else value_text(value, variable, scalar)) \
            .classes("whitespace-pre-line")
        if getattr(element, "help", ""):
            ui.label(element.help).classes("text-caption text-grey-8")


def _initial_value(field: InputField, variable: Variable | None, value: Any, decimal_separator: str) -> Any:
    """What the widget starts with: text for inputs (decimals with `decimal_separator`), True/False for a checkbox,
    the option for a select."""
    widget = field_rules(field, variable).kind.widget
    if widget is Widget.CHECKBOX:
        return bool(value)
    if widget is Widget.SELECT:
        return value
    return to_text(field.kind, value, decimal_separator)


def _typed(field: InputField, variable: Variable | None, raw: Any) -> Any:
    if raw is None or raw == "":
        return None
    try:
        return field_rules(field, variable).kind.parse(raw)
    except ValueError:
        return raw
