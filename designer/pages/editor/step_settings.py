"""The settings of each kind of step, as the side panel shows them: one function per kind (`KIND_SETTINGS`).

Each function shows the selected step's kind-specific settings in groups with
small headings and turns changes into draft edits (`models.editing`):
`set_node_fields` for independent fields, `node_settings` for settings that
belong together and for lists inside a step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from nicegui import ui

from designer.display import model_duration_text
from designer.i18n import N_, _
from designer.pages.editor.panel import Panel
from designer.pages.editor.setting_fields import (
    choice_setting,
    heading,
    save_as_typed,
    sla_settings,
    text_setting,
)
from models.editing import expression_names, set_node_fields
from models.editing.node_settings import (
    add_checklist_item,
    add_to_node_list,
    remove_from_node_list,
    set_start_trigger,
    set_wait,
)
from models.nodes import (
    AutomaticNode,
    Channel,
    EndNode,
    NodeBase,
    SendNode,
    StartNode,
    StartTrigger,
    SubprocessNode,
    TaskNode,
    WaitFor,
    WaitNode,
)

TRIGGERS = {StartTrigger.MANUAL.value: N_("An agent, by hand"), StartTrigger.INTAKE.value: N_("Intake on a channel"),
            StartTrigger.MESSAGE.value: N_("A message (API call)")}
PRIORITIES = {1: N_("1 (lowest)"), 2: "2", 3: N_("3 (normal)"), 4: "4", 5: N_("5 (most urgent)")}
#: How a wait waits, as the owner picks it: the model's timer splits into a duration and a date.
WAIT_MODES = {"duration": N_("For a time, e.g. 3 working days"), "until": N_("Until a date"),
              "message": N_("For a message")}


def set_fields(panel: Panel, node_id: str, **fields: Any) -> None:
    panel.edit(lambda: panel.draft.apply(set_node_fields, node_id, fields))


def field_text(panel: Panel, node_id: str, name: str) -> Callable[[str], None]:
    """The draft edit that sets one text field of a step (for `text_setting`)."""
    return lambda text: panel.draft.apply(set_node_fields, node_id, {name: text})


def pair_rows(panel: Panel, node_id: str, setting: str, pairs: list[tuple[str, str]], arrow: str) -> None:
    """The entries of a list of (variable, expression) settings, each with a button that removes it."""
    for number, (variable, expression) in enumerate(pairs):
        with ui.row().classes("w-full items-center no-wrap gap-2").mark(f"{setting}-{number}"):
            ui.label(variable).classes("font-mono text-sm")
            ui.label(arrow).classes("text-slate-500")
            ui.label(expression).classes("grow font-mono text-sm break-all")
            ui.button(icon="delete", on_click=lambda n=number: panel.edit(
                lambda: panel.draft.apply(remove_from_node_list, node_id, setting, n))) \
                .props("flat dense round").mark(f"remove-{setting}-{number}").tooltip(_("Remove"))


def add_pair_row(panel: Panel, node_id: str, setting: str, targets: list[str], names: list[str],
                 keys: tuple[str, str]) -> None:
    """Fields to add a (variable, expression) entry: the variable chosen from `targets`, the expression
    completing `names`; `keys` are the entry's two setting names."""
    with ui.row().classes("w-full items-end no-wrap gap-2"):
        target = ui.select(targets, value=targets[0] if targets else None, label=_("Variable"), with_input=True) \
            .classes("w-2/5").props("dense").mark(f"new-{setting}-variable")
        expression = ui.input(_("Expression"), autocomplete=names).classes("grow font-mono").props("dense") \
            .mark(f"new-{setting}-expression")
    ui.button(_("Add"), icon="add", on_click=lambda: panel.edit(lambda: panel.draft.apply(
        add_to_node_list, node_id, setting, {keys[0]: target.value or "", keys[1]: expression.value or ""}))) \
        .props("flat dense").mark(f"add-{setting}")


def start_settings(panel: Panel, node: StartNode) -> None:
    """Trigger (with its channels or message name) and the form that starts the case."""
    heading(_("How a case starts"))
    trigger = ui.select({k: _(v) for k, v in TRIGGERS.items()}, value=node.trigger.value, label=_("Started by")) \
        .classes("w-full").props("dense") \
        .mark("start-trigger")
    channels = ui.select([c.value for c in Channel], multiple=True, value=[c.value for c in node.channels],
                         label=_("Intake channels (at least one)")).classes("w-full").props("dense use-chips") \
        .mark("start-channels")
    channels.bind_visibility_from(trigger, "value", value=StartTrigger.INTAKE.value)
    message = ui.input(_("Message name"), value=node.message, placeholder=_("e.g. card_activation_requested")) \
        .classes("w-full").props("dense").mark("start-message")
    message.bind_visibility_from(trigger, "value", value=StartTrigger.MESSAGE.value)

    def save() -> None:
        chosen, wanted_channels, name = trigger.value, list(channels.value or []), (message.value or "").strip()
        if (chosen, wanted_channels, name) == (node.trigger.value, [c.value for c in node.channels], node.message):
            return
        detail_missing = (chosen == StartTrigger.INTAKE.value and not wanted_channels) or (
            chosen == StartTrigger.MESSAGE.value and not name)
        if chosen != node.trigger.value and detail_missing:
            return  # a newly chosen trigger is saved once its channels or message name are given
        panel.edit(lambda: panel.draft.apply(set_start_trigger, node.id, chosen, wanted_channels, name))

    trigger.on_value_change(save)
    channels.on_value_change(save)
    save_as_typed(panel, message, save)
    heading(_("Start form"))
    choice_setting(_("Form"), forms_of(panel), node.form, lambda form: set_fields(panel, node.id, form=form),
                   marker="start-form", none=_("No form"))


def task_settings(panel: Panel, node: TaskNode) -> None:
    """Queue, form, priority, instructions, checklist and service level of a task."""
    heading(_("Work"))
    choice_setting(_("Queue"), {q.id: q.display for q in panel.draft.bundle.queues}, node.queue,
                   lambda queue: panel.edit(lambda: panel.draft.set_queue(node.id, queue)), marker="selected-queue")
    choice_setting(_("Form"), forms_of(panel), node.form, lambda form: set_fields(panel, node.id, form=form),
                   marker="task-form", none=_("No form"))
    choice_setting(_("Priority"), {k: _(v) for k, v in PRIORITIES.items()}, node.priority,
                   lambda p: set_fields(panel, node.id, priority=p), marker="task-priority")
    text_setting(panel, _("Instructions for the agent"), node.instructions, field_text(panel, node.id, "instructions"),
                 marker="task-instructions", multiline=True)
    heading(_("Checklist"))
    for number, item in enumerate(node.checklist):
        with ui.row().classes("w-full items-center no-wrap gap-2").mark(f"checklist-{item.id}"):
            ui.label(item.text).classes("grow text-sm")
            ui.label(_("required") if item.required else _("optional")).classes("text-xs text-slate-600")
            ui.button(icon="delete", on_click=lambda n=number: panel.edit(
                lambda: panel.draft.apply(remove_from_node_list, node.id, "checklist", n))) \
                .props("flat dense round").mark(f"remove-checklist-{item.id}").tooltip(_("Remove"))
    with ui.row().classes("w-full items-end no-wrap gap-2"):
        text = ui.input(_("New item"), placeholder=_("e.g. Meter reading checked")).classes("grow").props("dense") \
            .mark("new-checklist-text")
        required = ui.checkbox(_("Required"), value=True).mark("new-checklist-required")
    ui.button(_("Add"), icon="add", on_click=lambda: panel.edit(lambda: panel.draft.apply(
        add_checklist_item, node.id, text.value or "", bool(required.value)))).props("flat dense") \
        .mark("add-checklist")
    heading(_("Service level"))
    sla_settings(panel, node.id, node.sla)


def automatic_settings(panel: Panel, node: AutomaticNode) -> None:
    """Assignments, decision table and connector, in the order they run."""
    bundle = panel.draft.bundle
    heading(_("1. Set variables"))
    pair_rows(panel, node.id, "assignments", [(a.variable, a.expression) for a in node.assignments], "=")
    add_pair_row(panel, node.id, "assignments", [v.name for v in bundle.variables], expression_names(bundle),
                 ("variable", "expression"))
    heading(_("2. Decision table"))
    choice_setting(_("Decision table"), {t.id: t.name or t.id for t in bundle.decision_tables}, node.decision_table,
                   lambda table: set_fields(panel, node.id, decision_table=table), marker="automatic-table",
                   none=_("No decision table"))
    heading(_("3. Connector"))
    text_setting(panel, _("Connector"), node.connector, field_text(panel, node.id, "connector"),
                 marker="automatic-connector", placeholder=_("e.g. billing.book_credit_note"))


def send_settings(panel: Panel, node: SendNode) -> None:
    """The letter (or e-mail / SMS template) sent and to whom."""
    bundle = panel.draft.bundle
    heading(_("What is sent"))
    choice_setting(_("Letter"), {lt.id: lt.name or lt.id for lt in bundle.letters}, node.letter,
                   lambda letter: set_fields(panel, node.id, letter=letter), marker="send-letter")
    if bundle.letter(node.letter) is not None:
        ui.button(_("Write this letter"), icon="edit", on_click=lambda: panel.editor.select(node.letter)) \
            .props("flat dense").mark("edit-send-letter")
    text_setting(panel, _("Recipient (empty: the customer)"), node.recipient, field_text(panel, node.id, "recipient"),
                 marker="send-recipient", placeholder=_("e.g. customer.email"), names=expression_names(bundle))


def wait_settings(panel: Panel, node: WaitNode) -> None:
    """What the step waits for: a time, a date or a message (with an optional timeout)."""
    heading(_("Wait"))
    current = "message" if node.wait_for is WaitFor.MESSAGE else "until" if node.until else "duration"
    mode = ui.select({k: _(v) for k, v in WAIT_MODES.items()}, value=current, label=_("Wait")).classes("w-full") \
        .props("dense").mark("wait-mode")
    details = {
        "duration": ui.input(_("Duration"), value=model_duration_text(node.duration),
                             placeholder=_("e.g. 3 working days"))
        .mark("wait-duration"),
        "until": ui.input(_("Until (a date expression)"), value=node.until, placeholder=_("e.g. move_date"),
                          autocomplete=expression_names(panel.draft.bundle)).classes("font-mono").mark("wait-until"),
        "message": ui.input(_("Message name"), value=node.message, placeholder=_("e.g. signed_mandate_received"))
        .mark("wait-message"),
    }
    timeout = ui.input(_("Timeout (optional)"), value=model_duration_text(node.timeout),
                       placeholder=_("e.g. 10 days")).mark("wait-timeout")
    for name, field in [*details.items(), ("message", timeout)]:
        field.classes("w-full").props("dense").bind_visibility_from(mode, "value", value=name)

    def save() -> None:
        values = {name: (field.value or "").strip() for name, field in details.items()}
        wanted = (mode.value, values[mode.value], (timeout.value or "").strip())
        before = {"duration": model_duration_text(node.duration), "until": node.until, "message": node.message}
        if wanted == (current, before[current], model_duration_text(node.timeout)):
            return
        if mode.value != current and not values[mode.value]:
            return  # a newly chosen way of waiting is saved once its duration, date or message is given
        wait_for = WaitFor.MESSAGE.value if mode.value == "message" else WaitFor.TIMER.value
        panel.edit(lambda: panel.draft.apply(set_wait, node.id, wait_for, **{mode.value: values[mode.value]},
                                             timeout=wanted[2] if mode.value == "message" else ""))

    mode.on_value_change(save)
    for field in [*details.values(), timeout]:
        save_as_typed(panel, field, save)


def subprocess_settings(panel: Panel, node: SubprocessNode) -> None:
    """The called process and the data passed to it (inputs) and taken back from it (outputs)."""
    bundle = panel.draft.bundle
    known = {key: called for key, called in (panel.draft.known_processes or {}).items() if key != bundle.key}
    heading(_("Process to run"))
    choice_setting(_("Process"), {key: called.name for key, called in known.items()}, node.process,
                   lambda process: set_fields(panel, node.id, process=process), marker="subprocess-process")
    called = known.get(node.process)
    heading(_("Passed to it"))
    ui.label(_("Its variable = an expression over this case's data")).classes("text-xs text-slate-600")
    pair_rows(panel, node.id, "inputs", [(m.target, m.expression) for m in node.inputs], "=")
    add_pair_row(panel, node.id, "inputs", [v.name for v in called.variables] if called else [],
                 expression_names(bundle), ("target", "expression"))
    heading(_("Taken back"))
    ui.label(_("This case's variable = an expression over its data")).classes("text-xs text-slate-600")
    pair_rows(panel, node.id, "outputs", [(m.target, m.expression) for m in node.outputs], "=")
    add_pair_row(panel, node.id, "outputs", [v.name for v in bundle.variables],
                 expression_names(called) if called else [], ("target", "expression"))


def end_settings(panel: Panel, node: EndNode) -> None:
    heading(_("Outcome"))
    text_setting(panel, _("Outcome recorded on the case"), node.outcome, field_text(panel, node.id, "outcome"),
                 marker="end-outcome", placeholder=_("e.g. Complaint rejected"))


def forms_of(panel: Panel) -> Mapping[str, str]:
    return {f.id: f.name or f.id for f in panel.draft.bundle.forms}


#: Node kind -> the function showing its own settings; decisions and parallel gateways have none.
KIND_SETTINGS: dict[str, Callable[[Panel, Any], None]] = {
    "start": start_settings,
    "task": task_settings,
    "automatic": automatic_settings,
    "send": send_settings,
    "wait": wait_settings,
    "subprocess": subprocess_settings,
    "end": end_settings,
}


def step_settings(panel: Panel, node: NodeBase) -> None:
    """The settings every step has (name, description), then those of its kind. The name of a step just added takes
    the focus with its text selected, so typing replaces "Task 3" at once."""
    name = text_setting(panel, _("Name"), node.name, lambda name: panel.draft.set_name(node.id, name),
                        marker="selected-name")
    if panel.editor.just_added == node.id:
        panel.editor.just_added = None
        name.props("autofocus").on("focus", js_handler="(event) => event.target.select()")
    text_setting(panel, _("Description"), node.description, field_text(panel, node.id, "description"),
                 marker="selected-description", multiline=True)
    kind_settings = KIND_SETTINGS.get(node.kind)
    if kind_settings is not None:
        kind_settings(panel, node)
