"""`flowdesk serve`: the web app, with the worker running inside it."""

from __future__ import annotations

import argparse
from typing import TextIO

from designer.cli.common import Command, add_smtp_arguments, data_folder, database_url, log_progress
from runtime.storage.postgres import display_url


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Serve the web app on the data folder; an empty store gets the examples and the demo users first."""
    log_progress()
    from designer.app import run as run_app  # NiceGUI is imported only when serving

    folder, db_url = data_folder(args), database_url(args)
    where = f"the database {display_url(db_url)} and files in {folder}" if db_url else f"data in {folder}"
    print(f"Flowdesk on http://{args.host}:{args.port} with {where}; Ctrl+C stops", file=out, flush=True)
    run_app(folder, host=args.host, port=args.port, smtp_host=args.smtp_host, smtp_port=args.smtp_port,
            examples=not args.no_examples, db_url=db_url, worker=not args.no_worker)
    return 0


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    add_smtp_arguments(parser)
    parser.add_argument("--no-worker", action="store_true",
                        help="run no worker inside the app (timers, SLA jobs and the outbox are left to "
                             "'flowdesk worker' processes)")
    parser.add_argument("--no-examples", action="store_true",
                        help="do not publish the examples or create the demo users on first start")


COMMAND = Command(run, "serve the web app (designer, work, monitor and audit pages) and run the worker", _arguments)
