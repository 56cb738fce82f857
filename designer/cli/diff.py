"""`flowdesk diff`: what changed between two published versions of a process, or between two bundle files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from codegen.diff import BundleDiff, ChangeKind, NodeMapProposal, diff_bundles, propose_node_map
from codegen.diff.changes import TITLES
from designer.cli.common import Command, UserError, acting, add_actor_argument
from designer.display import local_time
from designer.documents import read_document
from models import Bundle
from runtime.documents import User, Version
from runtime.errors import NotFound
from runtime.service import Runtime
from runtime.views.processes import process_version, processes
from runtime.views.processes import versions as published_versions

#: The mark before each change in the readable list.
MARKS = {ChangeKind.ADDED: "+", ChangeKind.REMOVED: "-", ChangeKind.CHANGED: "~", ChangeKind.REORDERED: "↕",
         ChangeKind.MOVED: "·"}


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Print every change between two published versions of a process (or, with --files, two bundle files):
    steps, connections, SLAs, forms field by field, letters word by word, decision tables cell by cell, case
    data, queues and more. --json prints the same as JSON for tools."""
    if args.files:
        if args.process or args.versions:
            raise UserError("give either PROCESS V1 V2 or --files A.json B.json, not both")
        old, new = (_read_bundle(Path(name)) for name in args.files)
        sides: list[dict[str, Any]] = [{"file": name} for name in args.files]
        title = f"{args.files[0]} → {args.files[1]}"
    else:
        if not args.process or len(args.versions) != 2:
            raise UserError("name a process and two of its version numbers, e.g. 'flowdesk diff billing_complaint "
                            "1 2', or compare two files with 'flowdesk diff --files A.json B.json'")
        numbers = [_version_number(text) for text in args.versions]
        with acting(args, read_only=True) as (runtime, user):
            versions = [_published(runtime, user, args.process, number) for number in numbers]
            old, new = (process_version(runtime, user, args.process, version.number).bundle for version in versions)
        sides = [_version_summary(version) for version in versions]
        title = f"{args.process}: {' → '.join(_version_line(version) for version in versions)}"
    diff, proposal = diff_bundles(old, new), propose_node_map(old, new)
    if args.json:
        document = {"from": sides[0], "to": sides[1], **diff.as_dict(), "node_map": _proposal_data(proposal)}
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        print_diff(title, diff, proposal, out)
    return 0


def print_diff(title: str, diff: BundleDiff, proposal: NodeMapProposal, out: TextIO) -> None:
    """The changes part by part, one line each, then the steps whose open cases need a choice to migrate."""
    count = len(diff)
    print(f"{title}: {'no changes' if not count else f'{count} change' + ('s' if count > 1 else '')}", file=out)
    for part, changes in diff.by_part().items():
        print(f"\n{TITLES[part]}", file=out)
        for change in changes:
            print(f"  {MARKS[change.kind]} {change.describe()}", file=out)
    if proposal.choices:
        print("\nOpen cases waiting at these steps need a step of the new version to move to "
              "(flowdesk migrate CASE --to N --map OLD=NEW):", file=out)
        for choice in proposal.choices:
            options = ", ".join(choice.candidates) or f"none (the new version has no {choice.kind} step)"
            print(f"  {choice.node_id} ({choice.kind}, {choice.reason}; waits for {choice.waits_for}): "
                  f"{options}", file=out)


def _published(runtime: Runtime, user: User, process_key: str, number: int) -> Version:
    """The published version, or an error naming what is published."""
    try:
        versions = published_versions(runtime, user, process_key)
    except NotFound:
        known = sorted(summary.key for summary in processes(runtime, user))
        published = f"published are: {', '.join(known)}" if known else "nothing is published in this data folder"
        raise UserError(f"there is no published process '{process_key}'; {published}") from None
    if number not in {version.number for version in versions}:
        numbers = ", ".join(str(version.number) for version in versions)
        raise UserError(f"process '{process_key}' has no version {number}; its versions are {numbers}")
    return next(version for version in versions if version.number == number)


def _version_number(text: str) -> int:
    number = text.lower().removeprefix("v")
    if not number.isdigit():
        raise UserError(f"'{text}' is not a version number; write e.g. 1 or v1")
    return int(number)


def _read_bundle(path: Path) -> Bundle:
    document = read_document(path)
    if document.customers is not None:
        raise UserError(f"{path} holds sample customers, not a process")
    if document.bundle is None:
        problems = "\n".join(f"  - {problem}" for problem in document.load_problems)
        raise UserError(f"{path}: cannot be read\n{problems}")
    return document.bundle


def _version_line(version: Version) -> str:
    return f"version {version.number} ({version.author}, {local_time(version.published_at)})"


def _version_summary(version: Version) -> dict[str, Any]:
    return {"process": version.process_key, "version": version.number, "hash": version.hash,
            "author": version.author, "published_at": version.published_at.isoformat(), "note": version.note}


def _proposal_data(proposal: NodeMapProposal) -> dict[str, Any]:
    return {"mapping": proposal.mapping,
            "choices": [{"node_id": c.node_id, "label": c.label, "kind": c.kind, "reason": c.reason,
                         "waits_for": c.waits_for, "candidates": list(c.candidates)} for c in proposal.choices]}


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("process", nargs="?", help="the process key, e.g. billing_complaint")
    parser.add_argument("versions", nargs="*", metavar="VERSION", help="the two version numbers to compare")
    parser.add_argument("--files", nargs=2, metavar=("A.json", "B.json"),
                        help="compare two bundle files instead of published versions")
    parser.add_argument("--json", action="store_true", help="print the changes as JSON")
    add_actor_argument(parser)


COMMAND = Command(run, "show what changed between two versions of a process", _arguments)
