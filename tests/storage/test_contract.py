"""The storage contract: what the engine and the pages may rely on, whichever store runs.

Each test runs against MemoryStore, TinyDBStore and PostgresStore; `reopen`
makes the embedded and PostgreSQL stores prove they kept what they acknowledged.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from models.customers import Address, Customer, SearchField, address_key, email_key, name_key, number_key, phone_key
from runtime.documents import Attachment, CaseStatus, OutboxStatus, Record, SealedEvent, SlaStatus, WorkItemStatus
from runtime.errors import AttachmentTooLarge, ConflictError, NotFound, StoreError
from runtime.storage.base import ATTACHMENT_LIMIT, Changes, OpenWorkCount, Store, WorkOrder, WorkQuery
from tests.storage.conftest import Reopen
from tests.storage.storage_docs import (
    at,
    audit_event,
    bundle,
    case,
    contact,
    customer,
    job,
    new_case_changes,
    outbox_entry,
    sealed_event,
    step_changes,
    user,
    version,
    work_item,
)


def ids(docs: list) -> list[str]:
    return [doc.id for doc in docs]


# Round trips --------------------------------------------------------------------------


def test_every_document_type_reads_back_as_committed(store: Store, reopen: Reopen):
    c, w, j, o, a = case(), work_item(), job(), outbox_entry(), audit_event()
    v, b, k, u = version(), bundle(), customer(), user()
    store.commit(Changes(cases=[(c, None)], work_items=[w], jobs=[j], outbox=[o], audit=[SealedEvent.of(a)],
                         versions=[(v, b)], customers=[k], users=[u]))
    store = reopen(store)
    assert store.case("c1") == c.model_copy(update={"revision": 1})
    assert store.work_item("w1") == w
    assert store.case_jobs("c1") == [j]
    assert store.job("j1") == j
    assert store.outbox(case_id="c1") == [o]
    assert store.audit_events("c1") == [a]
    assert store.versions() == [v]
    assert store.bundle_document("h1") == b
    assert store.customer("k1") == k
    assert store.user("u1") == u


def test_reads_return_copies_that_callers_may_change(store: Store):
    store.commit(Changes(cases=[(case(), None)], versions=[(version(), bundle())]))
    loaded = store.case("c1")
    loaded.data["lines"].append({"text": "extra"})
    loaded.tokens.clear()
    store.bundle_document("h1")["nodes"].clear()
    assert store.case("c1").data["lines"] == [{"text": "meter", "qty": 2}]
    assert len(store.case("c1").tokens) == 1
    assert store.bundle_document("h1")["nodes"] == [{"id": "s", "kind": "start"}]


def test_changing_a_committed_object_afterwards_does_not_change_the_store(store: Store):
    c = case()
    store.commit(Changes(cases=[(c, None)]))
    c.data["amount"] = 999
    assert store.case("c1").data["amount"] == 12.5


def test_missing_documents_raise_not_found(store: Store):
    for read in (lambda: store.case("nope"), lambda: store.work_item("nope"), lambda: store.job("nope"),
                 lambda: store.customer("nope"),
                 lambda: store.user("nope"), lambda: store.bundle_document("nope"),
                 lambda: store.version("complaint", 1)):
        with pytest.raises(NotFound):
            read()
    assert store.audit_events("nope") == []
    assert store.case_jobs("nope") == []
    assert store.latest_version("complaint") is None


def test_a_closed_store_refuses_work(store: Store):
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.case("c1")
    with pytest.raises(StoreError, match="closed"):
        store.commit(Changes(users=[user()]))


# Revisions and conflicts ------------------------------------------------------------------


def test_a_committed_case_gets_the_next_revision_also_on_the_callers_object(store: Store, reopen: Reopen):
    c = case()
    store.commit(Changes(cases=[(c, None)]))
    assert c.revision == 1
    store.commit(step_changes(store.case("c1"), 1))
    store = reopen(store)
    assert store.case("c1").revision == 2
    assert store.case("c1").data["step"] == 1


def test_a_stale_revision_is_refused_and_nothing_of_the_step_is_written(store: Store, reopen: Reopen):
    store.commit(new_case_changes("c1"))
    store.commit(new_case_changes("c2"))
    first, second = store.case("c1"), store.case("c1")
    store.commit(step_changes(first, 1))
    late = step_changes(second, 1)
    late.cases.append((store.case("c2").model_copy(update={"outcome": "late"}), 1))
    late.outbox.append(outbox_entry("o-late", "c1"))
    late.customers.append(customer("k-late"))
    with pytest.raises(ConflictError, match=r"changed by someone else.*read at revision 1, now 2"):
        store.commit(late)
    assert late.cases[0][0].revision == 1  # the caller's object is untouched on failure
    store = reopen(store)
    assert store.case("c1").revision == 2
    assert store.case("c2").outcome is None
    assert store.outbox(case_id="c1") == []
    with pytest.raises(NotFound):
        store.customer("k-late")
    assert len(store.audit_events("c1")) == 3


def test_two_agents_completing_one_task_one_wins(store: Store):
    store.commit(new_case_changes("c1"))
    agent_a, agent_b = store.case("c1"), store.case("c1")
    store.commit(step_changes(agent_a, 1))
    with pytest.raises(ConflictError):
        store.commit(step_changes(agent_b, 1))


def test_threads_racing_on_one_case_lose_no_update_and_apply_none_twice(store: Store):
    store.commit(new_case_changes("shared"))

    def agent(number: int) -> int:
        wins = 0
        for attempt in range(15):
            current = store.case("shared")
            mark = {f"agent{number}-{attempt}": True}
            with contextlib.suppress(ConflictError):
                store.commit(Changes(cases=[(current.model_copy(update={"data": current.data | mark}),
                                             current.revision)]))
                wins += 1
        return wins

    with ThreadPoolExecutor(6) as pool:
        wins = sum(pool.map(agent, range(6)))
    final = store.case("shared")
    assert final.revision == 1 + wins
    assert len([name for name in final.data if name.startswith("agent")]) == wins


def test_starting_a_case_twice_or_changing_an_unknown_case_is_a_conflict(store: Store):
    store.commit(Changes(cases=[(case(), None)]))
    with pytest.raises(ConflictError, match="already exists"):
        store.commit(Changes(cases=[(case(), None)]))
    with pytest.raises(ConflictError, match="not stored"):
        store.commit(Changes(cases=[(case("c9"), 1)]))


def test_documents_of_an_unknown_case_are_refused(store: Store):
    with pytest.raises(StoreError, match="case 'c1', which is not stored"):
        store.commit(Changes(work_items=[work_item()], users=[user()]))
    with pytest.raises(NotFound):
        store.user("u1")


def test_the_same_case_twice_in_one_commit_is_refused(store: Store):
    with pytest.raises(StoreError, match="twice"):
        store.commit(Changes(cases=[(case(), None), (case(), None)]))


def test_the_audit_log_is_append_only(store: Store):
    store.commit(new_case_changes("c1"))
    changed = audit_event("c1-a1", "c1").model_copy(update={"summary": "rewritten"})
    with pytest.raises(StoreError, match="append-only"):
        store.commit(Changes(audit=[SealedEvent.of(changed)]))
    assert store.audit_events("c1")[0].summary == "Review done"


def test_a_version_number_is_published_once(store: Store):
    store.commit(Changes(versions=[(version(), bundle())]))
    store.commit(Changes(versions=[(version(), bundle())]))  # the same again is harmless
    with pytest.raises(ConflictError, match="already published"):
        store.commit(Changes(versions=[(version(version_hash="other"), bundle())]))
    assert store.versions() == [version()]


def test_a_work_item_or_job_cannot_move_to_another_case(store: Store):
    store.commit(new_case_changes("c1"))
    store.commit(new_case_changes("c2"))
    with pytest.raises(StoreError, match="work item 'c1-w1' belongs to case 'c1'"):
        store.commit(Changes(work_items=[work_item("c1-w1", "c2")]))
    with pytest.raises(StoreError, match="job 'c1-j1' belongs to case 'c1'"):
        store.commit(Changes(jobs=[job("c1-j1", "c2", done=True)]))


def test_a_step_spanning_a_subprocess_and_its_parent_commits_both(store: Store, reopen: Reopen):
    store.commit(new_case_changes("parent"))
    parent = store.case("parent")
    child = case("child", parent_case="parent", parent_token="t1", depth=1)
    store.commit(Changes(cases=[(parent.model_copy(update={"data": {"child": "child"}}), 1), (child, None)],
                         work_items=[work_item("child-w1", "child")],
                         audit=[sealed_event("parent-a2", "parent", seq=2), sealed_event("child-a1", "child")]))
    store = reopen(store)
    assert store.case("parent").data == {"child": "child"}
    assert store.case("child").parent_case == "parent"
    assert ids(store.work_items(WorkQuery(case_id="child"))) == ["child-w1"]


def test_an_empty_commit_changes_nothing(store: Store):
    store.commit(Changes())
    assert store.cases() == []


# Worklists ---------------------------------------------------------------------------------


@pytest.fixture
def worklist(store: Store) -> Store:
    """Two cases, items in two queues with deadlines, priorities and ages that decide the order."""
    store.commit(Changes(cases=[(case("c1"), None), (case("c2", process_key="move"), None)], work_items=[
        work_item("no-deadline", "c1", due=None, priority=5),
        work_item("late-urgent", "c1", due=60, priority=5),
        work_item("early", "c1", due=30, priority=1),
        work_item("late-old", "c2", due=60, priority=3, created=-10, process_key="move"),
        work_item("late-new", "c2", due=60, priority=3, created=-5, process_key="move"),
        work_item("other-queue", "c1", queue="complaints", due=10),
        work_item("mine", "c2", queue="complaints", due=90, assignee="u1", process_key="move"),
        work_item("done", "c1", due=1, status=WorkItemStatus.COMPLETED, completed_by="u1"),
    ]))
    return store


def test_worklist_orders_by_deadline_then_priority_then_age(worklist: Store):
    page = worklist.work_items(WorkQuery(queues=("billing",)))
    assert ids(page) == ["early", "late-urgent", "late-old", "late-new", "no-deadline"]


def test_worklist_pages(worklist: Store):
    everything = ids(worklist.work_items(WorkQuery()))
    assert everything == ["other-queue", "early", "late-urgent", "late-old", "late-new", "mine", "no-deadline"]
    pages = [ids(worklist.work_items(WorkQuery(limit=3, offset=offset))) for offset in (0, 3, 6, 9)]
    assert pages == [everything[0:3], everything[3:6], everything[6:], []]


def test_worklist_filters(worklist: Store):
    def query(**filters) -> list[str]:
        return ids(worklist.work_items(WorkQuery(**filters)))

    assert query(queues=("complaints", "billing"), limit=2) == ["other-queue", "early"]
    assert query(queues=()) == []
    assert query(assignee="u1") == ["mine"]
    assert query(case_id="c2") == ["late-old", "late-new", "mine"]
    assert query(process_key="move", queues=("billing",)) == ["late-old", "late-new"]
    assert query(status=WorkItemStatus.COMPLETED) == ["done"]
    assert query(status=WorkItemStatus.COMPLETED, case_id="c1") == ["done"]
    assert worklist.count_open_work_items() == {"billing": 5, "complaints": 2}


@pytest.mark.parametrize("filters", [
    {}, {"queues": ("complaints", "billing")}, {"queues": ()}, {"assignee": "u1"}, {"case_id": "c2"},
    {"process_key": "move", "queues": ("billing",)}, {"status": WorkItemStatus.COMPLETED}, {"unassigned": True},
    {"sla": "breached", "now": at(40)}, {"sla": "on track", "now": at(40), "queues": ("billing",)},
    {"order": WorkOrder.PRIORITY, "queues": ("billing",)}])
def test_counting_work_items_agrees_with_listing_them_whatever_the_page(worklist: Store, filters: dict):
    everything = worklist.work_items(WorkQuery(limit=1000, **filters))
    assert worklist.count_work_items(WorkQuery(limit=2, offset=1, **filters)) == len(everything)


def test_the_case_of_a_work_item_is_known_without_reading_it(worklist: Store):
    assert worklist.work_item_case("late-old") == "c2"
    with pytest.raises(NotFound, match="no work item 'nope'"):
        worklist.work_item_case("nope")


def test_closing_reassigning_and_reprioritising_move_items_in_the_lists(worklist: Store, reopen: Reopen):
    worklist.commit(Changes(work_items=[
        work_item("early", "c1", due=30, priority=1, status=WorkItemStatus.COMPLETED),
        work_item("no-deadline", "c1", due=5, priority=5, queue="complaints", assignee="u1"),
    ]))
    worklist = reopen(worklist)
    assert ids(worklist.work_items(WorkQuery(queues=("billing",)))) == ["late-urgent", "late-old", "late-new"]
    assert ids(worklist.work_items(WorkQuery(assignee="u1"))) == ["no-deadline", "mine"]
    assert ids(worklist.work_items(WorkQuery(status=WorkItemStatus.COMPLETED))) == ["done", "early"]
    assert worklist.count_open_work_items() == {"billing": 3, "complaints": 3}


def test_unassigned_items_and_priority_order(worklist: Store, reopen: Reopen):
    def query(**filters) -> list[str]:
        return ids(worklist.work_items(WorkQuery(**filters)))

    assert query(unassigned=True) == ["other-queue", "early", "late-urgent", "late-old", "late-new", "no-deadline"]
    assert query(unassigned=True, queues=("complaints",)) == ["other-queue"]
    by_priority = ["late-urgent", "no-deadline", "other-queue", "late-old", "late-new", "mine", "early"]
    assert query(order=WorkOrder.PRIORITY) == by_priority
    assert [query(order=WorkOrder.PRIORITY, limit=3, offset=offset) for offset in (0, 3, 6, 9)] == [
        by_priority[0:3], by_priority[3:6], by_priority[6:], []]
    assert query(order=WorkOrder.PRIORITY, queues=("billing",), unassigned=True, offset=1, limit=3) == [
        "no-deadline", "late-old", "late-new"]
    assert query(order=WorkOrder.PRIORITY, case_id="c2") == ["late-old", "late-new", "mine"]
    worklist.commit(Changes(work_items=[work_item("early", "c1", due=30, priority=9, assignee="u2")]))
    worklist = reopen(worklist)
    assert query(order=WorkOrder.PRIORITY, limit=2) == ["early", "late-urgent"]
    assert "early" not in query(unassigned=True)


def test_worklist_by_sla_status_agrees_with_the_badges(store: Store, reopen: Reopen):
    store.commit(Changes(cases=[(case("c1"), None)], work_items=[
        work_item("no-sla", "c1", due=None),
        work_item("due-10", "c1", due=10, warning_at=at(5)),
        work_item("due-20-no-warning", "c1", due=20, priority=4),
        work_item("due-30", "c1", due=30, warning_at=at(10)),
        work_item("due-40", "c1", due=40, warning_at=at(35), queue="complaints"),
        work_item("due-50-claimed", "c1", due=50, warning_at=at(5), assignee="u1"),
    ]))
    store = reopen(store)
    everything = store.work_items(WorkQuery(limit=100))
    for minute in (0, 5, 10, 20, 36, 50, 60):
        now = at(minute)
        for status in SlaStatus:
            expected = [item.id for item in everything if SlaStatus.of(item, now) == status]
            assert ids(store.work_items(WorkQuery(sla=status, now=now, limit=100))) == expected, (minute, status)
            by_priority = sorted((i for i in everything if SlaStatus.of(i, now) == status), key=lambda i: -i.priority)
            assert ids(store.work_items(WorkQuery(sla=status, now=now, order=WorkOrder.PRIORITY))) == ids(by_priority)
    assert ids(store.work_items(WorkQuery(sla="at risk", now=at(12), unassigned=True))) == ["due-30"]
    assert ids(store.work_items(WorkQuery(sla="at risk", now=at(12), offset=1))) == ["due-50-claimed"]
    assert ids(store.work_items(WorkQuery(sla="breached", now=at(45), queues=("complaints",)))) == ["due-40"]
    assert ids(store.work_items(WorkQuery(sla="on track", now=at(0), case_id="c1", limit=2))) == [
        "due-10", "due-20-no-warning"]


def counted_by_hand(store: Store, now) -> list[OpenWorkCount]:
    """What `open_work_counts` must answer, by reading every open item and asking `SlaStatus.of`."""
    items = store.work_items(WorkQuery(limit=10_000))
    found = []
    for by in ("queue", "process"):
        for name in sorted({getattr(item, "queue" if by == "queue" else "process_key") for item in items}):
            mine = [i for i in items if (i.queue if by == "queue" else i.process_key) == name]
            statuses = [SlaStatus.of(i, now) for i in mine]
            found.append(OpenWorkCount(by, name, len(mine), statuses.count(SlaStatus.ON_TRACK),
                                       statuses.count(SlaStatus.AT_RISK), statuses.count(SlaStatus.BREACHED),
                                       min(i.created_at for i in mine)))
    return found


def test_open_work_per_queue_and_process_is_counted_from_deadlines_as_the_badges_say(store: Store,
                                                                                     reopen: Reopen):
    store.commit(Changes(cases=[(case("c1"), None)], work_items=[
        work_item("no-sla", "c1", due=None, created=-30),
        work_item("due-10", "c1", due=10, warning_at=at(5)),
        work_item("due-20-no-warning", "c1", due=20, created=-5),
        work_item("due-30", "c1", due=30, warning_at=at(10), process_key="move"),
        work_item("due-40", "c1", due=40, warning_at=at(35), queue="complaints", created=-10),
        work_item("warned-after-due", "c1", due=50, warning_at=at(55), queue="complaints"),
    ]))
    assert store.open_work_counts(at(12)) == [
        OpenWorkCount("queue", "billing", 4, 1, 1, 1, at(-30)),
        OpenWorkCount("queue", "complaints", 2, 2, 0, 0, at(-10)),
        OpenWorkCount("process", "complaint", 5, 3, 0, 1, at(-30)),
        OpenWorkCount("process", "move", 1, 0, 1, 0, at(0))]
    store.commit(Changes(work_items=[work_item("due-10", "c1", due=10, status=WorkItemStatus.COMPLETED),
                                     work_item("no-sla", "c1", due=100, warning_at=at(90), queue="complaints",
                                               created=-30)]))
    for _ in range(2):
        for minute in (0, 5, 10, 12, 20, 36, 50, 56, 95, 120):
            assert store.open_work_counts(at(minute)) == counted_by_hand(store, at(minute)), minute
        store = reopen(store)
    store.commit(Changes(work_items=[work_item(i, "c1", status=WorkItemStatus.CANCELLED) for i in (
        "no-sla", "due-20-no-warning", "due-30", "due-40", "warned-after-due")]))
    assert store.open_work_counts(at(0)) == []


def test_a_work_query_refuses_filters_that_contradict_or_lack_their_moment():
    with pytest.raises(ValueError, match="not both"):
        WorkQuery(assignee="u1", unassigned=True)
    with pytest.raises(ValueError, match="unknown SLA status 'late'"):
        WorkQuery(sla="late", now=at(0))
    with pytest.raises(ValueError, match="needs the moment"):
        WorkQuery(sla="breached")


def test_the_worklist_marker_moves_when_work_items_change_and_only_then(worklist: Store):
    before = worklist.worklist_marker()
    worklist.commit(Changes(audit=[sealed_event("a1", "c1")]))
    assert worklist.worklist_marker() == before
    worklist.commit(Changes(work_items=[work_item("early", "c1", due=30, priority=1, assignee="u1")]))
    claimed = worklist.worklist_marker()
    assert claimed != before
    worklist.commit(Changes(work_items=[work_item("early", "c1", due=30, priority=1, assignee="u1")]))
    assert worklist.worklist_marker() == claimed  # written again unchanged
    worklist.commit(Changes(work_items=[work_item("new", "c2", due=5)]))
    assert worklist.worklist_marker() not in (before, claimed)


# Jobs, outbox, audit --------------------------------------------------------------------------


def test_due_jobs_earliest_first_without_done_or_future_ones(store: Store, reopen: Reopen):
    store.commit(Changes(cases=[(case(), None)], jobs=[
        job("later", due=50), job("first", due=10), job("done", due=5, done=True), job("future", due=500),
        job("same-time", due=50)]))
    store = reopen(store)
    assert ids(store.due_jobs(at(100))) == ["first", "later", "same-time"]
    assert ids(store.due_jobs(at(100), limit=1)) == ["first"]
    assert ids(store.due_jobs(at(50))) == ["first", "later", "same-time"]
    store.commit(Changes(jobs=[job("first", due=10, done=True)]))
    assert ids(store.due_jobs(at(1000))) == ["later", "same-time", "future"]
    assert ids(store.case_jobs("c1")) == ["done", "first", "later", "same-time", "future"]
    assert store.job("first").done and not store.job("later").done


def test_outbox_by_case_and_pending_by_due_time(store: Store, reopen: Reopen):
    store.commit(Changes(cases=[(case("c1"), None), (case("c2"), None)], outbox=[
        outbox_entry("new", "c1", created=20, next_attempt=20),
        outbox_entry("old", "c2", created=10, next_attempt=30),
        outbox_entry("retry-later", "c1", created=5, next_attempt=90),
        outbox_entry("sent", "c1", created=1, status=OutboxStatus.SENT),
    ]))
    store = reopen(store)
    assert ids(store.outbox(case_id="c1")) == ["sent", "retry-later", "new"]
    assert ids(store.outbox(due_before=at(60))) == ["old", "new"]
    assert ids(store.outbox(case_id="c1", due_before=at(60))) == ["new"]
    assert ids(store.outbox()) == ["retry-later", "old", "new"]
    store.commit(Changes(outbox=[outbox_entry("old", "c2", created=10, status=OutboxStatus.SENT)]))
    assert ids(store.outbox(due_before=at(60))) == ["new"]


def test_audit_trail_in_order(store: Store, reopen: Reopen):
    store.commit(Changes(cases=[(case(), None)], audit=[sealed_event("a3", seq=3), sealed_event("a1", seq=1)]))
    store.commit(Changes(audit=[sealed_event("a2", seq=2)]))
    store = reopen(store)
    assert [e.seq for e in store.audit_events("c1")] == [1, 2, 3]


# Cases, versions, customers, users ------------------------------------------------------------------


def test_cases_by_process_customer_and_activity_oldest_first(store: Store, reopen: Reopen):
    store.commit(Changes(cases=[
        (case("young", started=30), None),
        (case("old", started=10, customer_id="k2"), None),
        (case("done", started=20, status=CaseStatus.COMPLETED), None),
        (case("other", started=5, process_key="move"), None),
    ]))
    store = reopen(store)
    assert ids(store.cases()) == ["other", "old", "done", "young"]
    assert ids(store.cases(process_key="complaint")) == ["old", "done", "young"]
    assert ids(store.cases(customer_id="k1")) == ["other", "done", "young"]
    assert ids(store.cases(active=True, process_key="complaint")) == ["old", "young"]
    assert ids(store.cases(active=False)) == ["done"]
    store.commit(Changes(cases=[(case("old", started=10, customer_id="k1", process_key="move"), 1)]))
    assert ids(store.cases(customer_id="k2")) == []
    assert ids(store.cases(process_key="move")) == ["other", "old"]


def test_case_ids_by_the_same_filters_and_by_start_time_without_reading_cases(store: Store, reopen: Reopen):
    store.commit(Changes(cases=[(case("a", started=0, customer_id=None), None),
                                (case("b", started=10, customer_id="C-1"), None),
                                (case("c", started=20, customer_id=None, status=CaseStatus.COMPLETED), None)]))
    store = reopen(store)
    assert store.case_ids() == ["a", "b", "c"]
    assert store.case_ids(active=True) == ["a", "b"]
    assert store.case_ids(customer_id="C-1") == ["b"]
    assert store.case_ids(started_since=at(10)) == ["b", "c"]
    assert store.case_ids(started_since=at(5), started_until=at(20)) == ["b"]


def test_every_cases_audit_head_is_known_without_reading_the_cases(store: Store, reopen: Reopen):
    store.commit(Changes(cases=[(case("a", audit_count=2, audit_head="h2"), None), (case("b"), None)]))
    changed = store.case("a").model_copy(update={"audit_count": 3, "audit_head": "h3"})
    store.commit(Changes(cases=[(changed, 1)]))
    store = reopen(store)
    assert store.audit_heads() == {"a": (3, "h3"), "b": (0, "")}


def test_cases_per_version_counted_without_reading_them(store: Store, reopen: Reopen):
    store.commit(Changes(cases=[(case("a"), None), (case("b", version=2), None),
                                (case("c", version=2, status=CaseStatus.COMPLETED), None),
                                (case("d", process_key="move"), None)]))
    store = reopen(store)
    assert store.version_case_counts("complaint") == {1: (1, 1), 2: (2, 1)}
    assert store.version_case_counts("nothing") == {}


def test_versions_oldest_first_and_bundles_stored_once(store: Store, reopen: Reopen):
    store.commit(Changes(versions=[(version("move", 1, "m1"), bundle("move")), (version("complaint", 2, "h2"),
                                                                               bundle())]))
    store.commit(Changes(versions=[(version("complaint", 3, "h2"), bundle())]))  # same content again
    store = reopen(store)
    assert [(v.process_key, v.number) for v in store.versions()] == [("move", 1), ("complaint", 2),
                                                                      ("complaint", 3)]
    assert store.latest_version("complaint").number == 3
    assert store.version("move", 1).hash == "m1"
    assert store.bundle_document("m1") == bundle("move")


def test_customers_and_users_replace_by_id(store: Store, reopen: Reopen):
    store.commit(Changes(customers=[customer("k2", "Bo"), customer("k1")], users=[user("u2"), user("u1")]))
    store.commit(Changes(customers=[customer("k2", "Bo Jansen")]))
    store = reopen(store)
    assert [(c.id, c.name) for c in store.customers()] == [("k1", "An de Vries"), ("k2", "Bo Jansen")]
    assert ids(store.users()) == ["u1", "u2"]
    assert store.customer("k2").name == "Bo Jansen"


# Contacts and customer search ------------------------------------------------------------------


def test_contacts_read_back_by_id_and_by_customer_oldest_first(store: Store, reopen: Reopen):
    store.commit(Changes(contacts=[contact("late", minutes=30), contact("early", minutes=10),
                                   contact("other", "k2", minutes=20), contact("anonymous", None, minutes=5)]))
    store = reopen(store)
    assert store.contact("early") == contact("early", minutes=10).model_copy(update={"revision": 1})
    assert ids(store.contacts(customer_id="k1")) == ["early", "late"]
    assert ids(store.contacts(customer_id="k2")) == ["other"]
    assert ids(store.contacts(customer_id="nobody")) == []
    assert ids(store.contacts()) == ["anonymous", "early", "other", "late"]
    with pytest.raises(NotFound, match="no contact 'nope'"):
        store.contact("nope")


def test_a_contact_is_replaced_by_id_and_moves_with_its_customer(store: Store, reopen: Reopen):
    first = contact("call")
    store.commit(Changes(contacts=[first]))
    assert first.revision == 1  # as with cases, the caller's object gets the new revision
    store.commit(Changes(cases=[(case("c1"), None)], contacts=[first.model_copy(update={"case_ids": ["c1"]})]))
    store.commit(Changes(contacts=[store.contact("call").model_copy(update={"customer_id": "k2"})]))
    store = reopen(store)
    assert (store.contact("call").case_ids, store.contact("call").revision) == (["c1"], 3)
    assert ids(store.contacts(customer_id="k1")) == []
    assert ids(store.contacts(customer_id="k2")) == ["call"]


def test_two_agents_linking_cases_to_one_contact_one_wins(store: Store, reopen: Reopen):
    store.commit(Changes(contacts=[contact("call")]))
    agent_a, agent_b = store.contact("call"), store.contact("call")
    agent_a.case_ids.append("c1")
    store.commit(Changes(cases=[(case("c1"), None)], contacts=[agent_a]))
    agent_b.case_ids.append("c2")
    with pytest.raises(ConflictError, match=r"contact 'call' was changed by someone else \(read at revision 1, now 2"):
        store.commit(Changes(cases=[(case("c2"), None)], contacts=[agent_b]))
    with pytest.raises(ConflictError, match="read at revision 0, now 2"):
        store.commit(Changes(contacts=[contact("call")]))  # a new contact with a taken id
    store = reopen(store)
    assert store.contact("call").case_ids == ["c1"]
    with pytest.raises(NotFound):
        store.case("c2")


def test_a_refused_step_writes_no_contact(store: Store, reopen: Reopen):
    store.commit(new_case_changes("c1"))
    store.commit(step_changes(store.case("c1"), 1))
    stale = step_changes(store.case("c1").model_copy(update={"revision": 1}), 1)
    stale.contacts.append(contact("call", case_ids=["c1"]))
    with pytest.raises(ConflictError):
        store.commit(stale)
    store = reopen(store)
    with pytest.raises(NotFound):
        store.contact("call")
    assert store.contacts(customer_id="k1") == []


def searchable(customer_id: str, name: str, *, phone: str = "", email: str = "", postcode: str = "1234 AB",
               house_number: str = "1", number: str = "") -> Customer:
    return customer(customer_id, name).model_copy(update={
        "phone": phone, "email": email, "number": number or f"N-{customer_id}",
        "address": Address(street="Dorpsstraat", house_number=house_number, postcode=postcode, city="Ede")})


def test_customers_are_found_by_the_normal_form_of_each_search_key(store: Store, reopen: Reopen):
    store.commit(Changes(customers=[
        searchable("k1", "Sanne de Vries", phone="+31 6 1234 5678", email="Sanne.deVries@Example.nl",
                   postcode="3511 AX", house_number="112", number="301 001 186"),
        searchable("k2", "Sander Vries", phone="030-2314455", postcode="3511 AX", house_number="57A"),
        searchable("k3", "Emma Jansen", postcode="2514 EE", house_number="34"),
    ]))
    store = reopen(store)

    def found(field: SearchField, key: str, limit: int = 50) -> list[str]:
        return ids(store.find_customers(field, key, limit))

    assert found(SearchField.NAME, name_key("vries")) == ["k2", "k1"]  # by name: Sander before Sanne
    assert found(SearchField.NAME, name_key("SANN de")) == ["k1"]  # every part starts a name part
    assert found(SearchField.NAME, name_key("vries emma")) == []
    assert found(SearchField.NAME, name_key("vries"), limit=1) == ["k2"]
    assert found(SearchField.NUMBER, number_key("301001186")) == ["k1"]
    assert found(SearchField.PHONE, phone_key("06 12345678")) == ["k1"]
    assert found(SearchField.PHONE, phone_key("+31 30 231 4455")) == ["k2"]
    assert found(SearchField.EMAIL, email_key("sanne.devries@example.NL")) == ["k1"]
    assert found(SearchField.ADDRESS, address_key("3511ax", "57 a")) == ["k2"]
    assert found(SearchField.ADDRESS, address_key("3511 AX")) == ["k2", "k1"]
    assert found(SearchField.ADDRESS, address_key("3511 AX", "1")) == []


def test_a_changed_customer_is_found_by_its_new_keys_only(store: Store, reopen: Reopen):
    store.commit(Changes(customers=[searchable("k1", "Sanne de Vries", phone="0612345678")]))
    assert ids(store.find_customers(SearchField.NAME, "vries")) == ["k1"]  # builds the lookups
    store.commit(Changes(customers=[searchable("k1", "Sanne Bakker", phone="0687654321")]))
    store = reopen(store)
    assert store.find_customers(SearchField.NAME, "vries") == []
    assert store.find_customers(SearchField.PHONE, phone_key("0612345678")) == []
    assert [c.name for c in store.find_customers(SearchField.NAME, "bakker")] == ["Sanne Bakker"]
    assert ids(store.find_customers(SearchField.PHONE, phone_key("0687654321"))) == ["k1"]


# Attachments ----------------------------------------------------------------------------------


def attachment(attachment_id: str = "file-1", case_id: str = "c1", *, minutes: float = 0,
               content: bytes = b"%PDF-1.4 meter photo") -> Attachment:
    return Attachment(id=attachment_id, case_id=case_id, filename="meterstand.pdf", content_type="application/pdf",
                      size=len(content), sha256=hashlib.sha256(content).hexdigest(), added_by="agent",
                      added_at=at(minutes))


def test_an_attachment_reads_back_with_its_bytes_after_its_commit(store: Store, reopen: Reopen):
    store.commit(new_case_changes("c1"))
    store.put_attachment_content("file-2", b"second")
    store.put_attachment_content("file-1", b"%PDF-1.4 meter photo")
    store.commit(Changes(attachments=[attachment("file-2", minutes=5, content=b"second")]))
    store.commit(Changes(attachments=[attachment("file-1")]))
    store = reopen(store)
    assert ids(store.attachments("c1")) == ["file-1", "file-2"]  # oldest first
    assert store.attachment("c1", "file-1") == attachment("file-1")
    assert store.attachment_content("c1", "file-1") == b"%PDF-1.4 meter photo"
    assert store.attachment_content("c1", "file-2") == b"second"
    assert store.attachments("nope") == []


def test_attachment_bytes_are_read_only_through_a_committed_attachment_of_that_case(store: Store):
    store.commit(new_case_changes("c1"))
    store.commit(new_case_changes("c2"))
    store.put_attachment_content("file-1", b"content")
    with pytest.raises(NotFound, match="case 'c1' has no attachment 'file-1'"):
        store.attachment_content("c1", "file-1")  # put, but never committed
    store.commit(Changes(attachments=[attachment("file-1", content=b"content")]))
    with pytest.raises(NotFound, match="case 'c2' has no attachment 'file-1'"):
        store.attachment_content("c2", "file-1")
    with pytest.raises(NotFound):
        store.attachment("c2", "file-1")


def test_an_attachment_without_bytes_or_case_is_refused(store: Store):
    store.commit(new_case_changes("c1"))
    with pytest.raises(StoreError, match=r"attachment 'file-1' \(meterstand.pdf\) has no content"):
        store.commit(Changes(attachments=[attachment("file-1")]))
    store.put_attachment_content("file-1", b"x")
    with pytest.raises(StoreError, match="attachment 'file-1' belongs to case 'c9', which is not stored"):
        store.commit(Changes(attachments=[attachment("file-1", "c9")]))
    assert store.attachments("c1") == []


def test_too_big_attachments_and_ids_that_are_no_plain_name_are_refused(store: Store):
    store.commit(new_case_changes("c1"))
    with pytest.raises(AttachmentTooLarge, match=f"at most 10 MB \\({ATTACHMENT_LIMIT:,} bytes\\)"):
        store.put_attachment_content("file-1", b"x" * (ATTACHMENT_LIMIT + 1))
    for bad in ("../store", "a/b", "", ".hidden"):
        with pytest.raises(StoreError, match="cannot name an attachment"):
            store.put_attachment_content(bad, b"x")
    store.put_attachment_content("file-2", b"x" * ATTACHMENT_LIMIT)  # exactly the limit is fine
    store.commit(Changes(attachments=[attachment("file-2", content=b"x" * ATTACHMENT_LIMIT)]))
    assert len(store.attachment_content("c1", "file-2")) == ATTACHMENT_LIMIT


def test_the_latest_version_is_the_highest_number_even_when_the_clock_was_turned_back(store: Store):
    later_number_earlier_time = version("complaint", 2, "h2").model_copy(update={"published_at": at(0)})
    store.commit(Changes(versions=[(version("complaint", 1, "h1"), bundle()),
                                   (later_number_earlier_time, bundle())]))
    assert store.latest_version("complaint").number == 2


# Records -------------------------------------------------------------------------------

def record(kind: str = "draft", key: str = "billing", revision: int = 0, **data: object) -> Record:
    return Record(kind=kind, key=key, revision=revision, data=dict(data), updated_by="ann", updated_at=at(0))


def test_records_read_back_by_kind_and_key_and_list_by_key(store: Store, reopen: Reopen):
    store.commit(Changes(records=[record(key="b", n=1), record(key="a", n=2), record(kind="setting", key="a")]))
    store = reopen(store)
    assert store.record("draft", "a").data == {"n": 2}
    assert [r.key for r in store.records("draft")] == ["a", "b"]
    assert [r.revision for r in store.records("draft")] == [1, 1]
    assert [r.key for r in store.records("setting")] == ["a"]
    assert store.records("scenarios") == []
    assert store.record_kinds() == ["draft", "setting"]
    with pytest.raises(NotFound, match="no draft 'c'"):
        store.record("draft", "c")


def test_a_record_changed_by_someone_else_is_a_conflict_and_its_revision_counts(store: Store, reopen: Reopen):
    first = record(n=1)
    store.commit(Changes(records=[first]))
    assert first.revision == 1  # set on the caller's object, as for cases
    mine, theirs = store.record("draft", "billing"), store.record("draft", "billing")
    theirs.data = {"n": "theirs"}
    store.commit(Changes(records=[theirs]))
    mine.data = {"n": "mine"}
    with pytest.raises(ConflictError, match="draft 'billing' was changed by someone else"):
        store.commit(Changes(records=[mine]))
    with pytest.raises(ConflictError):
        store.commit(Changes(records=[record(n="new again")]))  # a new record whose key exists
    store = reopen(store)
    assert store.record("draft", "billing").data == {"n": "theirs"}
    assert store.record("draft", "billing").revision == 2


def test_a_removed_record_is_gone_but_its_revision_keeps_counting(store: Store, reopen: Reopen):
    store.commit(Changes(records=[record(n=1)]))
    gone = store.record("draft", "billing").model_copy(update={"removed": True})
    store.commit(Changes(records=[gone]))
    store = reopen(store)
    with pytest.raises(NotFound):
        store.record("draft", "billing")
    assert store.records("draft") == []
    with pytest.raises(ConflictError):
        store.commit(Changes(records=[record(n="from a stale editor")]))
    store.commit(Changes(records=[record(revision=2, n="again")]))
    assert store.record("draft", "billing").revision == 3


def test_a_record_kind_must_be_a_plain_name(store: Store):
    with pytest.raises(StoreError):
        store.commit(Changes(records=[record(kind="../x")]))


# Claims: workers sharing a store ----------------------------------------------------------------

HOUR = timedelta(hours=1)


def test_workers_claim_disjoint_batches_of_due_jobs_earliest_first(store: Store):
    store.commit(Changes(cases=[(case(), None)], jobs=[
        job(f"j{n}", due=n) for n in range(5)] + [job("done", due=0, done=True), job("future", due=500)]))
    first = store.claim_due_jobs(at(100), "worker-a", HOUR, limit=2)
    second = store.claim_due_jobs(at(100), "worker-b", HOUR, limit=10)
    assert (ids(first), ids(second)) == (["j0", "j1"], ["j2", "j3", "j4"])
    assert store.claim_due_jobs(at(100), "worker-c", HOUR) == []
    assert ids(store.claim_due_jobs(at(100), "worker-a", HOUR)) == ["j0", "j1"]  # its own, again at once
    store.commit(Changes(jobs=[job("j0", due=0, done=True)]))  # fired
    assert ids(store.claim_due_jobs(at(100), "worker-a", HOUR)) == ["j1"]


def test_a_claim_whose_lease_ran_out_is_taken_over(store: Store):
    store.commit(Changes(cases=[(case(), None)], jobs=[job("j1", due=0)], outbox=[outbox_entry("o1")]))
    assert ids(store.claim_due_jobs(at(1), "dead-worker", timedelta(0))) == ["j1"]
    assert ids(store.claim_outbox(at(1), "dead-worker", timedelta(0))) == ["o1"]
    time.sleep(0.01)
    assert ids(store.claim_due_jobs(at(1), "worker-b", HOUR)) == ["j1"]
    assert ids(store.claim_outbox(at(1), "worker-b", HOUR)) == ["o1"]


def test_outbox_claims_take_due_entries_oldest_first_and_outlast_saving(store: Store):
    store.commit(Changes(cases=[(case("c1"), None), (case("c2"), None)], outbox=[
        outbox_entry("new", "c1", created=20, next_attempt=20),
        outbox_entry("old", "c2", created=10, next_attempt=30),
        outbox_entry("later", "c1", created=5, next_attempt=90),
        outbox_entry("sent", "c1", created=1, status=OutboxStatus.SENT),
    ]))
    claimed = store.claim_outbox(at(60), "worker-a", HOUR)
    assert ids(claimed) == ["old", "new"]
    sending = claimed[0].model_copy(update={"status": OutboxStatus.SENDING})
    store.commit(Changes(outbox=[sending]))  # saved while being sent: still held by its sender
    assert store.claim_outbox(at(60), "worker-b", HOUR) == []
    assert ids(store.claim_outbox(at(100), "worker-b", HOUR)) == ["later"]


def test_workers_claiming_at_the_same_moment_never_get_the_same_job(store: Store):
    store.commit(Changes(cases=[(case(), None)], jobs=[job(f"j{n:03}", due=n % 50) for n in range(120)]))
    barrier = threading.Barrier(6)

    def worker(number: int) -> list[str]:
        barrier.wait()
        claimed: list[str] = []
        owners = (f"worker-{number}-{n}" for n in itertools.count())  # what it holds is not offered to it again
        while batch := store.claim_due_jobs(at(100), next(owners), HOUR, limit=7):
            claimed += ids(batch)
        return claimed

    with ThreadPoolExecutor(6) as pool:
        claims = list(pool.map(worker, range(6)))
    everything = [job_id for claimed in claims for job_id in claimed]
    assert sorted(everything) == [f"j{n:03}" for n in range(120)]  # each once, none left over
