"""Runtime tests run on every store, with a clock the test moves by hand.

The clock starts on Monday 2 March 2026, 09:00 in Amsterdam (08:00 UTC).
`restart()` gives a fresh `Runtime` on the same data, as after a process
restart (the embedded store is closed and opened again from its folder, the
PostgreSQL store from its database: each test gets a new one, `pg_url`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from runtime.clock import ManualClock
from runtime.service import Runtime
from runtime.storage.base import Store
from runtime.storage.memory import MemoryStore
from runtime.storage.postgres import PostgresStore
from runtime.storage.tinydb_store import TinyDBStore

MONDAY_9_AMSTERDAM = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class Harness:
    """A runtime on one kind of store that can be restarted (`database`: the URL of the PostgreSQL one)."""

    def __init__(self, kind: str, directory: Path, database: str = "") -> None:
        self.kind = kind
        self.directory = directory
        self.database = database
        self.clock = ManualClock(MONDAY_9_AMSTERDAM)
        self.store = self._open()
        self.runtime = Runtime(self.store, self.clock)

    def _open(self) -> Store:
        if self.kind == "postgres":
            return PostgresStore.open(self.database, pool_size=4)
        return MemoryStore() if self.kind == "memory" else TinyDBStore.open(self.directory)

    def restart(self) -> Runtime:
        if self.kind != "memory":
            self.store.close()
            self.store = self._open()
        self.runtime = Runtime(self.store, self.clock)
        return self.runtime

    def close(self) -> None:
        self.store.close()


@pytest.fixture(params=["memory", "tinydb", "postgres"])
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    database = request.getfixturevalue("pg_url") if request.param == "postgres" else ""
    opened = Harness(request.param, tmp_path / "data", database)
    yield opened
    opened.close()


@pytest.fixture
def runtime(harness: Harness) -> Runtime:
    return harness.runtime
