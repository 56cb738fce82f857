"""Rules the diff keeps for every bundle and every edit a business owner makes in the designer.

Each edit is one of the designer's own pure edits (models/editing) on an
example process; the diff of before and after must name exactly the change that
edit makes, and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from codegen.diff import ChangeKind, Part, diff_bundles
from models import Bundle, load_bundle
from models.editing import add_edge, add_entry, add_node, delete, forms, letters, move_node, replace_entry, set_edge
from models.editing import decision_tables as tables
from models.editing.edits import set_name, set_node_fields, set_queue, variable_entry
from models.editing.node_settings import add_checklist_item, set_process_settings, set_sla_times
from models.nodes import NODE_KINDS
from models.serialization import bundle_document

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [bundle_document(load_bundle(path.read_bytes(), path.name))
            for path in sorted((ROOT / "examples").glob("*.json")) if path.name != "customers.json"]

ADDED, REMOVED, CHANGED, MOVED, REORDERED = (ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.CHANGED,
                                             ChangeKind.MOVED, ChangeKind.REORDERED)
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = st.sampled_from(["Dear", "customer", "we", "reply", "within", "5", "10", "working", "days", "invoice",
                         "{{ customer.name }}", "thank", "you", ",", ".", "meter"])
TEXT = st.lists(WORDS, min_size=1, max_size=12).map(" ".join)
DURATIONS = st.sampled_from(["1 hours", "4 hours", "2 days", "3 working days", "5 working days", "10 working days"])

Signature = tuple[Part, ChangeKind, str, str, str]
#: An edited document and the changes it must show: one of these sets (several when either of two is right).
Edit = tuple[dict[str, Any], list[set[Signature]]]


def signature(part: Part, kind: ChangeKind, element: str, item: str = "", field: str = "") -> Signature:
    return (part, kind, element, item, field)


def signatures(old: dict[str, Any], new: dict[str, Any]) -> list[Signature]:
    diff = diff_bundles(Bundle.model_validate(old), Bundle.model_validate(new))
    return [(c.part, c.kind, c.element_id, c.item, c.field) for c in diff]


def pick(data: st.DataObject, items: list[Any]) -> Any:
    assume(items)
    return data.draw(st.sampled_from(items))


def nodes(document: dict[str, Any], kind: str | None = None) -> list[dict[str, Any]]:
    return [n for n in document["nodes"] if kind is None or n["kind"] == kind]


def by_id(entries: list[dict[str, Any]], entry_id: str) -> dict[str, Any]:
    return next(entry for entry in entries if entry["id"] == entry_id)


def all_fields(form: dict[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Every element of a form with the list it sits in."""
    found = []

    def visit(elements: list[dict[str, Any]]) -> None:
        for element in elements:
            found.append((element, elements))
            visit(element.get("fields", []))

    visit(form["fields"])
    return found


# The edits ---------------------------------------------------------------------------------------


def add_a_step(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    new, node_id = add_node(doc, data.draw(st.sampled_from(list(NODE_KINDS))), 10, 20)
    return new, [{signature(Part.NODES, ADDED, node_id)}]


def remove_a_step(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    node = pick(data, nodes(doc))
    touching = {e["id"] for e in doc["edges"] if node["id"] in (e["source"], e["target"])}
    return delete(doc, [node["id"]]), [{signature(Part.NODES, REMOVED, node["id"]),
                                        *(signature(Part.EDGES, REMOVED, edge) for edge in touching)}]


def move_a_step(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    node = pick(data, nodes(doc))
    x, y = data.draw(st.integers(0, 2000)), data.draw(st.integers(0, 2000))
    assume(node.get("position") != {"x": x, "y": y})
    return move_node(doc, node["id"], x, y), [{signature(Part.NODES, MOVED, node["id"], field="position")}]


def rename_a_step(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    node, name = pick(data, nodes(doc)), data.draw(TEXT)
    assume(node.get("name", "") != name)
    return set_name(doc, node["id"], name), [{signature(Part.NODES, CHANGED, node["id"], field="name")}]


def send_a_task_to_another_queue(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    node = pick(data, nodes(doc, "task"))
    queue = pick(data, [q["id"] for q in doc["queues"] if q["id"] != node["queue"]])
    return set_queue(doc, node["id"], queue), [{signature(Part.NODES, CHANGED, node["id"], field="queue")}]


def rewrite_instructions(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    node, text = pick(data, nodes(doc, "task")), data.draw(TEXT)
    assume(node.get("instructions", "") != text)
    return (set_node_fields(doc, node["id"], {"instructions": text}),
            [{signature(Part.NODES, CHANGED, node["id"], field="instructions")}])


def add_a_checklist_item(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    node = pick(data, nodes(doc, "task"))
    new = add_checklist_item(doc, node["id"], data.draw(TEXT))
    [item] = by_id(new["nodes"], node["id"])["checklist"][len(node.get("checklist", [])):]
    return new, [{signature(Part.NODES, CHANGED, node["id"], field=f"checklist.{item['id']}")}]


def connect_two_steps(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    ids = [n["id"] for n in doc["nodes"]]
    source, target = pick(data, ids), pick(data, ids)
    assume(source != target and not any(e["source"] == source and e["target"] == target for e in doc["edges"]))
    new, edge_id = add_edge(doc, source, target)
    return new, [{signature(Part.EDGES, ADDED, edge_id)}]


def relabel_a_connection(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    edge, label = pick(data, doc["edges"]), data.draw(TEXT)
    assume(edge.get("label", "") != label)
    new = set_edge(doc, edge["id"], condition=edge.get("condition", ""), default=edge.get("default", False),
                   label=label)
    return new, [{signature(Part.EDGES, CHANGED, edge["id"], field="label")}]


def give_a_task_an_sla(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    node, target = pick(data, nodes(doc, "task")), data.draw(DURATIONS)
    old = node.get("sla")
    new = set_sla_times(doc, node["id"], target, "")
    if old is None:
        return new, [{signature(Part.TASK_SLAS, ADDED, node["id"])}]
    changed = {name for name, value in (("target", target), ("warning", None)) if old.get(name) != value}
    assume(changed)
    return new, [{signature(Part.TASK_SLAS, CHANGED, node["id"], field=name) for name in changed}]


def change_the_case_sla(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    sla, target = doc.get("case_sla") or {}, data.draw(DURATIONS)
    assume(sla.get("target") not in (None, target))
    new = set_sla_times(doc, None, target, sla.get("warning", ""))
    return new, [{signature(Part.CASE_SLA, CHANGED, doc["key"], field="target")}]


def change_a_letters_text(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    letter = pick(data, doc["letters"])
    variant = pick(data, letter["variants"])
    part, text = data.draw(st.sampled_from(letters.PARTS)), data.draw(TEXT)
    assume(variant.get(part, "") != text)
    language = variant.get("language", "nl")  # the default, left out of the document
    new = letters.set_text(doc, letter["id"], language, part, text)
    return new, [{signature(Part.LETTERS, CHANGED, letter["id"], language, part)}]


def add_a_language(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    letter = pick(data, doc["letters"])
    language = pick(data, [lang for lang in ("nl", "en", "de", "fr")
                           if lang not in {v.get("language", "nl") for v in letter["variants"]}])
    new = letters.add_variant(doc, letter["id"], language)
    return new, [{signature(Part.LETTERS, ADDED, letter["id"], language)}]


def add_a_table_row(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    table = pick(data, doc.get("decision_tables", []))
    new = tables.add_rule(doc, table["id"])
    [rule] = by_id(new["decision_tables"], table["id"])["rules"][-1:]
    return new, [{signature(Part.DECISION_TABLES, ADDED, table["id"], rule["id"])}]


def change_a_cell(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    table = pick(data, doc.get("decision_tables", []))
    rule = pick(data, table.get("rules", []))
    side = data.draw(st.sampled_from(["when", "then"]))
    columns = table["inputs"] if side == "when" else table["outputs"]
    index = data.draw(st.integers(0, len(columns) - 1))
    text = data.draw(st.sampled_from(["-", "< 50", ">= 100", '"gold", "silver"', "[10..20]", '"credit"', "true"]))
    assume(rule[side][index] != text)
    new = tables.set_cell(doc, table["id"], rule["id"], side, columns[index]["id"], text)
    return new, [{signature(Part.DECISION_TABLES, CHANGED, table["id"], rule["id"], f"{side}.{columns[index]['id']}")}]


def move_a_table_row(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    table = pick(data, doc.get("decision_tables", []))
    rules = table.get("rules", [])
    assume(len(rules) >= 2)
    index = data.draw(st.integers(0, len(rules) - 2))
    first, second = rules[index]["id"], rules[index + 1]["id"]
    moved, offset = data.draw(st.sampled_from([(first, 1), (second, -1)]))
    new = tables.move_rule(doc, table["id"], moved, offset)
    return new, [{signature(Part.DECISION_TABLES, REORDERED, table["id"], rule, "place")} for rule in (first, second)]


def add_an_input_column(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    table = pick(data, doc.get("decision_tables", []))
    new = tables.add_input(doc, table["id"], data.draw(TEXT), "customer.segment")
    column = by_id(new["decision_tables"], table["id"])["inputs"][-1]["id"]
    return new, [{signature(Part.DECISION_TABLES, ADDED, table["id"], column)}]


def add_a_variable(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    name = data.draw(st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True))
    assume(name not in {v["name"] for v in doc["variables"]})
    new = add_entry(doc, "variables", variable_entry(name, data.draw(st.sampled_from(["text", "money", "date"]))))
    return new, [{signature(Part.VARIABLES, ADDED, name)}]


def add_a_form_field(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    form = pick(data, doc["forms"])
    new, field_id = forms.add_field(doc, form["id"], data.draw(st.sampled_from(["text", "money", "date", "section"])))
    return new, [{signature(Part.FORMS, ADDED, form["id"], field_id)}]


def remove_a_form_field(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    form = pick(data, doc["forms"])
    element, _ = pick(data, all_fields(form))
    new = forms.remove_field(doc, form["id"], element["id"])
    return new, [{signature(Part.FORMS, REMOVED, form["id"], element["id"])}]


def relabel_a_form_field(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    form = pick(data, doc["forms"])
    (element, _), label = pick(data, all_fields(form)), data.draw(TEXT)
    assume(element["label"] != label)
    new = forms.set_field(doc, form["id"], element["id"], {"label": label})
    return new, [{signature(Part.FORMS, CHANGED, form["id"], element["id"], "label")}]


def move_a_form_field(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    form = pick(data, doc["forms"])
    element, siblings = pick(data, [(e, s) for e, s in all_fields(form) if len(s) >= 2])
    index = siblings.index(element)
    offset = data.draw(st.sampled_from([o for o in (-1, 1) if 0 <= index + o < len(siblings)]))
    neighbour = siblings[index + offset]
    new = forms.step_field(doc, form["id"], element["id"], offset)
    return new, [{signature(Part.FORMS, REORDERED, form["id"], moved["id"], "place")} for moved in (element, neighbour)]


def add_a_root_cause(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    cause = data.draw(st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True))
    assume(cause not in {c["id"] for c in doc.get("root_causes", [])})
    new = add_entry(doc, "root_causes", {"id": cause, "label": data.draw(TEXT)})
    return new, [{signature(Part.ROOT_CAUSES, ADDED, cause)}]


def rename_a_queue(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    queue, name = pick(data, doc["queues"]), data.draw(TEXT)
    assume(queue.get("name", "") != name)
    new = replace_entry(doc, "queues", queue["id"], {**queue, "name": name})
    return new, [{signature(Part.QUEUES, CHANGED, queue["id"], field="name")}]


def rename_the_process(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    name = data.draw(TEXT)
    assume(name != doc["name"])
    new = set_process_settings(doc, name=name, owner=doc.get("owner", ""), description=doc.get("description", ""),
                               language=doc.get("language", "nl"))
    return new, [{signature(Part.PROCESS, CHANGED, doc["key"], field="name")}]


EDITS: list[Callable[[st.DataObject, dict[str, Any]], Edit]] = [
    add_a_step, remove_a_step, move_a_step, rename_a_step, send_a_task_to_another_queue, rewrite_instructions,
    add_a_checklist_item, connect_two_steps, relabel_a_connection, give_a_task_an_sla, change_the_case_sla,
    change_a_letters_text, add_a_language, add_a_table_row, change_a_cell, move_a_table_row, add_an_input_column,
    add_a_variable, add_a_form_field, remove_a_form_field, relabel_a_form_field, move_a_form_field,
    add_a_root_cause, rename_a_queue, rename_the_process,
]


def edited(data: st.DataObject, doc: dict[str, Any]) -> Edit:
    return data.draw(st.sampled_from(EDITS))(data, doc)


# The properties ----------------------------------------------------------------------------------


@given(doc=st.sampled_from(EXAMPLES))
def test_a_bundle_compared_with_itself_or_its_reloaded_copy_has_no_changes(doc: dict[str, Any]):
    bundle = Bundle.model_validate(doc)
    assert not diff_bundles(bundle, bundle)
    assert not diff_bundles(bundle, load_bundle(json.dumps(doc)))


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), doc=st.sampled_from(EXAMPLES))
def test_every_single_edit_shows_up_as_exactly_that_change(edit: Callable[[st.DataObject, dict[str, Any]], Edit],
                                                           data: st.DataObject, doc: dict[str, Any]):
    new, expected = edit(data, doc)
    found = signatures(doc, new)
    assert len(found) == len(set(found)), f"a change is reported twice: {found}"
    assert set(found) in expected, f"expected one of {expected}, found {found}"


@PROPERTY
@given(data=st.data(), doc=st.sampled_from(EXAMPLES))
def test_after_several_edits_a_version_still_equals_itself(data: st.DataObject, doc: dict[str, Any]):
    for _ in range(data.draw(st.integers(1, 5))):
        doc, _ = edited(data, doc)
    assert signatures(doc, doc) == []
    assert signatures(doc, json.loads(json.dumps(doc))) == []


@PROPERTY
@given(data=st.data(), doc=st.sampled_from(EXAMPLES))
def test_the_diff_backwards_mirrors_the_diff_forwards(data: st.DataObject, doc: dict[str, Any]):
    new = doc
    for _ in range(data.draw(st.integers(1, 4))):
        new, _ = edited(data, new)
    old_bundle, new_bundle = Bundle.model_validate(doc), Bundle.model_validate(new)
    forward, backward = diff_bundles(old_bundle, new_bundle), diff_bundles(new_bundle, old_bundle)
    mirror = {ADDED: REMOVED, REMOVED: ADDED}

    def steady(changes: Any) -> list[tuple[Any, ...]]:
        return sorted((c.part, mirror.get(c.kind, c.kind), c.element_id, c.item, c.field, json.dumps(c.after),
                       json.dumps(c.before)) for c in changes if c.kind is not REORDERED)

    def flipped(changes: Any) -> list[tuple[Any, ...]]:
        return sorted((c.part, c.kind, c.element_id, c.item, c.field, json.dumps(c.before), json.dumps(c.after))
                      for c in changes if c.kind is not REORDERED)

    assert steady(forward) == flipped(backward)
    assert len(forward.changes) == len(backward.changes)


@PROPERTY
@given(data=st.data(), doc=st.sampled_from(EXAMPLES))
def test_a_changed_texts_segments_give_back_the_old_and_the_new_text(data: st.DataObject, doc: dict[str, Any]):
    new, _ = change_a_letters_text(data, doc)
    [change] = diff_bundles(Bundle.model_validate(doc), Bundle.model_validate(new))
    assert "".join(s.text for s in change.segments if s.op != "insert") == change.before
    assert "".join(s.text for s in change.segments if s.op != "delete") == change.after
    assert all(s.text for s in change.segments)
