"""Runtime tests run on every store, with a clock the test moves by hand.

The clock starts on Monday 2 March 2026, 09:00 in Amsterdam (08:00 UTC).
`restart()` gives a fresh `Runtime` on the same data, as after a process
restart (the embedded store is closed and opened again from its folder).
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
from runtime.storage.tinydb_store import TinyDBStore

MONDAY_9_AMSTERDAM = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class Harness:
    """A runtime on one kind of store that can be restarted."""

    def __init__(self, kind: str, directory: Path) -> None:
        self.kind = kind
        self.directory = directory
        self.clock = ManualClock(MONDAY_9_AMSTERDAM)
        self.store = self._open()
        self.runtime = Runtime(self.store, self.clock)

    def _open(self) -> Store:
        return MemoryStore() if self.kind == "memory" else TinyDBStore.open(self.directory)

    def restart(self) -> Runtime:
        if self.kind != "memory":
            self.store.close()
            self.store = self._open()
        self.runtime = Runtime(self.store, self.clock)
        return self.runtime

    def close(self) -> None:
        self.store.close()


@pytest.fixture(params=["memory", "tinydb"])
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    opened = Harness(request.param, tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def runtime(harness: Harness) -> Runtime:
    return harness.runtime
