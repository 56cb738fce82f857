"""`flowdesk serve`: the web app, with the worker running inside it."""

from __future__ import annotations

import argparse
from typing import TextIO

from designer.cli.common import Command, add_smtp_arguments, data_folder, database_url, log_progress, smtp_fallback
from runtime.installation import where


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Serve the web app on the data folder; an empty store gets the examples and the demo users first."""
    log_progress()
    smtp = smtp_fallback(args)
    from designer.app import run as run_app  # NiceGUI is imported only when serving

    folder, db_url = data_folder(args), database_url(args)
    print(f"Flowdesk on http://{args.host}:{args.port} with {where(folder, db_url)}; Ctrl+C stops", file=out,
          flush=True)
    run_app(folder, host=args.host, port=args.port, smtp=smtp, examples=not args.no_examples, db_url=db_url,
            worker=not args.no_worker,
            max_request_mb=args.max_request_mb)
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
    parser.add_argument("--max-request-mb", type=_megabytes, metavar="MB",
                        help="the largest API request body taken, in MB (default 1; sign-in, contacts and "
                             "attachments have their own limits)")


def _megabytes(text: str) -> float:
    try:
        size = float(text)
    except ValueError:
        size = 0
    if not 0 < size < 10_000:
        raise argparse.ArgumentTypeError(f"give a size in MB between 0 and 10000, such as 2 or 0.5 (not {text!r})")
    return size


COMMAND = Command(run, "serve the web app (designer, work, monitor and audit pages) and run the worker", _arguments)
