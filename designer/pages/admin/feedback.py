"""How the admin tabs answer: a refusal of the runtime shown beside the form, each wrong field on a line of its own
and named as the form names it; what was typed stays."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from designer.display import said
from designer.i18n import N_, _
from models.errors import FlowdeskError
from runtime.errors import DataError

#: What the fields of a refusal are called on the page.
FIELD_LABELS = {"user": N_("User name"), "name": N_("Name"), "email": N_("E-mail"), "password": N_("Password"),
                "roles": N_("Roles"), "days": N_("Valid for days"), "to": N_("Send it to"),
                "default_language": N_("Default language"), "mail.host": N_("Host"), "mail.port": N_("Port"),
                "mail.sender": N_("Sender"), "mail.username": N_("User name"), "mail.password": N_("Password")}


def problem_text(error: FlowdeskError) -> str:
    """A refusal as the page shows it: each wrong field on a line of its own, named as on the page."""
    if isinstance(error, DataError):
        return "\n".join(f"{_(FIELD_LABELS[field]) if field in FIELD_LABELS else field}: {said(message)}"
                         for field, message in error.phrases.items())
    text = said(error)
    return f"{text[:1].upper()}{text[1:]}"


def attempt(action: Callable[[], object], problem: ui.label) -> bool:
    """Do `action`; show its refusal in `problem` (and keep what was typed). True if it was done."""
    try:
        action()
    except FlowdeskError as error:
        show_problem(problem, error)
        return False
    problem.set_visibility(False)
    return True


def show_problem(problem: ui.label, error: FlowdeskError) -> None:
    problem.set_text(problem_text(error))
    problem.set_visibility(True)


def problem_label() -> ui.label:
    label = ui.label().classes("text-red-700 whitespace-pre-line").mark("problem")
    label.set_visibility(False)
    return label
