"""BPMN 2.0 and DMN 1.3 files as a user brings them in and takes them out, for every door alike.

`read_files` turns a set of uploaded files into what they would become — the drafts, each with its import
report and the checks' findings, the reports of DMN files, and the files that cannot be read — before
anything is created: the CLI prints it, the process list shows it, and only the user's "accept" creates
drafts. `write_process` writes a bundle in one of `EXPORT_FORMATS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

from codegen.bpmn.exporter import export_bpmn
from codegen.bpmn.importer import ImportedProcess, import_bpmn
from codegen.bpmn.report import ImportReport, Outcome
from codegen.dmn import export_dmn, import_dmn
from models.bundle import Bundle
from models.checks import Finding, Severity, check
from models.errors import FlowdeskError
from models.phrases import Phrase
from models.serialization import dump_bundle

__all__ = ["EXPORT_FORMATS", "IMPORT_SUFFIXES", "ExportFormat", "ImportPreview", "ImportedDraft", "NothingToExport",
           "UnreadFile", "read_files", "write_process"]

#: The file name endings an import reads: BPMN (also as .xml) and DMN.
IMPORT_SUFFIXES = (".bpmn", ".xml", ".dmn")


@dataclass(frozen=True)
class ImportedDraft:
    """A process of an imported file: the bundle document a draft would get, how it came about, and what the
    checks ask to fix before it can be published."""

    document: dict
    report: ImportReport
    findings: list[Finding]

    @property
    def key(self) -> str:
        return self.document["key"]

    @property
    def errors(self) -> int:
        return sum(finding.severity is Severity.ERROR for finding in self.findings)


@dataclass(frozen=True)
class UnreadFile:
    """A file that could not be read at all, and why."""

    source: str
    problem: Phrase | str


@dataclass
class ImportPreview:
    """What a set of files would become; nothing of it exists yet."""

    drafts: list[ImportedDraft] = field(default_factory=list)
    table_reports: list[ImportReport] = field(default_factory=list)
    unread: list[UnreadFile] = field(default_factory=list)
    notes: list[Phrase] = field(default_factory=list)

    @property
    def acceptable(self) -> bool:
        """Drafts may be created: there is at least one and every file was read."""
        return bool(self.drafts) and not self.unread


def read_files(files: Iterable[tuple[str, bytes]], published: Mapping[str, Bundle]) -> ImportPreview:
    """What BPMN and DMN files (name, content) would become; `published` are the processes subprocess calls
    are checked against. Decision tables go into the imported processes that evaluate them (into all of them
    when none names one)."""
    preview = ImportPreview()
    processes: list[ImportedProcess] = []
    tables: list[dict] = []
    for source, data in files:
        suffix = PurePath(source).suffix.lower()
        try:
            if suffix == ".dmn":
                found, report = import_dmn(data, source)
                tables += found
                preview.table_reports.append(report)
            elif suffix in IMPORT_SUFFIXES:
                processes += import_bpmn(data, source)
            else:
                raise FlowdeskError(Phrase("a {suffix} file is neither BPMN (.bpmn, .xml) nor DMN (.dmn)",
                                           suffix=suffix) if suffix else
                                    Phrase("a nameless file is neither BPMN (.bpmn, .xml) nor DMN (.dmn)"))
        except FlowdeskError as error:
            preview.unread.append(UnreadFile(source, error.args[0] if len(error.args) == 1 else str(error)))
    if tables and not processes:
        preview.notes.append(Phrase("Decision tables are kept in a process: import them together with the BPMN "
                                    "file that uses them."))
    _attach_tables(processes, tables)
    bundles = {p.document["key"]: Bundle.model_validate(p.document) for p in processes}
    known = {**published, **bundles}
    preview.drafts = [ImportedDraft(p.document, p.report, check(bundles[p.document["key"]], known_processes=known))
                      for p in processes]
    return preview


def _attach_tables(processes: list[ImportedProcess], tables: list[dict]) -> None:
    for table in tables:
        users = [p for p in processes if any(n.get("decision_table") == table["id"] for n in p.document["nodes"])]
        for imported in users or processes:
            present = imported.document.setdefault("decision_tables", [])
            if all(t["id"] != table["id"] for t in present):
                present.append(table)
                imported.report.add(Outcome.IMPORTED, table["id"], table.get("name", ""), "decision",
                                    Phrase("decision table '{table}' added to process '{process}'", table=table["id"],
                                           process=imported.document["key"]))


@dataclass(frozen=True)
class ExportFormat:
    """A file a published process can be written as."""

    suffix: str
    media_type: str


EXPORT_FORMATS = {
    "json": ExportFormat(".json", "application/json"),
    "bpmn": ExportFormat(".bpmn", "application/xml"),
    "dmn": ExportFormat(".dmn", "application/xml"),
}


class NothingToExport(FlowdeskError):
    """The process has nothing to write in that format (DMN of a process without decision tables)."""


def write_process(bundle: Bundle, format: str) -> bytes:
    """The bundle as a file in `format` (a key of `EXPORT_FORMATS`)."""
    if format == "bpmn":
        return export_bpmn(bundle)
    if format == "dmn":
        if not bundle.decision_tables:
            raise NothingToExport(f"process '{bundle.key}' has no decision tables to export")
        return export_dmn(bundle.decision_tables, bundle.name, bundle.key)
    if format == "json":
        return dump_bundle(bundle).encode()
    raise FlowdeskError(f"'{format}' is not an export format; use one of {', '.join(EXPORT_FORMATS)}")
