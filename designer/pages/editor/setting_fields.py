"""The fields every settings panel is built from, so each setting is edited and saved the same way.

A text is saved as it is typed (`save_as_typed`: half a second after the last
keystroke, and at once on blur or Enter), a choice when it is chosen; nothing
is sent when the value did not change. Each turns into a draft edit through the
panel, so a refused value is explained by the editor (for a text: when the
field is left, not while it is being typed). `sla_settings` is the one widget
for a service level, used for tasks and for the whole case.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from nicegui import ui

from designer.display import model_duration_text
from designer.i18n import N_, _
from designer.pages.editor.panel import Panel
from models.editing import expression_names
from models.editing.node_settings import SlaOwner, add_escalation, remove_escalation, set_sla_times
from models.nodes import EscalationAction, EscalationMoment, Sla

#: The choice that stands for "no form / no table": a select cannot hold None as an option.
NONE = ""


def heading(text: str) -> None:
    """A small heading above a group of settings."""
    ui.label(text).classes("text-sm font-semibold text-slate-700 mt-2")


def save_as_typed(panel: Panel, field: ui.element, save: Callable[[], Any], *, on_enter: bool = True) -> None:
    """Save what is typed in `field` as it is typed: `save` (which edits the draft through `panel.edit` when the
    text changed) runs half a second after the last keystroke and at once on blur (and Enter); the panel is not
    drawn again under the cursor, and a refused text is explained when the field is left."""
    editor = panel.editor
    field.on_value_change(lambda: editor.typed(panel, field.id, save))
    field.on("blur", lambda: editor.done_typing(panel, field.id, save))
    if on_enter:
        field.on("keydown.enter", lambda: editor.done_typing(panel, field.id, save))


def text_setting(panel: Panel, label: str, value: str, apply: Callable[[str], Any], *, marker: str,
                 placeholder: str = "", multiline: bool = False, names: list[str] | None = None) -> ui.input:
    """A text setting, saved as typed: `apply(text)` is the draft edit; `names` turns it into an expression field
    completing those names."""
    if multiline:
        field: ui.input = ui.textarea(label, value=value, placeholder=placeholder)
    else:
        field = ui.input(label, value=value, placeholder=placeholder, autocomplete=names)
    field.classes("w-full" + (" font-mono" if names is not None else "")).props("dense").mark(marker)

    def save() -> None:
        text = field.value or ""
        if text != value:
            panel.edit(lambda: apply(text))

    save_as_typed(panel, field, save, on_enter=not multiline)
    return field


def choice_setting(label: str, options: Mapping[Any, str], value: Any, apply: Callable[[Any], Any], *,
                   marker: str, none: str | None = None) -> ui.select:
    """A choice among `options` (value -> text); `none` adds a choice of nothing (applied as None).

    A value no longer among the options (e.g. a removed form) is shown as missing, not dropped.
    """
    choices = ({NONE: none} if none is not None else {}) | dict(options)
    current = NONE if value is None else value
    if current not in choices:
        choices[current] = _("{value} (missing)").format(value=current)

    def chosen(new: Any) -> None:
        if new != current:
            apply(None if new == NONE else new)

    return ui.select(choices, value=current, label=label, on_change=lambda e: chosen(e.value)) \
        .classes("w-full").props("dense").mark(marker)


ESCALATION_MOMENTS = {EscalationMoment.WARNING.value: N_("At the warning"),
                      EscalationMoment.BREACH.value: N_("At the breach")}
ESCALATION_ACTIONS = {EscalationAction.NOTIFY.value: N_("Notify"),
                      EscalationAction.REASSIGN.value: N_("Reassign to a queue"),
                      EscalationAction.RAISE_PRIORITY.value: N_("Raise the priority")}


def sla_settings(panel: Panel, owner: SlaOwner, sla: Sla | None, marker: str = "sla") -> None:
    """A service level: target and warning as people say them ("5 working days") and its escalations.

    `owner` is the task's node id, or None for the case; `marker` prefixes the fields' markers.
    """
    draft = panel.draft
    target = ui.input(_("SLA target"), value=model_duration_text(sla.target) if sla else "",
                      placeholder=_("e.g. 5 working days")) \
        .classes("w-full").props("dense").mark(f"{marker}-target")
    warning = ui.input(_("Warn after"), value=model_duration_text(sla.warning) if sla else "",
                       placeholder=_("e.g. 4 working days")).classes("w-full").props("dense").mark(f"{marker}-warning")

    def save_times() -> None:
        before = (model_duration_text(sla.target), model_duration_text(sla.warning)) if sla else ("", "")
        if ((target.value or "").strip(), (warning.value or "").strip()) != before:
            panel.edit(lambda: draft.apply(set_sla_times, owner, target.value or "", warning.value or ""))

    for field in (target, warning):
        save_as_typed(panel, field, save_times)
    if sla is None:
        return
    ui.label(_("Escalations")).classes("text-xs text-slate-600 mt-1")
    for number, escalation in enumerate(sla.escalations):
        whom = " ".join(filter(None, [_("queue {queue}").format(queue=draft.bundle.queue_name(escalation.queue))
                                      if escalation.queue else "",
                                      escalation.notify]))
        with ui.row().classes("w-full items-center no-wrap gap-2").mark(f"{marker}-escalation-{number}"):
            ui.label(f"{_(ESCALATION_MOMENTS[escalation.when.value])}: {_(ESCALATION_ACTIONS[escalation.action.value])}"
                     + (f" ({whom})" if whom else "")).classes("grow text-sm")
            ui.button(icon="delete", on_click=lambda n=number: panel.edit(
                lambda: draft.apply(remove_escalation, owner, n))).props("flat dense round") \
                .mark(f"remove-{marker}-escalation-{number}").tooltip(_("Remove"))
    queues = {q.id: q.display for q in draft.bundle.queues}
    with ui.row().classes("w-full no-wrap gap-2"):
        when = ui.select({k: _(v) for k, v in ESCALATION_MOMENTS.items()}, value=EscalationMoment.BREACH.value,
                         label=_("When")).classes("w-1/2").props("dense").mark(f"{marker}-escalation-when")
        action = ui.select({k: _(v) for k, v in ESCALATION_ACTIONS.items()}, value=EscalationAction.NOTIFY.value,
                           label=_("Action")).classes("w-1/2").props("dense").mark(f"{marker}-escalation-action")
    queue = ui.select({NONE: _("No queue")} | queues, value=NONE, label=_("Queue (to reassign to or notify)")) \
        .classes("w-full").props("dense").mark(f"{marker}-escalation-queue")
    queue.bind_visibility_from(action, "value", backward=lambda a: a != EscalationAction.RAISE_PRIORITY.value)
    notify = ui.input(_("Or notify (e-mail expression)"), placeholder=_("e.g. customer.email"),
                      autocomplete=expression_names(draft.bundle)).classes("w-full font-mono").props("dense") \
        .mark(f"{marker}-escalation-notify")
    notify.bind_visibility_from(action, "value", value=EscalationAction.NOTIFY.value)

    def add() -> None:
        """Add the escalation with only the settings its action uses (the model says what is missing)."""
        chosen = action.value
        whom = queue.value if chosen != EscalationAction.RAISE_PRIORITY.value else ""
        address = (notify.value or "") if chosen == EscalationAction.NOTIFY.value else ""
        panel.edit(lambda: draft.apply(add_escalation, owner, when.value, chosen, whom, address))

    ui.button(_("Add escalation"), icon="add", on_click=add).props("flat dense").mark(f"add-{marker}-escalation")
