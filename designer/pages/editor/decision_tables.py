"""The decision-tables tab: the process's tables, one table as an editable grid, and a test bench.

The grid has a column per input (its label and the expression it tests) and
per output (the variable it sets), a row per rule; every cell is edited as
text, as people write it in a spreadsheet. The bench asks for the values the
table reads and shows which rows match and what the table decides, through the
runtime's own evaluation (`runtime.table_bench`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nicegui import ui

from designer.display import said
from designer.frame import runtime
from designer.i18n import N_, _, word
from designer.pages.editor.panel import Panel
from models.checks import Finding, Severity
from models.data import DataType
from models.decision_tables import DecisionTable, HitPolicy, TableInput, TableOutput, TableRule
from models.editing import decision_tables as edits
from models.editing import expression_names
from models.phrases import Phrase
from runtime.table_bench import BenchResult, SampleField, run_bench, sample_fields

if TYPE_CHECKING:
    from designer.pages.editor.shell import Editor

#: Each hit policy's name, as the policy select and the list of tables say it.
HIT_POLICY_NAMES = {
    HitPolicy.FIRST: N_("First matching row"),
    HitPolicy.UNIQUE: N_("Only one row may match"),
    HitPolicy.COLLECT: N_("Every matching row, into a list"),
}

#: What each hit policy means, in plain words.
HIT_POLICY_HELP = {
    HitPolicy.FIRST: N_("Rows are tried from the top; the first row that matches decides. "
                        "When none matches, the outputs stay as they were."),
    HitPolicy.UNIQUE: N_("At most one row may match; when two match, the case stops with an error. "
                         "When none matches, the outputs stay as they were."),
    HitPolicy.COLLECT: N_("Every row that matches adds one record to a list (the output columns are its fields)."),
}

#: How to type a sample value of each kind.
PLACEHOLDERS = {DataType.MONEY: N_("e.g. 125.50"), DataType.NUMBER: N_("e.g. 3"), DataType.DATE: "YYYY-MM-DD",
                DataType.DATETIME: "YYYY-MM-DDTHH:MM", DataType.EMAIL: N_("name@example.nl"),
                DataType.PHONE: "+31 20 123 4567", DataType.IBAN: "NL91ABNA0417164300"}

CELL_HELP = N_('An input cell is a test of the column\'s value: "gold" or "gold", "silver" (one of), '
               "< 250, >= 10, [100..250] (from..to, both included), or - for any value. "
               "An output cell is an expression, e.g. \"auto_credit\" or disputed_amount * 0.5.")


class DecisionTablesPanel(Panel):
    """The process's decision tables: add and remove them, edit one as a grid, try it on the bench."""

    def __init__(self, editor: Editor) -> None:
        self.table_id: str | None = None
        self.samples: dict[str, Any] = {}
        self.result: tuple[int, str, BenchResult] | None = None  # (draft revision, table, result)
        super().__init__(editor)

    def shows(self, element_id: str) -> bool:
        return self.draft.bundle.decision_table(element_id) is not None

    def focus(self, element_id: str) -> None:
        self.table_id = element_id
        self.refresh()

    @ui.refreshable_method
    def show(self) -> None:
        tables = self.draft.bundle.decision_tables
        if self.draft.bundle.decision_table(self.table_id or "") is None:
            self.table_id = tables[0].id if tables else None
        with ui.row().classes("w-full no-wrap items-start gap-6"):
            with ui.column().classes("w-72 flex-none gap-2"):
                self.table_list()
            table = self.draft.bundle.decision_table(self.table_id or "")
            with ui.column().classes("grow gap-3").style("min-width: 0"):
                if table is None:
                    ui.label(_("Add a decision table to edit it here.")).classes("text-slate-600")
                else:
                    self.settings(table)
                    self.grid(table)
                    self.bench(table)

    # The list of tables.

    def table_list(self) -> None:
        tables = self.draft.bundle.decision_tables
        ui.label(_("Decision tables ({count})").format(count=len(tables))).classes("text-lg").mark("tables-title")
        with ui.list().props("dense separator").classes("w-full"):
            for table in tables:
                chosen = table.id == self.table_id
                with ui.item(on_click=lambda t=table.id: self.choose(t)).classes(
                        "bg-blue-50" if chosen else "").mark(f"table-{table.id}"):
                    with ui.item_section():
                        ui.label(table.name or table.id)
                        ui.label(f"{table.id} · {_(HIT_POLICY_NAMES[table.hit_policy])}") \
                            .classes("text-xs text-slate-600")
                    with ui.item_section().props("side"):
                        ui.button(icon="delete", on_click=lambda t=table.id: self.edit(
                            lambda: self.draft.remove_entry("decision_tables", t))) \
                            .props("flat dense round").mark(f"remove-table-{table.id}").tooltip(_("Remove"))
        table_id = ui.input(_("New table id"), placeholder=_("e.g. credit_handling")).classes("w-full") \
            .mark("new-table")
        name = ui.input(_("Name")).classes("w-full").mark("new-table-name")

        def add() -> None:
            self.table_id = (table_id.value or "").strip()
            self.edit(lambda: self.draft.apply(edits.add_table, self.table_id, name.value or ""))

        ui.button(_("Add table"), icon="add", on_click=add).props("flat").mark("add-table")

    def choose(self, table_id: str) -> None:
        self.table_id = table_id
        self.refresh()

    # The chosen table's name and hit policy.

    def settings(self, table: DecisionTable) -> None:
        with ui.row().classes("w-full items-start gap-4"):
            name = ui.input(_("Name"), value=table.name).classes("w-72").mark("table-name")
            on_commit(name, lambda: (name.value or "").strip() != table.name and self.edit(
                lambda: self.draft.apply(edits.set_table_name, table.id, name.value or "")))
            policy = ui.select({p.value: _(name) for p, name in HIT_POLICY_NAMES.items()}, value=table.hit_policy.value,
                               label=_("Hit policy")).classes("w-56").mark("hit-policy")
            records = [v.name for v in self.draft.bundle.variables if v.type is DataType.RECORDS]
            collect = ui.select(records, value=table.collect_into, label=_("Collect into")).classes("w-48") \
                .mark("collect-into")
            collect.set_visibility(table.hit_policy is HitPolicy.COLLECT)

            def set_policy() -> None:
                into = collect.value or (records[0] if records else None)
                if (policy.value, into if policy.value == HitPolicy.COLLECT else None) != (
                        table.hit_policy.value, table.collect_into):
                    self.edit(lambda: self.draft.apply(edits.set_hit_policy, table.id, policy.value, into))

            policy.on_value_change(set_policy)
            collect.on_value_change(set_policy)
        ui.label(_(HIT_POLICY_HELP[table.hit_policy])).classes("text-sm text-slate-600").mark("hit-policy-help")

    # The grid.

    def grid(self, table: DecisionTable) -> None:
        problems = [f for f in self.draft.findings() if f.element == table.id and f.severity is Severity.ERROR]
        outcome = self.current_result(table)
        names = expression_names(self.draft.bundle)
        with ui.element("div").classes("w-full overflow-auto"), \
                ui.element("table").classes("border-collapse text-sm").mark("grid"):
            with ui.element("thead"), ui.element("tr"):
                with ui.element("th").classes("p-1 text-left align-bottom"):
                    ui.label(_("Row"))
                for column in table.inputs:
                    with ui.element("th").classes("p-1 align-bottom bg-slate-100 min-w-48"):
                        self.input_header(table, column, names,
                                          _problem(problems, table, f"input '{column.label or column.id}'"))
                for output in table.outputs:
                    with ui.element("th").classes("p-1 align-bottom bg-amber-50 min-w-48"):
                        self.output_header(table, output)
                ui.element("th")
            with ui.element("tbody"):
                for number, rule in enumerate(table.rules):
                    self.row(table, rule, number, problems, outcome)
        with ui.row().classes("items-center gap-2"):
            ui.button(_("Add row"), icon="playlist_add", on_click=lambda: self.edit(
                lambda: self.draft.apply(edits.add_rule, table.id))).props("flat").mark("add-rule")
        ui.label(_(CELL_HELP)).classes("text-xs text-slate-600")
        with ui.row().classes("w-full items-end gap-2"):
            label = ui.input(_("New input column"), placeholder=_("e.g. Segment")).classes("w-48") \
                .mark("new-input-label")
            expression = ui.input(_("It tests"), placeholder=_("e.g. customer.segment"),
                                  autocomplete=names).classes("w-64 font-mono") \
                .mark("new-input-expression")
            ui.button(_("Add input"), icon="add", on_click=lambda: self.edit(lambda: self.draft.apply(
                edits.add_input, table.id, label.value or "", expression.value or ""))).props("flat") \
                .mark("add-input")
            variables = [v.name for v in self.draft.bundle.variables if v.type is not DataType.RECORDS]
            variable = ui.input(_("New output column sets"), placeholder=_("e.g. handling"), autocomplete=variables) \
                .classes("w-56 font-mono").mark("new-output")
            ui.button(_("Add output"), icon="add", on_click=lambda: self.edit(lambda: self.draft.apply(
                edits.add_output, table.id, variable.value or ""))).props("flat").mark("add-output")

    def input_header(self, table: DecisionTable, column: TableInput, names: list[str],
                     problem: Phrase | str) -> None:
        column_id, label_text, expression_text = column.id, column.label, column.expression
        with ui.row().classes("no-wrap items-center gap-1"):
            label = ui.input(_("Label"), value=label_text).props("dense").classes("grow") \
                .mark(f"input-label-{column_id}")
            ui.button(icon="close", on_click=lambda: self.edit(lambda: self.draft.apply(
                edits.remove_input, table.id, column_id))).props("flat dense round size=sm") \
                .mark(f"remove-input-{column_id}").tooltip(_("Remove this input column"))
        expression = ui.input(_("Tests"), value=expression_text, autocomplete=names) \
            .props("dense").classes("w-full font-mono")
        mark_problem(expression, f"input-expression-{column_id}", problem)

        def save() -> None:
            if ((label.value or "").strip(), (expression.value or "").strip()) != (label_text, expression_text):
                self.edit(lambda: self.draft.apply(edits.set_input, table.id, column_id, label.value or "",
                                                   expression.value or ""))

        on_commit(label, save)
        on_commit(expression, save)

    def output_header(self, table: DecisionTable, output: TableOutput) -> None:
        output_id = output.id
        target = output_id if table.hit_policy is HitPolicy.COLLECT else table.output_variable(output)
        with ui.row().classes("no-wrap items-center gap-1"):
            if output.label:
                ui.label(output.label).classes("grow font-normal")
            else:
                ui.space()
            ui.button(icon="close", on_click=lambda: self.edit(lambda: self.draft.apply(
                edits.remove_output, table.id, output_id))).props("flat dense round size=sm") \
                .mark(f"remove-output-{output_id}").tooltip(_("Remove this output column"))
        variable = ui.input(_("Field") if table.hit_policy is HitPolicy.COLLECT else _("Sets"), value=target) \
            .props("dense").classes("w-full font-mono").mark(f"output-variable-{output_id}")
        on_commit(variable, lambda: (variable.value or "").strip() != target and self.edit(
            lambda: self.draft.apply(edits.set_output, table.id, output_id, variable.value or "")))

    def row(self, table: DecisionTable, rule: TableRule, number: int, problems: list[Finding],
            outcome: BenchResult | None) -> None:
        marks, shade = [f"rule-{rule.id}"], ""
        if outcome is not None and rule.id in outcome.matching:
            marks.append("rule-matched")
            shade = "bg-red-100" if outcome.error else "bg-green-100"
            if rule.id in outcome.decisive:
                marks.append("rule-decisive")
                shade = "bg-green-300"
        with ui.element("tr").classes(shade).mark(" ".join(marks)):
            with ui.element("td").classes("p-1 align-top"):
                ui.label(f"{number + 1}. {rule.note or rule.id}").classes("text-xs text-slate-600 max-w-40") \
                    .mark(f"rule-name-{rule.id}")
            for column, cell in zip(table.inputs, rule.when, strict=True):
                with ui.element("td").classes("p-1 align-top"):
                    where = f"rule '{rule.id}', input '{column.label or column.id}'"
                    self.cell(table, rule, "when", column.id, cell, _problem(problems, table, where))
            for output, cell in zip(table.outputs, rule.then, strict=True):
                with ui.element("td").classes("p-1 align-top"):
                    where = f"rule '{rule.id}', output '{output.label or output.id}'"
                    self.cell(table, rule, "then", output.id, cell, _problem(problems, table, where))
            with ui.element("td").classes("p-1 align-top whitespace-nowrap"):
                ui.button(icon="arrow_upward", on_click=lambda: self.edit(lambda: self.draft.apply(
                    edits.move_rule, table.id, rule.id, -1))).props("flat dense round size=sm") \
                    .mark(f"move-up-{rule.id}").set_enabled(number > 0)
                ui.button(icon="arrow_downward", on_click=lambda: self.edit(lambda: self.draft.apply(
                    edits.move_rule, table.id, rule.id, 1))).props("flat dense round size=sm") \
                    .mark(f"move-down-{rule.id}").set_enabled(number < len(table.rules) - 1)
                ui.button(icon="delete", on_click=lambda: self.edit(lambda: self.draft.apply(
                    edits.remove_rule, table.id, rule.id))).props("flat dense round size=sm") \
                    .mark(f"remove-rule-{rule.id}").tooltip(_("Remove this row"))

    def cell(self, table: DecisionTable, rule: TableRule, side: edits.Side, column_id: str, text: str,
             problem: Phrase | str) -> None:
        field = ui.input(value=text, placeholder="-" if side == "when" else _("value")) \
            .props("dense outlined").classes("w-full font-mono")
        mark_problem(field, f"cell-{rule.id}-{side}-{column_id}", problem)
        on_commit(field, lambda: (field.value or "").strip() != text and self.edit(lambda: self.draft.apply(
            edits.set_cell, table.id, rule.id, side, column_id, field.value or "")))

    # The test bench.

    def bench(self, table: DecisionTable) -> None:
        ui.separator()
        ui.label(_("Test bench")).classes("text-lg")
        fields = sample_fields(self.draft.bundle, table)
        if fields:
            ui.label(_("Type sample values for what the table reads, then test.")).classes("text-sm text-slate-600")
        with ui.row().classes("w-full items-end gap-3"):
            for field in fields:
                self.sample_input(field)
            ui.button(_("Test"), icon="play_arrow", on_click=lambda: self.test(table)).mark("bench-test")
        outcome = self.current_result(table)
        if outcome is None:
            return
        if outcome.error:
            ui.label(said(outcome.problem)).classes("text-red-700").mark("bench-error")
        if not outcome.matching:
            if not outcome.error:
                nothing = (_("No row matches: the list stays empty.") if table.hit_policy is HitPolicy.COLLECT
                           else _("No row matches: the outputs stay as they were."))
                ui.label(nothing).mark("bench-no-match")
            return
        row_number = {rule.id: str(number) for number, rule in enumerate(table.rules, start=1)}
        rows = ", ".join(row_number.get(rule, rule) for rule in outcome.matching)
        decided = _("; row {rows} decides").format(rows=", ".join(row_number.get(r, r) for r in outcome.decisive)) \
            if outcome.decisive and not outcome.error else ""
        ui.label(_("Matching rows: {rows}{decided}.").format(rows=rows, decided=decided)).mark("bench-matched")
        for name, value in outcome.outputs.items():
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            ui.label(f"{name} = {shown}").classes("font-mono").mark(f"bench-output-{name}")

    def sample_input(self, field: SampleField) -> None:
        value = self.samples.get(field.name)

        def keep(event: Any) -> None:
            self.samples[field.name] = event.value

        if field.type is DataType.BOOLEAN:
            element = ui.select({True: _("yes"), False: _("no")}, value=value, label=field.label, clearable=True,
                                on_change=keep).classes("w-32")
        elif field.type is DataType.CHOICE:
            element = ui.select(list(field.options), value=value, label=field.label, clearable=True,
                                on_change=keep).classes("w-48")
        else:
            element = ui.input(field.label, value=value or "", placeholder=_(PLACEHOLDERS.get(field.type, "")),
                               on_change=keep).classes("w-48")
        element.mark(f"sample-{field.name}").tooltip(f"{field.name} ({word(field.type)})")

    def test(self, table: DecisionTable) -> None:
        outcome = run_bench(self.draft.bundle, table.id, self.samples, runtime().now())
        self.result = (self.draft.revision, table.id, outcome)
        self.refresh()

    def current_result(self, table: DecisionTable) -> BenchResult | None:
        """The last test's result, while the draft is still what was tested."""
        if self.result is None or self.result[:2] != (self.draft.revision, table.id):
            return None
        return self.result[2]


def on_commit(field: ui.input, save: Callable[[], Any]) -> None:
    """Save a typed text when the field loses focus or Enter is pressed."""
    field.on("blur", lambda: save())
    field.on("keydown.enter", lambda: save())


def mark_problem(field: ui.input, marker: str, problem: Phrase | str) -> None:
    """Mark the field; show the checks' finding about its text on it, in the reader's language (the problems list
    has it too)."""
    field.mark(marker, "cell-problem" if problem else "")
    if problem:
        field.props("error")
        field.props["error-message"] = said(problem)


def _problem(problems: list[Finding], table: DecisionTable, where: str) -> Phrase | str:
    """The message of the check finding about the expression at `where` of `table`, if any, as phrased.

    The expression check names the place as `models.expression_sites` describes it (found by its English text).
    """
    prefix = f"In {where} of '{table.id}'"
    return next((f.phrased_message for f in problems if f.message.startswith(prefix)), "")
