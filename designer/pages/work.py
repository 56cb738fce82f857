"""Work area: the agent's worklist page."""

from __future__ import annotations

from nicegui import APIRouter, ui

from designer.frame import frame
from designer.pages.worklist_panel import WorklistPanel
from designer.pages.worklist_rows import visible_queues

__all__ = ["routes", "visible_queues"]


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/work", title="Flowdesk — work")
    def work_page() -> None:
        with frame("Open work") as user:
            ui.link("Take a customer contact (intake)", "/work/intake").mark("to-intake")
            WorklistPanel(user).build()

    return router
