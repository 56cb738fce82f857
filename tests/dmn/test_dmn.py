"""DMN 1.3 decision tables in and out: FEEL cells translated both ways, the rest reported, round trips exact."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from codegen.bpmn.report import Outcome
from codegen.dmn import DmnImportError, cell_from_feel, cell_to_feel, export_dmn, import_dmn
from models.decision_tables import DecisionTable
from tests.bpmn.conftest import XSD, load_schema

values = st.one_of(st.integers(-999, 999).map(str), st.sampled_from(['"gold"', '"a, b"', "true", "null", "amount",
                                                                     'date("2026-01-31")', "customer.segment"]))
cells = st.one_of(
    st.sampled_from(["-", "", "size(reason) > 3", "amount * 2", "(1..5)"]),
    st.builds(lambda op, v: f"{op} {v}", st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), values),
    st.builds(lambda a, b: f"[{a}..{b}]", values, values),
    st.lists(values, min_size=1, max_size=3).map(", ".join),
)
outputs = st.one_of(values, st.sampled_from(["amount * 0.21", '"senior" + "x"', "not FEEL at all ("]))


@st.composite
def tables(draw: st.DrawFn) -> DecisionTable:
    n_in, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    policy = draw(st.sampled_from(["FIRST", "UNIQUE", "COLLECT"]))
    rules = [{"id": f"r{i}", "when": draw(st.lists(cells, min_size=n_in, max_size=n_in)),
              "then": draw(st.lists(outputs, min_size=n_out, max_size=n_out)), "note": draw(st.text(max_size=10)
                                                                                             .filter(str.isprintable))}
             for i in range(draw(st.integers(0, 4)))]
    return DecisionTable.model_validate({
        "id": draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,10}", fullmatch=True)), "name": "Route",
        "hit_policy": policy, "collect_into": "matches" if policy == "COLLECT" else None,
        "inputs": [{"id": f"in{i}", "label": f"Input {i}", "expression": draw(st.sampled_from(
            ["amount", "customer.segment", "size(reason)"]))} for i in range(n_in)],
        "outputs": [{"id": f"out{i}", "label": "Out", "variable": "team" if i == 0 else None} for i in range(n_out)],
        "rules": rules,
    })


@pytest.fixture(scope="module")
def dmn_schema() -> etree.XMLSchema:
    return load_schema(XSD / "dmn" / "DMN13.xsd")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tables(), min_size=1, max_size=3, unique_by=lambda t: t.id))
def test_tables_export_valid_dmn_and_come_back_the_same(dmn_schema: etree.XMLSchema, chosen: list[DecisionTable]):
    xml = export_dmn(chosen, "Claims", "claims")
    assert dmn_schema.validate(etree.fromstring(xml)), [e.message for e in dmn_schema.error_log][:3]
    imported, _ = import_dmn(xml, "claims.dmn")
    assert imported == [t.model_dump(mode="json", exclude_defaults=True) for t in chosen]


@given(cells)
def test_a_cell_that_feel_can_say_comes_back_from_feel_unchanged_in_meaning(cell: str):
    feel = cell_to_feel(cell)
    if feel is not None:
        back = cell_from_feel(feel)
        assert back is not None
        assert cell_to_feel(back) == feel


CAMUNDA_DMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="Claims" namespace="x">
  <decision id="route_claim" name="Route claim">
    <decisionTable id="t" hitPolicy="UNIQUE">
      <input id="i1" label="Amount"><inputExpression id="e1" typeRef="number"><text>amount</text></inputExpression>
      </input>
      <input id="i2" label="Segment"><inputExpression id="e2" typeRef="string"><text>customer.segment</text>
      </inputExpression></input>
      <output id="o1" label="Team" name="team" typeRef="string"/>
      <rule id="r1"><description>big</description><inputEntry id="a"><text>&gt;= 1000</text></inputEntry>
        <inputEntry id="b"><text>-</text></inputEntry><outputEntry id="c"><text>"senior"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="d"><text>[100..1000)</text></inputEntry>
        <inputEntry id="e"><text>not("basic")</text></inputEntry><outputEntry id="f"><text>"desk"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <decision id="total" name="Total">
    <informationRequirement id="ir"><requiredDecision href="#route_claim"/></informationRequirement>
    <decisionTable id="t2" hitPolicy="COLLECT" aggregation="SUM">
      <input id="j1"><inputExpression id="k1"><text>amount</text></inputExpression></input>
      <output id="p1" name="fee"/>
      <rule id="s1"><inputEntry id="m"><text>-</text></inputEntry><outputEntry id="n"><text>5</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <decision id="literal" name="Literal"><literalExpression><text>1 + 1</text></literalExpression></decision>
</definitions>"""


def test_a_dmn_file_from_another_tool_becomes_tables_with_a_report():
    imported, report = import_dmn(CAMUNDA_DMN, "claims.dmn")
    route, total = imported
    assert route == {
        "id": "route_claim", "name": "Route claim", "hit_policy": "UNIQUE",
        "inputs": [{"id": "i1", "label": "Amount", "expression": "amount"},
                   {"id": "i2", "label": "Segment", "expression": "customer.segment"}],
        "outputs": [{"id": "team", "label": "Team"}],
        "rules": [{"id": "r1", "note": "big", "when": [">= 1000", "-"], "then": ['"senior"']},
                  {"id": "r2", "when": ["[100..1000)", '!= "basic"'], "then": ['"desk"']}]}
    assert DecisionTable.model_validate(total).hit_policy == "FIRST"
    by_what = {(e.what, e.outcome): e.detail for e in report.entries}
    assert "[100..1000)" in by_what[("inputEntry", Outcome.TO_FIX)]
    assert "COLLECT SUM is not run" in by_what[("hitPolicy", Outcome.NOT_IMPORTED)]
    assert "not chained" in by_what[("informationRequirement", Outcome.NOT_IMPORTED)]
    assert "only decision tables" in by_what[("decision", Outcome.NOT_IMPORTED)]


def test_a_file_that_is_not_dmn_is_refused_clearly():
    with pytest.raises(DmnImportError, match="not a DMN file"):
        import_dmn(b"<definitions/>", "x.dmn")
