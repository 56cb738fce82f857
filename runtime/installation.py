"""An installation's data folder: opening the store in it, the worker that delivers from it, and the secret that
signs session cookies; setting up a PostgreSQL database (its schema, a copy of a data folder's store).

The doors (the web app, the CLI) name a data folder (and, for a server database,
its URL) and get a `Runtime`; which store backs it is decided here, so no door
imports `runtime.storage`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from runtime import storage
from runtime.access import system_user
from runtime.anchors import SigningKey
from runtime.mail import Mail
from runtime.outbox import OUTBOX_LEASE, Deliverer
from runtime.service import JOB_LEASE, Runtime
from runtime.settings import MailServer
from runtime.storage.base import Store
from runtime.transaction import Transaction
from runtime.worker import Worker

if TYPE_CHECKING:
    from runtime.storage.postgres import Copied, Migration


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


#: The record that keeps the session secret, and the file an older Flowdesk kept it in (in the data folder).
SECRET_KIND, SECRET_KEY, SECRET_FILE = "setting", "session_secret", "session_secret"


def session_secret(runtime: Runtime, data: Path) -> str:
    """The secret that signs session cookies, kept in the store so every app process of the installation signs
    alike: made on the first start, or taken over (once) from the file `SECRET_FILE` in the data folder, which
    is then removed. Two processes starting at once agree: the second one's step finds the first one's secret."""
    old_file = Path(data) / SECRET_FILE

    def secret(tx: Transaction) -> tuple[str, bool]:
        stored = tx.record(SECRET_KIND, SECRET_KEY)
        if stored is not None:
            return str(stored.data["secret"]), False
        taken_over = old_file.is_file()
        made = old_file.read_text().strip() if taken_over else secrets.token_urlsafe(32)
        tx.new_record(SECRET_KIND, SECRET_KEY, {"secret": made})  # another process's secret made meanwhile: re-run
        return made, taken_over

    found, taken_over = runtime.step(system_user("installation"), secret)
    if taken_over:
        old_file.unlink()
    return found


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


def where(data: Path, db_url: str | None) -> str:
    """Where an installation keeps its data, for messages (a database's address without its password)."""
    if not db_url:
        return f"data in {data}"
    return f"the database {database_address(db_url)} and files in {data}"


# A PostgreSQL database (psycopg is loaded only for one) ---------------------------------------------------------

def is_database_url(text: str) -> bool:
    """Whether `text` is a PostgreSQL address (postgresql://...), which `open_store` opens instead of a folder."""
    return text.startswith(storage.POSTGRES_SCHEMES)


def database_address(db_url: str) -> str:
    """The database's address for messages: user, host, port and name, never the password."""
    from runtime.storage.postgres import display_url

    return display_url(db_url)


def upgrade_database(db_url: str) -> list[Migration]:
    """Apply the schema migrations the database lacks, in one transaction; those applied, in order (none when it
    was current). StoreError saying why when the database cannot be reached."""
    from runtime.storage.postgres import upgrade_database as upgrade

    return upgrade(db_url)


def copy_into_database(data: Path, db_url: str, progress: Callable[[int, int], None]) -> Copied:
    """Copy the embedded store of the data folder `data` (only read) into the empty, upgraded database at
    `db_url`; `progress(cases copied, total)` after each batch."""
    from runtime.storage.postgres import PostgresStore, copy_store

    source = open_store(data, read_only=True)
    try:
        with PostgresStore.open(db_url) as target:
            return copy_store(source, target, progress)
    finally:
        source.close()
