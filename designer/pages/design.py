"""Designer area: the published processes and their versions."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Response
from nicegui import APIRouter, events, ui

from designer.display import local_time
from designer.editing import Document, Draft, EditRejected, copy_as
from designer.frame import frame, runtime
from designer.pages.editor import RESERVED_KEYS, draft_folder, known_processes
from models.errors import BundleLoadError, LoadProblem
from models.serialization import MAX_BUNDLE_BYTES, bundle_document, dump_bundle, load_bundle
from runtime.documents import Version


def published_processes() -> dict[str, list[Version]]:
    """Every published process key with its versions, newest first."""
    processes: dict[str, list[Version]] = {}
    for version in runtime().store.versions():
        processes.setdefault(version.process_key, []).append(version)
    return {key: sorted(versions, key=lambda v: -v.number) for key, versions in sorted(processes.items())}


def bundle_text(key: str) -> str | None:
    """The newest published version of `key` as bundle JSON (the text `dump_bundle` gives), or None."""
    latest = runtime().store.latest_version(key)
    return dump_bundle(runtime().bundle(latest)) if latest else None


def unpublished_drafts() -> dict[str, Document]:
    """Saved drafts of processes never published, by key (unreadable draft files left out)."""
    published = {v.process_key for v in runtime().store.versions()}
    folder = draft_folder()
    drafts = {key: folder.load(key) for key in folder.draft_keys() if key not in published}
    return {key: document for key, document in drafts.items() if document is not None}


def check_key_free(key: str) -> None:
    """EditRejected when `key` is reserved, or taken by a published process or a saved draft."""
    if key in RESERVED_KEYS:
        raise EditRejected(f"'{key}' cannot be a process key; choose another one.")
    if runtime().store.latest_version(key) is not None or draft_folder().exists(key):
        raise EditRejected(f"A process '{key}' exists already; open it from the process list or choose "
                           "another key.")


def duplicate(source: Document, key: str, name: str) -> Draft:
    """Save a draft of a copy of `source` under a new, free key and name; EditRejected says why not."""
    document = copy_as(source, key, name)
    check_key_free(document["key"])
    draft = Draft(document, known_processes=known_processes())
    draft_folder().save(draft)
    return draft


def import_bundle(data: bytes, filename: str = "") -> Draft:
    """Save an uploaded bundle file as the draft of its process.

    Raises BundleLoadError (every problem with its JSON path) for a file the loader refuses, and
    EditRejected when the key is reserved or a draft of that process exists already: an import never
    overwrites unsaved work (publish or discard that draft first).
    """
    bundle = load_bundle(data, filename)
    if bundle.key in RESERVED_KEYS:
        raise EditRejected(f"'{bundle.key}' cannot be a process key; change the key in the file.")
    folder = draft_folder()
    if folder.exists(bundle.key):
        raise EditRejected(f"There is a draft of '{bundle.key}' already. Open it and publish or discard it "
                           "first, then import the file again; nothing was imported.")
    draft = Draft(bundle_document(bundle), known_processes=known_processes())
    folder.save(draft)
    return draft


def show_problems(title: str, problems: list[LoadProblem]) -> None:
    """A dialog listing problems as plain text: JSON path, then message."""
    with ui.dialog() as dialog, ui.card().classes("w-[40rem]").mark("import-problems"):
        ui.label(title).classes("text-lg")
        for problem in problems:
            ui.label(f"{problem.path}: {problem.message}" if problem.path else problem.message) \
                .classes("font-mono text-sm").mark("import-problem")
        ui.button("Close", on_click=dialog.close).props("flat")
    dialog.open()


def ask_duplicate(source_key: str, source: Document) -> None:
    """Dialog asking for the copy's key and name; creating it opens the copy's editor."""
    with ui.dialog() as dialog, ui.card().classes("w-96"):
        ui.label(f"Duplicate {source.get('name', source_key)} ({source_key})").classes("text-lg")
        key = ui.input("New process key", value=f"{source_key}_copy").classes("w-full").mark("duplicate-key")
        name = ui.input("New process name", value=f"{source.get('name', source_key)} (copy)") \
            .classes("w-full").mark("duplicate-name")
        problem = ui.label().classes("text-red-700").mark("duplicate-problem")

        def create() -> None:
            try:
                draft = duplicate(source, key.value or "", name.value or "")
            except EditRejected as error:
                problem.set_text(str(error))
                return
            dialog.close()
            ui.navigate.to(f"/design/{draft.key}")

        with ui.row():
            ui.button("Cancel", on_click=dialog.close).props("flat")
            ui.button("Duplicate", on_click=create).mark("duplicate-create")
    dialog.open()


async def handle_upload(event: events.UploadEventArguments) -> None:
    try:
        data = await event.file.read()
        draft = import_bundle(data, event.file.name)
    except BundleLoadError as error:
        show_problems(f"{event.file.name} cannot be imported; nothing changed.", error.problems)
    except EditRejected as error:
        show_problems(f"{event.file.name} was not imported.", [LoadProblem("", str(error))])
    else:
        ui.navigate.to(f"/design/{draft.key}")
    event.sender.reset()


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
            with ui.row().classes("items-center gap-4"):
                ui.button("New process", icon="add", on_click=lambda: ui.navigate.to("/design/new")) \
                    .mark("new-process")
                ui.upload(label="Import a bundle file (.json)", auto_upload=True, max_file_size=MAX_BUNDLE_BYTES,
                          on_upload=handle_upload,
                          on_rejected=lambda: ui.notify(f"Not imported: a bundle file may be at most "
                                                        f"{MAX_BUNDLE_BYTES:,} bytes.", type="warning")) \
                    .props('accept=".json,application/json" flat bordered').mark("import")
            processes = published_processes()
            drafts = unpublished_drafts()
            if not processes and not drafts:
                ui.label("No process is published yet: create one, or publish a file with 'flowdesk publish FILE'.")
            for key, document in drafts.items():
                with ui.card().classes("w-full").mark(f"process-{key}"):
                    ui.label(f"{document.get('name', key)} ({key})").classes("text-lg")
                    ui.label("draft, not published").classes("text-slate-600").mark(f"draft-{key}")
                    with ui.row().classes("items-center gap-4"):
                        ui.link("Edit", f"/design/{key}").mark(f"edit-{key}")
                        ui.button("Duplicate", icon="content_copy",
                                  on_click=lambda k=key, d=document: ask_duplicate(k, d)) \
                            .props("flat").mark(f"duplicate-{key}")
            for key, versions in processes.items():
                with ui.card().classes("w-full").mark(f"process-{key}"):
                    ui.label(f"{versions[0].name} ({key})").classes("text-lg")
                    with ui.row().classes("items-center gap-4"):
                        ui.link("Edit", f"/design/{key}").mark(f"edit-{key}")
                        ui.button("Export", icon="download",
                                  on_click=lambda k=key: ui.download.content(
                                      (bundle_text(k) or "").encode("utf-8"), f"{k}.json", "application/json")) \
                            .props("flat").mark(f"export-{key}")
                        ui.button("Duplicate", icon="content_copy",
                                  on_click=lambda k=key: ask_duplicate(k, bundle_document(known_processes()[k]))) \
                            .props("flat").mark(f"duplicate-{key}")
                    ui.label(f"{len(versions)} published version{'s' if len(versions) != 1 else ''}")
                    ui.table(columns=COLUMNS, rows=[_version_row(v) for v in versions], row_key="number")

    @router.get("/api/design/processes")
    def list_processes() -> dict[str, list[dict[str, Any]]]:
        """Published processes and their versions."""
        return {key: [v.model_dump(mode="json") for v in versions]
                for key, versions in published_processes().items()}

    @router.get("/api/design/processes/{key}/bundle")
    def process_bundle(key: str) -> Response:
        """The newest published version of a process as its bundle JSON file."""
        text = bundle_text(key)
        if text is None:
            raise HTTPException(status_code=404, detail=f"no published process '{key}'")
        return Response(content=text.encode("utf-8"), media_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{key}.json"'})

    return router
