"""What both stores answer from their in-memory indexes alone, written once.

`MemoryStore` and `TinyDBStore` keep the same `Indexes` under a lock; the
questions those indexes answer without reading any document (open work per
queue, the worklist's change marker, which cases closed when) need nothing
store-specific beyond "is the store usable" (`_check_ready`).
"""

from __future__ import annotations

import threading
from abc import abstractmethod
from datetime import datetime

from runtime.storage.base import Store
from runtime.storage.indexes import Indexes, micros


class IndexedStore(Store):
    """A store holding `_indexes` under `_lock`; subclasses say when it may be read (`_check_ready`)."""

    _lock: threading.RLock
    _indexes: Indexes

    @abstractmethod
    def _check_ready(self) -> None:
        """Raise StoreError when the store is closed (or otherwise unusable)."""

    def closed_case_revisions(self, since: datetime, until: datetime) -> list[tuple[str, int]]:
        with self._lock:
            self._check_ready()
            return self._indexes.cases.closed_between(micros(since), micros(until))

    def count_open_work_items(self) -> dict[str, int]:
        with self._lock:
            self._check_ready()
            return self._indexes.work.open_counts()

    def worklist_marker(self) -> int:
        with self._lock:
            self._check_ready()
            return self._indexes.work.changes
