"""`flowdesk check`: findings for bundle files, readable or as JSON."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from designer.cli.common import Command
from designer.documents import CheckedDocument, read_documents
from models.checks import RULES, Severity, check, rule_code


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Check process bundles (and sample-customer files); exit 1 when any error is found."""
    if args.rules:
        _print_rules(out)
        return 0
    if not args.files:
        print("flowdesk check: name at least one file or folder (e.g. flowdesk check examples/*)", file=out)
        return 2
    documents = read_documents([Path(f) for f in args.files])
    bundles = {d.bundle.key: d.bundle for d in documents if d.bundle is not None}
    for document in documents:
        if document.bundle is not None:
            document.findings = check(document.bundle, known_processes=bundles)
    if args.json:
        json.dump([d.as_dict() for d in documents], out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        for document in documents:
            print_document(document, out)
    return 1 if any(d.has_errors for d in documents) else 0


def print_document(document: CheckedDocument, out: TextIO) -> None:
    errors = [f for f in document.findings if f.severity is Severity.ERROR]
    warnings = [f for f in document.findings if f.severity is Severity.WARNING]
    if document.load_problems:
        print(f"{document.path}: cannot be read", file=out)
        for problem in document.load_problems:
            print(f"  error    {problem}", file=out)
        return
    verdict = "ok" if not document.findings else f"{_count(errors, 'error')}, {_count(warnings, 'warning')}"
    print(f"{document.path}: {document.summary} — {verdict}", file=out)
    for finding in document.findings:
        where = f" [{finding.element}]" if finding.element else ""
        print(f"  {finding.severity.value:<8} {finding.code}{where}: {finding.message}", file=out)
        if finding.hint:
            print(f"           hint: {finding.hint}", file=out)


def _count(items: Sequence[object], word: str) -> str:
    return f"{len(items)} {word}{'' if len(items) == 1 else 's'}"


def _print_rules(out: TextIO) -> None:
    for rule, severity in RULES.items():
        doc = (rule.__doc__ or "").strip()
        title, _, body = doc.partition("\n\n")
        print(f"{rule_code(rule)} ({severity.value})\n  {title}", file=out)
        for line in body.splitlines():
            print(f"  {line}".rstrip(), file=out)
        print(file=out)


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="bundle files or folders of them (sample-customer files are validated too)")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.add_argument("--rules", action="store_true", help="list every rule with its code and help text")


COMMAND = Command(run, "check process bundles and print their findings", _arguments, uses_data=False)
