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
)
from runtime.outbox import OUTBOX_LEASE, Deliverer, default_sinks
from runtime.service import JOB_LEASE
from runtime.storage.postgres import display_url
from runtime.worker import Worker


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Fire due jobs and deliver the outbox, every few seconds until stopped (Ctrl+C), or once with --once."""
    log_progress()
    outbox_folder = data_folder(args) / "outbox"
    job_lease = timedelta(seconds=args.lease) if args.lease else JOB_LEASE
    outbox_lease = timedelta(seconds=args.lease) if args.lease else OUTBOX_LEASE
    with open_runtime(args) as runtime:
        deliverer = Deliverer(runtime.store, default_sinks(outbox_folder, args.smtp_host, args.smtp_port),
                              runtime.clock, lease=outbox_lease)
        worker = Worker(runtime, deliverer, interval=args.interval, job_lease=job_lease)
        if args.once:
            report = worker.run_once()
            print(f"{report.jobs_fired} jobs fired; {report.delivery.sent} sent, {report.delivery.retrying} "
                  f"retrying, {report.delivery.failed} failed", file=out)
            for error in report.delivery.errors:
                print(f"  {error}", file=out)
            return 0
        stop = threading.Event()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signal_number, lambda *_: stop.set())
        db_url = database_url(args)
        where = display_url(db_url) if db_url else data_folder(args)
        print(f"worker running on {where} (letters and SMS in {outbox_folder}); Ctrl+C stops", file=out,
              flush=True)
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
