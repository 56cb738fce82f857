"""What the command-line commands share: the data folder, JSON arguments, opening the runtime."""

from __future__ import annotations

import argparse
import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from runtime.service import Runtime
from runtime.storage import open_store

DEFAULT_DATA = ".flowdesk"


class UserError(Exception):
    """A mistake on the command line; printed as one line, exit code 1."""


@dataclass(frozen=True)
class Command:
    run: Callable[[argparse.Namespace, TextIO], int]
    help: str
    arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None
    uses_data: bool = True


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", metavar="DIR", default=None,
                        help=f"the data folder (default: $FLOWDESK_DATA, else ./{DEFAULT_DATA})")
    add_db_argument(parser, "a PostgreSQL database instead of the data folder's embedded store")


def add_db_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--db", metavar="URL", default=None,
                        help=f"{what}, e.g. postgresql://flowdesk@localhost/flowdesk (default: $FLOWDESK_DB)")


def data_folder(args: argparse.Namespace) -> Path:
    return Path(args.data or os.environ.get("FLOWDESK_DATA") or DEFAULT_DATA)


def database_url(args: argparse.Namespace) -> str | None:
    """The PostgreSQL database the command works on (--db, else $FLOWDESK_DB), or None for the embedded store."""
    return getattr(args, "db", None) or os.environ.get("FLOWDESK_DB") or None


@contextmanager
def open_runtime(args: argparse.Namespace, read_only: bool = False) -> Iterator[Runtime]:
    """A runtime on the PostgreSQL database, or else the data folder's embedded store; closed afterwards."""
    store = open_store(data_folder(args), database_url(args), read_only=read_only)
    try:
        yield Runtime(store)
    finally:
        store.close()


def json_argument(text: str | None, what: str = "--data") -> dict[str, Any]:
    """A JSON object given on the command line, or an error saying what is wrong with it."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(f"{what} is not valid JSON ({error.msg} at column {error.colno}); "
                        """write e.g. '{"amount": "12.50"}'""") from None
    if not isinstance(value, dict):
        raise UserError(f"{what} must be a JSON object of names and values")
    return value


def actor(args: argparse.Namespace) -> str:
    return getattr(args, "actor", None) or os.environ.get("USER") or "cli"


def add_actor_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="actor", metavar="USER", help="who does this (default: $USER)")


def add_smtp_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--smtp-host", default="localhost", help="SMTP server for e-mail (default localhost)")
    parser.add_argument("--smtp-port", type=int, default=25, help="SMTP port (default 25)")


def log_progress() -> None:
    """Log what the long-running commands (serve, worker) do, at INFO; libraries only when something is wrong
    (fontTools would log dozens of lines for every PDF letter)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)

