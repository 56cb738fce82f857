"""Processes that call each other in a circle: found through any number of processes, with the path."""

from __future__ import annotations

import itertools

import pytest

from designer.documents import publication_order
from models import Bundle
from models.checks import check
from models.subprocess_calls import SubprocessCycleError, cycles_through


def calling(key: str, *called: str) -> Bundle:
    nodes = [{"id": "s", "kind": "start"}, *({"id": f"call_{c}", "kind": "subprocess", "process": c} for c in called),
             {"id": "e", "kind": "end"}]
    ids = [node["id"] for node in nodes]
    return Bundle.model_validate({"key": key, "name": key.upper(), "nodes": nodes, "edges": [
        {"id": f"f{i}", "source": a, "target": b} for i, (a, b) in enumerate(itertools.pairwise(ids))]})


def test_a_circle_through_three_processes_is_reported_on_the_call_that_starts_it():
    known = {b.key: b for b in (calling("b", "c"), calling("c", "a"), calling("d"))}
    a = calling("a", "d", "b")
    assert [(node.id, path) for node, path in cycles_through(a, known)] == [("call_b", ["a", "b", "c", "a"])]
    [finding] = [f for f in check(a, known) if f.code == "subprocess-cycle"]
    assert (finding.element, finding.related) == ("call_b", ("b", "c"))
    assert "a → b → c → a" in finding.message


def test_the_version_being_checked_replaces_the_published_one():
    published = {"a": calling("a", "b"), "b": calling("b")}
    assert list(cycles_through(calling("b", "a"), published))  # b v2 would close the circle
    assert not list(cycles_through(calling("a"), {"a": calling("a", "b"), "b": calling("b", "a")}))


def test_a_circle_elsewhere_is_not_this_process_finding_but_publishing_all_of_them_is_refused():
    bundles = {b.key: b for b in (calling("a", "b"), calling("b", "c"), calling("c", "b"))}
    assert not list(cycles_through(bundles["a"], bundles))
    with pytest.raises(SubprocessCycleError, match="in a circle") as refused:
        publication_order(bundles)
    assert refused.value.path in (["b", "c", "b"], ["c", "b", "c"])


def test_called_processes_are_published_before_their_callers():
    bundles = {b.key: b for b in (calling("a", "b", "c"), calling("b", "c"), calling("c"))}
    assert publication_order(bundles) == ["c", "b", "a"]
