"""SIGKILL a process that commits steps, at random moments: every acknowledged step survives, whole.

`crash_writer.py` commits step after step, each spanning several case
files, with checkpoints every few steps, and prints a step's number only
after its commit returned. Each round kills it at a random moment, then
opens the folder read-only (recovery in memory) and as a writer (recovery
and checkpoint), and checks: it opens; every printed step is there; every
step is there entirely or not at all; the indexes agree with the files.
The next round's writer carries on from the recovered store.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

from runtime.documents import WorkItemStatus
from runtime.errors import NotFound
from runtime.storage.tinydb_store import TinyDBStore

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ROUNDS = 6


def run_and_kill(folder: Path, rng: random.Random) -> set[int]:
    """Start the writer, kill it after a random time, return the steps it acknowledged."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writer = subprocess.Popen([sys.executable, str(HERE / "crash_writer.py"), str(folder)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert writer.stdout is not None
    ready = writer.stdout.readline()
    assert ready == b"ready\n", writer.stderr.read() if writer.stderr else ready
    time.sleep(rng.uniform(0.05, 0.6))
    writer.kill()
    output, errors = writer.communicate(timeout=30)
    assert writer.returncode == -9, errors.decode()
    complete = output.split(b"\n")[:-1]  # a line without its newline was not fully printed
    return {int(line) for line in complete}


def check(store: TinyDBStore, acknowledged: set[int]) -> int:
    """Every acknowledged step is present, and each step entirely or not at all; returns the step count."""
    children = store.case("parent").data["children"]
    assert children == list(range(len(children))), "steps are committed in order, none lost between"
    assert acknowledged <= set(children), f"lost acknowledged steps {sorted(acknowledged - set(children))}"
    assert store.case("parent").revision == len(children) + 1
    parent_events = {event.id for event in store.audit_events("parent")}
    for number in range(len(children) + 3):
        assert_step(store, number, steps=len(children), parent_events=parent_events)
    assert store.verify_indexes()
    return len(children)


def assert_step(store: TinyDBStore, number: int, *, steps: int, parent_events: set[str]) -> None:
    present = number < steps
    child_id = f"child-{number}"
    assert (f"parent-a{number}" in parent_events) == present
    if present:
        assert store.case(child_id).parent_case == "parent"
        assert store.work_item(f"{child_id}-w1").case_id == child_id
        assert store.job(f"{child_id}-j1").case_id == child_id
        assert [e.id for e in store.outbox(case_id=child_id)] == [f"{child_id}-o1"]
        assert f"{child_id}-a1" in {e.id for e in store.audit_events(child_id)}
    else:
        assert not exists(lambda: store.case(child_id))
        assert not exists(lambda: store.work_item(f"{child_id}-w1"))
    if number % 3 == 2 and number - 2 < steps:  # the step on an earlier child
        earlier = f"child-{number - 2}"
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


def test_killed_writers_lose_no_acknowledged_step_and_leave_no_half_step(tmp_path: Path):
    folder = tmp_path / "data"
    rng = random.Random(os.environ.get("CRASH_SEED", "flowdesk"))
    acknowledged: set[int] = set()
    for _ in range(ROUNDS):
        acknowledged |= run_and_kill(folder, rng)
        with TinyDBStore.open(folder, read_only=True) as reader:
            steps = check(reader, acknowledged)
        with TinyDBStore.open(folder) as writer:
            assert check(writer, acknowledged) == steps
    assert len(acknowledged) > 50, "the writer should have got going"
