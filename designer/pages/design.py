"""Designer area: the process list (published processes with their versions, and drafts) with New process,
Import, Export and Duplicate; everything through `runtime.drafts` and `runtime.views.design`."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from nicegui import APIRouter, events, ui

from designer.display import local_time
from designer.elements.drop_zone import drop_zone
from designer.frame import current_user, frame, runtime
from designer.pages.migrate import migrate_url
from models.errors import BundleLoadError, FlowdeskError, LoadProblem
from models.serialization import MAX_BUNDLE_BYTES
from runtime.documents import User, Version
from runtime.drafts import Drafts
from runtime.errors import AccessDenied
from runtime.views.design import ProcessEntry, bundle_file, process_list


def show_problems(title: str, problems: list[LoadProblem]) -> None:
    """A dialog listing problems as plain text: JSON path, then message."""
    with ui.dialog() as dialog, ui.card().classes("w-[40rem]").mark("import-problems"):
        ui.label(title).classes("text-lg")
        for problem in problems:
            ui.label(f"{problem.path}: {problem.message}" if problem.path else problem.message) \
                .classes("font-mono text-sm").mark("import-problem")
        ui.button("Close", on_click=dialog.close).props("flat")
    dialog.open()


def ask_duplicate(user: User, entry: ProcessEntry) -> None:
    """Dialog asking for the copy's key and name; creating it opens the copy's editor."""
    with ui.dialog() as dialog, ui.card().classes("w-96"):
        ui.label(f"Duplicate {entry.name} ({entry.key})").classes("text-lg")
        key = ui.input("New process key", value=f"{entry.key}_copy").classes("w-full").mark("duplicate-key")
        name = ui.input("New process name", value=f"{entry.name} (copy)").classes("w-full").mark("duplicate-name")
        problem = ui.label().classes("text-red-700").mark("duplicate-problem")

        def create() -> None:
            try:
                stored = Drafts(runtime()).duplicate(user, entry.key, key.value or "", name.value or "")
            except FlowdeskError as error:
                problem.set_text(str(error))
                return
            dialog.close()
            ui.navigate.to(f"/design/{stored.key}")

        with ui.row():
            ui.button("Cancel", on_click=dialog.close).props("flat")
            ui.button("Duplicate", on_click=create).mark("duplicate-create")
    dialog.open()


async def handle_upload(user: User, event: events.UploadEventArguments) -> None:
    """Keep an uploaded bundle file as the draft of its process; never over a draft that exists."""
    try:
        data = await event.file.read()
        stored = Drafts(runtime()).import_file(user, data, event.file.name)
    except BundleLoadError as error:
        show_problems(f"{event.file.name} cannot be imported; nothing changed.", error.problems)
    except FlowdeskError as error:
        show_problems(f"{event.file.name} was not imported.", [LoadProblem("", str(error))])
    else:
        ui.navigate.to(f"/design/{stored.key}")


def export(user: User, key: str) -> None:
    try:
        text = bundle_file(runtime(), user, key)
    except FlowdeskError as error:
        ui.notify(f"Not exported: {error}", type="warning")
        return
    ui.download.content(text.encode("utf-8"), f"{key}.json", "application/json")


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


def process_card(user: User, entry: ProcessEntry) -> None:
    with ui.card().classes("w-full").mark(f"process-{entry.key}"):
        ui.label(f"{entry.name} ({entry.key})").classes("text-lg")
        if entry.draft is not None:
            saved = f"saved by {entry.draft.saved_by} at {local_time(entry.draft.saved_at)}" \
                if entry.draft.saved_at else "saved"
            what = "draft, not published" if not entry.versions else "draft of a new version"
            ui.label(f"{what}; {saved}").classes("text-slate-600").mark(f"draft-{entry.key}")
        with ui.row().classes("items-center gap-4"):
            ui.link("Edit", f"/design/{entry.key}").mark(f"edit-{entry.key}")
            if entry.versions:
                ui.button("Export", icon="download", on_click=lambda: export(user, entry.key)) \
                    .props("flat").mark(f"export-{entry.key}")
            ui.button("Duplicate", icon="content_copy", on_click=lambda: ask_duplicate(user, entry)) \
                .props("flat").mark(f"duplicate-{entry.key}")
            if len(entry.versions) > 1:
                ui.link("Move open cases to a newer version", migrate_url(entry.key)).mark(f"migrate-{entry.key}")
        if entry.versions:
            count = len(entry.versions)
            ui.label(f"{count} published version{'s' if count != 1 else ''}")
            ui.table(columns=COLUMNS, rows=[_version_row(v) for v in entry.versions], row_key="number")


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/design", title="Flowdesk — design")
    def design_page() -> None:
        with frame("Processes") as user:
            with ui.row().classes("items-center gap-4"):
                ui.button("New process", icon="add", on_click=lambda: ui.navigate.to("/design/new")) \
                    .mark("new-process")
                drop_zone("Import a process file (.json)", MAX_BUNDLE_BYTES, lambda event: handle_upload(user, event),
                          accept=".json,application/json").mark("import")
            try:
                entries = process_list(runtime(), user)
            except AccessDenied as error:
                ui.label(str(error)).mark("not-allowed")
                return
            if not entries:
                ui.label("No process is published yet: create one, or publish a file with 'flowdesk publish FILE'.")
            for entry in entries:
                process_card(user, entry)

    return router


def _caller() -> User:
    """The signed-in user of an API request (the guard lets none through without one)."""
    try:
        return current_user()
    except PermissionError:
        raise HTTPException(status_code=401, detail="not signed in") from None
