"""The storage contract runs against every store: `store` is each of them in turn.

`reopen(store)` gives the store as a restarted process would see it: the
embedded and PostgreSQL stores are closed and opened again (on the same
folder or database); the memory store has nothing to reopen and is returned
as is. Every store opened is closed after the test.

The PostgreSQL tests each get a new database (`pg_url`, in tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from runtime.storage.base import Store
from runtime.storage.memory import MemoryStore
from runtime.storage.postgres import PostgresStore
from runtime.storage.tinydb_store import TinyDBStore

Reopen = Callable[[Store], Store]
STORES = ["memory", "tinydb", "postgres"]


class Opened:
    """Opens stores of one kind in one folder (or database) and remembers them for closing."""

    def __init__(self, kind: str, directory: Path, database: str = "") -> None:
        self.kind = kind
        self.directory = directory
        self.database = database
        self.stores: list[Store] = []

    def open(self) -> Store:
        if self.kind == "memory":
            store: Store = MemoryStore()
        elif self.kind == "tinydb":
            store = TinyDBStore.open(self.directory)
        else:
            store = PostgresStore.open(self.database, pool_size=8)
        self.stores.append(store)
        return store

    def reopen(self, store: Store) -> Store:
        if isinstance(store, MemoryStore):
            return store
        store.close()
        return self.open()


@pytest.fixture(params=STORES)
def opened(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    database = request.getfixturevalue("pg_url") if request.param == "postgres" else ""
    opened = Opened(request.param, tmp_path / "data", database)
    yield opened
    for store in opened.stores:
        store.close()


@pytest.fixture
def store(opened: Opened) -> Store:
    return opened.open()


@pytest.fixture
def reopen(opened: Opened) -> Reopen:
    return opened.reopen
