"""`flowdesk audit`: verify the trails, anchor them, make the signing key, export cases and check an export.

    audit verify [CASE] [--public-key KEY] [--anchors FILE]   every trail against its chain and the checkpoints
    audit checkpoint                                           anchor the trails that grew, now
    audit anchor                                               the newest checkpoint as a line for an anchor file
    audit keygen --out DIR                                     a new signing key pair (keep it outside the data)
    audit export CASE... -o FILE [--pdf REPORT]                cases as a file that verifies offline
    audit verify-export FILE [--public-key KEY]                check such a file, without the store
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from codegen.trail_report import trail_report_pdf
from designer.cli.common import Command, UserError, acting, add_actor_argument
from runtime.anchors import SigningKey, anchor_line, load_public_key, read_anchor_file
from runtime.exports import export_bytes, export_cases, export_summary, verify_export
from runtime.views.audit import newest_checkpoint

ACTIONS = ("verify", "checkpoint", "anchor", "keygen", "export", "verify-export")


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Verify the audit trails against their chains and the signed checkpoints (exit 1 if anything is broken),
    anchor them, make the signing key, export cases as a file that verifies offline, or check such a file."""
    return {"verify": _verify, "checkpoint": _checkpoint, "anchor": _anchor, "keygen": _keygen,
            "export": _export, "verify-export": _verify_export}[args.action](args, out)


def _verify(args: argparse.Namespace, out: TextIO) -> int:
    if len(args.targets) > 1:
        raise UserError("audit verify checks one case or all: give at most one case id")
    public = load_public_key(Path(args.public_key)) if args.public_key else None
    anchors = read_anchor_file(Path(args.anchors)) if args.anchors else None
    with acting(args, read_only=True) as (runtime, user):
        verdict = runtime.verify_audit(user, args.targets[0] if args.targets else None, public=public,
                                       anchors=anchors)
    for problem in verdict.problems:
        event = f" (event id {problem.event_id})" if problem.event_id else ""
        at = f" at event {problem.seq}" if problem.seq else ""
        print(f"case {problem.case_id}: BROKEN{at}{event}: {problem.message}", file=out)
    if verdict.intact:
        signed = "signed" if verdict.signed else "not signed: set FLOWDESK_ANCHOR_KEY (see 'audit keygen')"
        print(f"audit trails intact: {verdict.cases} case(s) checked against {verdict.checkpoints} "
              f"checkpoint(s), {signed}", file=out)
    return 0 if verdict.intact else 1


def _checkpoint(args: argparse.Namespace, out: TextIO) -> int:
    with acting(args) as (runtime, _):
        checkpoint = runtime.checkpoint()
    print(f"checkpoint {checkpoint.seq}: {len(checkpoint.heads)} trail(s) anchored" if checkpoint
          else "no trail grew since the newest checkpoint", file=out)
    return 0


def _anchor(args: argparse.Namespace, out: TextIO) -> int:
    with acting(args, read_only=True) as (runtime, user):
        checkpoint = newest_checkpoint(runtime, user)
    if checkpoint is None:
        raise UserError("there is no checkpoint yet: run 'flowdesk audit checkpoint' (the worker makes them too)")
    print(anchor_line(checkpoint), file=out)
    return 0


def _keygen(args: argparse.Namespace, out: TextIO) -> int:
    if not args.out:
        raise UserError("say where the key pair goes: --out DIR (not the data folder)")
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    private, public = folder / "anchor.pem", folder / "anchor.pub"
    if private.exists():
        raise UserError(f"{private} exists already; a key is made once (move it away to make another)")
    fingerprint = SigningKey.generate(private, public)
    print(f"signing key {fingerprint} written to {private} (keep it secret, outside the data folder) and its public "
          f"key to {public} (give it to the auditors); start Flowdesk with FLOWDESK_ANCHOR_KEY={private}", file=out)
    return 0


def _export(args: argparse.Namespace, out: TextIO) -> int:
    if not args.targets or not args.output:
        raise UserError("name the cases and the file: flowdesk audit export CASE... -o FILE")
    with acting(args) as (runtime, user):
        export = export_cases(runtime, user, list(args.targets))
    data = export_bytes(export)
    Path(args.output).write_bytes(data)
    if args.pdf:
        Path(args.pdf).write_bytes(trail_report_pdf(export_summary(json.loads(data)),
                                                    [f"Exported by {export['exported_by']} at {export['exported_at']}"],
                                                    title="Flowdesk audit trail report"))
    print(f"{len(args.targets)} case(s) exported to {args.output}" + (f", the report to {args.pdf}" if args.pdf
                                                                      else ""), file=out)
    return 0


def _verify_export(args: argparse.Namespace, out: TextIO) -> int:
    if len(args.targets) != 1:
        raise UserError("name the export file: flowdesk audit verify-export FILE")
    try:
        data = Path(args.targets[0]).read_bytes()
    except OSError as error:
        raise UserError(f"cannot read {args.targets[0]}: {error.strerror}") from None
    verdict = verify_export(data, load_public_key(Path(args.public_key)) if args.public_key else None)
    for problem in verdict.problems:
        print(f"BROKEN: {problem}", file=out)
    for case in verdict.cases:
        for problem in case.problems:
            print(f"case {case.case_id}: BROKEN: {problem}", file=out)
        if not case.problems:
            print(f"case {case.case_id}: {case.events} events intact, {case.anchored} anchored by a checkpoint "
                  f"signed by key {case.signed_by}", file=out)
    if verdict.intact and not verdict.trusted:
        print(f"checked with the key in the file ({verdict.key}); give --public-key to check against yours", file=out)
    return 0 if verdict.intact else 1


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=ACTIONS, help="what to do (see flowdesk audit --help)")
    parser.add_argument("targets", nargs="*", metavar="CASE|FILE", help="cases (verify, export) or the export file")
    parser.add_argument("--public-key", metavar="FILE", help="the installation's public key to check signatures with")
    parser.add_argument("--anchors", metavar="FILE", help="an anchor file kept outside the store (lines of "
                                                          "'flowdesk audit anchor')")
    parser.add_argument("--out", metavar="DIR", help="keygen: the folder for the new key pair")
    parser.add_argument("-o", "--output", metavar="FILE", help="export: the file to write")
    parser.add_argument("--pdf", metavar="FILE", help="export: also write a readable PDF report")
    add_actor_argument(parser)


COMMAND = Command(run, "verify, anchor and export the audit trails", _arguments)
