"""Audit area: cases and verifying their audit trails. Read only."""

from __future__ import annotations

from typing import Any

from nicegui import APIRouter, ui

from designer.display import local_time
from designer.frame import frame, runtime
from designer.pages.sent import link_cases_to_sent_items

COLUMNS = [
    {"name": name, "label": label, "field": name, "align": "left"}
    for name, label in [("id", "Case"), ("process", "Process"), ("version", "Version"), ("status", "Status"),
                        ("started", "Started"), ("by", "Started by"), ("events", "Audit events")]
]


def _show_verification(results: ui.column) -> None:
    problems = runtime().verify_audit()
    results.clear()
    with results:
        if not problems:
            ui.label(f"All {len(runtime().store.cases())} case trails are intact.").mark("verdict")
            return
        ui.label(f"{len(problems)} case trail(s) are broken:").classes("text-red-700").mark("verdict")
        for problem in problems:
            ui.label(f"case {problem.case_id}: {problem.message}")


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/audit", title="Flowdesk — audit")
    def audit_page() -> None:
        with frame("Cases and their audit trails"):
            cases = runtime().store.cases()
            ui.label(f"{len(cases)} cases")
            ui.button("Verify trails", on_click=lambda: _show_verification(results))
            results = ui.column()
            link_cases_to_sent_items(ui.table(columns=COLUMNS, row_key="id", rows=[
                {"id": c.id, "process": c.process_key, "version": c.version, "status": c.status.value,
                 "started": local_time(c.started_at), "by": c.started_by, "events": c.audit_count}
                for c in cases]).classes("w-full"))

    @router.get("/api/audit/verify")
    def verify() -> list[dict[str, Any]]:
        """Problems in every case's audit trail; empty when all are intact."""
        return [vars(p) for p in runtime().verify_audit()]

    return router
