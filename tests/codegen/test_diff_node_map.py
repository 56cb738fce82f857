"""The node map the diff proposes for moving open cases, and that `Runtime.migrate` accepts it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from codegen.diff import NodeMapError, propose_node_map
from runtime.clock import ManualClock
from runtime.service import Runtime
from runtime.storage.base import WorkQuery
from runtime.storage.memory import MemoryStore
from tests.people import person
from tests.runtime.builders import end, message, parallel, process, start, task

V1 = process("p", nodes=[start(), task("check"), task("pay"), end()], flow="s>check check>pay pay>e")
V2 = process("p", nodes=[start(), task("review", queue="q2", name="Review"), task("pay", queue="q2"),
                         task("extra"), end()],
             flow="s>review review>pay pay>extra extra>e")


def test_kept_steps_map_to_themselves_and_a_removed_task_offers_the_new_tasks_first():
    proposal = propose_node_map(V1, V2)
    assert proposal.mapping == {"s": "s", "pay": "pay", "e": "e"}
    [choice] = proposal.choices
    assert (choice.node_id, choice.kind, choice.reason, choice.waits_for) == ("check", "task", "removed",
                                                                             "its work item")
    assert choice.candidates == ("review", "extra", "pay")


def test_the_proposed_map_with_the_owners_choice_moves_an_open_case():
    runtime = Runtime(MemoryStore(), ManualClock(datetime(2026, 3, 2, 8, tzinfo=UTC)))
    runtime.publish(person("ann"), V1)
    waiting_at_check = runtime.start_case(person("agent"), "p")
    waiting_at_pay = runtime.start_case(person("agent"), "p")
    [item] = runtime.store.work_items(WorkQuery(case_id=waiting_at_pay.id))
    runtime.complete(person("agent"), item.id, {})
    runtime.publish(person("ann"), V2)
    node_map = propose_node_map(V1, V2).node_map({"check": "review"})
    assert [t.node for t in runtime.migrate(person("ann"), waiting_at_check.id, 2, node_map).tokens] == ["review"]
    assert [t.node for t in runtime.migrate(person("ann"), waiting_at_pay.id, 2, node_map).tokens] == ["pay"]
    [moved] = runtime.store.work_items(WorkQuery(case_id=waiting_at_pay.id))
    assert moved.queue == "q2"


def test_a_choice_migrate_would_refuse_is_refused_first_with_the_options():
    proposal = propose_node_map(V1, V2)
    with pytest.raises(NodeMapError, match=r"step 'Check' \(task\) cannot move to 's'; choose one of: review, "
                                           r"extra, pay"):
        proposal.node_map({"check": "s"})
    with pytest.raises(NodeMapError, match="step 'pay' needs no choice; the steps that do: check"):
        proposal.node_map({"pay": "review"})
    assert proposal.node_map() == {"s": "s", "pay": "pay", "e": "e"}


def test_a_step_whose_kind_changed_needs_a_choice_too():
    old = process("p", nodes=[start(), task("answer"), end()], flow="s>answer answer>e")
    new = process("p", nodes=[start(), message("answer", "reply"), task("call"), end()],
                  flow="s>answer answer>call call>e")
    [choice] = propose_node_map(old, new).choices
    assert (choice.node_id, choice.reason, choice.candidates) == ("answer", "its kind changed to wait", ("call",))
    assert "answer" not in propose_node_map(old, new).mapping


def test_waits_and_joins_need_a_choice_and_no_candidate_is_said_plainly():
    old = process("p", nodes=[start(), parallel("split"), message("reply", "reply"), task("t"), parallel("join"),
                              end()],
                  flow="s>split split>reply split>t reply>join t>join join>e")
    new = process("p", nodes=[start(), task("t"), end()], flow="s>t t>e")
    proposal = propose_node_map(old, new)
    assert [(c.node_id, c.waits_for, c.candidates) for c in proposal.choices] == [
        ("split", "the other branches (a join)", ()), ("reply", "a timer or a message", ()),
        ("join", "the other branches (a join)", ())]
    with pytest.raises(NodeMapError, match="none: the new version has no wait step"):
        proposal.node_map({"reply": "t"})


def test_starts_and_ends_never_need_a_choice():
    old = process("p", nodes=[start("s1"), task("t"), end("done")], flow="s1>t t>done")
    new = process("p", nodes=[start("s2"), task("t"), end("finished")], flow="s2>t t>finished")
    proposal = propose_node_map(old, new)
    assert proposal.choices == ()
    assert proposal.mapping == {"t": "t"}
