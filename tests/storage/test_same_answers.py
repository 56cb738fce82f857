"""Random sequences of commits: the embedded store, reopened, answers exactly as the memory store.

Hypothesis draws commits from a small world (four cases, three of them
started first; six work items, three queues, a few times) so that
conflicts, re-prioritised and closed items, done jobs and sent letters
happen often; stale revisions and unknown cases must be refused by both
stores alike. After the sequence the embedded store is
closed and reopened (or opened from a crash image of its folder), and every
query the pages use must give the same answer as the memory store fed the
same commits, and its indexes must agree with a full rebuild. The PostgreSQL
store, fed the same sequences in a new database each, must answer alike too,
also after it was closed and opened again.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from runtime.documents import CaseFacts, CaseStatus, OutboxStatus, WorkItemStatus
from runtime.errors import StoreError
from runtime.storage.base import Changes, Store, WorkQuery
from runtime.storage.memory import MemoryStore
from runtime.storage.postgres import PostgresStore
from runtime.storage.tinydb_store import TinyDBStore
from tests.storage.pg_cluster import create_database, drop_database
from tests.storage.storage_docs import at, case, customer, job, outbox_entry, sealed_event, user, work_item
from tests.storage.test_contract import counted_by_hand

CASES = [f"c{n}" for n in range(4)]
QUEUES = ["q0", "q1", "q2"]
TIMES = st.integers(0, 5).map(lambda n: n * 30)


def owner(number: int) -> str:
    """Work items, jobs and outbox entries each belong to one fixed case."""
    return CASES[number % len(CASES)]


case_edits = st.tuples(st.integers(0, 3), st.integers(0, 9).map(lambda n: n > 0),  # mostly a fresh revision
                       st.sampled_from(list(CaseStatus)),
                       st.sampled_from(["k1", "k2", None]), st.sampled_from(["complaint", "move"]), TIMES,
                       st.sampled_from([None, "meter", "tariff"]), st.integers(0, 3))
item_edits = st.tuples(st.integers(0, 5), st.sampled_from(QUEUES), st.sampled_from([None, "u0", "u1"]),
                       st.one_of(st.none(), TIMES), st.integers(1, 5), TIMES, st.sampled_from(list(WorkItemStatus)))
job_edits = st.tuples(st.integers(0, 3), TIMES, st.booleans())
outbox_edits = st.tuples(st.integers(0, 3), TIMES, TIMES, st.sampled_from(list(OutboxStatus)))
commits = st.fixed_dictionaries({
    "cases": st.lists(case_edits, max_size=2, unique_by=lambda edit: edit[0]),
    "items": st.lists(item_edits, max_size=3),
    "jobs": st.lists(job_edits, max_size=2),
    "outbox": st.lists(outbox_edits, max_size=2),
    "audit": st.lists(st.integers(0, 3), max_size=2),
    "people": st.booleans(),
})


def changes_for(draw: dict[str, Any], reference: MemoryStore, number: int) -> Changes:
    """The commit `draw` describes, with revisions read from `reference` (or a stale one on purpose)."""
    changes = Changes()
    for index, fresh, status, customer_id, process_key, started, root_cause, wait in draw["cases"]:
        case_id = CASES[index]
        stored = reference.cases()
        current = next((c for c in stored if c.id == case_id), None)
        read_at = None if current is None else current.revision if fresh else current.revision + 1
        closing = {}
        if current is not None and current.closed_at is not None:  # closed for good: only its root cause changes
            status, process_key = CaseStatus.COMPLETED, current.process_key
            started = (current.started_at - at(0)).total_seconds() / 60
            closing = {"closed_at": current.closed_at, "facts": current.facts, "due_at": current.due_at,
                       "root_cause": root_cause}
        elif status is CaseStatus.COMPLETED:
            closing = {"closed_at": at(started + 45 * wait), "facts": closed_facts(wait) if index % 2 else None,
                       "root_cause": root_cause, "due_at": at(started + 60)}
        changes.cases.append((case(case_id, status=status, customer_id=customer_id, process_key=process_key,
                                   started=started, **closing), read_at))
    for index, queue, assignee, due, priority, created, status in draw["items"]:
        changes.work_items.append(work_item(f"w{index}", owner(index), queue=queue, assignee=assignee, due=due,
                                            priority=priority, created=created, status=status))
    for index, due, done in draw["jobs"]:
        changes.jobs.append(job(f"j{index}", owner(index), due=due, done=done))
    for index, created, next_attempt, status in draw["outbox"]:
        changes.outbox.append(outbox_entry(f"o{index}", owner(index), created=created, next_attempt=next_attempt,
                                           status=status))
    for serial, index in enumerate(draw["audit"]):
        changes.audit.append(sealed_event(f"a{number}-{serial}", CASES[index], seq=number * 10 + serial))
    if draw["people"]:
        changes.customers.append(customer(f"k{number % 3}", f"Customer {number}"))
        changes.users.append(user(f"u{number % 2}"))
    return changes


def closed_facts(wait: int) -> CaseFacts:
    """Facts of a case closed `wait` quarters after it started; odd cases have them, even ones are stored as an
    earlier Flowdesk stored them."""
    return CaseFacts(day=date(2024, 3, 1), first_response=None if wait == 0 else 60.0 * wait,
                     first_time_right=wait < 3, tasks_with_sla=wait, tasks_on_time=wait // 2,
                     waits=[("review", 900.0 * wait)] * wait, edges={"f1": 1, "f2": wait})


def answers(store: Store) -> dict[str, Any]:
    """Every query the pages and the scheduler use, over the whole small world."""
    queries = [WorkQuery(status=status, limit=3, offset=offset) for status in WorkItemStatus for offset in (0, 2)]
    queries += [WorkQuery(queues=(queue,)) for queue in QUEUES] + [WorkQuery(queues=("q0", "q2"), limit=2)]
    queries += [WorkQuery(assignee="u1"), WorkQuery(process_key="move"), WorkQuery(case_id="c1"),
                WorkQuery(assignee="u0", queues=("q1",), status=WorkItemStatus.COMPLETED)]
    return {
        "cases": [store.cases(), store.cases(process_key="move"), store.cases(customer_id="k2"),
                  store.cases(active=True), store.cases(active=False, process_key="complaint")],
        "work": [store.work_items(query) for query in queries],
        "counts": store.count_open_work_items(),
        "closed": [store.closed_case_days(at(start), at(end)) for start, end in ((-60, 400), (30, 400), (0, 90))],
        "open work": [store.open_work_counts(at(minutes)) for minutes in (0, 45, 100, 200)],
        "due": [store.due_jobs(at(minutes), limit=2) for minutes in (0, 60, 200)],
        "outbox": [store.outbox(due_before=at(60)), store.outbox()]
        + [store.outbox(case_id=case_id) for case_id in CASES],
        "per case": [(store.audit_events(case_id), store.case_jobs(case_id)) for case_id in CASES],
        "people": (store.customers(), store.users()),
    }


def commit_both(reference: MemoryStore, embedded: Store, changes: Changes) -> None:
    outcomes = []
    for store in (reference, embedded):
        copy = Changes(**{name: list(value) for name, value in vars(changes).items()})
        copy.cases = [(c.model_copy(), read_at) for c, read_at in changes.cases]
        try:
            store.commit(copy)
            outcomes.append("committed")
        except StoreError as error:
            outcomes.append(type(error).__name__)
    assert outcomes[0] == outcomes[1], outcomes
    event(outcomes[0])


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(commits, min_size=1, max_size=10), st.booleans())
def test_the_embedded_store_reopened_answers_like_the_memory_store(draws: list[dict[str, Any]], crash: bool):
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "data"
        reference = MemoryStore()
        embedded = TinyDBStore.open(folder, checkpoint_bytes=8192)
        commit_both(reference, embedded, Changes(cases=[(case(case_id), None) for case_id in CASES[:3]]))
        for number, draw in enumerate(draws):
            commit_both(reference, embedded, changes_for(draw, reference, number))
        assert answers(embedded) == answers(reference)
        for minutes in (0, 45, 100, 200):
            assert reference.open_work_counts(at(minutes)) == counted_by_hand(reference, at(minutes))
        if crash:
            shutil.copytree(folder, Path(temp) / "image")
            folder = Path(temp) / "image"
        embedded.close()
        with TinyDBStore.open(folder) as reopened:
            assert answers(reopened) == answers(reference)
            assert reopened.verify_indexes()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(draws=st.lists(commits, min_size=1, max_size=10))
def test_the_postgres_store_reopened_answers_like_the_memory_store(pg_server: str, pg_template: str,
                                                                    draws: list[dict[str, Any]]):
    url = create_database(pg_server, template=pg_template)
    try:
        reference = MemoryStore()
        database = PostgresStore.open(url, pool_size=2)
        commit_both(reference, database, Changes(cases=[(case(case_id), None) for case_id in CASES[:3]]))
        for number, draw in enumerate(draws):
            commit_both(reference, database, changes_for(draw, reference, number))
        assert answers(database) == answers(reference)
        database.close()
        reopened = PostgresStore.open(url, pool_size=2)
        assert answers(reopened) == answers(reference)
        reopened.close()
    finally:
        drop_database(pg_server, url)
