"""The auditor's workspace: find cases, read a case's trail on its diagram, verify the store, export, review versions.

/audit finds cases (by id, customer, process, status, start date), verifies
every trail against the signed checkpoints, shows the newest checkpoint for
the auditor's own anchor file, and exports the selected cases as a file that
verifies offline (with a readable PDF). /audit/case/{id} is one case's trail:
the diagram of the version it ran on with the way it went and where it is,
every event in plain words, the version's content hash, what was sent, and
whether the chain still verifies. /audit/process/{key} lists every version.
Everything comes from runtime read models; auditors change nothing (their
exports are recorded on the trail by the runtime).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from nicegui import APIRouter, ui

from codegen.trail_report import trail_report_pdf
from designer.display import local_time, number_text, said
from designer.elements.flow_canvas import FlowCanvas
from designer.elements.tables import name_selection, table
from designer.frame import frame, runtime
from designer.i18n import N_, _, ngettext, word
from designer.pages.case import event_body
from designer.pages.diff_view import diff_view
from designer.pages.sent import sent_items
from models.errors import FlowdeskError
from models.references import as_reference
from models.serialization import bundle_document
from runtime.anchors import anchor_line
from runtime.documents import CaseStatus, User
from runtime.errors import NotFound
from runtime.exports import export_bytes, export_cases, export_summary
from runtime.views.audit import CaseTrail, case_trail, newest_checkpoint
from runtime.views.cases import CaseFilter, find_cases
from runtime.views.names import process_names
from runtime.views.processes import compare_versions, processes, version_history

COLUMNS = [
    {"name": name, "label": label, "field": name, "align": "left"}
    for name, label in [("reference", N_("Case")), ("process", N_("Process")), ("version", N_("Version")),
                        ("status", N_("Status")), ("started", N_("Started")), ("by", N_("Started by")),
                        ("events", N_("Audit events"))]
]
#: Cases listed per page of the search.
PAGE = 50
#: Colours on a trail's diagram: steps the case passed, and where it waits now.
PASSED, WAITING = "#bbf7d0", "#fde68a"
ANY = ""


def trail_url(case_id: str) -> str:
    return f"/audit/case/{quote(case_id, safe='')}"


class CaseSearch:
    """The case finder of the /audit page, with the selection to export."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.offset = 0
        self.names = names = {p.key: p.name for p in processes(runtime(), user)}
        with ui.row().classes("items-end gap-3"):
            self.case_id = ui.input(_("Case reference or id")).classes("w-64").mark("find-case-id")
            self.customer = ui.input(_("Customer id")).classes("w-40").mark("find-customer")
            self.process = ui.select({ANY: _("All processes")} | names, value=ANY, label=_("Process")) \
                .classes("w-56").mark("find-process")
            self.status = ui.select({ANY: _("Open or closed"), CaseStatus.ACTIVE.value: _("Open"),
                                     CaseStatus.COMPLETED.value: _("Closed")}, value=ANY, label=_("Status")) \
                .classes("w-40").mark("find-status")
            self.since = ui.input(_("Started from")).props("type=date").mark("find-from")
            self.until = ui.input(_("Started until")).props("type=date").mark("find-until")
            ui.button(_("Find"), icon="search", on_click=self.find).mark("find")
        self.summary = ui.label().mark("found")
        self.table = table(COLUMNS, [], "id", selection="multiple").classes("w-full").mark("cases")
        self.table.add_slot("body-cell-reference", '<q-td :props="props"><a :href="`/audit/case/${'
                                                   'encodeURIComponent(props.row.id)}`">{{ props.value }}</a></q-td>')
        name_selection(self.table, "reference", _("Choose every case found"), _("Choose {name}"))
        with ui.row().classes("items-center gap-2"):
            self.previous = ui.button(_("Previous"), on_click=lambda: self.page(-1)).props("flat").mark("previous")
            self.next = ui.button(_("Next"), on_click=lambda: self.page(1)).props("flat").mark("next")
            ui.space()
            ui.button(_("Export selected (file that verifies)"), icon="download",
                      on_click=lambda: self.export("json")).props("outline").mark("export-json")
            ui.button(_("Export selected (PDF report)"), icon="picture_as_pdf",
                      on_click=lambda: self.export("pdf")).props("outline").mark("export-pdf")
        self.find()

    def find(self) -> None:
        self.offset = 0
        self.show()

    def page(self, step: int) -> None:
        self.offset = max(self.offset + step * PAGE, 0)
        self.show()

    def show(self) -> None:
        cases, total = self._search()
        self.table.rows = [{"id": c.id, "reference": c.display, "process": self.names.get(c.process_key, c.process_key),
                            "version": c.version, "status": word(c.status),
                            "started": local_time(c.started_at), "by": c.started_by, "events": c.audit_count}
                           for c in cases]
        self.table.selected = []
        found = ngettext("{count} case found", "{count} cases found", total).format(count=number_text(total))
        shown = _(", {first}–{last} shown").format(first=self.offset + 1, last=self.offset + len(cases))
        self.summary.set_text(found + (shown if total > len(cases) else ""))
        self.previous.set_enabled(self.offset > 0)
        self.next.set_enabled(self.offset + len(cases) < total)

    def _search(self) -> tuple[list[Any], int]:
        zone = ZoneInfo(runtime().calendar.timezone)
        since = _day(self.since.value, zone)
        until = _day(self.until.value, zone)
        named = (self.case_id.value or "").strip() or None
        reference = as_reference(named) if named else None
        page = find_cases(runtime(), self.user, CaseFilter(
            process=self.process.value or None, customer=(self.customer.value or "").strip() or None,
            status=CaseStatus(self.status.value) if self.status.value else None, started_since=since,
            started_until=until + timedelta(days=1) if until else None, offset=self.offset, limit=PAGE,
            case_id=None if reference else named, reference=reference))
        return page.cases, page.total

    def export(self, kind: str) -> None:
        chosen = [row["id"] for row in self.table.selected]
        if not chosen:
            ui.notify(_("Tick the cases to export first."), type="warning")
            return
        try:
            export = export_cases(runtime(), self.user, chosen)
        except FlowdeskError as error:
            ui.notify(said(error), type="negative", multi_line=True)
            return
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        if kind == "json":
            ui.download.content(export_bytes(export), f"flowdesk-cases-{stamp}.json", "application/json")
        else:
            verdict = [_("Exported {moment} by {who}. Check the file with 'flowdesk audit verify-export FILE "
                         "--public-key KEY'.").format(moment=local_time(datetime.fromisoformat(export["exported_at"])),
                                                      who=self.user.name)]
            pdf = trail_report_pdf(export_summary(json.loads(export_bytes(export))), verdict,
                                   title=_("Flowdesk audit trail report"))
            ui.download.content(pdf, f"flowdesk-cases-{stamp}.pdf", "application/pdf")
        ui.notify(_("{count} case(s) exported; the export is recorded on each case's trail.").format(count=len(chosen)),
                  type="positive")


def _day(text: str | None, zone: ZoneInfo) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(text or ""), time(0), zone)
    except ValueError:
        return None


def _verify(user: User, results: ui.column) -> None:
    verdict = runtime().verify_audit(user)
    results.clear()
    with results:
        if verdict.intact:
            ui.label(_("All {cases} case trails are intact and match {checkpoints} checkpoint(s)").format(
                cases=verdict.cases, checkpoints=verdict.checkpoints)
                + ("" if verdict.signed else _("; the checkpoints are not signed (configure a signing key)"))
                + (_("; {count} case(s) have events newer than the last checkpoint").format(count=verdict.unanchored)
                   if verdict.unanchored else "") + ".").mark("verdict")
            return
        ui.label(_("{count} problem(s) found:").format(count=len(verdict.problems))).classes("text-red-700") \
            .mark("verdict")
        for problem in verdict.problems:
            where = _(" at event {number}").format(number=problem.seq) if problem.seq else ""
            ui.label(f"{problem.case_id}{where}: {problem.message}").classes("text-red-700")


def _anchor(user: User) -> None:
    checkpoint = newest_checkpoint(runtime(), user)
    with ui.column().classes("gap-1").mark("anchor"):
        ui.label(_("Newest checkpoint")).classes("text-lg")
        if checkpoint is None:
            ui.label(_("No checkpoint yet: the worker makes one every few minutes once cases have events."))
            return
        signed = _("signed by key {key}").format(key=checkpoint.key_id) if checkpoint.signature else _("not signed")
        ui.label(_("Checkpoint {number}, {moment}, {cases} cases; {signed}").format(
            number=checkpoint.seq, moment=local_time(checkpoint.at), cases=checkpoint.cases, signed=signed))
        ui.label(_("Hash {hash}").format(hash=checkpoint.hash)).classes("font-mono text-sm").mark("anchor-hash")
        ui.label(_("Keep these lines in an anchor file of your own: 'flowdesk audit verify --anchors FILE' then "
                   "finds a store rolled back behind them.")).classes("text-sm text-gray-600")
        ui.button(_("Download anchor line"), on_click=lambda: ui.download.content(
            (anchor_line(checkpoint) + "\n").encode(), f"flowdesk-anchor-{checkpoint.seq}.jsonl")).props("flat")


def _trail_page(user: User, case_id: str) -> None:
    try:
        trail = case_trail(runtime(), user, case_id)
    except NotFound:
        ui.label(_("There is no case {case}.").format(case=case_id)).mark("no-case")
        return
    case, version = trail.case, trail.version
    with ui.column().classes("w-full gap-1").mark("trail-head"):
        if case.reference:
            ui.label(_("Case {case}").format(case=case.reference)).classes("text-xl").mark("trail-reference")
        ui.label(_("{process} — version {number}, content hash {hash}").format(
            process=version.name, number=version.number, hash=version.hash)).classes("text-lg").mark("trail-version")
        ui.link(_("Read this version (flow, forms, letters, tables)"),
                f"/audit/process/{quote(case.process_key, safe='')}?version={version.number}").mark("version-link")
        status = _("open") if case.status is CaseStatus.ACTIVE else \
            _("closed: {outcome}").format(outcome=case.outcome or _("done"))
        ui.label(_("Started {moment} by {who}; {status}").format(moment=local_time(case.started_at),
                                                                  who=case.started_by, status=status))
        verdict = trail.verdict
        if verdict.intact:
            anchored = _("anchored by the checkpoints") if not verdict.unanchored else \
                _("its newest events are not in a checkpoint yet")
            ui.label(_("The trail verifies: {count} events, chain intact, {anchored}.").format(
                count=case.audit_count, anchored=anchored)).classes("text-green-800").mark("trail-verdict")
        else:
            for problem in verdict.problems:
                ui.label(_("Broken: {problem}").format(problem=problem.message)).classes("text-red-700") \
                    .mark("trail-verdict")
    _trail_diagram(trail)
    with ui.column().classes("w-full gap-1").mark("trail"):
        ui.label(_("Every event")).classes("text-lg")
        for entry in trail.entries:
            event = entry.event
            with ui.column().classes("gap-0 border-b pb-1 w-full").mark("trail-entry"):
                ui.label(f"{event.seq}. {local_time(event.at)} · {entry.actor} · {event.kind}") \
                    .classes("text-sm text-gray-600")
                event_body(event, entry.changes, trail.process.variables)
                ui.label(_("hash {hash}…").format(hash=event.hash[:16])).classes("text-xs font-mono text-gray-500")
    sent_items(user, case_id)


def _trail_diagram(trail: CaseTrail) -> None:
    ui.label(_("The way the case went: green steps it passed, yellow where it waits; counts on the connections"))
    fills = {node: PASSED for node in trail.visited} | {node: WAITING for node in trail.waiting_at}
    canvas = FlowCanvas(bundle_document(trail.process.bundle), read_only=True).classes("w-full h-[380px]") \
        .mark("trail-diagram")
    canvas.paint(fills, trail.edges_taken)


def _process_page(user: User, key: str, shown: int | None) -> None:
    try:
        history = version_history(runtime(), user, key)
    except NotFound as error:
        ui.label(said(error)).mark("no-process")
        return
    columns = [{"name": n, "label": label, "field": n, "align": "left"} for n, label in (
        ("number", N_("Version")), ("published", N_("Published")), ("author", N_("By")),
        ("approved", N_("Approved by")), ("note", N_("Note")), ("hash", N_("Content hash")),
        ("started", N_("Cases started")), ("open", N_("Still open")))]
    table(columns, row_key="number", rows=[
        {"number": h.version.number, "published": local_time(h.version.published_at), "author": h.version.author,
         "approved": h.version.approved_by or "—", "note": h.version.note, "hash": h.version.hash[:16] + "…",
         "started": h.cases_started, "open": h.cases_open}
        for h in history]).classes("w-full").mark("versions")
    if len(history) > 1:
        _comparison(user, key, [h.version.number for h in history])
    number = shown if shown is not None else history[0].version.number
    version = next((h.version for h in history if h.version.number == number), None)
    if version is None:
        ui.label(_("There is no version {number}.").format(number=number))
        return
    bundle = runtime().process_version(version.hash).bundle
    ui.label(_("Version {number}: {process}").format(number=version.number, process=bundle.name)) \
        .classes("text-lg").mark("shown-version")
    FlowCanvas(bundle_document(bundle), read_only=True).classes("w-full h-[380px]").mark("version-diagram")
    with ui.row().classes("gap-8 items-start"):
        with ui.column().mark("version-forms"):
            ui.label(_("Forms")).classes("font-medium")
            for form in bundle.forms:
                ui.label(f"{form.name or form.id}: " + ", ".join(
                    getattr(element, "label", "") or element.id for element in form.walk()))
        with ui.column().mark("version-letters"):
            ui.label(_("Letters")).classes("font-medium")
            for letter in bundle.letters:
                ui.label(f"{letter.name or letter.id} ({letter.channel}, "
                         f"{', '.join(v.language for v in letter.variants)})")
        with ui.column().mark("version-tables"):
            ui.label(_("Decision tables")).classes("font-medium")
            for decisions in bundle.decision_tables:
                ui.label(_("{table}: {count} rules, {policy}").format(
                    table=decisions.name or decisions.id, count=len(decisions.rules), policy=decisions.hit_policy))


def _comparison(user: User, key: str, numbers: list[int]) -> None:
    """Pick two versions and see what changed between them."""
    options = {n: _("version {number}").format(number=n) for n in sorted(numbers)}
    with ui.row().classes("items-end gap-3"):
        old = ui.select(options, value=numbers[1], label=_("Compare")).classes("w-40").mark("compare-old")
        new = ui.select(options, value=numbers[0], label=_("with")).classes("w-40").mark("compare-new")
        ui.button(_("Show the changes"), icon="compare_arrows", on_click=lambda: show()).mark("compare")
    area = ui.column().classes("w-full")

    def show() -> None:
        area.clear()
        with area:
            try:
                comparison = compare_versions(runtime(), user, key, old.value, new.value)
            except FlowdeskError as error:
                ui.label(said(error)).classes("text-red-700")
                return
            diff_view(comparison.old.bundle, comparison.new.bundle, comparison.diff,
                      old_title=_("Version {number}").format(number=old.value),
                      new_title=_("Version {number}").format(number=new.value))


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/audit", title="Flowdesk — audit")
    def audit_page() -> None:
        with frame(N_("Audit: cases, trails and versions")) as user:
            with ui.row().classes("items-center gap-4"):
                ui.button(_("Verify every trail"), icon="verified", on_click=lambda: _verify(user, results)) \
                    .mark("verify")
                for summary in processes(runtime(), user):
                    ui.link(_("{process}: {count} version(s)").format(process=summary.name,
                                                                      count=summary.version_count),
                            f"/audit/process/{quote(summary.key, safe='')}").mark(f"process-{summary.key}")
            results = ui.column()
            _anchor(user)
            ui.label(_("Find cases")).classes("text-lg")
            CaseSearch(user)

    @router.page("/audit/case/{case_id}", title="Flowdesk — case trail")
    def trail_page(case_id: str) -> None:
        with frame(N_("Audit trail of case {case}"), case=case_id) as user:
            _trail_page(user, case_id)

    @router.page("/audit/process/{key}", title="Flowdesk — process versions")
    def process_page(key: str, version: int | None = None) -> None:
        with frame(N_("Versions of '{process}'"), process=process_names(runtime()).get(key, key)) as user:
            _process_page(user, key, version)

    return router
