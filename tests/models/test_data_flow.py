"""Which variables are surely set where: the dataflow analysis on tiny inline flows."""

from __future__ import annotations

from typing import Any

import pytest

from models import Bundle
from models.data_flow import surely_set
from tests.runtime.builders import auto, decision, edges, end, message, parallel, send, start, subprocess, task

TEXTS = [{"name": name, "type": "text"} for name in "abcd"]


def form(form_id: str, *fields: dict[str, Any]) -> dict[str, Any]:
    return {"id": form_id, "fields": list(fields)}


def field(variable: str, *, required: bool = True, **settings: Any) -> dict[str, Any]:
    return {"id": f"f_{variable}", "kind": "text", "label": variable, "variable": variable, "required": required,
            **settings}


def at(node: str, nodes: list, flow: str, variables: list[dict[str, Any]] = TEXTS, **extra: Any) -> list[str]:
    """The variables surely set when a case arrives at `node`."""
    bundle = Bundle.model_validate({"key": "p", "name": "P", "roles": [{"id": "agent"}],
                                    "queues": [{"id": "q", "role": "agent"}], "variables": variables,
                                    "nodes": nodes, "edges": edges(flow), **extra})
    return sorted(surely_set(bundle)[node])


def test_a_required_start_field_is_set_and_an_optional_one_is_not():
    forms = [form("intake", field("a"), field("b", required=False))]
    assert at("x", [start(form="intake"), send("x", "l"), end()], "s>x x>e", forms=forms) == ["a"]


def test_a_field_a_condition_may_hide_is_not_surely_set():
    forms = [form("intake", field("a", visible_when="b == 'x'"),
                  {"id": "sec", "kind": "section", "label": "S", "visible_when": "b == 'y'", "fields": [field("b")]})]
    assert at("x", [start(form="intake"), send("x", "l"), end()], "s>x x>e", forms=forms) == []


def test_a_value_set_on_one_way_only_is_not_set_where_the_ways_meet():
    nodes = [start(), decision("d"), auto("set_a", a="'yes'"), decision("m"), send("x", "l"), end()]
    flow = "s>d\nd>set_a: b == 'x'\nd>m: default\nset_a>m\nm>x\nx>e"
    assert at("x", nodes, flow) == []
    both = [*nodes[:3], auto("also_a", a="'no'"), *nodes[3:]]
    assert at("x", both, "s>d\nd>set_a: b == 'x'\nd>also_a: default\nset_a>m\nalso_a>m\nm>x\nx>e") == ["a"]


def test_after_a_parallel_join_a_value_from_either_branch_is_set_but_not_inside_the_other_branch():
    nodes = [start(), parallel("split"), auto("set_a", a="'yes'"), send("x", "l"), parallel("join"), send("y", "l"),
             end()]
    flow = "s>split split>set_a split>x set_a>join x>join join>y y>e"
    assert at("x", nodes, flow) == []
    assert at("y", nodes, flow) == ["a"]


def test_in_a_loop_a_value_set_after_the_letter_is_not_there_the_first_time():
    nodes = [start(), send("x", "l"), task("t", form="ask"), decision("again"), end()]
    flow = "s>x\nx>t\nt>again\nagain>x: a == 'more'\nagain>e: default"
    assert at("x", nodes, flow, forms=[form("ask", field("a"))]) == []
    assert at("e", nodes, flow, forms=[form("ask", field("a"))]) == ["a"]


def test_defaults_subprocess_outputs_and_task_forms_set_values():
    variables = [{"name": "a", "type": "text", "default": "hello"}, *TEXTS[1:]]
    nodes = [start(), subprocess("call", "other", outputs={"b": "result"}), task("t", form="ask"), send("x", "l"),
             end()]
    group = {"id": "g", "kind": "group", "label": "G", "variable": "d", "min_items": 1, "fields": []}
    assert at("call", nodes, "s>call call>t t>x x>e", variables, forms=[form("ask", field("c"), group)]) == ["a"]
    assert at("x", nodes, "s>call call>t t>x x>e", variables, forms=[form("ask", field("c"), group)]) == [
        "a", "b", "c", "d"]


@pytest.mark.parametrize(("hit_policy", "catch_all", "expected"), [
    ("FIRST", True, ["route"]), ("FIRST", False, []), ("UNIQUE", True, ["route"]), ("COLLECT", False, ["lines"])])
def test_a_decision_table_sets_its_outputs_only_when_a_row_always_matches(hit_policy: str, catch_all: bool,
                                                                          expected: list[str]):
    rules = [{"id": "r1", "when": ["< 50"], "then": ['"auto"']}]
    if catch_all:
        rules.append({"id": "r2", "when": ["-"], "then": ['"agent"']})
    table = {"id": "t", "hit_policy": hit_policy, "inputs": [{"id": "i", "expression": "amount"}],
             "outputs": [{"id": "route"}], "rules": rules}
    if hit_policy == "COLLECT":
        table["collect_into"] = "lines"
    variables = [{"name": "amount", "type": "number"}, {"name": "route", "type": "text"},
                 {"name": "lines", "type": "records", "fields": [{"name": "route", "type": "text"}]}]
    nodes = [start(), auto("decide", table="t"), send("x", "l"), end()]
    assert at("x", nodes, "s>decide decide>x x>e", variables, decision_tables=[table]) == expected


def test_a_message_wait_sets_nothing_for_sure_and_nor_does_its_timeout():
    nodes = [start(), message("w", "reply", timeout="2 days"), send("x", "l"), send("y", "l"), end()]
    flow = "s>w\nw>x\nw>y: timeout\nx>e\ny>e"
    assert at("x", nodes, flow) == at("y", nodes, flow) == []
