"""`flowdesk worker`: fire due timers and SLA escalations and deliver the outbox, standalone.

On a PostgreSQL database any number of workers (and apps) may run at once: each claims its own jobs and
outbox entries for `--lease` seconds, and takes over those of a worker that stopped once their lease ran out.
"""

from __future__ import annotations

import argparse
import signal
import threading
from datetime import timedelta
from typing import TextIO

from designer.cli.common import (
    Command,
    add_smtp_arguments,
    data_folder,
    database_url,
    log_progress,
    open_runtime,
    smtp_fallback,
)
from runtime.installation import data_worker, installation_mail, outbox_folder, where
from runtime.outbox import OUTBOX_LEASE
from runtime.service import JOB_LEASE


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Fire due jobs and deliver the outbox, every few seconds until stopped (Ctrl+C), or once with --once."""
    log_progress()
    smtp = smtp_fallback(args)
    with open_runtime(args) as runtime:
        worker = data_worker(installation_mail(runtime, data_folder(args), smtp), interval=args.interval,
                             lease=timedelta(seconds=args.lease) if args.lease else None)
        if args.once:
            report = worker.run_once()
            print(f"{report.jobs_fired} jobs fired; {report.delivery.sent} sent, {report.delivery.kept} kept in the "
                  f"data folder, {report.delivery.retrying} retrying, {report.delivery.failed} failed", file=out)
            for error in report.delivery.errors:
                print(f"  {error}", file=out)
            return 0
        stop = threading.Event()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signal_number, lambda *_: stop.set())
        print(f"worker running on {where(data_folder(args), database_url(args))} (letters and SMS in "
              f"{outbox_folder(data_folder(args))}); Ctrl+C stops", file=out, flush=True)
        worker.run_forever(stop)
    return 0


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--once", action="store_true", help="do one pass and stop")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between passes (default 5)")
    parser.add_argument("--lease", type=float, default=None, metavar="SECONDS",
                        help=f"how long a claimed job or outbox entry is this worker's before another may take "
                             f"it over (default {JOB_LEASE.total_seconds():.0f} s for jobs, "
                             f"{OUTBOX_LEASE.total_seconds():.0f} s for the outbox)")
    add_smtp_arguments(parser)


COMMAND = Command(run, "run timers, SLA escalations and outbox delivery", _arguments)
