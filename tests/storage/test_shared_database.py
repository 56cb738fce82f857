"""Several processes on one PostgreSQL database: workers share due jobs and the outbox, each job fires once
and each e-mail is sent once, also when a worker is killed in the middle of a batch; agents in two processes
completing one task: one wins; two app processes serve one database. Every process is a real `flowdesk`
command on the same database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from runtime.clock import ManualClock, SystemClock
from runtime.documents import OutboxStatus, WorkItemStatus
from runtime.service import Runtime
from runtime.storage.base import WorkQuery
from runtime.storage.postgres import PostgresStore
from tests.local_servers import Inbox, free_port, smtp_server
from tests.runtime.builders import end, process, send, start, task, timer

REPO = Path(__file__).resolve().parents[2]
WHEN_TOLD = REPO / "tests" / "storage" / "when_told.py"


class Processes:
    """`flowdesk` commands started together: each waits (when_told.py) until `go` is called."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.signal = folder / "go"
        self.running: list[subprocess.Popen] = []

    def start(self, *arguments: str) -> subprocess.Popen:
        command = [sys.executable, str(WHEN_TOLD), str(self.signal), *arguments]
        started = subprocess.Popen(command, cwd=self.folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
        assert started.stdout is not None and started.stdout.readline().strip() == "ready"
        self.running.append(started)
        return started

    def go(self) -> None:
        self.signal.touch()

    def outputs(self, timeout: float = 240) -> list[tuple[int, str, str]]:
        """Exit code, stdout and stderr of each, once all have ended."""
        found = []
        for started in self.running:
            out, err = started.communicate(timeout=timeout)
            found.append((started.returncode, out, err))
        return found

    def stop_all(self) -> None:
        for started in self.running:
            if started.poll() is None:
                started.kill()
                started.wait(10)


@pytest.fixture
def processes(tmp_path: Path):
    started = Processes(tmp_path)
    yield started
    started.stop_all()


def worker(url: str, folder: Path, *options: str) -> list[str]:
    return ["worker", "--db", url, "--data", str(folder / "data"), *options]


def runtime_an_hour_ago(url: str) -> Runtime:
    """A runtime on the database whose clock stands two hours back, so what it schedules in one hour is due."""
    return Runtime(PostgresStore.open(url), ManualClock(SystemClock().now() - timedelta(hours=2)))


MAIL = [{"id": "m", "channel": "email", "variants": [{"subject": "Case {{ n }}", "body": "<p>{{ n }}</p>"}]}]


def test_a_thousand_due_jobs_across_four_workers_fire_exactly_once(pg_url: str, processes: Processes,
                                                                    tmp_path: Path):
    rt = runtime_an_hour_ago(pg_url)
    rt.publish(process("t", nodes=[start(), timer("w", duration="1 hours"), task("after"), end()],
                       flow="s>w w>after after>e"), "owner")
    cases = [rt.start_case("t", actor="intake").id for _ in range(1000)]
    for _ in range(4):
        processes.start(*worker(pg_url, tmp_path, "--once"))
    processes.go()
    results = processes.outputs()
    assert [code for code, _, _ in results] == [0, 0, 0, 0], results
    fired = [int(re.match(r"(\d+) jobs fired", out)[1]) for _, out, _ in results]
    assert sum(fired) == 1000
    assert sum(1 for count in fired if count) >= 2, f"the workers did not share the jobs: {fired}"
    store = rt.store
    assert store.due_jobs(SystemClock().now()) == []
    for case_id in cases:
        assert Counter(e.kind for e in store.audit_events(case_id))["timer fired"] == 1
    assert store.count_open_work_items() == {"q": 1000}
    assert rt.verify_audit() == []
    store.close()


def start_mail_cases(url: str, count: int) -> tuple[PostgresStore, list[str]]:
    rt = runtime_an_hour_ago(url)
    rt.publish(process("m", variables={"n": "number"}, nodes=[start(), send("mail", "m", '"an@example.nl"'),
                                                               task("after"), end()],
                       flow="s>mail mail>after after>e", letters=MAIL), "owner")
    return rt.store, [rt.start_case("m", {"n": n}, actor="intake").id for n in range(count)]  # type: ignore


def message_ids(inbox: Inbox) -> Counter[str]:
    return Counter(re.search(r"\.([\w-]+)@", message["Message-ID"])[1] for _, message in inbox.messages)


def test_outbox_entries_reach_a_real_smtp_server_once_each_from_three_workers(pg_url: str, processes: Processes,
                                                                              tmp_path: Path, smtp):
    inbox, port = smtp
    store, cases = start_mail_cases(pg_url, 150)
    for _ in range(3):
        processes.start(*worker(pg_url, tmp_path, "--once", "--smtp-host", "127.0.0.1", "--smtp-port", str(port)))
    processes.go()
    results = processes.outputs()
    assert [code for code, _, _ in results] == [0, 0, 0], results
    sent = [int(re.search(r"(\d+) sent", out)[1]) for _, out, _ in results]
    entries = [entry for case_id in cases for entry in store.outbox(case_id=case_id)]
    assert sum(sent) == len(entries) == 150
    assert {entry.status for entry in entries} == {OutboxStatus.SENT}
    assert message_ids(inbox) == Counter({entry.id: 1 for entry in entries})
    store.close()


class SlowInbox(Inbox):
    """An SMTP server that takes its time for each message, so a worker can be killed while it sends."""

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


def test_a_worker_killed_in_the_middle_of_a_batch_leaves_the_rest_to_another_and_nothing_is_sent_twice(
        pg_url: str, processes: Processes, tmp_path: Path):
    store, cases = start_mail_cases(pg_url, 60)
    inbox = SlowInbox()
    with smtp_server(inbox) as port:
        smtp = ["--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--lease", "2", "--interval", "0.2"]
        doomed = processes.start(*worker(pg_url, tmp_path, *smtp))
        processes.go()
        deadline = time.monotonic() + 60
        while len(inbox.messages) < 15 and time.monotonic() < deadline:
            time.sleep(0.01)
        doomed.send_signal(signal.SIGKILL)  # in the middle of a batch of ten
        doomed.wait(10)
        after_kill = len(inbox.messages)
        assert 15 <= after_kill < 60
        survivor = processes.start(*worker(pg_url, tmp_path, *smtp))  # the go file exists: it starts at once
        while time.monotonic() < deadline:
            entries = [entry for case_id in cases for entry in store.outbox(case_id=case_id)]
            if all(entry.status in (OutboxStatus.SENT, OutboxStatus.FAILED) for entry in entries):
                break
            time.sleep(0.2)
        survivor.terminate()
        survivor.wait(20)
    assert all(entry.status in (OutboxStatus.SENT, OutboxStatus.FAILED) for entry in entries), "not all delivered"
    received = message_ids(inbox)
    assert max(received.values()) == 1, "an e-mail was sent twice"
    sent = {entry.id for entry in entries if entry.status is OutboxStatus.SENT}
    unsure = {entry.id for entry in entries if entry.status is OutboxStatus.FAILED}
    assert len(unsure) <= 1  # the one being sent when the worker died: maybe arrived, maybe not
    assert all("check, then resend by hand" in entry.last_error for entry in entries if entry.id in unsure)
    assert sent <= set(received) <= sent | unsure
    store.close()


def test_agents_in_two_processes_completing_one_task_one_wins_with_one_audit_event(pg_url: str, tmp_path: Path):
    rt = Runtime(PostgresStore.open(pg_url))
    rt.publish(process("p", variables={"note": "text"}, nodes=[start(), task("first"), task("second"), end()],
                       flow="s>first first>second second>e"), "owner")
    for round_number in range(3):
        case = rt.start_case("p", actor="intake")
        [item] = rt.store.work_items(WorkQuery(case_id=case.id))
        agents = Processes(tmp_path / f"round-{round_number}")
        agents.folder.mkdir()
        try:
            for name in ("ann", "bob"):
                agents.start("complete", item.id, "-d", f'{{"note": "by {name}"}}', "--as", name, "--db", pg_url)
            agents.go()
            results = agents.outputs()
        finally:
            agents.stop_all()
        assert sorted(code for code, _, _ in results) == [0, 1], results
        [loser_error] = [err for code, _, err in results if code == 1]
        assert "already completed" in loser_error or "changed by someone else" in loser_error, loser_error
        completed = rt.store.work_item(item.id)
        assert completed.status is WorkItemStatus.COMPLETED
        assert rt.store.case(case.id).data == {"note": f"by {completed.completed_by}"}
        assert Counter(e.kind for e in rt.store.audit_events(case.id))["task completed"] == 1
        assert [i.node for i in rt.store.work_items(WorkQuery(case_id=case.id))] == ["second"]
    assert rt.verify_audit() == []
    rt.store.close()


def serve(url: str, folder: Path, port: int) -> subprocess.Popen:
    """`flowdesk serve --db URL --no-worker` on `port`, its files in `folder`; returns once /login answers."""
    log = folder.parent / f"serve-{port}.log"
    with log.open("w") as output:
        app = subprocess.Popen(
            [sys.executable, "-m", "designer.cli", "serve", "--db", url, "--no-worker", "--port", str(port),
             "--data", str(folder)], cwd=REPO, stdout=output, stderr=subprocess.STDOUT,
            env={**{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},  # a real app
                 "PYTHONPATH": str(REPO), "NICEGUI_STORAGE_PATH": str(folder / "nicegui")})
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and app.poll() is None:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return app
        time.sleep(0.5)
    app.kill()
    app.wait(10)
    raise AssertionError(f"flowdesk serve on port {port} did not come up:\n{log.read_text()[-2000:]}")


def test_two_app_processes_serve_one_database_and_only_the_first_start_publishes(pg_url: str, tmp_path: Path):
    apps = [serve(pg_url, tmp_path / "data", free_port())]
    try:
        apps.append(serve(pg_url, tmp_path / "data", free_port()))
        with PostgresStore.open(pg_url) as store:
            published = store.versions()
            assert published and {version.number for version in published} == {1}  # once, not twice
            assert {"ann", "bob", "root"} <= {user.id for user in store.users()}
    finally:
        for app in apps:
            app.terminate()
            app.wait(30)
