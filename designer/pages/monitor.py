"""Monitor area: open work per queue."""

from __future__ import annotations

from nicegui import APIRouter, ui

from designer.frame import frame, runtime


def open_work_per_queue() -> dict[str, int]:
    return dict(sorted(runtime().store.count_open_work_items().items()))


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/monitor", title="Flowdesk — monitor")
    def monitor_page() -> None:
        with frame("Open work per queue"):
            counts = open_work_per_queue()
            ui.label(f"{sum(counts.values())} open work items in {len(counts)} queues").mark("total")
            ui.table(columns=[{"name": "queue", "label": "Queue", "field": "queue", "align": "left"},
                              {"name": "open", "label": "Open", "field": "open", "align": "right"}],
                     rows=[{"queue": queue, "open": count} for queue, count in counts.items()],
                     row_key="queue")

    @router.get("/api/monitor/queues")
    def queues() -> dict[str, int]:
        """Open work items per queue."""
        return open_work_per_queue()

    return router
