"""`flowdesk audit verify`: prove that no audit event was changed or removed."""

from __future__ import annotations

import argparse
from typing import TextIO

from designer.cli.common import Command, acting, add_actor_argument
from runtime.views.cases import CaseFilter, find_cases


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Verify the hash chain of every case's audit trail (or one case's); exit 1 if any is broken."""
    with acting(args, read_only=True) as (runtime, user):
        problems = runtime.verify_audit(user, args.case)
        checked = 1 if args.case else find_cases(runtime, user, CaseFilter(limit=1)).total
    for problem in problems:
        event = f" (event id {problem.event_id})" if problem.event_id else ""
        print(f"case {problem.case_id}: BROKEN at event {problem.seq}{event}: {problem.message}", file=out)
    if not problems:
        print(f"audit trails intact: {checked} case(s) checked", file=out)
    return 1 if problems else 0


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["verify"], help="what to do with the audit log")
    parser.add_argument("case", nargs="?", help="only this case")
    add_actor_argument(parser)


COMMAND = Command(run, "verify the audit trails", _arguments)
