"""Work area: the agent's worklist page, with a box that opens a case by the reference a caller reads out."""

from __future__ import annotations

from nicegui import APIRouter, ui

from designer.frame import frame, runtime
from designer.i18n import N_, _
from designer.pages.customer_sheet import case_url
from designer.pages.worklist_panel import WorklistPanel
from models.errors import FlowdeskError
from runtime.documents import User
from runtime.views.cases import case_named


def open_case(user: User, named: str) -> None:
    """Open the case `named` (its reference, e.g. BC-2026-00123, or its id), or say there is none."""
    if not named.strip():
        return
    try:
        case = case_named(runtime(), user, named)
    except FlowdeskError:
        ui.notify(_("There is no case {case}.").format(case=named.strip()), type="warning")
        return
    ui.navigate.to(case_url(case.id))


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/work", title="Flowdesk — work")
    def work_page() -> None:
        with frame(N_("Open work")) as user:
            with ui.row().classes("items-center gap-4"):
                ui.link(_("Take a customer contact (intake)"), "/work/intake").mark("to-intake")
                named = ui.input(_("Case reference"), placeholder=_("e.g. BC-2026-00123")).props("dense") \
                    .mark("go-to-case").on("keydown.enter", lambda: open_case(user, named.value or ""))
                ui.button(_("Open"), icon="search", on_click=lambda: open_case(user, named.value or "")) \
                    .props("flat dense").mark("go-to-case-open")
            WorklistPanel(user).build()

    return router
