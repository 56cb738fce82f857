"""`flowdesk import` and `flowdesk export`: BPMN 2.0 and DMN 1.3 files in and out.

Import prints the report of every file (what was imported, translated, kept as
written for a person to fix, and left out with what to do instead) and the
checks' findings on the result; only with `--accept` does it create drafts.
Export writes a published version as BPMN (with its diagram), as DMN (its
decision tables) or as the bundle JSON.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from codegen.bpmn.exporter import export_bpmn
from codegen.bpmn.importer import ImportedProcess, import_bpmn
from codegen.bpmn.report import ImportReport, Outcome
from codegen.bpmn.safe_xml import MAX_XML_BYTES
from codegen.dmn import export_dmn, import_dmn
from designer.cli.common import Command, UserError, acting, add_actor_argument, data_folder
from models.bundle import Bundle
from models.checks import Severity, check
from models.errors import FlowdeskError
from models.serialization import dump_bundle
from runtime.documents import User
from runtime.drafts import Drafts
from runtime.errors import ConflictError
from runtime.service import Runtime
from runtime.views.design import latest_bundles
from runtime.views.processes import process_version


def run_import(args: argparse.Namespace, out: TextIO) -> int:
    """Read BPMN (.bpmn, .xml) and DMN (.dmn) files and print what they would become; --accept creates drafts.

    Decision tables from DMN files go into the imported processes that evaluate them (all of them when
    no process names one). Exit 1 when a file cannot be read.
    """
    processes: list[ImportedProcess] = []
    tables: list[dict] = []
    failed = False
    for path in map(Path, args.files):
        try:
            data = _read(path)
            if path.suffix.lower() == ".dmn":
                found, report = import_dmn(data, str(path))
                tables += found
                _print_report(report, out)
            else:
                processes += import_bpmn(data, str(path))
        except (UserError, FlowdeskError) as error:
            print(f"{path}: cannot be read — {error}", file=out)
            failed = True
    _attach_tables(processes, tables, out)
    bundles = {p.document["key"]: Bundle.model_validate(p.document) for p in processes}
    known = {**_published(args), **bundles}
    for imported in processes:
        _print_report(imported.report, out)
        bundle = bundles[imported.document["key"]]
        findings = check(bundle, known_processes=known)
        errors = sum(f.severity is Severity.ERROR for f in findings)
        print(f"  checks: {errors} error(s), {len(findings) - errors} warning(s) to fix before publishing", file=out)
        for finding in findings:
            print(f"    {finding.severity.value:<8} {finding.code} [{finding.element}]: {finding.message}", file=out)
    if args.accept and not failed:
        with acting(args) as (runtime, user):
            for imported in processes:
                print(save_draft(runtime, user, imported.document), file=out)
    elif processes and not failed:
        print("Nothing was created: run again with --accept to create these drafts.", file=out)
    return 1 if failed else 0


def save_draft(runtime: Runtime, user: User, document: dict) -> str:
    """Create the draft of an imported process (`runtime.drafts`); say what was done.

    An existing draft of the same process is never overwritten.
    """
    key = document["key"]
    try:
        Drafts(runtime).create_from(user, document)
    except ConflictError as error:
        return f"{key}: not created — {error}"
    return f"{key}: draft created; open it in the designer (/design/{key})"


def run_export(args: argparse.Namespace, out: TextIO) -> int:
    """Write a published version of a process as BPMN 2.0 (--bpmn), DMN 1.3 (--dmn) or bundle JSON (--json)."""
    with acting(args, read_only=True) as (runtime, user):
        bundle = process_version(runtime, user, args.process, args.version).bundle
    if args.format == "dmn" and not bundle.decision_tables:
        raise UserError(f"process '{args.process}' has no decision tables to export")
    content = {
        "bpmn": lambda: export_bpmn(bundle),
        "dmn": lambda: export_dmn(bundle.decision_tables, bundle.name, bundle.key),
        "json": lambda: dump_bundle(bundle).encode(),
    }[args.format]()
    if args.output:
        Path(args.output).write_bytes(content)
        print(f"{args.process}: written to {args.output}", file=out)
    else:
        out.write(content.decode())
    return 0


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_XML_BYTES:
            raise UserError(f"the file is larger than {MAX_XML_BYTES:,} bytes")
        return path.read_bytes()
    except OSError as error:
        raise UserError(f"cannot read the file: {error.strerror}") from None


def _attach_tables(processes: list[ImportedProcess], tables: list[dict], out: TextIO) -> None:
    """Each DMN table goes to the processes that evaluate it, or to all of them when none does."""
    if tables and not processes:
        print("Decision tables are kept in a process: import them together with the BPMN file that uses them.",
              file=out)
        return
    for table in tables:
        users = [p for p in processes if any(n.get("decision_table") == table["id"] for n in p.document["nodes"])]
        for imported in users or processes:
            present = imported.document.setdefault("decision_tables", [])
            if all(t["id"] != table["id"] for t in present):
                present.append(table)
                imported.report.add(Outcome.IMPORTED, table["id"], table.get("name", ""), "decision",
                                    f"decision table '{table['id']}' added to process '{imported.document['key']}'")


def _published(args: argparse.Namespace) -> dict[str, Bundle]:
    """The newest published bundle of every process in the data folder, for checking subprocess calls."""
    if not data_folder(args).is_dir():
        return {}
    try:
        with acting(args, read_only=True) as (runtime, user):
            return latest_bundles(runtime, user)
    except FlowdeskError:  # a folder without a store (only drafts, say) has nothing published
        return {}


def _print_report(report: ImportReport, out: TextIO) -> None:
    for line in report.lines():
        print(line, file=out)


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="BPMN 2.0 (.bpmn, .xml) and DMN 1.3 (.dmn) files")
    parser.add_argument("--accept", action="store_true",
                        help="create a draft of every imported process (nothing is created without it)")
    add_actor_argument(parser)


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("process", help="the process key")
    formats = parser.add_mutually_exclusive_group()
    formats.add_argument("--bpmn", dest="format", action="store_const", const="bpmn",
                         help="BPMN 2.0 XML with the diagram (opens in bpmn.io and Camunda Modeler)")
    formats.add_argument("--dmn", dest="format", action="store_const", const="dmn",
                         help="the process's decision tables as DMN 1.3 XML")
    formats.add_argument("--json", dest="format", action="store_const", const="json",
                         help="the bundle JSON (the default)")
    parser.set_defaults(format="json")
    parser.add_argument("--version", type=int, metavar="N", help="this published version (default: the newest)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of printing")
    add_actor_argument(parser)


IMPORT = Command(run_import, "import BPMN 2.0 and DMN 1.3 files: print the report, --accept creates drafts",
                 _import_arguments)
EXPORT = Command(run_export, "export a published process as BPMN 2.0, DMN 1.3 or bundle JSON", _export_arguments)
