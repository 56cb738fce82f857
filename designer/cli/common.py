"""What the command-line commands share: the data folder, JSON arguments, opening the runtime, who acts."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from models.json_input import read_json
from runtime import installation
from runtime.access import console_user
from runtime.accounts import Accounts
from runtime.documents import User
from runtime.service import Runtime
from runtime.settings import MailServer

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
    with installation.open_runtime(data_folder(args), database_url(args), read_only=read_only) as runtime:
        yield runtime


@contextmanager
def acting(args: argparse.Namespace, read_only: bool = False) -> Iterator[tuple[Runtime, User]]:
    """A runtime on the data folder's store and who acts in it: the stored user `--as` names (their roles apply;
    NotFound when there is none), else the console operator (`runtime.access.console_user`)."""
    with open_runtime(args, read_only=read_only) as runtime:
        name = getattr(args, "actor", None)
        yield runtime, Accounts(runtime).known_user(name) if name else console_user(os_account())


def os_account() -> str:
    """The name of the operating-system account running the command."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no password-database entry (a bare container)
        return "console"


def json_argument(text: str | None, what: str = "--data-json") -> dict[str, Any]:
    """A JSON object given on the command line, or an error saying what is wrong with it (and where)."""
    if not text:
        return {}
    value = read_json(text, source=what)  # JsonInputError names `what`, and the JSON path where it can
    if not isinstance(value, dict):
        raise UserError(f"{what} must be a JSON object of names and values, e.g. " """'{"amount": "12.50"}'""")
    return value


def add_actor_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="actor", metavar="USER",
                        help="act as this stored user, with their roles (default: you, as the console operator, with "
                             "the admin role)")


def add_smtp_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--smtp-host", metavar="HOST",
                        help="SMTP server for e-mail while the installation settings name none (an administrator "
                             "sets one in the app); without either, e-mails are kept as .eml files in the data folder")
    parser.add_argument("--smtp-port", type=int, metavar="PORT", help="its port (default 25)")


def smtp_fallback(args: argparse.Namespace) -> MailServer | None:
    """The mail server `--smtp-host`/`--smtp-port` name (None without them)."""
    if args.smtp_host is None:
        if args.smtp_port is not None:
            raise UserError("--smtp-port needs --smtp-host")
        return None
    try:
        return MailServer(host=args.smtp_host, port=25 if args.smtp_port is None else args.smtp_port)
    except ValidationError as error:
        problem = error.errors()[0]
        raise UserError(f"--smtp-{problem['loc'][0]}: {problem['msg']}") from None


def log_progress() -> None:
    """Log what the long-running commands (serve, worker) do, at INFO; libraries only when something is wrong
    (fontTools would log dozens of lines for every PDF letter)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)

