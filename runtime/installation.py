"""An installation's data folder: opening the store in it, and the worker that delivers from it.

The doors (the web app, the CLI) name a data folder (and, for a server database,
its URL) and get a `Runtime`; which store backs it is decided here, so no door
imports `runtime.storage`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from runtime import storage
from runtime.anchors import SigningKey
from runtime.mail import Mail
from runtime.outbox import OUTBOX_LEASE, Deliverer
from runtime.service import JOB_LEASE, Runtime
from runtime.settings import MailServer
from runtime.storage.base import Store
from runtime.worker import Worker


def open_store(data: Path, db_url: str | None = None, *, read_only: bool = False) -> Store:
    """The PostgreSQL database at `db_url`, else the embedded store of the data folder `data` (made on first use
    unless `read_only`); close it when done."""
    return storage.open_store(data, db_url, read_only=read_only)


#: The environment variable naming the file of the key that signs the audit checkpoints (`runtime.anchors`).
ANCHOR_KEY_VARIABLE = "FLOWDESK_ANCHOR_KEY"


def signing_key(data: Path) -> SigningKey | None:
    """The installation's checkpoint signing key, from the file `$FLOWDESK_ANCHOR_KEY` names (never inside the
    data folder); None when the variable is not set (checkpoints are then hash-chained but not signed)."""
    path = os.environ.get(ANCHOR_KEY_VARIABLE)
    return SigningKey.load(Path(path), Path(data)) if path else None


@contextmanager
def open_runtime(data: Path, db_url: str | None = None, *, read_only: bool = False) -> Iterator[Runtime]:
    """A runtime on the installation's store (`open_store`), signing checkpoints with `signing_key`; closed when
    the block ends."""
    key = signing_key(data)
    store = open_store(data, db_url, read_only=read_only)
    try:
        yield Runtime(store, signing_key=key)
    finally:
        store.close()


def outbox_folder(data: Path) -> Path:
    """Where letters, SMS, connector requests and (without a mail server) e-mails are written as files."""
    return Path(data) / "outbox"


def installation_mail(runtime: Runtime, data: Path, smtp: MailServer | None = None) -> Mail:
    """The e-mail of the installation in `data`: the mail server of its settings, else `smtp` (from the command
    line), else kept as files under the outbox folder (`runtime.mail`)."""
    return Mail(runtime, outbox_folder(data), smtp)


def data_worker(mail: Mail, *, interval: float = 5.0, lease: timedelta | None = None) -> Worker:
    """The worker of an installation: fires due jobs, sends e-mail as `mail` routes it (asked every pass) and writes
    the rest under the outbox folder; it holds what it claimed for `lease` (default: `JOB_LEASE` for jobs,
    `OUTBOX_LEASE` for the outbox), after which another worker takes it over."""
    deliverer = Deliverer(mail.runtime, mail.sinks, lease=lease or OUTBOX_LEASE)
    return Worker(mail.runtime, deliverer, interval=interval, job_lease=lease or JOB_LEASE)


def is_database_url(url: str) -> bool:
    """Whether `url` names a PostgreSQL database."""
    return url.startswith(storage.POSTGRES_SCHEMES)


def upgrade_database(url: str) -> list[Any]:
    """Apply the schema migrations the PostgreSQL database at `url` lacks; the migrations applied, in order."""
    from runtime.storage.postgres import upgrade_database as upgrade

    return upgrade(url)


def copy_to_database(data: Path, url: str, progress: Callable[[int, int], None]) -> Any:
    """Copy the embedded store of the data folder `data` (only read) into the empty, upgraded database at `url`;
    `progress(done, total)` after each case. What was copied, counted."""
    from runtime.storage.postgres import PostgresStore, copy_store
    from runtime.storage.tinydb_store import TinyDBStore

    with TinyDBStore.open(data, read_only=True) as source:
        target = PostgresStore.open(url)
        try:
            return copy_store(source, target, progress)
        finally:
            target.close()


def where(data: Path, db_url: str | None) -> str:
    """Where an installation keeps its data, for messages (a database's address without its password)."""
    if not db_url:
        return f"data in {data}"
    return f"the database {display_url(db_url)} and files in {data}"


def display_url(url: str) -> str:
    """A database's address for messages: user, host, port and name, never the password."""
    from runtime.storage.postgres.schema import display_url as shown  # psycopg is loaded only for a database

    return shown(url)
