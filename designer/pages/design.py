"""Designer area: the process list (published processes with their versions, and drafts) with New process,
Import (bundle files at once; BPMN and DMN files after their import report), Export (bundle, BPMN, DMN) and
Duplicate; everything through `runtime.drafts` and `runtime.views.design`."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from fastapi import HTTPException
from nicegui import APIRouter, events, ui

from codegen.bpmn.report import ImportReport, Outcome
from codegen.bpmn.safe_xml import MAX_XML_BYTES
from codegen.interchange import EXPORT_FORMATS, IMPORT_SUFFIXES, ImportPreview, read_files
from designer.display import local_time
from designer.frame import current_user, frame, runtime
from designer.pages.migrate import migrate_url
from models.errors import BundleLoadError, FlowdeskError, LoadProblem
from models.serialization import MAX_BUNDLE_BYTES
from runtime.documents import User, Version
from runtime.drafts import Drafts
from runtime.errors import AccessDenied
from runtime.views.design import ProcessEntry, latest_bundles, process_file, process_list

#: What the Import box takes: bundle files and the BPMN and DMN files `codegen.interchange` reads.
IMPORT_ACCEPT = ",".join([".json", *IMPORT_SUFFIXES])
MAX_IMPORT_BYTES = max(MAX_BUNDLE_BYTES, MAX_XML_BYTES)


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


async def handle_uploads(user: User, event: events.MultiUploadEventArguments) -> None:
    """Bundle files (.json) become drafts at once; BPMN and DMN files are shown as an import report first."""
    files = [(file.name, await file.read()) for file in event.files]
    event.sender.reset()
    for name, data in files:
        if PurePath(name).suffix.lower() not in IMPORT_SUFFIXES:
            import_bundle(user, name, data)
    foreign = [(name, data) for name, data in files if PurePath(name).suffix.lower() in IMPORT_SUFFIXES]
    if foreign:
        show_import_report(user, read_files(foreign, latest_bundles(runtime(), user)))


def import_bundle(user: User, name: str, data: bytes) -> None:
    """Keep an uploaded bundle file as the draft of its process; never over a draft that exists."""
    try:
        stored = Drafts(runtime()).import_file(user, data, name)
    except BundleLoadError as error:
        show_problems(f"{name} cannot be imported; nothing changed.", error.problems)
    except FlowdeskError as error:
        show_problems(f"{name} was not imported.", [LoadProblem("", str(error))])
    else:
        ui.navigate.to(f"/design/{stored.key}")


REPORT_COLUMNS = [
    {"name": "outcome", "label": "Outcome", "field": "outcome", "align": "left"},
    {"name": "what", "label": "Element", "field": "what", "align": "left"},
    {"name": "element", "label": "Id", "field": "element", "align": "left"},
    {"name": "name", "label": "Name", "field": "name", "align": "left"},
    {"name": "detail", "label": "What became of it", "field": "detail", "align": "left",
     "classes": "whitespace-normal"},
]


def _report_table(report: ImportReport) -> None:
    """One file's or process's report: a count per outcome, then every element with what became of it."""
    ui.label(report.summary).classes("font-medium")
    grouped = [entry for outcome in Outcome for entry in report.of(outcome)]
    rows = [{"id": i, "outcome": e.outcome.value, "what": e.what, "element": e.element, "name": e.name,
             "detail": e.detail} for i, e in enumerate(grouped)]
    ui.table(columns=REPORT_COLUMNS, rows=rows, row_key="id").props("dense flat wrap-cells").classes("w-full") \
        .mark("import-report-entries")


def show_import_report(user: User, preview: ImportPreview) -> None:
    """What the BPMN and DMN files would become, element by element, with the checks' findings; drafts are
    created only when the user accepts."""
    with ui.dialog()as dialog, ui.card().classes("w-[60rem] max-w-full") \
            .mark("import-report"):
        ui.label("Import report — nothing is created until you accept").classes("text-lg")
        for unread in preview.unread:
            ui.label(f"{unread.source} cannot be read: {unread.problem}").classes("text-red-800") \
                .mark("import-unread")
        for note in preview.notes:
            ui.label(note).classes("text-amber-900")
        for report in preview.table_reports:
            _report_table(report)
        for draft in preview.drafts:
            with ui.column().classes("w-full gap-1").mark(f"import-process-{draft.key}"):
                _report_table(draft.report)
                warnings = len(draft.findings) - draft.errors
                ui.label(f"Checks on the draft '{draft.key}': {draft.errors} error(s), {warnings} warning(s) to fix "
                         "before publishing").mark("import-checks")
                for finding in draft.findings:
                    ui.label(f"{finding.severity.value}: {finding.message} [{finding.element}]") \
                        .classes("text-sm").mark("import-finding")

        def accept() -> None:
            created = []
            for draft in preview.drafts:
                try:
                    created.append(Drafts(runtime()).create_from(user, draft.document).key)
                except FlowdeskError as error:
                    ui.notify(f"{draft.key} was not created: {error}", type="warning", multi_line=True)
            dialog.close()
            if len(created) == 1:
                ui.navigate.to(f"/design/{created[0]}")
            elif created:
                ui.navigate.reload()

        with ui.row():
            ui.button("Cancel", on_click=dialog.close).props("flat").mark("import-cancel")
            if preview.acceptable:
                count = len(preview.drafts)
                ui.button(f"Create {count} draft{'s' if count != 1 else ''}", on_click=accept) \
                    .mark("import-accept")
    dialog.open()


def export(user: User, key: str, format: str) -> None:
    try:
        file = process_file(runtime(), user, key, format)
    except FlowdeskError as error:
        ui.notify(f"Not exported: {error}", type="warning")
        return
    ui.download.content(file.content, file.filename, file.media_type)


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
                with ui.dropdown_button("Export", icon="download", auto_close=True).props("flat") \
                        .mark(f"export-{entry.key}"):
                    for format, written in EXPORT_FORMATS.items():
                        ui.item(written.label, on_click=lambda format=format: export(user, entry.key, format)) \
                            .mark(f"export-{entry.key}-{format}")
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
                ui.upload(label="Import a bundle (.json), BPMN (.bpmn) or DMN (.dmn) file", auto_upload=True,
                          multiple=True, max_file_size=MAX_IMPORT_BYTES,
                          on_multi_upload=lambda event: handle_uploads(user, event),
                          on_rejected=lambda: ui.notify(f"Not imported: a file may be at most "
                                                        f"{MAX_IMPORT_BYTES:,} bytes.", type="warning")) \
                    .props(f'accept="{IMPORT_ACCEPT}" flat bordered').mark("import")
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
