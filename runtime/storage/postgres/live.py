"""Live views across processes: a commit that changes what worklists show sends `NOTIFY` on `CHANNEL` (with its
store's `sender` name as payload), and each process that shows worklists keeps one `LISTEN` connection
(`Listener`) that moves its store's marker for the other stores' notifications (a store moves its marker for
its own commits at once).

NOTIFY is delivered only to connections listening when the notifying
transaction commits, and never again: whatever was committed while the
listening connection was down is lost. So after a lost connection the
listener connects again (every `retry` seconds until it can) and then moves
the marker once, which makes every open view read afresh.
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid
from collections.abc import Callable

import psycopg

log = logging.getLogger(__name__)

#: The channel commits notify on when work items changed what worklists show.
CHANNEL = "flowdesk_work"
#: The `application_name` of the listening connection (seen in pg_stat_activity).
APPLICATION_NAME = "flowdesk-listen"
_POLL_SECONDS = 0.5  # how often the listening thread looks whether it should stop


class Marker:
    """A number that takes a new value at every `move` (from any thread)."""

    def __init__(self) -> None:
        self._values = itertools.count(1)
        self.value = next(self._values)

    def move(self) -> None:
        self.value = next(self._values)  # itertools.count is atomic under the GIL


def new_sender() -> str:
    """A name for one store's notifications, unique among every process's stores."""
    return uuid.uuid4().hex


class Listener:
    """A thread holding one LISTEN connection to the database at `url`; calls `changed` for every notification
    not sent by `sender`, and once each time it (re)connects (notifications sent while it was not listening are
    lost)."""

    def __init__(self, url: str, sender: str, changed: Callable[[], None], *, retry: float = 1.0) -> None:
        self._url = url
        self._sender = sender
        self._changed = changed
        self._retry = retry
        self._stop = threading.Event()
        self.listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="flowdesk-listen", daemon=True)

    def start(self, wait: float = 5.0) -> None:
        """Start listening; returns once the connection listens, or after `wait` seconds (it keeps trying)."""
        self._thread.start()
        self.listening.wait(wait)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=_POLL_SECONDS * 4)

    def _run(self) -> None:
        failing = False
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True, connect_timeout=10,
                                     application_name=APPLICATION_NAME) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._changed()  # whatever was committed while nobody listened (before `start` returns)
                    self.listening.set()
                    if failing:
                        log.warning("live updates resumed: open worklists read afresh")
                        failing = False
                    while not self._stop.is_set():
                        for notification in connection.notifies(timeout=_POLL_SECONDS):
                            if notification.payload != self._sender:
                                self._changed()
            except psycopg.Error as error:
                self.listening.clear()
                if not failing:
                    log.warning("live updates paused (%s); listening again as soon as the database answers",
                                str(error).strip())
                failing = True
                self._stop.wait(self._retry)
