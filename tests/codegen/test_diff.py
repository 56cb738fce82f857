"""The diff of two versions names each kind of change, and only that: one small bundle pair per kind.

Every pair is the same small claim process before and after one edit, made
inline on its JSON; the test lists what an auditor must then read.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from codegen.diff import DIFFERS, BundleDiff, ChangeKind, Part, diff_bundles
from codegen.diff.changes import ITEM_NOUNS, NOUNS, TITLES
from models import Bundle
from models.serialization import bundle_document
from tests.runtime.builders import auto, end, process, send, start, task

ADDED, REMOVED, CHANGED, MOVED, REORDERED = (ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.CHANGED,
                                             ChangeKind.MOVED, ChangeKind.REORDERED)


def claim() -> dict[str, Any]:
    """A small process with one of everything a diff compares."""
    return bundle_document(process(
        "claim",
        variables={"amount": "money", "approved": "boolean", "handling": "text"},
        nodes=[start(form="intake", position={"x": 0, "y": 0}),
               task("check", name="Check invoice", form="review", position={"x": 100, "y": 0},
                    checklist=[{"id": "opened", "text": "Invoice opened"}], sla={"target": "5 working days"}),
               auto("route", table="handling"),
               send("tell", "answer"),
               end()],
        flow="s>check check>route route>tell tell>e",
        forms=[{"id": "intake", "name": "Intake", "fields": [
                   {"id": "amount", "kind": "money", "label": "Amount", "variable": "amount", "required": True},
                   {"id": "about", "kind": "section", "label": "About", "fields": [
                       {"id": "note", "kind": "long_text", "label": "Note"},
                       {"id": "when", "kind": "date", "label": "Date"}]},
                   {"id": "ok", "kind": "boolean", "label": "Agreed", "variable": "approved"}]},
               {"id": "review", "fields": []}],
        letters=[{"id": "answer", "name": "Our answer", "channel": "email", "variants": [
            {"language": "nl", "subject": "Uw klacht", "body": "Beste klant, wij antwoorden binnen 5 werkdagen."},
            {"language": "en", "subject": "Your claim", "body": "Dear customer, we reply within 5 working days."}]}],
        decision_tables=[{"id": "handling", "name": "Handling", "inputs": [
                              {"id": "amount", "label": "Amount", "expression": "amount"}],
                          "outputs": [{"id": "handling"}],
                          "rules": [{"id": "small", "when": ["< 50"], "then": ['"credit"']},
                                    {"id": "rest", "when": ["-"], "then": ['"review"']}]}],
        case_sla={"target": "10 working days"},
        root_causes=[{"id": "meter", "label": "Meter error"}],
        adhoc_task_types=[{"id": "call", "name": "Call the customer", "queue": "q"}],
        intake={"channels": ["phone"], "keywords": ["invoice"]},
        owner="Billing",
    ))


def changes(edit: Callable[[dict[str, Any]], object]) -> list[tuple[Any, ...]]:
    """(part, kind, element, item, field, before, after) of each change `edit` makes to the claim process."""
    return [(c.part, c.kind, c.element_id, c.item, c.field, c.before, c.after) for c in diff_of(edit)]


def diff_of(edit: Callable[[dict[str, Any]], object]) -> BundleDiff:
    old = claim()
    new = copy.deepcopy(old)
    edit(new)
    return diff_bundles(Bundle.model_validate(old), Bundle.model_validate(new))


def node(document: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in document["nodes"] if n["id"] == node_id)


def form_fields(document: dict[str, Any], form_id: str = "intake") -> list[dict[str, Any]]:
    return next(f for f in document["forms"] if f["id"] == form_id)["fields"]


def table(document: dict[str, Any]) -> dict[str, Any]:
    return document["decision_tables"][0]


# Identity -------------------------------------------------------------------------------------


def test_a_version_compared_with_itself_has_no_changes():
    bundle = Bundle.model_validate(claim())
    assert not diff_bundles(bundle, bundle)
    assert diff_bundles(bundle, Bundle.model_validate(json.loads(json.dumps(claim())))).changes == ()


def test_a_setting_written_out_at_its_default_is_no_change():
    assert changes(lambda d: node(d, "check").update(priority=3, instructions="")) == []


# Flow -----------------------------------------------------------------------------------------


def test_an_added_step_is_named_with_its_kind():
    diff = diff_of(lambda d: d["nodes"].append({"id": "call", "kind": "task", "name": "Call back", "queue": "q"}))
    [change] = diff
    assert (change.part, change.kind, change.element_id) == (Part.NODES, ADDED, "call")
    assert change.after == {"id": "call", "kind": "task", "name": "Call back", "queue": "q"}
    assert change.describe() == "Step 'Call back' (task) added"


def test_a_removed_step_takes_its_connections_with_it():
    def remove_tell(d: dict[str, Any]) -> None:
        d["nodes"] = [n for n in d["nodes"] if n["id"] != "tell"]
        d["edges"] = [e for e in d["edges"] if "tell" not in (e["source"], e["target"])]

    diff = diff_of(remove_tell)
    assert [(c.part, c.kind, c.element_id) for c in diff] == [
        (Part.NODES, REMOVED, "tell"), (Part.EDGES, REMOVED, "f3"), (Part.EDGES, REMOVED, "f4")]
    assert [c.describe() for c in diff.of(Part.EDGES)] == ["Connection 'route → tell' removed",
                                                           "Connection 'tell → e' removed"]


def test_a_changed_setting_of_a_step_shows_old_and_new():
    diff = diff_of(lambda d: node(d, "check").update(queue="q2"))
    assert [(c.part, c.kind, c.element_id, c.field, c.before, c.after) for c in diff] == [
        (Part.NODES, CHANGED, "check", "queue", "q", "q2")]
    assert diff.changes[0].describe() == "Step 'Check invoice': queue q → q2"


def test_a_step_whose_kind_changed_is_changed_kind_first():
    found = changes(lambda d: d["nodes"].__setitem__(1, {"id": "check", "kind": "wait", "name": "Check invoice",
                                                          "wait_for": "message", "message": "reply",
                                                          "position": {"x": 100, "y": 0}}))
    assert found[0] == (Part.NODES, CHANGED, "check", "", "kind", "task", "wait")
    assert {f[4] for f in found} >= {"queue", "form", "wait_for", "message"}
    assert found[-1] == (Part.TASK_SLAS, REMOVED, "check", "", "", {"target": "5 working days", "warning": None,
                                                                    "escalations": []}, None)


def test_a_step_moved_on_the_canvas_is_only_moved():
    diff = diff_of(lambda d: node(d, "check").update(position={"x": 300, "y": 80}))
    assert changes(lambda d: node(d, "check").update(position={"x": 300, "y": 80})) == [
        (Part.NODES, MOVED, "check", "", "position", {"x": 100, "y": 0}, {"x": 300, "y": 80})]
    assert diff.changes[0].describe() == "Step 'Check invoice' moved on the canvas"


def test_a_step_moved_and_renamed_is_changed_not_moved():
    assert changes(lambda d: node(d, "check").update(position={"x": 1, "y": 1}, name="Check the invoice")) == [
        (Part.NODES, CHANGED, "check", "", "name", "Check invoice", "Check the invoice")]


def test_a_checklist_item_is_compared_by_its_id():
    assert changes(lambda d: node(d, "check")["checklist"].append({"id": "called", "text": "Customer called"})) == [
        (Part.NODES, CHANGED, "check", "", "checklist.called", None,
         {"id": "called", "text": "Customer called", "required": True})]
    [added] = diff_of(lambda d: node(d, "check")["checklist"].append({"id": "called", "text": "Customer called"}))
    assert added.describe() == "Step 'Check invoice': checklist called added: id called, text 'Customer called', " \
                               "required yes"
    assert changes(lambda d: node(d, "check")["checklist"][0].update(text="Invoice read")) == [
        (Part.NODES, CHANGED, "check", "", "checklist.opened.text", "Invoice opened", "Invoice read")]


def test_connections_added_removed_and_changed():
    assert changes(lambda d: d["edges"].append({"id": "f9", "source": "check", "target": "e"})) == [
        (Part.EDGES, ADDED, "f9", "", "", None, {"id": "f9", "source": "check", "target": "e"})]
    assert changes(lambda d: d["edges"][1].update(label="Checked", target="tell")) == [
        (Part.EDGES, CHANGED, "f2", "", "target", "route", "tell"),
        (Part.EDGES, CHANGED, "f2", "", "label", "", "Checked")]


# SLAs -----------------------------------------------------------------------------------------


def test_case_sla_and_a_steps_sla_are_reported_as_slas():
    assert changes(lambda d: d["case_sla"].update(target="8 working days")) == [
        (Part.CASE_SLA, CHANGED, "claim", "", "target", "10 working days", "8 working days")]
    diff = diff_of(lambda d: node(d, "check")["sla"].update(warning="3 working days"))
    assert [(c.part, c.kind, c.element_id, c.field, c.after) for c in diff] == [
        (Part.TASK_SLAS, CHANGED, "check", "warning", "3 working days")]
    assert diff.changes[0].describe() == "SLA of step 'Check invoice': warning (none) → '3 working days'"


def test_an_sla_given_to_a_step_or_taken_away_is_added_or_removed():
    assert changes(lambda d: node(d, "check").pop("sla")) == [
        (Part.TASK_SLAS, REMOVED, "check", "", "", {"target": "5 working days", "warning": None, "escalations": []},
         None)]
    escalation = {"when": "breach", "action": "raise priority"}
    assert changes(lambda d: d["case_sla"].update(escalations=[escalation])) == [
        (Part.CASE_SLA, CHANGED, "claim", "", "escalations", [],
         [{"when": "breach", "action": "raise priority", "queue": None, "notify": ""}])]
    assert changes(lambda d: d.pop("case_sla"))[0][:2] == (Part.CASE_SLA, REMOVED)


# Forms ----------------------------------------------------------------------------------------


def test_a_form_field_added_removed_or_changed_names_the_field():
    diff = diff_of(lambda d: form_fields(d).insert(1, {"id": "iban", "kind": "iban", "label": "Bank account"}))
    assert [(c.part, c.kind, c.element_id, c.item, c.item_kind) for c in diff] == [
        (Part.FORMS, ADDED, "intake", "iban", "field")]
    assert diff.changes[0].describe() == "Form 'Intake', field 'Bank account' (iban) added"
    assert changes(lambda d: form_fields(d).pop(2)) == [
        (Part.FORMS, REMOVED, "intake", "ok", "", {"id": "ok", "kind": "boolean", "label": "Agreed",
                                                  "variable": "approved"}, None)]
    diff = diff_of(lambda d: form_fields(d)[0].update(required=False, help="Including VAT"))
    assert [(c.item, c.field, c.before, c.after) for c in diff] == [
        ("amount", "help", "", "Including VAT"), ("amount", "required", True, False)]
    assert diff.changes[1].describe() == "Form 'Intake', field 'Amount': required yes → no"


def test_a_removed_section_is_one_change_with_its_fields_inside():
    [change] = diff_of(lambda d: form_fields(d).pop(1))
    assert (change.kind, change.item, change.item_kind) == (REMOVED, "about", "section")
    assert [f["id"] for f in change.before["fields"]] == ["note", "when"]


def test_a_field_moved_up_is_reordered_and_the_others_are_not():
    def amount_last(d: dict[str, Any]) -> None:
        d["forms"][0]["fields"].append(form_fields(d).pop(0))

    assert changes(amount_last) == [(Part.FORMS, REORDERED, "intake", "amount", "place", 1, 3)]


def test_a_field_moved_into_a_section_says_from_where_to_where():
    def into_section(d: dict[str, Any]) -> None:
        form_fields(d)[1]["fields"].insert(0, form_fields(d).pop(2))

    diff = diff_of(into_section)
    assert [(c.kind, c.item, c.field, c.before, c.after) for c in diff] == [(REORDERED, "ok", "section", None, "about")]
    assert diff.changes[0].describe() == "Form 'Intake', field 'Agreed': section (none) → about"


def test_a_renamed_form_and_a_new_form():
    assert changes(lambda d: d["forms"][1].update(name="Review")) == [
        (Part.FORMS, CHANGED, "review", "", "name", "", "Review")]
    assert changes(lambda d: d["forms"].append({"id": "extra", "fields": []})) == [
        (Part.FORMS, ADDED, "extra", "", "", None, {"id": "extra"})]


# Letters --------------------------------------------------------------------------------------


def test_a_changed_sentence_in_a_letter_is_a_word_level_diff_per_language():
    diff = diff_of(lambda d: d["letters"][0]["variants"][1].update(
        body="Dear customer, we reply within 10 days."))
    [change] = diff
    assert (change.part, change.kind, change.element_id, change.item, change.field) == (
        Part.LETTERS, CHANGED, "answer", "en", "body")
    assert [(s.op, s.text) for s in change.segments] == [
        ("equal", "Dear customer, we reply within "), ("delete", "5 working"), ("insert", "10"), ("equal", " days.")]
    assert change.describe() == ("Letter 'Our answer', language 'en': body 'Dear customer, we reply within 5 working "
                                 "days.' → 'Dear customer, we reply within 10 days.'")


def test_a_long_text_is_described_by_its_changed_words_only():
    long_body = "Dear customer,\n\n" + "We checked your invoice line by line. " * 4 + "We reply within 5 days."
    old = claim()
    old["letters"][0]["variants"][1]["body"] = long_body
    new = copy.deepcopy(old)
    new["letters"][0]["variants"][1]["body"] = long_body.replace("5 days", "10 working days")
    [change] = diff_bundles(Bundle.model_validate(old), Bundle.model_validate(new))
    assert change.describe() == ("Letter 'Our answer', language 'en': body …line. We reply within "
                                 "[-5-]{+10 working+} days.")


def test_a_rewritten_text_is_described_briefly_and_kept_whole_in_the_change():
    rewritten = "Thank you for your message. " * 10
    [change] = diff_of(lambda d: d["letters"][0]["variants"][1].update(body=rewritten))
    assert change.after == rewritten
    assert len(change.describe()) < 250
    assert "[-Dear customer, we reply within 5 working days-]" in change.describe()
    assert change.describe().endswith("…+}")


def test_subject_and_language_variants():
    assert changes(lambda d: d["letters"][0]["variants"][0].update(subject="Uw klacht over de factuur")) == [
        (Part.LETTERS, CHANGED, "answer", "nl", "subject", "Uw klacht", "Uw klacht over de factuur")]
    variant = {"language": "de", "subject": "Ihre Reklamation", "body": "Sehr geehrte Kundin"}
    assert changes(lambda d: d["letters"][0]["variants"].append(variant)) == [
        (Part.LETTERS, ADDED, "answer", "de", "", None, variant)]
    assert changes(lambda d: d["letters"][0].update(name="Answer")) == [
        (Part.LETTERS, CHANGED, "answer", "", "name", "Our answer", "Answer")]


# Decision tables ------------------------------------------------------------------------------


def test_a_changed_cell_names_its_rule_and_column():
    diff = diff_of(lambda d: table(d)["rules"][0]["when"].__setitem__(0, "< 75"))
    assert changes(lambda d: table(d)["rules"][0]["when"].__setitem__(0, "< 75")) == [
        (Part.DECISION_TABLES, CHANGED, "handling", "small", "when.amount", "< 50", "< 75")]
    assert diff.changes[0].describe() == "Decision table 'Handling', rule 'small': if amount '< 50' → '< 75'"


def test_rules_added_removed_and_reordered():
    rule = {"id": "big", "when": ["> 1000"], "then": ['"refuse"']}
    assert changes(lambda d: table(d)["rules"].insert(0, rule)) == [
        (Part.DECISION_TABLES, ADDED, "handling", "big", "", None, rule)]
    assert changes(lambda d: table(d)["rules"].pop(0))[0][:4] == (Part.DECISION_TABLES, REMOVED, "handling", "small")
    assert changes(lambda d: table(d)["rules"].reverse()) == [
        (Part.DECISION_TABLES, REORDERED, "handling", "small", "place", 1, 2)]


def test_a_new_input_column_is_one_change_not_one_per_row():
    def add_segment(d: dict[str, Any]) -> None:
        table(d)["inputs"].append({"id": "segment", "expression": "customer.segment"})
        for rule in table(d)["rules"]:
            rule["when"].append("-")

    assert changes(add_segment) == [(Part.DECISION_TABLES, ADDED, "handling", "segment", "", None,
                                     {"id": "segment", "expression": "customer.segment"})]


def test_hit_policy_and_column_settings():
    def collect(d: dict[str, Any]) -> None:
        table(d).update(hit_policy="COLLECT", collect_into="handling")

    assert changes(collect) == [
        (Part.DECISION_TABLES, CHANGED, "handling", "", "hit_policy", "FIRST", "COLLECT"),
        (Part.DECISION_TABLES, CHANGED, "handling", "", "collect_into", None, "handling")]
    assert changes(lambda d: table(d)["inputs"][0].update(expression="amount * 2")) == [
        (Part.DECISION_TABLES, CHANGED, "handling", "amount", "expression", "amount", "amount * 2")]


# Case data, organisation, process ---------------------------------------------------------------


def test_variables_added_removed_and_changed():
    assert changes(lambda d: d["variables"].append({"name": "reason", "type": "text"}))[0][:3] == (
        Part.VARIABLES, ADDED, "reason")
    assert changes(lambda d: d["variables"][2].update(type="choice", options=[{"value": "credit"}])) == [
        (Part.VARIABLES, CHANGED, "handling", "", "type", "text", "choice"),
        (Part.VARIABLES, CHANGED, "handling", "", "options", [], [{"value": "credit", "label": ""}])]


def test_queues_roles_root_causes_and_adhoc_task_types():
    assert changes(lambda d: d["queues"][0].update(name="Billing")) == [
        (Part.QUEUES, CHANGED, "q", "", "name", "", "Billing")]
    assert changes(lambda d: d["roles"].append({"id": "lead"})) == [(Part.ROLES, ADDED, "lead", "", "", None,
                                                                    {"id": "lead"})]
    assert changes(lambda d: d["root_causes"][0].update(label="Meter read wrongly")) == [
        (Part.ROOT_CAUSES, CHANGED, "meter", "", "label", "Meter error", "Meter read wrongly")]
    assert changes(lambda d: d["adhoc_task_types"][0].update(queue="q2")) == [
        (Part.ADHOC_TASK_TYPES, CHANGED, "call", "", "queue", "q", "q2")]


def test_intake_rules_and_process_settings():
    assert changes(lambda d: d["intake"]["keywords"].append("bill")) == [
        (Part.INTAKE, CHANGED, "claim", "", "keywords", ["invoice"], ["invoice", "bill"])]
    assert changes(lambda d: d.update(owner="Customer care", name="Claims")) == [
        (Part.PROCESS, CHANGED, "claim", "", "name", "Claim", "Claims"),
        (Part.PROCESS, CHANGED, "claim", "", "owner", "Billing", "Customer care")]


# The result ----------------------------------------------------------------------------------


def test_every_part_has_a_differ_and_a_noun():
    assert list(DIFFERS) == list(Part) == list(NOUNS) == list(TITLES)
    assert set(ITEM_NOUNS) >= {"field", "section", "group", "language", "rule", "input", "output"}


def test_status_colours_each_element_by_its_strongest_change():
    def several(d: dict[str, Any]) -> None:
        node(d, "check").update(position={"x": 5, "y": 5})
        node(d, "route")["name"] = "Decide"
        d["nodes"].append({"id": "call", "kind": "task", "queue": "q"})
        form_fields(d).pop(0)

    diff = diff_of(several)
    assert diff.status(Part.NODES) == {"check": MOVED, "route": CHANGED, "call": ADDED}
    assert diff.status(Part.FORMS) == {"intake": CHANGED}
    assert diff.item_status(Part.FORMS, "intake") == {"amount": REMOVED}  # the others kept their order
    assert list(diff.by_part()) == [Part.NODES, Part.FORMS]


def test_json_output_carries_every_change_with_its_description():
    diff = diff_of(lambda d: d["letters"][0]["variants"][1].update(body="Dear customer, we reply today."))
    data = json.loads(json.dumps(diff.as_dict()))
    assert data["counts"] == {"letters": 1}
    [change] = data["changes"]
    assert change["part"] == "letters" and change["item"] == "en" and change["field"] == "body"
    assert {"op": "insert", "text": "today"} in change["segments"]
    assert change["description"].startswith("Letter 'Our answer', language 'en': body")
