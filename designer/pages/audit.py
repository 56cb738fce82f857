"""Audit area: cases and verifying their audit trails. Read only."""

from __future__ import annotations

from nicegui import APIRouter, ui

from designer.display import local_time
from designer.frame import frame, runtime
from designer.pages.sent import link_cases_to_sent_items
from runtime.documents import User
from runtime.views.cases import CaseFilter, find_cases

COLUMNS = [
    {"name": name, "label": label, "field": name, "align": "left"}
    for name, label in [("id", "Case"), ("process", "Process"), ("version", "Version"), ("status", "Status"),
                        ("started", "Started"), ("by", "Started by"), ("events", "Audit events")]
]
#: Cases listed on the page, newest first.
SHOWN = 200


def _show_verification(user: User, results: ui.column) -> None:
    problems = runtime().verify_audit(user)
    results.clear()
    with results:
        if not problems:
            ui.label("Every case trail is intact.").mark("verdict")
            return
        ui.label(f"{len(problems)} case trail(s) are broken:").classes("text-red-700").mark("verdict")
        for problem in problems:
            ui.label(f"case {problem.case_id}: {problem.message}")


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/audit", title="Flowdesk — audit")
    def audit_page() -> None:
        with frame("Cases and their audit trails") as user:
            page = find_cases(runtime(), user, CaseFilter(limit=SHOWN))
            ui.label(f"{page.total} cases" + (f", the newest {SHOWN} shown" if page.has_next else ""))
            ui.button("Verify trails", on_click=lambda: _show_verification(user, results))
            results = ui.column()
            link_cases_to_sent_items(ui.table(columns=COLUMNS, row_key="id", rows=[
                {"id": c.id, "process": c.process_key, "version": c.version, "status": c.status.value,
                 "started": local_time(c.started_at), "by": c.started_by, "events": c.audit_count}
                for c in page.cases]).classes("w-full"))

    return router
