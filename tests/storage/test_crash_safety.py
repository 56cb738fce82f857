"""SIGKILL a process that commits steps, at random moments: every acknowledged step survives, whole.

`crash_writer.py` commits step after step, each spanning several case files, with checkpoints
every few steps, and prints a step's number only after its commit returned; with several
threads, their steps share the journal's flushes (group commit). Each round kills it at a
random moment, then opens the folder read-only (recovery in memory) and as a writer (recovery
and checkpoint), and checks: it opens; every printed step is there; every step is there
entirely or not at all, each thread's in order; the indexes agree with the files. The next
round's writer carries on from the recovered store.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runtime.documents import WorkItemStatus
from runtime.errors import NotFound
from runtime.storage.tinydb_store import TinyDBStore

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ROUNDS = 6


def run_and_kill(folder: Path, rng: random.Random, threads: int) -> dict[str, set[int]]:
    """Start the writer, kill it after a random time; the steps it acknowledged, by thread prefix."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writer = subprocess.Popen([sys.executable, str(HERE / "crash_writer.py"), str(folder), str(threads)], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert writer.stdout is not None
    ready = writer.stdout.readline()
    assert ready == b"ready\n", writer.stderr.read() if writer.stderr else ready
    time.sleep(rng.uniform(0.05, 0.6))
    writer.kill()
    output, errors = writer.communicate(timeout=30)
    assert writer.returncode == -9, errors.decode()
    acknowledged: dict[str, set[int]] = {prefix(thread, threads): set() for thread in range(threads)}
    for line in output.split(b"\n")[:-1]:  # a line without its newline was not fully printed
        *thread, number = line.split()
        acknowledged[prefix(int(thread[0]) if thread else 0, threads)].add(int(number))
    return acknowledged


def prefix(thread: int, threads: int) -> str:
    """The ids of a thread's cases start with this (as `crash_writer.prefix_of` names them)."""
    return f"{thread}-" if threads > 1 else ""


def check(store: TinyDBStore, acknowledged: dict[str, set[int]]) -> int:
    """Every acknowledged step is present, and each step entirely or not at all; returns the step count."""
    total = 0
    for name, steps in acknowledged.items():
        parent = store.case(f"{name}parent")
        children = parent.data["children"]
        assert children == list(range(len(children))), "a thread's steps are committed in order, none lost between"
        assert steps <= set(children), f"lost acknowledged steps {sorted(steps - set(children))} of '{name}'"
        assert parent.revision == len(children) + 1
        parent_events = {event.id for event in store.audit_events(parent.id)}
        for number in range(len(children) + 3):
            assert_step(store, name, number, steps=len(children), parent_events=parent_events)
        total += len(children)
    assert store.verify_indexes()
    return total


def assert_step(store: TinyDBStore, name: str, number: int, *, steps: int, parent_events: set[str]) -> None:
    present = number < steps
    child_id = f"{name}child-{number}"
    assert (f"{name}parent-a{number}" in parent_events) == present
    if present:
        assert store.case(child_id).parent_case == f"{name}parent"
        assert store.work_item(f"{child_id}-w1").case_id == child_id
        assert store.job(f"{child_id}-j1").case_id == child_id
        assert [e.id for e in store.outbox(case_id=child_id)] == [f"{child_id}-o1"]
        assert f"{child_id}-a1" in {e.id for e in store.audit_events(child_id)}
    else:
        assert not exists(lambda: store.case(child_id))
        assert not exists(lambda: store.work_item(f"{child_id}-w1"))
    if number % 3 == 2 and number - 2 < steps:  # the step on an earlier child
        earlier = f"{name}child-{number - 2}"
        assert (store.case(earlier).outcome == f"step {number}") == present
        assert exists(lambda: store.work_item(f"{earlier}-s{number}")) == present
        assert (store.work_item(f"{earlier}-w1").status == WorkItemStatus.COMPLETED) == present
        assert store.job(f"{earlier}-j1").done == present


def exists(read) -> bool:
    try:
        read()
    except NotFound:
        return False
    return True


@pytest.mark.parametrize("threads", [1, 8], ids=["one writer", "eight writers sharing flushes"])
def test_killed_writers_lose_no_acknowledged_step_and_leave_no_half_step(tmp_path: Path, threads: int):
    folder = tmp_path / "data"
    rng = random.Random(os.environ.get("CRASH_SEED", "flowdesk"))
    acknowledged: dict[str, set[int]] = {}
    for _ in range(ROUNDS):
        for name, steps in run_and_kill(folder, rng, threads).items():
            acknowledged.setdefault(name, set()).update(steps)
        with TinyDBStore.open(folder, read_only=True) as reader:
            steps = check(reader, acknowledged)
        with TinyDBStore.open(folder) as writer:
            assert check(writer, acknowledged) == steps
    assert sum(map(len, acknowledged.values())) > 50, "the writers should have got going"
