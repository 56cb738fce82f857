"""`flowdesk resend`: send failed letters, e-mails and SMS once more, after what made them fail was fixed — one
message, every failed one of a case, or (a supervisor) every failed one at once; `--list` shows what failed. Through
`runtime.deliveries`; the worker then sends them on its next pass. `--checked` settles a message that may have
arrived, once someone checked; `--kept` sends the e-mails kept locally through the mail server now saved
(`runtime.mail.Mail.send_kept`)."""

from __future__ import annotations

import argparse
from typing import TextIO

from designer.cli.common import Command, UserError, acting, add_actor_argument, data_folder
from designer.display import local_time
from runtime.deliveries import Deliveries
from runtime.installation import installation_mail
from runtime.views.deliveries import failed_deliveries


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Queue failed messages again: ENTRY of CASE, every failed one of CASE, or with --all every failed one (a
    supervisor's); --list shows the failed ones. Messages whose delivery was interrupted may have arrived and are
    never resent: check them by hand."""
    if [args.case is not None, args.all, args.list, args.kept].count(True) != 1:
        raise UserError("name a case (and a message of it), or give --all, --list or --kept")
    if args.checked and args.entry is None:
        raise UserError("--checked needs the case and the message that was checked")
    with acting(args, read_only=args.list) as (runtime, user):
        if args.list:
            return _list(failed_deliveries(runtime, user), out)
        if args.kept:
            report = installation_mail(runtime, data_folder(args)).send_kept(user)
            for line in report.lines:
                print(line, file=out)
            return 1 if report.not_sent else 0
        deliveries = Deliveries(runtime)
        if args.checked:
            deliveries.settle(user, args.case, args.entry, arrived=args.checked == "arrived")
            print(f"case {args.case}: message {args.entry} " + (
                "marked as arrived; it is not sent again" if args.checked == "arrived" else
                "queued again; the worker sends it on its next pass"), file=out)
            return 0
        if args.all:
            report = deliveries.resend_all(user)
            print(f"{report.resent} failed message{'s' if report.resent != 1 else ''} of {report.cases} "
                  f"case{'s' if report.cases != 1 else ''} queued again", file=out)
            for unsure in report.check_by_hand:
                print(f"  not resent, may have arrived (check by hand): {unsure}", file=out)
            for problem in report.problems:
                print(f"  not resent: {problem}", file=out)
            return 1 if report.problems else 0
        if args.entry is not None:
            deliveries.resend(user, args.case, args.entry)
            what = f"message {args.entry}"
        else:
            deliveries.resend_case(user, args.case)
            what = "every failed message"
    print(f"case {args.case}: {what} queued again; the worker sends it on its next pass", file=out)
    return 0


def _list(found: list, out: TextIO) -> int:
    for failed in found:
        resend = "" if failed.resendable else "  (may have arrived: check by hand, never resent)"
        print(f"{local_time(failed.failed_at)}  case {failed.case_id}  {failed.entry_id}  {failed.text}: "
              f"{failed.reason}{resend}", file=out)
    if not found:
        print("no delivery failed", file=out)
    return 0


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", nargs="?", help="the case whose failed messages to resend")
    parser.add_argument("entry", nargs="?", help="only this message of the case (see 'flowdesk case' or --list)")
    parser.add_argument("--all", action="store_true", help="every failed message of every case (supervisors)")
    parser.add_argument("--list", action="store_true", help="show the failed messages, resend nothing")
    parser.add_argument("--checked", choices=("arrived", "missing"),
                        help="settle a message that may have arrived, after checking with the customer: it arrived "
                             "(never sent again) or it is missing (send it again)")
    parser.add_argument("--kept", action="store_true",
                        help="send the e-mails kept locally (no mail server was set) through the one now saved")
    add_actor_argument(parser)


COMMAND = Command(run, "resend failed letters, e-mails and SMS", _arguments)
