"""An installation's data folder: opening the store in it, and the worker that delivers from it.

The doors (the web app, the CLI) name a data folder and get a `Runtime`; which
store backs it is decided here, so no door imports `runtime.storage`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from runtime.anchors import SigningKey
from runtime.outbox import Deliverer, default_sinks
from runtime.service import Runtime
from runtime.storage.base import Store
from runtime.storage.tinydb_store import TinyDBStore
from runtime.worker import Worker


def open_store(data: Path, *, read_only: bool = False) -> Store:
    """The store of the data folder `data` (made on first use unless `read_only`); close it when done."""
    return TinyDBStore.open(data, read_only=read_only)


#: The environment variable naming the file of the key that signs the audit checkpoints (`runtime.anchors`).
ANCHOR_KEY_VARIABLE = "FLOWDESK_ANCHOR_KEY"


def signing_key(data: Path) -> SigningKey | None:
    """The installation's checkpoint signing key, from the file `$FLOWDESK_ANCHOR_KEY` names (never inside the
    data folder); None when the variable is not set (checkpoints are then hash-chained but not signed)."""
    path = os.environ.get(ANCHOR_KEY_VARIABLE)
    return SigningKey.load(Path(path), Path(data)) if path else None


@contextmanager
def open_runtime(data: Path, *, read_only: bool = False) -> Iterator[Runtime]:
    """A runtime on the data folder's store (signing checkpoints with `signing_key`), closed when the block ends."""
    key = signing_key(data)
    store = open_store(data, read_only=read_only)
    try:
        yield Runtime(store, signing_key=key)
    finally:
        store.close()


def outbox_folder(data: Path) -> Path:
    """Where letters, SMS and connector requests are written as files."""
    return Path(data) / "outbox"


def data_worker(runtime: Runtime, data: Path, *, smtp_host: str = "localhost", smtp_port: int = 25,
                interval: float = 5.0) -> Worker:
    """The worker of an installation: fires due jobs, sends e-mail by SMTP and writes the rest under the outbox
    folder (`outbox_folder`)."""
    deliverer = Deliverer(runtime.store, default_sinks(outbox_folder(data), smtp_host, smtp_port), runtime.clock)
    return Worker(runtime, deliverer, interval=interval)
