"""An installation's data folder: opening the store in it, and the worker that delivers from it.

The doors (the web app, the CLI) name a data folder and get a `Runtime`; which
store backs it is decided here, so no door imports `runtime.storage`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from runtime.mail import Mail
from runtime.outbox import Deliverer
from runtime.service import Runtime
from runtime.settings import MailServer
from runtime.storage.base import Store
from runtime.storage.tinydb_store import TinyDBStore
from runtime.worker import Worker


def open_store(data: Path, *, read_only: bool = False) -> Store:
    """The store of the data folder `data` (made on first use unless `read_only`); close it when done."""
    return TinyDBStore.open(data, read_only=read_only)


@contextmanager
def open_runtime(data: Path, *, read_only: bool = False) -> Iterator[Runtime]:
    """A runtime on the data folder's store, closed when the block ends."""
    store = open_store(data, read_only=read_only)
    try:
        yield Runtime(store)
    finally:
        store.close()


def outbox_folder(data: Path) -> Path:
    """Where letters, SMS, connector requests and (without a mail server) e-mails are written as files."""
    return Path(data) / "outbox"


def installation_mail(runtime: Runtime, data: Path, smtp: MailServer | None = None) -> Mail:
    """The e-mail of the installation in `data`: the mail server of its settings, else `smtp` (from the command
    line), else kept as files under the outbox folder (`runtime.mail`)."""
    return Mail(runtime, outbox_folder(data), smtp)


def data_worker(mail: Mail, *, interval: float = 5.0) -> Worker:
    """The worker of an installation: fires due jobs, sends e-mail as `mail` routes it (asked every pass) and writes
    the rest under the outbox folder."""
    return Worker(mail.runtime, Deliverer(mail.runtime, mail.sinks), interval=interval)
