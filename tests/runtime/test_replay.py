"""Property: restarting the runtime after every step changes nothing about how a case ends.

Hypothesis builds random block-structured processes (sequences, decisions on
a boolean or number with a default way, parallel split/join, loops bounded
by a counter, tasks, assignments, e-mails, timers) and a seed for the path
(which open task an agent takes next and what they enter, or letting time
pass for a timer). The same path runs twice: once on a MemoryStore without
interruption, once on a TinyDB store with the runtime restarted (store
closed and opened again) after every step. Both must end alike. Ids differ
between runs, so the comparison leaves them out.
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import Bundle
from runtime.documents import CaseStatus
from runtime.storage.base import WorkQuery
from tests.people import AUDITOR, person
from tests.runtime.builders import auto, decision, end, parallel, process, send, start, task, timer
from tests.runtime.conftest import Harness

FREE = {"b0": "boolean", "b1": "boolean", "n0": "number", "n1": "number"}
ASSIGNMENTS = [("b0", "!b0"), ("b1", "n0 > n1"), ("b0", "b0 && b1"), ("n0", "n0 + 1"), ("n1", "n1 - n0"),
               ("n1", "n0 + n1")]
CONDITIONS = ["b0", "!b1", "n0 > 3", "n1 <= n0", "b1 && n0 < 2"]
MAX_STEPS = 80

# Random block-structured processes ----------------------------------------------------------------

leaves = st.one_of(
    st.just(("task",)),
    st.tuples(st.just("assign"), st.sampled_from(ASSIGNMENTS)),
    st.just(("timer",)),
    st.just(("send",)),
)


def _compound(children: st.SearchStrategy) -> st.SearchStrategy:
    branches = st.lists(children, min_size=2, max_size=3)
    return st.one_of(
        st.tuples(st.just("seq"), branches),
        st.tuples(st.just("decide"), st.lists(st.sampled_from(CONDITIONS), min_size=2, max_size=2), branches),
        st.tuples(st.just("parallel"), branches),
        st.tuples(st.just("loop"), st.integers(1, 3), children),
    )


blocks = st.recursive(leaves, _compound, max_leaves=8)


class FlowBuilder:
    """Turns a block tree into nodes and edges; each block has one entry and one exit node."""

    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[str] = []
        self.counters: list[str] = []
        self._number = 0

    def new_id(self, prefix: str) -> str:
        self._number += 1
        return f"{prefix}{self._number}"

    def add(self, node: dict[str, Any]) -> str:
        self.nodes.append(node)
        return node["id"]

    def link(self, source: str, target: str, extra: str = "") -> None:
        self.edges.append(f"{source}>{target}" + (f": {extra}" if extra else ""))

    def block(self, tree: tuple) -> tuple[str, str]:
        kind = tree[0]
        if kind == "task":
            node = self.add(task(self.new_id("t")))
            return node, node
        if kind == "assign":
            variable, expression = tree[1]
            node = self.add(auto(self.new_id("a"), **{variable: expression}))
            return node, node
        if kind == "timer":
            node = self.add(timer(self.new_id("w"), duration="1 days"))
            return node, node
        if kind == "send":
            node = self.add(send(self.new_id("m"), "note", recipient='"desk@example.nl"'))
            return node, node
        if kind == "seq":
            parts = [self.block(child) for child in tree[1]]
            for (_, exit_), (entry, _) in pairwise(parts):
                self.link(exit_, entry)
            return parts[0][0], parts[-1][1]
        if kind == "decide":
            conditions, children = tree[1], tree[2]
            gate, merge = self.add(decision(self.new_id("d"))), self.new_id("j")
            for number, child in enumerate(children):
                entry, exit_ = self.block(child)
                last = number == len(children) - 1
                self.link(gate, entry, "default" if last else conditions[number])
                self.link(exit_, merge)
            self.add(auto(merge, visits="visits + 1"))  # a merge; an automatic step must do something
            return gate, merge
        if kind == "parallel":
            split, join = self.add(parallel(self.new_id("p"))), self.new_id("q")
            for child in tree[1]:
                entry, exit_ = self.block(child)
                self.link(split, entry)
                self.link(exit_, join)
            self.add(parallel(join))
            return split, join
        if kind == "loop":
            bound, body = tree[1], tree[2]
            counter = f"c{len(self.counters)}"
            self.counters.append(counter)
            init = self.add(auto(self.new_id("i"), **{counter: "0"}))
            head = self.add(auto(self.new_id("h"), visits="visits + 1"))
            entry, exit_ = self.block(body)
            step = self.add(auto(self.new_id("u"), **{counter: f"{counter} + 1"}))
            again = self.add(decision(self.new_id("l")))
            out = self.add(auto(self.new_id("x"), visits="visits + 1"))
            self.link(init, head)
            self.link(head, entry)
            self.link(exit_, step)
            self.link(step, again)
            self.link(again, head, f"{counter} < {bound}")
            self.link(again, out, "default")
            return init, out
        raise AssertionError(kind)


def build(tree: tuple) -> Bundle:
    flow = FlowBuilder()
    entry, exit_ = flow.block(tree)
    flow.add(start())
    flow.add(decision("outcome"))
    flow.add(end("yes", outcome="yes"))
    flow.add(end("no", outcome="no"))
    flow.link("s", entry)
    flow.link(exit_, "outcome")
    flow.link("outcome", "yes", "b0")
    flow.link("outcome", "no", "default")
    variables = FREE | {"visits": "number"} | {counter: "number" for counter in flow.counters}
    return process("r", nodes=flow.nodes, flow="\n".join(flow.edges), variables=variables,
                   letters=[{"id": "note", "channel": "email",
                             "variants": [{"subject": "Case {{ n0 }}", "body": "b0={{ b0 }} n1={{ n1 }}"}]}])


# Running a path ------------------------------------------------------------------------------------


@dataclass
class EndState:
    status: CaseStatus
    outcome: str | None
    data: dict[str, Any]
    audit_kinds: Counter
    completed_tasks: list[str]
    outbox_entries: int
    open_tasks: list[str]
    incidents: list[str]


def run(bundle: Bundle, seed: int, start_data: dict[str, Any], *, kind: str, restart: bool) -> EndState:
    with tempfile.TemporaryDirectory() as folder:
        harness = Harness(kind, Path(folder) / "data")
        try:
            harness.runtime.publish(person("owner"), bundle)
            case_id = harness.runtime.start_case(person("intake"), "r", start_data).id
            if restart:
                harness.restart()
            choices = random.Random(seed)
            for _ in range(MAX_STEPS):
                rt = harness.runtime
                case = rt.store.case(case_id)
                if case.status is CaseStatus.COMPLETED or case.incidents:
                    break
                items = sorted(rt.store.work_items(WorkQuery(case_id=case_id)), key=lambda i: i.node)
                actions = [item.id for item in items]
                if any(not job.done for job in rt.store.case_jobs(case_id)):
                    actions.append("time passes")
                assert actions, f"case {case_id} waits for nothing: {case.tokens}"
                action = choices.choice(actions)
                if action == "time passes":
                    harness.clock.advance(timedelta(days=1))
                    assert rt.fire_due_jobs() >= 1
                else:
                    entered = {name: (choices.random() < 0.5 if kind_ == "boolean" else choices.randint(-3, 6))
                               for name, kind_ in FREE.items() if choices.random() < 0.6}
                    rt.complete(person("agent"), action, entered)
                if restart:
                    harness.restart()
            rt = harness.runtime
            case = rt.store.case(case_id)
            events = rt.store.audit_events(case_id)
            assert rt.verify_audit(AUDITOR).intact
            return EndState(
                status=case.status, outcome=case.outcome, data=case.data,
                audit_kinds=Counter(e.kind for e in events),
                completed_tasks=[e.node for e in events if e.kind == "task completed"],
                outbox_entries=len(rt.store.outbox(case_id=case_id)),
                open_tasks=sorted(i.node for i in rt.store.work_items(WorkQuery(case_id=case_id))),
                incidents=[i.message for i in case.incidents],
            )
        finally:
            harness.close()


start_values = st.fixed_dictionaries({"b0": st.booleans(), "b1": st.booleans(), "n0": st.integers(-3, 6),
                                      "n1": st.integers(-3, 6), "visits": st.just(0)})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=blocks, seed=st.integers(0, 2**32 - 1), start_data=start_values)
def test_a_path_ends_the_same_with_or_without_a_restart_after_every_step(tree, seed, start_data):
    bundle = build(tree)
    straight = run(bundle, seed, start_data, kind="memory", restart=False)
    restarted = run(bundle, seed, start_data, kind="tinydb", restart=True)
    assert restarted == straight
    assert straight.incidents == []
    assert straight.status is CaseStatus.COMPLETED, f"not finished in {MAX_STEPS} steps: {straight.open_tasks}"
    assert straight.outcome == ("yes" if straight.data["b0"] else "no")


def test_the_generator_covers_every_kind_of_block():
    tree = ("seq", [("task",), ("decide", ["n0 > 3", "b0"], [("assign", ("n0", "n0 + 1")), ("timer",)]),
                    ("parallel", [("task",), ("loop", 2, ("seq", [("task",), ("send",)]))])])
    start_data = {"b0": True, "b1": False, "n0": 5, "n1": 1, "visits": 0}
    straight = run(build(tree), 7, start_data, kind="memory", restart=False)
    assert straight == run(build(tree), 7, start_data, kind="tinydb", restart=True)
    assert straight.status is CaseStatus.COMPLETED and straight.outcome in ("yes", "no")
    assert Counter(straight.completed_tasks) == {"t1": 1, "t8": 1, "t11": 2}  # the loop ran its task twice
    assert straight.outbox_entries == 2
    assert straight.audit_kinds["parallel join"] == 1 and straight.audit_kinds["decision"] >= 4
