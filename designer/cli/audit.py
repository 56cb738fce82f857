"""`flowdesk audit verify`: prove that no audit event was changed or removed."""

from __future__ import annotations

import argparse
from typing import TextIO

from designer.cli.common import Command, acting, add_actor_argument


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Verify the hash chain of every case's audit trail (or one case's) and the signed checkpoints anchoring
    them store-wide; exit 1 if anything is broken."""
    with acting(args, read_only=True) as (runtime, user):
        verdict = runtime.verify_audit(user, args.case)
    for problem in verdict.problems:
        event = f" (event id {problem.event_id})" if problem.event_id else ""
        at = f" at event {problem.seq}" if problem.seq else ""
        print(f"case {problem.case_id}: BROKEN{at}{event}: {problem.message}", file=out)
    if verdict.intact:
        print(f"audit trails intact: {verdict.cases} case(s) checked against {verdict.checkpoints} "
              f"checkpoint(s)", file=out)
    return 0 if verdict.intact else 1


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["verify"], help="what to do with the audit log")
    parser.add_argument("case", nargs="?", help="only this case")
    add_actor_argument(parser)


COMMAND = Command(run, "verify the audit trails", _arguments)
