"""Work area: the agent's worklist page."""

from __future__ import annotations

from nicegui import APIRouter, ui

from designer.frame import frame
from designer.i18n import N_, _
from designer.pages.worklist_panel import WorklistPanel


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/work", title="Flowdesk — work")
    def work_page() -> None:
        with frame(N_("Open work")) as user:
            ui.link(_("Take a customer contact (intake)"), "/work/intake").mark("to-intake")
            WorklistPanel(user).build()

    return router
