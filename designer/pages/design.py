"""Designer area: the published processes and their versions."""

from __future__ import annotations

from typing import Any

from nicegui import APIRouter, ui

from designer.display import local_time
from designer.frame import frame, runtime
from runtime.documents import Version


def published_processes() -> dict[str, list[Version]]:
    """Every published process key with its versions, newest first."""
    processes: dict[str, list[Version]] = {}
    for version in runtime().store.versions():
        processes.setdefault(version.process_key, []).append(version)
    return {key: sorted(versions, key=lambda v: -v.number) for key, versions in sorted(processes.items())}


def _version_row(version: Version) -> dict[str, Any]:
    return {"number": version.number, "name": version.name, "author": version.author,
            "published": local_time(version.published_at), "note": version.note, "hash": version.hash[:12]}


COLUMNS = [
    {"name": "number", "label": "Version", "field": "number", "align": "left"},
    {"name": "name", "label": "Name", "field": "name", "align": "left"},
    {"name": "author", "label": "Author", "field": "author", "align": "left"},
    {"name": "published", "label": "Published", "field": "published", "align": "left"},
    {"name": "note", "label": "Note", "field": "note", "align": "left"},
    {"name": "hash", "label": "Content hash", "field": "hash", "align": "left"},
]


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/design", title="Flowdesk — design")
    def design_page() -> None:
        with frame("Processes"):
            ui.button("New process", icon="add", on_click=lambda: ui.navigate.to("/design/new")).mark("new-process")
            processes = published_processes()
            if not processes:
                ui.label("No process is published yet: create one, or publish a file with 'flowdesk publish FILE'.")
            for key, versions in processes.items():
                with ui.card().classes("w-full").mark(f"process-{key}"):
                    ui.label(f"{versions[0].name} ({key})").classes("text-lg")
                    ui.link("Edit", f"/design/{key}").mark(f"edit-{key}")
                    ui.label(f"{len(versions)} published version{'s' if len(versions) != 1 else ''}")
                    ui.table(columns=COLUMNS, rows=[_version_row(v) for v in versions], row_key="number")

    @router.get("/api/design/processes")
    def list_processes() -> dict[str, list[dict[str, Any]]]:
        """Published processes and their versions."""
        return {key: [v.model_dump(mode="json") for v in versions]
                for key, versions in published_processes().items()}

    return router
