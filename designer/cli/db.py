"""`flowdesk db upgrade`: bring a PostgreSQL database to this Flowdesk's schema;
`flowdesk db copy`: copy an embedded store (a data folder) into a new PostgreSQL database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from designer.cli.common import Command, UserError, add_db_argument, database_url
from runtime.installation import copy_to_database, display_url, is_database_url, upgrade_database

_BAR = 30


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Upgrade a PostgreSQL database's schema, or copy a data folder's store into one."""
    return copy(args, out) if args.action == "copy" else upgrade(args, out)


def upgrade(args: argparse.Namespace, out: TextIO) -> int:
    """Apply the schema migrations the database lacks (safe to repeat; back up the database first)."""
    url = _postgres_url(database_url(args), "--db (or $FLOWDESK_DB)")
    applied = upgrade_database(url)
    for migration in applied:
        print(f"applied migration {migration.number}: {migration.name.replace('_', ' ')}", file=out)
    print(f"{display_url(url)} is at the current schema" + ("" if applied else " (nothing to do)"), file=out)
    return 0


def copy(args: argparse.Namespace, out: TextIO) -> int:
    """Copy every version, case (with its work items, jobs, outbox, audit trail and attachments), customer,
    contact and user of the data folder's store into an empty, upgraded PostgreSQL database."""
    url = _postgres_url(args.target, "--to")
    if not (args.source / "store.json").is_file():
        raise UserError(f"{args.source} is not a Flowdesk data folder (it has no store.json)")
    copied = copy_to_database(args.source, url, _progress_bar)
    print(f"copied {copied.versions} versions, {copied.cases} cases, {copied.customers} customers, "
          f"{copied.contacts} contacts and {copied.users} users into {display_url(url)}; check it with "
          f"'flowdesk audit verify --db {display_url(url)}'", file=out)
    return 0


def _progress_bar(done: int, total: int) -> None:
    """Cases copied so far, as a bar on stderr (redrawn in place on a terminal, a line per step elsewhere)."""
    filled = _BAR * done // total if total else _BAR
    line = f"[{'#' * filled}{'.' * (_BAR - filled)}] {done:,} / {total:,} cases"
    if sys.stderr.isatty():
        print(f"\r{line}", end="\n" if done == total else "", file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)


def _postgres_url(url: str | None, option: str) -> str:
    if not url:
        raise UserError(f"say which database with {option} postgresql://USER@HOST:5432/DATABASE")
    if not is_database_url(url):
        raise UserError(f"{option} takes a PostgreSQL address such as postgresql://USER@HOST:5432/DATABASE, "
                        f"not '{url}'")
    return url


def _arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    up = actions.add_parser("upgrade", help="apply the schema migrations a database lacks",
                            description=upgrade.__doc__)
    add_db_argument(up, "the PostgreSQL database to upgrade")
    into = actions.add_parser("copy", help="copy a data folder's store into a new PostgreSQL database",
                              description=copy.__doc__)
    into.add_argument("--from", dest="source", metavar="DIR", type=Path, required=True,
                      help="the data folder to copy (it is only read; stop the app that uses it first)")
    into.add_argument("--to", dest="target", metavar="URL", required=True,
                      help="the empty database, upgraded with 'flowdesk db upgrade'")


COMMAND = Command(run, "set up and fill a PostgreSQL database (scale out)", _arguments, uses_data=False)
