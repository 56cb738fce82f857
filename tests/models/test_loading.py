"""Loading bundle files: bad input gives a clear error with a JSON path, never a traceback."""

from __future__ import annotations

import json

import pytest

from models import BundleLoadError, dump_bundle, load_bundle
from models.json_input import MAX_NESTING
from models.serialization import MAX_BUNDLE_BYTES

MINIMAL = {
    "key": "demo",
    "name": "Demo",
    "roles": [{"id": "agent"}],
    "queues": [{"id": "q", "role": "agent"}],
    "nodes": [
        {"id": "s", "kind": "start"},
        {"id": "t", "kind": "task", "queue": "q"},
        {"id": "e", "kind": "end", "outcome": "done"},
    ],
    "edges": [{"id": "f1", "source": "s", "target": "t"}, {"id": "f2", "source": "t", "target": "e"}],
}


def problems_of(text: str | bytes) -> list[tuple[str, str]]:
    with pytest.raises(BundleLoadError) as caught:
        load_bundle(text, "demo.json")
    assert "Traceback" not in str(caught.value)
    assert str(caught.value).startswith("demo.json: cannot load the process bundle")
    return [(p.path, p.message) for p in caught.value.problems]


def with_changes(**changes) -> str:
    return json.dumps(MINIMAL | changes)


def test_a_minimal_bundle_loads_and_saves_back_to_the_same_text():
    bundle = load_bundle(json.dumps(MINIMAL))
    assert load_bundle(dump_bundle(bundle)) == bundle
    assert dump_bundle(load_bundle(dump_bundle(bundle))) == dump_bundle(bundle)


def test_truncated_json_says_where_and_that_the_file_is_cut_off():
    [(path, message)] = problems_of(json.dumps(MINIMAL)[:120])
    assert path == ""
    assert "line 1" in message and "cut off" in message


def test_wrong_types_name_the_json_path():
    nodes = [*MINIMAL["nodes"][:1], {"id": "t", "kind": "task", "queue": "q", "priority": "high"},
             MINIMAL["nodes"][2]]
    assert problems_of(with_changes(nodes=nodes)) == [("nodes[1].priority", "expected a whole number")]


def test_unknown_node_kind_lists_the_kinds_there_are():
    nodes = [*MINIMAL["nodes"][:1], {"id": "t", "kind": "robot"}, MINIMAL["nodes"][2]]
    [(path, message)] = problems_of(with_changes(nodes=nodes))
    assert path == "nodes[1].kind"
    assert "'robot' is not a kind Flowdesk knows" in message and "'task'" in message


def test_unknown_setting_is_an_error_not_silently_dropped():
    nodes = [{"id": "s", "kind": "start", "colour": "red"}, *MINIMAL["nodes"][1:]]
    assert problems_of(with_changes(nodes=nodes)) == [
        ("nodes[0].colour", "is not a setting Flowdesk knows; check the spelling or remove it")
    ]


def test_duplicate_ids_are_refused_naming_the_id():
    nodes = [*MINIMAL["nodes"], {"id": "t", "kind": "end"}]
    [(_, message)] = problems_of(with_changes(nodes=nodes))
    assert "id 't' is used 2 times" in message


def test_every_problem_is_reported_at_once():
    nodes = [{"id": "s", "kind": "start", "trigger": "fax"}, {"id": "t", "kind": "task"}, {"id": "bad id!",
             "kind": "end"}]
    paths = [path for path, _ in problems_of(with_changes(nodes=nodes))]
    assert paths == ["nodes[0].trigger", "nodes[1].queue", "nodes[2].id"]


def test_deeply_nested_input_is_refused_before_parsing():
    [(_, message)] = problems_of("[" * 100_000 + "]" * 100_000)
    assert f"at most {MAX_NESTING}" in message


def test_huge_input_is_refused_with_the_limit():
    [(_, message)] = problems_of(b" " * (MAX_BUNDLE_BYTES + 1))
    assert f"{MAX_BUNDLE_BYTES:,}" in message


def test_binary_garbage_is_refused_as_not_text():
    [(_, message)] = problems_of(b"\xff\xfe\x00garbage")
    assert "not UTF-8" in message


def test_a_json_list_is_not_a_bundle():
    assert problems_of("[]") == [("", "a bundle must be a JSON object ({...})")]


def test_a_bundle_from_a_newer_flowdesk_asks_for_an_upgrade():
    [(path, message)] = problems_of(with_changes(schema_version=99))
    assert path == "schema_version" and "newer Flowdesk" in message


def test_bad_duration_explains_how_to_write_one():
    nodes = [*MINIMAL["nodes"][:1], {"id": "t", "kind": "task", "queue": "q", "sla": {"target": "soon"}},
             MINIMAL["nodes"][2]]
    [(path, message)] = problems_of(with_changes(nodes=nodes))
    assert path == "nodes[1].sla.target"
    assert "'5 working days'" in message


def test_settings_that_do_not_fit_the_kind_are_explained():
    nodes = [{"id": "s", "kind": "start", "trigger": "intake"}, *MINIMAL["nodes"][1:]]
    assert problems_of(with_changes(nodes=nodes)) == [("nodes[0]", "an intake start needs at least one channel")]


def test_durations_are_written_as_people_say_them_and_read_back():
    nodes = [*MINIMAL["nodes"][:1], {"id": "t", "kind": "task", "queue": "q",
                                     "sla": {"target": "5 working days", "warning": "4 hours"}},
             MINIMAL["nodes"][2]]
    bundle = load_bundle(with_changes(nodes=nodes))
    sla = bundle.node("t").sla
    assert (sla.target.amount, sla.target.unit.value) == (5, "working days")
    assert '"target": "5 working days"' in dump_bundle(bundle)
    assert load_bundle(dump_bundle(bundle)) == bundle
