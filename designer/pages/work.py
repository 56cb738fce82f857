"""Work area: open work items, per queue, and completing one through the API."""

from __future__ import annotations

from typing import Any

from fastapi import Body, HTTPException, Request
from nicegui import APIRouter, ui

from designer.display import local_time
from designer.frame import frame, runtime
from models.errors import FlowdeskError
from runtime.documents import User, WorkItem
from runtime.storage.base import ConflictError, NotFound, WorkQuery

#: Roles that see every queue; other users see their own queues (all when they have none).
SEES_ALL_QUEUES = frozenset({"supervisor", "admin"})


def visible_queues(user: User) -> tuple[str, ...] | None:
    """The queues whose work `user` sees, or None for all."""
    if SEES_ALL_QUEUES & set(user.roles) or not user.queues:
        return None
    return tuple(user.queues)


def open_items(user: User, limit: int = 50) -> list[WorkItem]:
    return runtime().store.work_items(WorkQuery(queues=visible_queues(user), limit=limit))


def open_counts(user: User) -> dict[str, int]:
    queues = visible_queues(user)
    counts = runtime().store.count_open_work_items()
    return {q: n for q, n in sorted(counts.items()) if queues is None or q in queues}


def _item_row(item: WorkItem) -> dict[str, Any]:
    return {"id": item.id, "title": item.title, "queue": item.queue, "case": item.case_id,
            "process": item.process_key, "assignee": item.assignee or "",
            "due": local_time(item.due_at) if item.due_at else ""}


COLUMNS = [
    {"name": name, "label": label, "field": name, "align": "left"}
    for name, label in [("title", "Task"), ("queue", "Queue"), ("case", "Case"), ("process", "Process"),
                        ("assignee", "Assignee"), ("due", "Due")]
]


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/work", title="Flowdesk — work")
    def work_page() -> None:
        with frame("Open work") as user:
            counts = open_counts(user)
            with ui.row().classes("gap-2"):
                for queue, count in counts.items():
                    ui.chip(f"{queue}: {count}").props("outline").mark(f"queue-{queue}")
            if not counts:
                ui.label("No open work in your queues.")
            items = open_items(user)
            if items:
                ui.label(f"Soonest deadline first (up to {len(items)} shown)")
                ui.table(columns=COLUMNS, rows=[_item_row(i) for i in items], row_key="id").classes("w-full")

    @router.get("/api/work/items")
    def list_items(request: Request) -> list[dict[str, Any]]:
        """Open work items the signed-in user sees, soonest deadline first."""
        return [i.model_dump(mode="json") for i in open_items(request.state.user)]

    @router.post("/api/work/items/{item_id}/complete")
    def complete_item(item_id: str, request: Request,
                      data: dict[str, Any] = Body(default_factory=dict)) -> dict[str, Any]:  # noqa: B008
        """Complete a work item with the data entered; the case runs on."""
        user: User = request.state.user
        try:
            item = runtime().store.work_item(item_id)
            queues = visible_queues(user)
            if queues is not None and item.queue not in queues:
                raise HTTPException(403, f"not allowed: task '{item.title}' is in queue '{item.queue}', "
                                         "not one of yours")
            case = runtime().complete(item_id, data, actor=user.id)
        except NotFound as error:
            raise HTTPException(404, str(error)) from None
        except ConflictError as error:
            raise HTTPException(409, str(error)) from None
        except FlowdeskError as error:
            raise HTTPException(422, str(error)) from None
        return {"case": case.id, "status": case.status.value, "revision": case.revision}

    return router
