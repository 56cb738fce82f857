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

from codegen.bpmn.report import ImportReport
from codegen.bpmn.safe_xml import MAX_XML_BYTES
from codegen.interchange import UnreadFile, read_files, write_process
from designer.cli.common import Command, UserError, acting, add_actor_argument, data_folder
from models.bundle import Bundle
from models.errors import FlowdeskError
from runtime.documents import User
from runtime.drafts import Drafts
from runtime.errors import ConflictError
from runtime.service import Runtime
from runtime.views.design import latest_bundles
from runtime.views.processes import process_version


def run_import(args: argparse.Namespace, out: TextIO) -> int:
    """Read BPMN (.bpmn, .xml) and DMN (.dmn) files and print what they would become; --accept creates drafts.

    Exit 1 when a file cannot be read (nothing is created then).
    """
    files, unopened = [], []
    for path in args.files:
        try:
            files.append((path, _read(Path(path))))
        except UserError as error:
            unopened.append(UnreadFile(path, str(error)))
    preview = read_files(files, _published(args))
    preview.unread[:0] = unopened
    for unread in preview.unread:
        print(f"{unread.source}: cannot be read — {unread.problem}", file=out)
    for line in preview.notes:
        print(line, file=out)
    for report in preview.table_reports:
        _print_report(report, out)
    for draft in preview.drafts:
        _print_report(draft.report, out)
        print(f"  checks: {draft.errors} error(s), {len(draft.findings) - draft.errors} warning(s) to fix before "
              "publishing", file=out)
        for finding in draft.findings:
            print(f"    {finding.severity.value:<8} {finding.code} [{finding.element}]: {finding.message}", file=out)
    if args.accept and preview.acceptable:
        with acting(args) as (runtime, user):
            for draft in preview.drafts:
                print(save_draft(runtime, user, draft.document), file=out)
    elif preview.acceptable:
        print("Nothing was created: run again with --accept to create these drafts.", file=out)
    return 1 if preview.unread else 0


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
    content = write_process(bundle, args.format)
    if args.output:
        Path(args.output).write_bytes(content)
        print(f"{args.process}: written to {args.output}", file=out)
    else:
        out.write(content.decode())
    return 0


def _read(path: Path) -> bytes:
    """The file's content; an unreadable or oversized file is a clear error naming it."""
    try:
        if path.stat().st_size > MAX_XML_BYTES:
            raise UserError(f"the file is larger than {MAX_XML_BYTES:,} bytes")
        return path.read_bytes()
    except OSError as error:
        raise UserError(f"cannot read the file: {error.strerror}") from None


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
