"""The storage contract runs against every store: `store` is each of them in turn.

`reopen(store)` gives the store as a restarted process would see it: the
embedded store is closed and opened again from its folder; the memory
store has nothing to reopen and is returned as is. Every store opened is
closed after the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from runtime.storage.base import Store
from runtime.storage.memory import MemoryStore
from runtime.storage.tinydb_store import TinyDBStore

Reopen = Callable[[Store], Store]


class Opened:
    """Opens stores of one kind in one folder and remembers them for closing."""

    def __init__(self, kind: str, directory: Path) -> None:
        self.kind = kind
        self.directory = directory
        self.stores: list[Store] = []

    def open(self) -> Store:
        store = MemoryStore() if self.kind == "memory" else TinyDBStore.open(self.directory)
        self.stores.append(store)
        return store

    def reopen(self, store: Store) -> Store:
        if isinstance(store, MemoryStore):
            return store
        store.close()
        return self.open()


@pytest.fixture(params=["memory", "tinydb"])
def opened(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    opened = Opened(request.param, tmp_path / "data")
    yield opened
    for store in opened.stores:
        store.close()


@pytest.fixture
def store(opened: Opened) -> Store:
    return opened.open()


@pytest.fixture
def reopen(opened: Opened) -> Reopen:
    return opened.reopen
