"""Where "now" comes from: the system clock, or a clock tests move by hand.

Everything in the runtime asks a `Clock`, so a test can run days of timers
and SLA deadlines in milliseconds.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until moved; for tests and test-runs of drafts.

    >>> clock = ManualClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    >>> clock.advance(timedelta(days=2)).isoformat()
    '2026-01-07T09:00:00+00:00'
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware start")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment
