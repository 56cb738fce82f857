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
from codegen.interchange import IMPORT_SUFFIXES, ImportPreview, read_files
from designer.display import local_time, said
from designer.elements.drop_zone import drop_zone
from designer.elements.tables import table
from designer.frame import current_user, frame, runtime
from designer.i18n import N_, _, ngettext, word
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
#: Rows of an import report, and versions of a process, shown at once; the rest a page further.
REPORT_PAGE, VERSIONS_PAGE = 15, 10


#: What each export format is called on the Export menu (codegen.interchange.EXPORT_FORMATS).
EXPORT_LABELS = {"json": N_("Flowdesk bundle (JSON)"), "bpmn": N_("BPMN 2.0 with diagram"),
                 "dmn": N_("DMN 1.3 decision tables")}


def show_problems(title: str, problems: list[LoadProblem]) -> None:
    """A dialog listing problems as plain text: JSON path, then message."""
    with ui.dialog() as dialog, ui.card().classes("w-[40rem]").mark("import-problems"):
        ui.label(title).classes("text-lg")
        for problem in problems:
            ui.label(f"{problem.path}: {problem.message}" if problem.path else problem.message) \
                .classes("font-mono text-sm").mark("import-problem")
        ui.button(_("Close"), on_click=dialog.close).props("flat")
    dialog.open()


def ask_duplicate(user: User, entry: ProcessEntry) -> None:
    """Dialog asking for the copy's key and name; creating it opens the copy's editor."""
    with ui.dialog() as dialog, ui.card().classes("w-96"):
        ui.label(_("Duplicate {process} ({key})").format(process=entry.name, key=entry.key)).classes("text-lg")
        key = ui.input(_("New process key"), value=f"{entry.key}_copy").classes("w-full").mark("duplicate-key")
        name = ui.input(_("New process name"), value=_("{process} (copy)").format(process=entry.name)) \
            .classes("w-full").mark("duplicate-name")
        problem = ui.label().classes("text-red-700").mark("duplicate-problem")

        def create() -> None:
            try:
                stored = Drafts(runtime()).duplicate(user, entry.key, key.value or "", name.value or "")
            except FlowdeskError as error:
                problem.set_text(said(error))
                return
            dialog.close()
            ui.navigate.to(f"/design/{stored.key}")

        with ui.row():
            ui.button(_("Cancel"), on_click=dialog.close).props("flat")
            ui.button(_("Duplicate"), on_click=create).mark("duplicate-create")
    dialog.open()


async def handle_uploads(user: User, event: events.MultiUploadEventArguments) -> None:
    """Bundle files (.json) become drafts at once; BPMN and DMN files are shown as an import report first."""
    files = [(file.name, await file.read()) for file in event.files]
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
        show_problems(_("{file} cannot be imported; nothing changed.").format(file=name), error.problems)
    except FlowdeskError as error:
        show_problems(_("{file} was not imported.").format(file=name), [LoadProblem("", said(error))])
    else:
        ui.navigate.to(f"/design/{stored.key}")


#: The kinds of element an import report names (BPMN and DMN element types, and what Flowdesk made of them), as a
#: person says them; a kind not listed is shown as the file names it.
ELEMENT_WORDS = {
    "startEvent": N_("start event"), "endEvent": N_("end event"), "task": N_("task"), "userTask": N_("user task"),
    "manualTask": N_("manual task"), "serviceTask": N_("service task"), "scriptTask": N_("script task"),
    "businessRuleTask": N_("business rule task"), "sendTask": N_("send task"), "receiveTask": N_("receive task"),
    "intermediateThrowEvent": N_("intermediate throw event"),
    "intermediateCatchEvent": N_("intermediate catch event"), "boundaryEvent": N_("boundary event"),
    "exclusiveGateway": N_("exclusive gateway"), "parallelGateway": N_("parallel gateway"),
    "inclusiveGateway": N_("inclusive gateway"), "eventBasedGateway": N_("event-based gateway"),
    "complexGateway": N_("complex gateway"), "callActivity": N_("call activity"), "subProcess": N_("sub-process"),
    "transaction": N_("transaction"), "adHocSubProcess": N_("ad-hoc sub-process"), "sequenceFlow": N_("sequence flow"),
    "messageFlow": N_("message flow"), "participant": N_("pool"), "lane": N_("lane"), "queue": N_("queue"),
    "variable": N_("variable"), "dataObject": N_("data object"), "dataObjectReference": N_("data object"),
    "dataStoreReference": N_("data store"), "dataInput": N_("data input"), "dataOutput": N_("data output"),
    "textAnnotation": N_("annotation"), "association": N_("association"), "group": N_("group"),
    "callChoreography": N_("choreography"), "choreographyTask": N_("choreography"),
    "subChoreography": N_("choreography"), "globalTask": N_("global task"), "globalUserTask": N_("global task"),
    "globalManualTask": N_("global task"), "globalScriptTask": N_("global task"),
    "globalBusinessRuleTask": N_("global task"),
    "multiInstanceLoopCharacteristics": N_("multi-instance marker"),
    "standardLoopCharacteristics": N_("loop marker"), "compensation": N_("compensation"),
    "signalEventDefinition": N_("signal event"), "conditionalEventDefinition": N_("conditional event"),
    "escalationEventDefinition": N_("escalation event"), "errorEventDefinition": N_("error event"),
    "compensateEventDefinition": N_("compensation event"), "cancelEventDefinition": N_("cancel event"),
    "linkEventDefinition": N_("link event"), "terminateEventDefinition": N_("terminate event"),
    "messageEventDefinition": N_("message event"), "timerEventDefinition": N_("timer event"),
    "flowdesk:node": N_("Flowdesk step settings"), "flowdesk:bundle": N_("Flowdesk process settings"),
    "decision": N_("decision"), "decisionTable": N_("decision table"),
    "informationRequirement": N_("information requirement"), "hitPolicy": N_("hit policy"),
    "inputExpression": N_("input expression"), "inputEntry": N_("input cell"), "outputEntry": N_("output cell"),
}


def element_word(what: str) -> str:
    """The kind of element `what` (a BPMN or DMN type) as the reader says it."""
    found = ELEMENT_WORDS.get(what)
    return _(found) if found else what


REPORT_COLUMNS = [
    {"name": "outcome", "label": N_("Outcome"), "field": "outcome", "align": "left"},
    {"name": "what", "label": N_("Element"), "field": "what", "align": "left"},
    {"name": "element", "label": N_("Id"), "field": "element", "align": "left"},
    {"name": "name", "label": N_("Name"), "field": "name", "align": "left"},
    {"name": "detail", "label": N_("What became of it"), "field": "detail", "align": "left",
     "classes": "whitespace-normal"},
]


def _report_table(report: ImportReport) -> None:
    """One file's or process's report: a count per outcome, then every element with what became of it."""
    ui.label(said(report.phrased_summary)).classes("font-medium")
    grouped = [entry for outcome in Outcome for entry in report.of(outcome)]
    rows = [{"id": i, "outcome": word(e.outcome), "what": element_word(e.what), "element": e.element,
             "name": e.name, "detail": said(e.phrased_detail)} for i, e in enumerate(grouped)]
    table(REPORT_COLUMNS, rows, "id", page_size=REPORT_PAGE).props("dense flat wrap-cells").classes("w-full") \
        .mark("import-report-entries")


def show_import_report(user: User, preview: ImportPreview) -> None:
    """What the BPMN and DMN files would become, element by element, with the checks' findings; drafts are
    created only when the user accepts."""
    with ui.dialog() as dialog, ui.card().classes("w-[60rem] max-w-full") \
            .mark("import-report"):
        ui.label(_("Import report — nothing is created until you accept")).classes("text-lg")
        for unread in preview.unread:
            ui.label(_("{file} cannot be read: {problem}").format(file=unread.source, problem=said(unread.problem))) \
                .classes("text-red-800").mark("import-unread")
        for note in preview.notes:
            ui.label(said(note)).classes("text-amber-900")
        for report in preview.table_reports:
            _report_table(report)
        for draft in preview.drafts:
            with ui.column().classes("w-full gap-1").mark(f"import-process-{draft.key}"):
                _report_table(draft.report)
                warnings = len(draft.findings) - draft.errors
                ui.label(_("Checks on the draft '{key}': {errors} error(s), {warnings} warning(s) to fix before "
                           "publishing").format(key=draft.key, errors=draft.errors,
                                                warnings=warnings)).mark("import-checks")
                for finding in draft.findings:
                    ui.label(f"{_(finding.severity.value)}: {said(finding.phrased_message)} [{finding.element}]") \
                        .classes("text-sm").mark("import-finding")

        def accept() -> None:
            created = []
            for draft in preview.drafts:
                try:
                    created.append(Drafts(runtime()).create_from(user, draft.document).key)
                except FlowdeskError as error:
                    ui.notify(_("{key} was not created: {problem}").format(key=draft.key, problem=said(error)),
                              type="warning", multi_line=True)
            dialog.close()
            if len(created) == 1:
                ui.navigate.to(f"/design/{created[0]}")
            elif created:
                ui.navigate.reload()

        with ui.row():
            ui.button(_("Cancel"), on_click=dialog.close).props("flat").mark("import-cancel")
            if preview.acceptable:
                count = len(preview.drafts)
                ui.button(ngettext("Create {count} draft", "Create {count} drafts", count).format(count=count),
                          on_click=accept) \
                    .mark("import-accept")
    dialog.open()


def export(user: User, key: str, format: str) -> None:
    try:
        file = process_file(runtime(), user, key, format)
    except FlowdeskError as error:
        ui.notify(_("Not exported: {problem}").format(problem=said(error)), type="warning")
        return
    ui.download.content(file.content, file.filename, file.media_type)


def _version_row(version: Version) -> dict[str, Any]:
    return {"number": version.number, "name": version.name, "author": version.author,
            "published": local_time(version.published_at), "note": version.note, "hash": version.hash[:12]}


COLUMNS = [
    {"name": "number", "label": N_("Version"), "field": "number", "align": "left"},
    {"name": "name", "label": N_("Name"), "field": "name", "align": "left"},
    {"name": "author", "label": N_("Author"), "field": "author", "align": "left"},
    {"name": "published", "label": N_("Published"), "field": "published", "align": "left"},
    {"name": "note", "label": N_("Note"), "field": "note", "align": "left"},
    {"name": "hash", "label": N_("Content hash"), "field": "hash", "align": "left"},
]


def process_card(user: User, entry: ProcessEntry) -> None:
    with ui.card().classes("w-full").mark(f"process-{entry.key}"):
        ui.label(f"{entry.name} ({entry.key})").classes("text-lg")
        if entry.draft is not None:
            saved = _("saved by {who} at {moment}").format(who=entry.draft.saved_by,
                                                           moment=local_time(entry.draft.saved_at)) \
                if entry.draft.saved_at else _("saved")
            what = _("draft, not published") if not entry.versions else _("draft of a new version")
            ui.label(f"{what}; {saved}").classes("text-slate-600").mark(f"draft-{entry.key}")
        with ui.row().classes("items-center gap-4"):
            ui.link(_("Edit"), f"/design/{entry.key}").mark(f"edit-{entry.key}")
            if entry.versions:
                with ui.dropdown_button(_("Export"), icon="download", auto_close=True).props("flat") \
                        .mark(f"export-{entry.key}"):
                    for format, label in EXPORT_LABELS.items():
                        ui.item(_(label), on_click=lambda format=format: export(user, entry.key, format)) \
                            .mark(f"export-{entry.key}-{format}")
            ui.button(_("Duplicate"), icon="content_copy", on_click=lambda: ask_duplicate(user, entry)) \
                .props("flat").mark(f"duplicate-{entry.key}")
            if len(entry.versions) > 1:
                ui.link(_("Move open cases to a newer version"), migrate_url(entry.key)).mark(f"migrate-{entry.key}")
        if entry.versions:
            count = len(entry.versions)
            ui.label(ngettext("{count} published version", "{count} published versions", count).format(count=count))
            table(COLUMNS, [_version_row(v) for v in entry.versions], "number", page_size=VERSIONS_PAGE)


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/design", title="Flowdesk — design")
    def design_page() -> None:
        with frame(N_("Processes")) as user:
            with ui.row().classes("items-center gap-4"):
                ui.button(_("New process"), icon="add", on_click=lambda: ui.navigate.to("/design/new")) \
                    .mark("new-process")
                drop_zone(_("A process file: bundle (.json), BPMN (.bpmn) or DMN (.dmn)"), MAX_IMPORT_BYTES,
                          lambda event: handle_uploads(user, event), accept=IMPORT_ACCEPT, multiple=True) \
                    .mark("import")
            try:
                entries = process_list(runtime(), user)
            except AccessDenied as error:
                ui.label(said(error)).mark("not-allowed")
                return
            if not entries:
                ui.label(_("No process is published yet: create one, or publish a file with 'flowdesk publish FILE'."))
            for entry in entries:
                process_card(user, entry)

    return router


def _caller() -> User:
    """The signed-in user of an API request (the guard lets none through without one)."""
    try:
        return current_user()
    except PermissionError:
        raise HTTPException(status_code=401, detail="not signed in") from None
