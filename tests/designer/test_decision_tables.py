"""Decision tables in the editor: the pure edits, the test bench, and the grid page in NiceGUI's user simulation."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User

from models.checks import Severity
from models.editing import Draft, EditRejected
from models.editing.decision_tables import (
    add_input,
    add_output,
    add_rule,
    add_table,
    move_rule,
    remove_input,
    remove_output,
    remove_rule,
    set_cell,
    set_hit_policy,
    set_input,
    set_output,
    set_table_name,
)
from runtime.table_bench import run_bench, sample_fields
from tests.designer.helpers import saved_draft, sign_in

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TABLE = "credit_handling"  # billing_complaint: amount (disputed_amount) and segment (customer.segment) -> handling


def billing() -> Draft:
    return Draft(json.loads((EXAMPLES / "billing_complaint.json").read_text()))


def table_errors(draft: Draft, table_id: str) -> list[str]:
    return [f.message for f in draft.findings() if f.element == table_id and f.severity is Severity.ERROR]


# Pure edits, through the draft ---------------------------------------------------------------


def test_a_table_is_built_column_by_column_and_row_by_row():
    draft = billing()
    draft.apply(add_table, "goodwill", "Goodwill")
    draft.apply(set_input, "goodwill", "input_1", "Amount", "disputed_amount")
    draft.apply(add_input, "goodwill", "Segment", "customer.segment")
    draft.apply(set_output, "goodwill", "result", "handling")
    draft.apply(add_rule, "goodwill")
    draft.apply(add_rule, "goodwill")
    assert table_errors(draft, "goodwill")  # the new rows' outputs are still empty
    draft.apply(set_cell, "goodwill", "rule_1", "when", "input_1", "< 100")
    draft.apply(set_cell, "goodwill", "rule_1", "when", "input_2", '"premium", "small_business"')
    draft.apply(set_cell, "goodwill", "rule_1", "then", "handling", '"auto_credit"')
    draft.apply(set_cell, "goodwill", "rule_2", "then", "handling", '"supervisor_approval"')
    table = draft.bundle.decision_table("goodwill")
    assert [c.expression for c in table.inputs] == ["disputed_amount", "customer.segment"]
    assert [(r.when, r.then) for r in table.rules] == [
        (["< 100", '"premium", "small_business"'], ['"auto_credit"']), (["-", "-"], ['"supervisor_approval"'])]
    assert table_errors(draft, "goodwill") == []
    draft.apply(move_rule, "goodwill", "rule_2", -1)
    assert [r.id for r in draft.bundle.decision_table("goodwill").rules] == ["rule_2", "rule_1"]
    draft.apply(remove_rule, "goodwill", "rule_2")
    draft.apply(remove_input, "goodwill", "input_2")
    assert draft.bundle.decision_table("goodwill").rules[0].when == ["< 100"]
    draft.apply(set_table_name, "goodwill", "Goodwill credit")
    assert draft.bundle.decision_table("goodwill").name == "Goodwill credit"


def test_a_new_output_column_asks_for_a_value_in_every_row_until_one_is_typed():
    draft = billing()
    draft.apply(add_output, TABLE, "complaint_justified")
    assert draft.bundle.decision_table(TABLE).rules[0].then == ['"auto_credit"', ""]
    assert any("expression is empty" in m for m in table_errors(draft, TABLE))
    draft.apply(remove_output, TABLE, "complaint_justified")
    assert table_errors(draft, TABLE) == []


def test_edits_that_make_no_sense_are_refused_with_a_reason_and_change_nothing():
    draft = billing()
    before = draft.document
    with pytest.raises(EditRejected, match="already a decision table 'credit_handling'"):
        draft.apply(add_table, TABLE, "Again")
    with pytest.raises(EditRejected, match="not a valid id"):
        draft.apply(add_table, "two words", "Bad")
    with pytest.raises(EditRejected, match="no decision table 'nope'"):
        draft.apply(add_rule, "nope")
    with pytest.raises(EditRejected, match="at least one output column"):
        draft.apply(remove_output, TABLE, "handling")
    with pytest.raises(EditRejected, match="already the first row"):
        draft.apply(move_rule, TABLE, "small_amount", -1)
    with pytest.raises(EditRejected, match="already has an output column for 'handling'"):
        draft.apply(add_output, TABLE, "handling")
    with pytest.raises(EditRejected, match="no row 'nope'"):
        draft.apply(set_cell, TABLE, "nope", "when", "amount", "< 1")
    with pytest.raises(EditRejected, match="choose the list of records"):
        draft.apply(set_hit_policy, TABLE, "COLLECT")
    with pytest.raises(EditRejected, match="not a hit policy"):
        draft.apply(set_hit_policy, TABLE, "LAST")
    assert draft.document == before and not draft.can_undo


def test_a_bad_cell_is_a_problem_naming_row_and_column_and_undo_restores_the_cell():
    draft = billing()
    draft.apply(set_cell, TABLE, "small_amount", "when", "amount", "< fifty")
    assert any("rule 'small_amount', input 'Betwist bedrag'" in m and "unknown name 'fifty'" in m
               for m in table_errors(draft, TABLE))
    draft.undo()
    assert draft.bundle.decision_table(TABLE).rules[0].when[0] == "< 50"
    assert table_errors(draft, TABLE) == []


# The test bench, without a page ----------------------------------------------------------------


def test_the_bench_asks_for_what_the_table_reads_typed_by_the_case_data():
    bundle = billing().bundle
    fields = sample_fields(bundle, bundle.decision_table(TABLE))
    assert [(f.name, f.type.value) for f in fields] == [("disputed_amount", "money"), ("customer.segment", "text")]


def test_the_bench_shows_the_matching_rows_and_what_the_first_one_decides():
    bundle = billing().bundle
    result = run_bench(bundle, TABLE, {"disputed_amount": "80.00", "customer.segment": "premium"}, NOW)
    assert result.matching == ("premium_up_to_250", "otherwise_approval")
    assert result.decisive == ("premium_up_to_250",)
    assert result.outputs == {"handling": "auto_credit"} and not result.error
    typed_in_dutch = run_bench(bundle, TABLE, {"disputed_amount": "80,00", "customer.segment": "premium"}, NOW)
    assert typed_in_dutch == result  # a decimal comma, as a Dutch designer types it


def test_the_bench_explains_a_unique_overlap_bad_input_and_a_missing_value():
    draft = billing()
    draft.apply(set_hit_policy, TABLE, "UNIQUE")
    overlap = run_bench(draft.bundle, TABLE, {"disputed_amount": "80.00", "customer.segment": "premium"}, NOW)
    assert overlap.matching == ("premium_up_to_250", "otherwise_approval") and not overlap.outputs
    assert "allows only one matching row, but rows 2 and 4 all match" in overlap.error
    bad = run_bench(draft.bundle, TABLE, {"disputed_amount": "eighty"}, NOW)
    assert "disputed_amount: 'eighty' is not an amount" in bad.error
    missing = run_bench(draft.bundle, TABLE, {"customer.segment": "premium"}, NOW)
    assert "'disputed_amount' has no value yet" in missing.error


def test_the_bench_collects_a_record_for_every_matching_row():
    draft = billing()
    draft.add_entry("variables", {"name": "handlings", "type": "records",
                                  "fields": [{"name": "handling", "type": "text"}]})
    draft.apply(set_hit_policy, TABLE, "COLLECT", "handlings")
    assert table_errors(draft, TABLE) == []
    result = run_bench(draft.bundle, TABLE, {"disputed_amount": "80.00", "customer.segment": "premium"}, NOW)
    assert result.decisive == ("premium_up_to_250", "otherwise_approval")
    assert result.outputs == {"handlings": [{"handling": "auto_credit"}, {"handling": "supervisor_approval"}]}


def test_the_bench_says_when_no_row_matches_under_unique():
    draft = billing()
    draft.apply(remove_rule, TABLE, "otherwise_approval")
    draft.apply(set_hit_policy, TABLE, "UNIQUE")
    result = run_bench(draft.bundle, TABLE, {"disputed_amount": "900.00", "customer.segment": "consumer"}, NOW)
    assert result.matching == () and result.outputs == {} and not result.error


# The page ---------------------------------------------------------------------------------


async def open_tables(user: User, key: str = "billing_complaint") -> None:
    await sign_in(user, "ann", "ann-demo", target=f"/design/{key}")
    await user.should_see(marker="tables-title")


async def shown() -> None:
    """Let the page show the draft again: NiceGUI refreshes a panel in a task of its own."""
    for _ in range(3):
        await asyncio.sleep(0)


async def click(user: User, marker: str) -> None:
    user.find(marker=marker).click()
    await shown()


async def type_into(user: User, marker: str, text: str) -> None:
    """Type `text` into a field and leave it, which saves it."""
    user.find(marker=marker).clear().type(text).trigger("blur")
    await shown()


def saved_table(table_id: str, key: str = "billing_complaint") -> dict:
    document = saved_draft(key)
    return next(t for t in document["decision_tables"] if t["id"] == table_id)


def marked(user: User, marker: str) -> set[str]:
    """The ids of the grid's rows that carry `marker` (e.g. highlighted as matching)."""
    grid = user.find(marker="grid").elements.pop()
    return {m.removeprefix("rule-") for row in grid.descendants() if marker in row._markers
            for m in row._markers if m.startswith("rule-")} - {"matched", "decisive"}


@pytest.mark.anyio
async def test_a_table_is_added_and_filled_in_on_the_grid_and_saved_in_the_draft(user: User):
    await open_tables(user)
    user.find(marker="new-table").type("goodwill")
    user.find(marker="new-table-name").type("Goodwill")
    await click(user, "add-table")
    await user.should_see(marker="table-goodwill")
    await type_into(user, "input-expression-input_1", "disputed_amount")
    await type_into(user, "input-label-input_1", "Amount")
    user.find(marker="new-input-label").type("Segment")
    user.find(marker="new-input-expression").type("customer.segment")
    await click(user, "add-input")
    user.find(marker="new-output").type("handling")
    await click(user, "add-output")
    await click(user, "remove-output-result")
    await click(user, "add-rule")
    await click(user, "add-rule")
    await type_into(user, "cell-rule_1-when-input_1", "< 100")
    await type_into(user, "cell-rule_1-when-input_2", '"premium"')
    await type_into(user, "cell-rule_1-then-handling", '"auto_credit"')
    await type_into(user, "cell-rule_2-then-handling", '"supervisor_approval"')
    table = saved_table("goodwill")
    assert table["name"] == "Goodwill"
    assert table["inputs"] == [{"id": "input_1", "label": "Amount", "expression": "disputed_amount"},
                               {"id": "input_2", "label": "Segment", "expression": "customer.segment"}]
    assert table["outputs"] == [{"id": "handling"}]
    assert [(r["id"], r["when"], r["then"]) for r in table["rules"]] == [
        ("rule_1", ["< 100", '"premium"'], ['"auto_credit"']), ("rule_2", ["-", "-"], ['"supervisor_approval"'])]
    await user.should_not_see(marker="problem-goodwill")
    await click(user, "move-up-rule_2")
    assert [r["id"] for r in saved_table("goodwill")["rules"]] == ["rule_2", "rule_1"]
    await click(user, "remove-table-goodwill")
    await user.should_not_see(marker="table-goodwill")


@pytest.mark.anyio
async def test_the_bench_highlights_the_matching_rows_and_shows_the_outputs(user: User):
    await open_tables(user)
    user.find(marker="sample-disputed_amount").type("80.00")
    user.find(marker="sample-customer.segment").type("premium")
    user.find(marker="bench-test").click()
    await user.should_see("Matching rows: 2, 4; row 2 decides.")  # the rows' numbers in the grid
    await user.should_see(marker="bench-output-handling")
    await user.should_see("handling = auto_credit")
    assert marked(user, "rule-decisive") == {"premium_up_to_250"}
    assert marked(user, "rule-matched") == {"premium_up_to_250", "otherwise_approval"}


@pytest.mark.anyio
@pytest.mark.parametrize(("language", "policy", "policies"), [
    ("en", "First matching row", ["First matching row", "Only one row may match", "Every matching row, into a list"]),
    ("nl", "Eerste passende rij",
     ["Eerste passende rij", "Hooguit één passende rij", "Elke passende rij, in een lijst"]),
])
async def test_the_hit_policy_and_the_rows_read_as_words_not_ids(user: User, language: str, policy: str,
                                                                  policies: list[str]):
    from nicegui import app

    from runtime.accounts import Accounts
    from tests.people import person

    Accounts(app.state.runtime).set_language(person("ann"), "ann", language)
    await open_tables(user)
    await user.should_see(f"credit_handling · {policy}")
    select = user.find(marker="hit-policy").elements.pop()
    assert (select.value, list(select.options.values())) == ("FIRST", policies)
    rows = [label.text for row in ("small_amount", "otherwise_approval")
            for label in user.find(marker=f"rule-name-{row}").elements]
    assert rows == ["1. Kleine bedragen crediteren we altijd direct.",
                    "4. Alle andere bedragen: akkoord van een leidinggevende."]  # the rows' descriptions, no ids
    await user.should_not_see("small_amount")
    await click(user, "add-rule")
    assert [label.text for label in user.find(marker="rule-name-rule_1").elements] == ["5. rule_1"]  # no description


@pytest.mark.anyio
async def test_the_bench_shows_an_error_when_two_rows_match_a_unique_table(user: User):
    await open_tables(user)
    user.find(marker="hit-policy").elements.pop().value = "UNIQUE"
    await user.should_see("At most one row may match")
    user.find(marker="sample-disputed_amount").type("80.00")
    user.find(marker="sample-customer.segment").type("premium")
    user.find(marker="bench-test").click()
    await user.should_see(marker="bench-error")
    await user.should_see("allows only one matching row, but rows 2 and 4 all match")
    assert marked(user, "rule-matched") == {"premium_up_to_250", "otherwise_approval"}
    assert marked(user, "rule-decisive") == set()
    user.find(marker="sample-disputed_amount").clear().type("lots")
    user.find(marker="bench-test").click()
    await user.should_see("Check the sample values: disputed_amount: 'lots' is not an amount")


@pytest.mark.anyio
async def test_a_bad_cell_is_marked_listed_as_a_problem_and_clicking_it_opens_the_table(user: User):
    await open_tables(user)
    await type_into(user, "cell-small_amount-when-amount", "< fifty")
    await user.should_see(marker="problem-credit_handling")
    await user.should_see("unknown name 'fifty'")
    cell = user.find(marker="cell-small_amount-when-amount").elements.pop()
    assert "cell-problem" in cell._markers and "unknown name 'fifty'" in cell.props["error-message"]
    await click(user, "tab-flow")
    await click(user, "problem-credit_handling")
    tabs = user.find(marker="editor-tabs").elements.pop()
    assert tabs.value == "tables"


@pytest.mark.anyio
async def test_undo_reverts_a_cell_edit(user: User):
    await open_tables(user)
    await type_into(user, "cell-premium_up_to_250-then-handling", '"supervisor_approval"')
    assert saved_table(TABLE)["rules"][1]["then"] == ['"supervisor_approval"']
    await click(user, "undo")
    assert saved_table(TABLE)["rules"][1]["then"] == ['"auto_credit"']
    assert user.find(marker="cell-premium_up_to_250-then-handling").elements.pop().value == '"auto_credit"'


@pytest.mark.anyio
async def test_typed_text_in_cells_and_headers_stays_text(user: User):
    await open_tables(user)
    await type_into(user, "table-name", "<b>Credit</b> handling")
    await type_into(user, "input-label-amount", "<i>Amount</i>")
    assert saved_table(TABLE)["name"] == "<b>Credit</b> handling"
    assert saved_table(TABLE)["inputs"][0]["label"] == "<i>Amount</i>"
    await user.should_see(kind=ui.label, content="<b>Credit</b> handling")  # in the list of tables, as text
    assert user.find(marker="input-label-amount").elements.pop().value == "<i>Amount</i>"
