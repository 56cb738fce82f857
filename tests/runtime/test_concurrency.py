"""Several agents completing one task at once: one wins, the others get a clear conflict.

Threads on one runtime (every store), two runtimes sharing one MemoryStore,
two schedulers firing one backlog, exact interleavings forced through the
store, and a second process trying to open a TinyDB data folder in use.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from runtime.clock import ManualClock
from runtime.documents import CaseStatus, WorkItemStatus
from runtime.errors import ConflictError
from runtime.service import Runtime
from runtime.storage.base import Changes, WorkQuery
from runtime.storage.memory import MemoryStore
from runtime.storage.tinydb_store import TinyDBStore
from tests.people import AUDITOR, person
from tests.runtime.builders import end, parallel, process, send, start, task, timer
from tests.runtime.conftest import MONDAY_9_AMSTERDAM, Harness

REPO = Path(__file__).resolve().parents[2]
AGENTS = 8


def two_tasks_and_a_mail():
    return process("p", variables={"note": "text"},
                   nodes=[start(), task("first"), send("mail", "m", recipient='"ops@example.nl"'), task("second"),
                          end()],
                   flow="s>first first>mail mail>second second>e",
                   letters=[{"id": "m", "channel": "email", "variants": [{"subject": "Done", "body": "{{ note }}"}]}])


def race(runtimes: list[Runtime], item_id: str) -> tuple[list[str], list[Exception]]:
    """Every agent completes the item at the same moment; who succeeded, and what the others got."""
    barrier = threading.Barrier(AGENTS)
    winners: list[str] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def agent(number: int) -> None:
        rt = runtimes[number % len(runtimes)]
        actor = f"agent-{number}"
        barrier.wait()
        try:
            rt.complete(person(actor), item_id, {"note": f"by {actor}"})
        except Exception as error:  # the test sorts what came out
            with lock:
                errors.append(error)
        else:
            with lock:
                winners.append(actor)

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(AGENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return winners, errors


def assert_completed_once(rt: Runtime, case_id: str, item_id: str, revision_before: int,
                          winners: list[str], errors: list[Exception]) -> None:
    assert len(winners) == 1, f"winners {winners}, errors {errors}"
    assert len(errors) == AGENTS - 1
    [winner] = winners
    item = rt.store.work_item(item_id)
    assert item.status is WorkItemStatus.COMPLETED and item.completed_by == winner
    case = rt.store.case(case_id)
    assert case.revision == revision_before + 1  # advanced by one step only
    assert case.data == {"note": f"by {winner}"}
    kinds = Counter(e.kind for e in rt.store.audit_events(case_id))
    assert kinds["task completed"] == 1 and kinds["message queued"] == 1
    assert [i.node for i in rt.store.work_items(WorkQuery(case_id=case_id))] == ["second"]
    assert len(rt.store.outbox(case_id=case_id)) == 1
    assert [t.node for t in case.tokens] == ["second"]
    assert rt.verify_audit(AUDITOR).intact
    unclear = [e for e in errors if not isinstance(e, ConflictError)]
    assert unclear == [], [f"{type(e).__name__}: {e}" for e in unclear]
    for error in errors:  # a message an agent understands
        assert "already completed" in str(error) or "changed by someone else" in str(error)


def test_agents_completing_one_task_at_once_on_one_runtime(harness: Harness):
    rt = harness.runtime
    rt.publish(person("owner"), two_tasks_and_a_mail())
    for _ in range(3):  # several rounds: the race lands differently each time
        case = rt.start_case(person("intake"), "p")
        [item] = rt.store.work_items(WorkQuery(case_id=case.id))
        winners, errors = race([rt], item.id)
        assert_completed_once(rt, case.id, item.id, case.revision, winners, errors)


def test_agents_on_two_runtimes_sharing_one_store():
    store = MemoryStore()
    clock = ManualClock(MONDAY_9_AMSTERDAM)
    first, second = Runtime(store, clock), Runtime(store, clock)
    first.publish(person("owner"), two_tasks_and_a_mail())
    for _ in range(3):
        case = second.start_case(person("intake"), "p")
        [item] = first.store.work_items(WorkQuery(case_id=case.id))
        winners, errors = race([first, second], item.id)
        assert_completed_once(first, case.id, item.id, case.revision, winners, errors)


class PausingStore(MemoryStore):
    """A MemoryStore that holds one thread's first commit until told to go on.

    This forces an exact interleaving: B's step has read the case and its task and
    is about to commit, then A does its step on the same case, then B commits.
    """

    def __init__(self) -> None:
        super().__init__()
        self.paused_thread: int | None = None
        self.reached = threading.Event()
        self.resume = threading.Event()

    def commit(self, changes: Changes) -> None:
        if threading.get_ident() == self.paused_thread and not self.reached.is_set():
            self.reached.set()
            assert self.resume.wait(10)
        super().commit(changes)


def race_past_a_paused_commit(store: PausingStore, slow: Callable[[], object],
                              fast: Callable[[], object]) -> BaseException | str:
    """Run `slow` until its commit, then `fast` to the end, then let `slow` go on; what `slow` came to."""
    outcome: list[BaseException | str] = []

    def slow_agent() -> None:
        store.paused_thread = threading.get_ident()
        try:
            slow()
            outcome.append("completed")
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=slow_agent)
    thread.start()
    assert store.reached.wait(10)
    fast()
    store.resume.set()
    thread.join(10)
    [result] = outcome
    return result


def test_an_agent_whose_task_was_completed_while_they_worked_gets_a_conflict_naming_who():
    store = PausingStore()
    rt = Runtime(store, ManualClock(MONDAY_9_AMSTERDAM))
    rt.publish(person("owner"), two_tasks_and_a_mail())
    case = rt.start_case(person("intake"), "p")
    [item] = store.work_items(WorkQuery(case_id=case.id))
    result = race_past_a_paused_commit(store, lambda: rt.complete(person("agent-b"), item.id, {"note": "by b"}),
                                       lambda: rt.complete(person("agent-a"), item.id, {"note": "by a"}))
    assert isinstance(result, ConflictError), f"agent B got {type(result).__name__}: {result}"
    assert "was already completed by agent-a" in str(result)
    assert store.work_item(item.id).completed_by == "agent-a"
    assert Counter(e.kind for e in store.audit_events(case.id))["task completed"] == 1


def test_the_two_branches_of_a_parallel_split_completed_at_once_both_succeed():
    store = PausingStore()
    rt = Runtime(store, ManualClock(MONDAY_9_AMSTERDAM))
    rt.publish(person("owner"), process("par", nodes=[start(), parallel("split"), task("a"), task("b"),
                                                      parallel("join"), end()],
                                        flow="s>split split>a split>b a>join b>join join>e"))
    case = rt.start_case(person("intake"), "par")
    first, second = store.work_items(WorkQuery(case_id=case.id))
    result = race_past_a_paused_commit(store, lambda: rt.complete(person("agent-b"), first.id),
                                       lambda: rt.complete(person("agent-a"), second.id))
    assert result == "completed"
    done = store.case(case.id)
    assert done.status is CaseStatus.COMPLETED
    assert Counter(e.kind for e in store.audit_events(case.id))["task completed"] == 2


# Processes --------------------------------------------------------------------------------------

OPEN_FOR_WRITING = """
import sys
from runtime.errors import StoreError
from runtime.storage.tinydb_store import TinyDBStore
try:
    TinyDBStore.open(sys.argv[1])
except StoreError as error:
    print(error)
    sys.exit(3)
print("opened")
"""

OPEN_READ_ONLY = """
import sys
from runtime.storage.tinydb_store import TinyDBStore
store = TinyDBStore.open(sys.argv[1], read_only=True)
print(",".join(case.id for case in store.cases()))
"""


def run_python(code: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60,
                          env=env, cwd=REPO)


def test_a_second_process_cannot_open_a_data_folder_in_use_for_writing(tmp_path: Path):
    folder = tmp_path / "data"
    store = TinyDBStore.open(folder)
    try:
        rt = Runtime(store, ManualClock(MONDAY_9_AMSTERDAM))
        rt.publish(person("owner"), two_tasks_and_a_mail())
        case = rt.start_case(person("intake"), "p")

        refused = run_python(OPEN_FOR_WRITING, str(folder))
        assert refused.returncode == 3, refused.stdout + refused.stderr
        message = refused.stdout.strip()
        assert str(folder) in message
        assert "in use by another Flowdesk process" in message and f"pid {os.getpid()}" in message

        reader = run_python(OPEN_READ_ONLY, str(folder))  # looking is allowed
        assert reader.returncode == 0, reader.stderr
        assert reader.stdout.strip() == case.id
    finally:
        store.close()
    opened = run_python(OPEN_FOR_WRITING, str(folder))  # once released, the next writer gets it
    assert opened.returncode == 0 and opened.stdout.strip() == "opened", opened.stdout + opened.stderr


def test_two_schedulers_firing_the_same_backlog_fire_each_timer_once(harness: Harness):
    rt = harness.runtime
    rt.publish(person("owner"), process("t", nodes=[start(), timer("w", duration="1 hours"), task("after"), end()],
                       flow="s>w w>after after>e"))
    cases = [rt.start_case(person("intake"), "t").id for _ in range(40)]
    harness.clock.advance(timedelta(hours=2))
    schedulers = [Runtime(harness.store, harness.clock) for _ in range(2)]
    barrier = threading.Barrier(len(schedulers))
    fired: list[int] = []
    failures: list[Exception] = []

    def scheduler(runtime: Runtime) -> None:
        barrier.wait()
        try:
            while batch := runtime.fire_due_jobs(limit=10):
                fired.append(batch)
        except Exception as error:
            failures.append(error)

    threads = [threading.Thread(target=scheduler, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert rt.fire_due_jobs() == 0
    for case_id in cases:
        assert Counter(e.kind for e in rt.store.audit_events(case_id))["timer fired"] == 1
        assert [i.node for i in rt.store.work_items(WorkQuery(case_id=case_id))] == ["after"]
    assert rt.verify_audit(AUDITOR).intact
    assert sum(fired) == len(cases)


def test_a_scheduler_that_read_a_job_before_another_fired_it_does_not_fire_it_again():
    store = PausingStore()
    clock = ManualClock(MONDAY_9_AMSTERDAM)
    first, second = Runtime(store, clock), Runtime(store, clock)
    sla = {"target": "1 days", "escalations": [
        {"when": "breach", "action": "notify", "notify": '"lead@example.nl"'},
        {"when": "breach", "action": "raise priority"}]}
    first.publish(person("owner"), process("s", nodes=[start(), task("t", sla=sla), end()], flow="s>t t>e"))
    case = first.start_case(person("intake"), "s")
    clock.advance(timedelta(days=2))
    [job] = store.due_jobs(clock.now())
    result = race_past_a_paused_commit(store, lambda: second.fire_job(job),
                                       lambda: first.fire_due_jobs())  # the faster scheduler fires the breach
    [item] = store.work_items(WorkQuery(case_id=case.id))
    assert [e.recipient for e in store.outbox(case_id=case.id)] == ["lead@example.nl"], "notified twice"
    assert item.priority == 4, "the priority was raised twice"
    assert Counter(e.kind for e in store.audit_events(case.id))["escalation"] == 2
    assert result == "completed"  # its step ran again, found the job done and did nothing
