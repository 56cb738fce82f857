"""Work area: the agent's worklist page, and open work items and completing one through the API."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Request
from nicegui import APIRouter, ui

from designer.api.routes import complete_work_item
from designer.frame import frame, runtime
from designer.pages.worklist_panel import WorklistPanel
from designer.pages.worklist_rows import visible_queues
from runtime.documents import User, WorkItem
from runtime.storage.base import WorkQuery

__all__ = ["routes", "visible_queues"]


def open_items(user: User, limit: int = 50) -> list[WorkItem]:
    return runtime().store.work_items(WorkQuery(queues=visible_queues(user), limit=limit))


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/work", title="Flowdesk — work")
    def work_page() -> None:
        with frame("Open work") as user:
            ui.link("Take a customer contact (intake)", "/work/intake").mark("to-intake")
            WorklistPanel(user).build()

    @router.get("/api/work/items")
    def list_items(request: Request) -> list[dict[str, Any]]:
        """Open work items the signed-in user sees, soonest deadline first."""
        return [i.model_dump(mode="json") for i in open_items(request.state.user)]

    @router.post("/api/work/items/{item_id}/complete")
    def complete_item(item_id: str, request: Request,
                      data: dict[str, Any] = Body(default_factory=dict)) -> dict[str, Any]:  # noqa: B008
        """Complete a work item with the data entered; the case runs on."""
        case = complete_work_item(request.state.user, item_id, data)  # the one way, as /api/v1 completes
        return {"case": case.id, "status": case.status.value, "revision": case.revision}

    return router
