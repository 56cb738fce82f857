"""Token semantics per node kind, nested gateways and loops, on every store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.serialization import bundle_document
from runtime.casework import CaseWork
from runtime.documents import CaseStatus, Version
from runtime.errors import ConflictError, DataError, EngineError, PreconditionFailed
from runtime.service import PublishError, Request, Runtime, content_hash
from runtime.storage.base import Changes, WorkQuery
from tests.people import AUDITOR, person
from tests.runtime.builders import (
    auto,
    decision,
    end,
    message,
    parallel,
    process,
    send,
    start,
    subprocess,
    task,
    timer,
)
from tests.runtime.conftest import Harness

AGENT = "agent-1"


def open_items(rt: Runtime, case_id: str) -> list:
    return rt.store.work_items(WorkQuery(case_id=case_id))


def titles(rt: Runtime, case_id: str) -> list[str]:
    return sorted(item.node for item in open_items(rt, case_id))


def complete_node(rt: Runtime, case_id: str, node: str, data: dict | None = None):
    item = next(i for i in open_items(rt, case_id) if i.node == node)
    return rt.complete(person(AGENT), item.id, data or {})


def test_a_case_runs_from_start_through_a_task_to_its_end(runtime: Runtime):
    runtime.publish(person("ann"), process("p", nodes=[start(), task("t"), end(outcome="handled")], flow="s>t t>e"))
    case = runtime.start_case(person(AGENT), "p")
    assert case.status is CaseStatus.ACTIVE
    assert titles(runtime, case.id) == ["t"]
    case = complete_node(runtime, case.id, "t")
    assert case.status is CaseStatus.COMPLETED
    assert case.outcome == "handled"
    assert case.tokens == []
    assert open_items(runtime, case.id) == []


def test_publishing_refuses_a_model_with_errors_and_numbers_versions(runtime: Runtime):
    broken = process("p", nodes=[start(), task("t"), end()], flow="s>t")
    with pytest.raises(PublishError, match="node-dead-end"):
        runtime.publish(person("ann"), broken)
    first = runtime.publish(person("ann"), process("p", nodes=[start(), end()], flow="s>e"), note="first")
    second = runtime.publish(person("bob"), process("p", nodes=[start(), task("t"), end()], flow="s>t t>e"),
                             note="task")
    assert (first.number, second.number) == (1, 2)
    assert first.hash != second.hash and second.author == "bob" and second.note == "task"
    with pytest.raises(EngineError, match="already exactly this"):
        runtime.publish(person("bob"), process("p", nodes=[start(), task("t"), end()], flow="s>t t>e"))


def test_running_cases_stay_on_their_version_and_new_cases_take_the_newest(runtime: Runtime):
    runtime.publish(person("ann"), process("p", nodes=[start(), task("old"), end()], flow="s>old old>e"))
    running = runtime.start_case(person(AGENT), "p")
    runtime.publish(person("ann"), process("p", nodes=[start(), task("new"), end()], flow="s>new new>e"))
    newer = runtime.start_case(person(AGENT), "p")
    assert (running.version, newer.version) == (1, 2)
    assert titles(runtime, running.id) == ["old"] and titles(runtime, newer.id) == ["new"]
    assert complete_node(runtime, running.id, "old").status is CaseStatus.COMPLETED


def test_assignments_compute_exact_money(runtime: Runtime):
    bundle = process("p", variables={"amount": "money", "vat": "money", "total": "money"},
                     nodes=[start(), auto("calc", vat="amount * 0.21", total="amount + amount * 0.21"), end()],
                     flow="s>calc calc>e")
    runtime.publish(person("ann"), bundle)
    case = runtime.start_case(person(AGENT), "p", {"amount": "10.10"})
    assert case.data == {"amount": "10.10", "vat": "2.12", "total": "12.22"}


def test_a_decision_takes_the_first_true_condition_in_model_order(runtime: Runtime):
    bundle = process("p", variables={"amount": "money"},
                     nodes=[start(), decision("d"), task("big"), task("bigger"), task("small"), end()],
                     flow="""s>d
                             d>big: amount > 100
                             d>bigger: amount > 1000
                             d>small: default
                             big>e
                             bigger>e
                             small>e""")
    runtime.publish(person("ann"), bundle)
    assert titles(runtime, runtime.start_case(person(AGENT), "p", {"amount": 5000}).id) == ["big"]
    assert titles(runtime, runtime.start_case(person(AGENT), "p", {"amount": 100}).id) == ["small"]


def test_a_decision_with_no_true_condition_and_no_default_is_an_incident_that_can_be_retried(runtime: Runtime):
    bundle = process("p", variables={"amount": "money"},
                     nodes=[start(), decision("d"), task("big"), task("small"), end()],
                     flow="""s>d
                             d>big: amount > 100
                             d>small: amount < 10
                             big>e
                             small>e""")
    runtime.publish(person("ann"), bundle)
    case = runtime.start_case(person(AGENT), "p", {"amount": 50})
    [incident] = case.incidents
    assert incident.node == "d" and "none of the conditions" in incident.message
    assert case.status is CaseStatus.ACTIVE and open_items(runtime, case.id) == []
    runtime.correct_data(person("operator"), case.id, {"amount": 500})
    case = runtime.retry(person("operator"), case.id, incident.id)
    assert case.incidents == [] and titles(runtime, case.id) == ["big"]


def test_an_expression_error_at_run_time_is_an_incident_naming_the_node(runtime: Runtime):
    bundle = process("p", variables={"amount": "money", "share": "money", "parts": "number"},
                     nodes=[start(), auto("split", share="amount / parts"), end()], flow="s>split split>e")
    runtime.publish(person("ann"), bundle)
    case = runtime.start_case(person(AGENT), "p", {"amount": 100, "parts": 0})
    [incident] = case.incidents
    assert incident.node == "split"
    runtime.correct_data(person("operator"), case.id, {"parts": 4})
    case = runtime.retry(person("operator"), case.id, incident.id)
    assert case.status is CaseStatus.COMPLETED and case.data["share"] == "25.00"


def test_nested_parallel_blocks_of_any_width_join_before_going_on(runtime: Runtime):
    inner = [task(f"i{n}") for n in range(3)]
    outer = [task(f"o{n}") for n in range(4)]
    flow = " ".join(["s>split", "split>inner_split", *(f"split>o{n} o{n}>join" for n in range(4)),
                     *(f"inner_split>i{n} i{n}>inner_join" for n in range(3)), "inner_join>join", "join>after",
                     "after>e"])
    bundle = process("p", nodes=[start(), parallel("split"), parallel("inner_split"), *inner, *outer,
                                 parallel("inner_join"), parallel("join"), task("after"), end()], flow=flow)
    runtime.publish(person("ann"), bundle)
    case = runtime.start_case(person(AGENT), "p")
    assert titles(runtime, case.id) == ["i0", "i1", "i2", "o0", "o1", "o2", "o3"]
    for node in ["o0", "i0", "o1", "i1", "o2", "o3"]:
        complete_node(runtime, case.id, node)
        assert "after" not in titles(runtime, case.id)
    case = complete_node(runtime, case.id, "i2")
    assert titles(runtime, case.id) == ["after"]
    assert len(case.tokens) == 1


def test_a_loop_of_ten_thousand_iterations_runs_to_the_end(runtime: Runtime):
    bundle = process("p", variables={"i": "number", "total": "money"},
                     nodes=[start(), auto("count", i="i + 1", total="total + 0.10"), decision("again"), end()],
                     flow="""s>count
                             count>again
                             again>count: i < 10000
                             again>e: default""")
    runtime.publish(person("ann"), bundle)
    case = runtime.start_case(person(AGENT), "p", {"i": 0, "total": 0})
    assert case.status is CaseStatus.COMPLETED
    assert case.data == {"i": 10000, "total": "1000.00"}
    assert case.audit_count == 2 * 10000 + 3  # started, every step and decision, end, completed


def test_an_endless_automatic_loop_becomes_an_incident(runtime: Runtime):
    bundle = process("p", variables={"i": "number"},
                     nodes=[start(), auto("count", i="i + 1"), decision("again"), end()],
                     flow="""s>count
                             count>again
                             again>count: i > 0
                             again>e: default""")
    runtime.publish(person("ann"), bundle)
    runtime.engine.max_visits = 1_000
    case = runtime.start_case(person(AGENT), "p", {"i": 0})
    [incident] = case.incidents
    assert "1,000 steps without waiting" in incident.message and "loop" in incident.message


def test_a_timer_waits_for_its_duration(harness: Harness):
    rt = harness.runtime
    rt.publish(person("ann"), process("p", nodes=[start(), timer("w", duration="2 days"), task("t"), end()],
                       flow="s>w w>t t>e"))
    case = rt.start_case(person(AGENT), "p")
    assert rt.fire_due_jobs() == 0 and titles(rt, case.id) == []
    harness.clock.advance(timedelta(days=2))
    assert rt.fire_due_jobs() == 1
    assert titles(rt, case.id) == ["t"]
    assert rt.fire_due_jobs() == 0


def test_a_timer_can_wait_until_a_date_from_the_case_data(harness: Harness):
    rt = harness.runtime
    rt.publish(person("ann"), process("p", variables={"moving_on": "date"},
                       nodes=[start(), timer("w", until="moving_on"), task("t"), end()], flow="s>w w>t t>e"))
    case = rt.start_case(person(AGENT), "p", {"moving_on": "2026-03-05"})
    harness.clock.advance(timedelta(days=2))
    assert rt.fire_due_jobs() == 0
    harness.clock.advance(timedelta(days=1))
    assert rt.fire_due_jobs() == 1 and titles(rt, case.id) == ["t"]


def test_a_message_is_correlated_to_its_case_and_cancels_the_timeout(harness: Harness):
    rt = harness.runtime
    rt.publish(person("ann"), process("p", variables={"signed": "boolean"},
                       nodes=[start(), message("w", "mandate signed", timeout="10 days"), task("verify"),
                              task("remind"), end()],
                       flow="""s>w
                               w>verify
                               w>remind: timeout
                               remind>w
                               verify>e"""))
    first = rt.start_case(person(AGENT), "p")
    second = rt.start_case(person(AGENT), "p")
    with pytest.raises(EngineError, match="not waiting for message 'other'"):
        rt.send_message(person("api"), first.id, "other")
    rt.send_message(person("api"), first.id, "mandate signed", {"signed": True})
    assert titles(rt, first.id) == ["verify"] and titles(rt, second.id) == []
    harness.clock.advance(timedelta(days=10))
    assert rt.fire_due_jobs() == 1  # only the second case's timeout; the first one's was cancelled
    assert titles(rt, second.id) == ["remind"]


def test_a_subprocess_gets_data_in_and_gives_results_back(runtime: Runtime):
    runtime.publish(person("ann"), process("child", variables={"amount": "money", "doubled": "money"},
                            nodes=[start(), task("check"), auto("calc", doubled="amount * 2"), end()],
                            flow="s>check check>calc calc>e"))
    runtime.publish(person("ann"), process("parent", variables={"claim": "money", "result": "money"},
                            nodes=[start(), subprocess("call", "child", {"amount": "claim"}, {"result": "doubled"}),
                                   task("after"), end()],
                            flow="s>call call>after after>e"))
    parent = runtime.start_case(person(AGENT), "parent", {"claim": "12.25"})
    [child] = [c for c in runtime.store.cases(process_key="child")]
    assert child.parent_case == parent.id and child.data["amount"] == "12.25"
    complete_node(runtime, child.id, "check")
    parent = runtime.store.case(parent.id)
    assert parent.data["result"] == "24.50"
    assert titles(runtime, parent.id) == ["after"]


def test_publishing_refuses_a_process_that_calls_itself_through_another(runtime: Runtime):
    runtime.publish(person("ann"), process("b", nodes=[start(), end()], flow="s>e"))
    runtime.publish(person("ann"), process("a", nodes=[start(), subprocess("call_b", "b"), end()],
                                           flow="s>call_b call_b>e"))
    with pytest.raises(PublishError, match="subprocess-cycle") as refused:
        runtime.publish(person("ann"), process("b", nodes=[start(), subprocess("call_a", "a"), end()],
                                               flow="s>call_a call_a>e"))
    assert "b → a → b" in str(refused.value)
    assert runtime.store.latest_version("b").number == 1


def publish_unchecked(runtime: Runtime, bundle) -> None:
    """Store a version without the checks, as a Flowdesk from before the subprocess-cycle check could have."""
    document = bundle_document(bundle)
    latest = runtime.store.latest_version(bundle.key)
    version = Version(process_key=bundle.key, number=latest.number + 1 if latest else 1,
                      hash=content_hash(document), name=bundle.name, author="ann", published_at=runtime.now())
    runtime.store.commit(Changes(versions=[(version, document)]))


def test_a_live_circle_of_subprocesses_ends_with_one_incident_on_the_top_case(runtime: Runtime):
    for caller, called in (("a", "b"), ("b", "a")):
        publish_unchecked(runtime, process(caller, nodes=[start(), subprocess("call", called), end()],
                                           flow="s>call call>e"))
    top = runtime.start_case(person(AGENT), "a")
    top = runtime.store.case(top.id)
    [incident] = top.incidents
    assert incident.node == "call"
    assert "nested more than 10 deep" in incident.message and "a → b → a" in incident.message
    nested = [c for c in runtime.store.cases() if c.id != top.id]
    assert len(nested) == 10
    assert all(c.status is CaseStatus.COMPLETED and not c.tokens and not c.incidents for c in nested)
    assert all(c.outcome.startswith("stopped: subprocesses nested too deep") for c in nested)
    assert runtime.verify_audit(AUDITOR).intact


def test_a_circle_that_waits_for_people_is_stopped_with_their_tasks_cancelled(runtime: Runtime):
    publish_unchecked(runtime, process("loop", nodes=[start(), parallel("split"), task("check"),
                                                      subprocess("again", "loop"), parallel("join"), end()],
                                       flow="s>split split>check split>again check>join again>join join>e"))
    top = runtime.start_case(person(AGENT), "loop")
    [incident] = runtime.store.case(top.id).incidents
    assert incident.node == "again"
    assert [item.case_id for item in open_items(runtime, None)] == [top.id]


def test_decision_tables_first_unique_and_collect(runtime: Runtime):
    table = {"id": "route", "inputs": [{"id": "a", "expression": "amount"}], "outputs": [{"id": "route"}],
             "rules": [{"id": "r1", "when": ["< 50"], "then": ['"auto"']},
                       {"id": "r2", "when": ["< 500"], "then": ['"agent"']},
                       {"id": "r3", "when": ["-"], "then": ['"supervisor"']}]}
    bundle = process("p", variables={"amount": "money", "route": "text"},
                     nodes=[start(), auto("decide", table="route"), end()], flow="s>decide decide>e",
                     decision_tables=[table])
    runtime.publish(person("ann"), bundle)
    assert runtime.start_case(person(AGENT), "p", {"amount": 10}).data["route"] == "auto"
    assert runtime.start_case(person(AGENT), "p", {"amount": 100}).data["route"] == "agent"
    unique = process("u", variables={"amount": "money", "route": "text"},
                     nodes=[start(), auto("decide", table="route"), end()], flow="s>decide decide>e",
                     decision_tables=[table | {"hit_policy": "UNIQUE"}])
    runtime.publish(person("ann"), unique)
    [incident] = runtime.start_case(person(AGENT), "u", {"amount": 10}).incidents
    assert "allows only one matching row, but rows 1, 2 and 3 all match" in incident.message
    collect = process("c", nodes=[start(), auto("decide", table="route"), end()], flow="s>decide decide>e",
                      variables={"amount": "money"},
                      decision_tables=[table | {"hit_policy": "COLLECT", "collect_into": "routes"}])
    collect.variables.append(collect.variables[0].model_validate(
        {"name": "routes", "type": "records", "fields": [{"name": "route", "type": "text"}]}))
    runtime.publish(person("ann"), collect)
    assert runtime.start_case(person(AGENT), "c", {"amount": 100}).data["routes"] == [
        {"route": "agent"}, {"route": "supervisor"}]


def test_completion_data_is_checked_against_the_case_data(runtime: Runtime):
    runtime.publish(person("ann"), process("p", variables={"amount": "money"}, nodes=[start(), task("t"), end()],
                                           flow="s>t t>e"))
    case = runtime.start_case(person(AGENT), "p")
    [item] = open_items(runtime, case.id)
    with pytest.raises(DataError) as caught:
        runtime.complete(person(AGENT), item.id, {"amount": "12.345", "colour": "red"})
    assert set(caught.value.errors) == {"amount", "colour"}
    assert runtime.store.work_item(item.id).status.value == "open"  # nothing was saved


def test_a_replayed_completion_changes_nothing_and_a_second_one_conflicts(runtime: Runtime):
    mail = send("mail", "m", recipient='"ann@example.nl"')
    runtime.publish(person("ann"), process("p", nodes=[start(), task("t"), mail, end()], flow="s>t t>mail mail>e",
                            letters=[{"id": "m", "channel": "email", "variants": [
                                {"subject": "Hi", "body": "Done"}]}]))
    case = runtime.start_case(person(AGENT), "p")
    [item] = open_items(runtime, case.id)
    first = runtime.complete(person(AGENT), item.id, {}, request=Request.of("req-1"))
    replay = runtime.complete(person(AGENT), item.id, {}, request=Request.of("req-1"))
    assert replay.revision == first.revision
    with pytest.raises(ConflictError, match="already completed by agent-1"):
        runtime.complete(person("agent-2"), item.id, {}, request=Request.of("req-2"))
    assert len([e for e in runtime.store.audit_events(case.id) if e.kind == "task completed"]) == 1


def test_a_step_expecting_an_older_case_revision_is_refused_and_changes_nothing(runtime: Runtime):
    runtime.publish(person("ann"), process("p", nodes=[start(), task("t"), end()], flow="s>t t>e"))
    case = runtime.start_case(person(AGENT), "p")
    [item] = open_items(runtime, case.id)
    runtime.complete(person(AGENT), item.id, {}, request=Request.of(None, expected=(case.id, case.revision)))
    moved = runtime.store.case(case.id)
    with pytest.raises(PreconditionFailed, match=f"revision {moved.revision}, you expected {case.revision}"):
        CaseWork(runtime).add_note(person("sue"), case.id, "late", request=Request.of(None, expected=(case.id,
                                                                                                 case.revision)))
    assert runtime.store.case(case.id).revision == moved.revision
