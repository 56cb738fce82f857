"""A Flowdesk process killed (SIGKILL) at random moments loses no acknowledged step and sends nothing twice.

`crash_worker.py` starts cases, completes tasks and delivers e-mails to a real
SMTP server (aiosmtpd on localhost), printing a line after each call
returns. The test kills it over several rounds, restarting it on the same
data folder each time (some kills land while it opens and recovers the
store), then opens the store and checks that every
acknowledged step is there, nothing is half-written, and after a final
delivery pass no outbox entry reached the SMTP server twice. One round kills
the process while the SMTP server holds a message, so an entry is certainly
interrupted mid-send: it must show as failed with a request to check.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

from runtime.clock import SystemClock
from runtime.documents import CaseStatus, OutboxStatus, WorkItemStatus
from runtime.outbox import Deliverer, SmtpSink
from runtime.service import Runtime
from runtime.storage.tinydb_store import TinyDBStore
from tests.local_servers import smtp_server
from tests.people import AUDITOR

REPO = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("crash_worker.py")
RANDOM_ROUNDS = 9
ENTRY_ID = re.compile(r"\.(out-[0-9a-f]+)@flowdesk\.local>")


class Inbox:
    """A real local SMTP server's view: which outbox entries (by Message-ID) arrived, for which case."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []
        self.hold = False  # next message: record it, signal, then keep the client waiting
        self.holding = threading.Event()
        self.held = ""
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        message = message_from_bytes(envelope.content, policy=policy.default)
        match = ENTRY_ID.search(message["Message-ID"])
        assert match, message["Message-ID"]
        with self._lock:
            self.received.append((match.group(1), message["X-Flowdesk-Case"]))
            hold, self.hold = self.hold, False
            if hold:
                self.held = match.group(1)
        if hold:
            self.holding.set()
            await asyncio.sleep(5)  # the client is killed while waiting for our answer
        else:
            await asyncio.sleep(0.01)  # a little slow, so kills land mid-send now and then
        return "250 OK"


class Worker:
    """The worker process with a thread draining its acknowledgements."""

    def __init__(self, folder: Path, port: int, seed: int) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen([sys.executable, str(WORKER), str(folder), str(port), str(seed), "16384"],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            if raw.endswith(b"\n"):  # a line cut off by the kill was not acknowledged
                self.lines.append(raw.decode().strip())

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while "ready" not in self.lines:
            if self.process.poll() is not None:
                raise AssertionError(f"the worker could not start: {self.process.stderr.read().decode()}")
            assert time.monotonic() < deadline, "the worker did not get ready"
            time.sleep(0.01)

    def kill(self) -> list[str]:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self._reader.join(10)
        stderr = self.process.stderr.read().decode()
        assert "Traceback" not in stderr, stderr  # it died of the kill, not of an error
        return self.lines


def test_killed_at_random_moments_no_acknowledged_step_is_lost_and_no_email_goes_twice(tmp_path: Path):
    folder = tmp_path / "data"
    inbox = Inbox()
    with smtp_server(inbox) as port:
        chance = random.Random(20260302)
        acknowledged: list[str] = []
        for round_number in range(RANDOM_ROUNDS + 1):
            worker = Worker(folder, port, seed=round_number + 1)
            if round_number < RANDOM_ROUNDS and round_number % 3 == 2:
                time.sleep(chance.uniform(0.2, 0.8))  # maybe while it starts, opens and recovers the store
            elif round_number < RANDOM_ROUNDS:
                worker.wait_ready()
                time.sleep(chance.uniform(0.05, 0.6))
            else:  # the last round dies while the SMTP server holds a message
                worker.wait_ready()
                time.sleep(0.3)  # let it make some cases and mails first
                inbox.hold = True
                assert inbox.holding.wait(30), "the worker sent no e-mail to interrupt"
            acknowledged += worker.kill()
        held = inbox.held

        store = TinyDBStore.open(folder)  # it must open after all that
        try:
            rt = Runtime(store, SystemClock())
            check_acknowledged_steps(rt, acknowledged)
            assert rt.verify_audit(AUDITOR).intact
            check_nothing_half_written(rt)

            Deliverer(rt, lambda: {"email": SmtpSink("127.0.0.1", port)}).deliver_due(limit=100_000)
            check_each_email_sent_once(rt, inbox, held)
        finally:
            store.close()


def check_acknowledged_steps(rt: Runtime, lines: list[str]) -> None:
    started = [line.split()[1] for line in lines if line.startswith("started ")]
    completed = [line.split()[1:] for line in lines if line.startswith("completed ")]
    assert len(started) >= 10 and len(completed) >= 5, "the worker did too little to prove anything"
    for case_id in started:
        assert rt.store.case(case_id).process_key == "crash"
    for item_id, case_id in completed:
        item = rt.store.work_item(item_id)
        assert item.status is WorkItemStatus.COMPLETED and item.case_id == case_id
        assert rt.store.case(case_id).status is CaseStatus.COMPLETED
    sent_acknowledged = sum(int(line.split()[1]) for line in lines if line.startswith("delivered "))
    sent_stored = sum(e.status is OutboxStatus.SENT for c in rt.store.cases() for e in rt.store.outbox(case_id=c.id))
    assert sent_stored >= sent_acknowledged


def check_nothing_half_written(rt: Runtime) -> None:
    """A step is all there or not at all: a completed task always comes with its e-mail and its end."""
    for case in rt.store.cases():
        events = Counter(e.kind for e in rt.store.audit_events(case.id))
        outbox = rt.store.outbox(case_id=case.id)
        [item] = [rt.store.work_item(e.details["work_item"]) for e in rt.store.audit_events(case.id)
                  if e.kind == "task created"]
        if case.status is CaseStatus.COMPLETED:
            assert item.status is WorkItemStatus.COMPLETED
            assert events["task completed"] == 1 and events["case completed"] == 1
            assert len(outbox) == 1 and outbox[0].recipient == "customer@example.nl"
        else:
            assert item.status is WorkItemStatus.OPEN
            assert events["task completed"] == 0 and outbox == []


def check_each_email_sent_once(rt: Runtime, inbox: Inbox, held: str) -> None:
    received = Counter(entry_id for entry_id, _ in inbox.received)
    twice = [entry_id for entry_id, count in received.items() if count > 1]
    assert twice == [], f"delivered more than once: {twice}"
    entries = {e.id: e for c in rt.store.cases() for e in rt.store.outbox(case_id=c.id)}
    for entry_id, case_id in inbox.received:
        assert entries[entry_id].case_id == case_id
    for entry in entries.values():
        assert entry.status in (OutboxStatus.SENT, OutboxStatus.FAILED), entry
        if entry.status is OutboxStatus.SENT:
            assert received[entry.id] == 1
        else:  # only an interrupted delivery fails here: the SMTP server was always up
            assert "check" in entry.last_error and "interrupted" in entry.last_error
    assert entries[held].status is OutboxStatus.FAILED and received[held] == 1
    assert sum(e.status is OutboxStatus.SENT for e in entries.values()) >= 1
