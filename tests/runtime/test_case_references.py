"""Case references (BC-2026-00123): numbered per process prefix and year, never twice, found by reference.

Every store: the numbering goes on after a restart; several runtimes on one
store (as several app processes on one database) starting cases at the same
moment never give one number twice; a start whose number was taken by another
start meanwhile takes the next one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from runtime.clock import ManualClock
from runtime.documents import Case
from runtime.references import COUNTER, case_of_reference
from runtime.service import Runtime
from runtime.storage.memory import MemoryStore
from tests.people import person
from tests.runtime.builders import end, process, start, subprocess, task
from tests.runtime.conftest import MONDAY_9_AMSTERDAM, Harness
from tests.runtime.test_concurrency import PausingStore, race_past_a_paused_commit

STARTERS = 6
STARTS_EACH = 5


def complaint(**extra):
    return process("billing_complaint", nodes=[start(), task("t"), end()], flow="s>t t>e", **extra)


def test_cases_are_numbered_per_process_prefix_from_one(harness: Harness):
    rt = harness.runtime
    rt.publish(person("owner"), complaint())
    rt.publish(person("owner"), process("refund", nodes=[start(), task("t"), end()], flow="s>t t>e",
                                        reference_prefix="RF"))
    started = [rt.start_case(person("bob"), key).reference for key in ("billing_complaint", "refund",
                                                                        "billing_complaint")]
    assert started == ["BC-2026-00001", "RF-2026-00001", "BC-2026-00002"]
    rt = harness.restart()
    case = rt.start_case(person("bob"), "billing_complaint")
    assert case.reference == "BC-2026-00003"
    assert rt.store.case(case.id).reference == "BC-2026-00003"
    assert case_of_reference(rt.store, " bc-2026-00003 ") == case.id
    assert case_of_reference(rt.store, "BC-2026-00099") is None
    assert case_of_reference(rt.store, case.id) is None


def test_the_year_is_the_year_where_the_business_is_and_starts_again_from_one(harness: Harness):
    rt = harness.runtime
    rt.publish(person("owner"), complaint())
    harness.clock.set(datetime(2026, 12, 31, 22, 59, tzinfo=UTC))  # 23:59 in Amsterdam
    assert rt.start_case(person("bob"), "billing_complaint").reference == "BC-2026-00001"
    harness.clock.set(datetime(2026, 12, 31, 23, 1, tzinfo=UTC))  # already 1 January in Amsterdam
    assert rt.start_case(person("bob"), "billing_complaint").reference == "BC-2027-00001"


def test_the_reference_is_in_the_sealed_start_of_the_trail_and_a_subprocess_case_has_its_own(harness: Harness):
    rt = harness.runtime
    rt.publish(person("owner"), process("child", nodes=[start(), task("t"), end()], flow="s>t t>e"))
    rt.publish(person("owner"), process("parent", nodes=[start(), subprocess("sub", "child"), end()],
                                        flow="s>sub sub>e", reference_prefix="PAR"))
    parent = rt.start_case(person("bob"), "parent")
    [child] = [c for c in rt.store.cases() if c.parent_case == parent.id]
    assert (parent.reference, child.reference) == ("PAR-2026-00001", "CH-2026-00001")
    first = rt.store.audit_events(parent.id)[0]
    assert first.details["reference"] == parent.reference and parent.reference in first.summary


def test_a_case_stored_before_references_is_shown_by_its_id():
    old = Case(id="case-2186a9ebdb753a1ec5c5", process_key="p", version=1, version_hash="h",
               started_at=MONDAY_9_AMSTERDAM, started_by="bob")
    assert (old.reference, old.display) == ("", "case-2186a9ebdb753a1ec5c5")


def test_cases_started_at_the_same_moment_on_several_runtimes_never_share_a_reference(harness: Harness):
    """As several app processes on one database: every start commits, each with a number of its own."""
    harness.runtime.publish(person("owner"), complaint())
    runtimes = [Runtime(harness.store, harness.clock) for _ in range(3)]
    barrier = threading.Barrier(STARTERS)
    started: list[str] = []
    failures: list[BaseException] = []

    def starter(number: int) -> None:
        rt = runtimes[number % len(runtimes)]
        barrier.wait()
        for _ in range(STARTS_EACH):
            try:
                started.append(rt.start_case(person(f"agent-{number}"), "billing_complaint").reference)
            except BaseException as error:  # the test reports whatever went wrong
                failures.append(error)

    threads = [threading.Thread(target=starter, args=(n,)) for n in range(STARTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert len(started) == len(set(started)) == STARTERS * STARTS_EACH
    assert sorted(started) == [f"BC-2026-{n:05d}" for n in range(1, STARTERS * STARTS_EACH + 1)]  # no gaps
    stored = {case.reference: case.id for case in harness.store.cases()}
    assert all(case_of_reference(harness.store, reference) == stored[reference] for reference in started)


def test_a_start_whose_number_was_taken_meanwhile_takes_the_next_one():
    store = PausingStore()
    rt = Runtime(store, ManualClock(MONDAY_9_AMSTERDAM))
    rt.publish(person("owner"), complaint())
    fast: list[str] = []
    result = race_past_a_paused_commit(
        store, lambda: rt.start_case(person("slow"), "billing_complaint"),
        lambda: fast.append(rt.start_case(person("fast"), "billing_complaint").reference))
    assert result == "completed"
    by_starter = {case.started_by: case.reference for case in store.cases()}
    assert by_starter == {"fast": "BC-2026-00001", "slow": "BC-2026-00002"}
    assert fast == ["BC-2026-00001"]


@pytest.mark.parametrize("prefix", ["bc", "B-C", "TOOLONG", "1BC"])
def test_a_prefix_that_cannot_start_a_reference_is_refused(prefix: str):
    with pytest.raises(ValueError, match="reference_prefix"):
        complaint(reference_prefix=prefix)


class CreatedMeanwhile(MemoryStore):
    """Another runtime's start commits between a start's finding no counter and its writing the first one."""

    def __init__(self) -> None:
        super().__init__()
        self.meanwhile: Callable[[], object] | None = None

    def record_revision(self, kind: str, key: str) -> int:
        if kind == COUNTER and self.meanwhile is not None:
            other_start, self.meanwhile = self.meanwhile, None
            other_start()
        return super().record_revision(kind, key)


def test_a_start_that_found_no_counter_while_another_start_made_one_takes_the_next_number():
    store = CreatedMeanwhile()
    slow, fast = (Runtime(store, ManualClock(MONDAY_9_AMSTERDAM)) for _ in range(2))
    slow.publish(person("owner"), complaint())
    store.meanwhile = lambda: fast.start_case(person("fast"), "billing_complaint")
    slow.start_case(person("slow"), "billing_complaint")
    by_starter = {case.started_by: case.reference for case in store.cases()}
    assert by_starter == {"fast": "BC-2026-00001", "slow": "BC-2026-00002"}
    assert case_of_reference(store, "BC-2026-00001") != case_of_reference(store, "BC-2026-00002")
