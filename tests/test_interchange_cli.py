"""`flowdesk import` and `flowdesk export` as a user runs them, on real files and a real data folder."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from runtime.drafts import Drafts
from runtime.installation import open_runtime
from tests.bpmn.conftest import XSD, load_schema
from tests.people import person
from tests.test_cli import ROOT, flowdesk

CLAIM = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  targetNamespace="t">
  <process id="claim" name="Claim">
    <startEvent id="start"/><userTask id="check" name="Check claim"/>
    <businessRuleTask id="route" camunda:decisionRef="route_claim"/>
    <inclusiveGateway id="odd" name="Odd gateway"/><endEvent id="done"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <sequenceFlow id="f2" sourceRef="check" targetRef="route"/>
    <sequenceFlow id="f3" sourceRef="route" targetRef="done"/>
  </process>
</definitions>"""
TABLES = (ROOT / "tests/dmn/test_dmn.py").read_text().split('CAMUNDA_DMN = b"""')[1].split('"""')[0].encode()


def test_import_prints_the_report_and_the_checks_and_creates_nothing(tmp_path: Path):
    (tmp_path / "claim.bpmn").write_bytes(CLAIM)
    result = flowdesk("import", str(tmp_path / "claim.bpmn"), "--data", str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    assert "process 'claim' — " in result.stdout
    assert "not imported inclusiveGateway odd 'Odd gateway': Flowdesk has no inclusive gateway" in result.stdout
    assert "reference-missing [route]" in result.stdout  # the table it evaluates is not there
    assert "Nothing was created" in result.stdout
    assert not (tmp_path / "data").exists()


def test_accept_creates_a_draft_with_the_dmn_tables_and_never_overwrites_one(tmp_path: Path):
    (tmp_path / "claim.bpmn").write_bytes(CLAIM)
    (tmp_path / "route.dmn").write_bytes(TABLES)
    args = ("import", str(tmp_path / "claim.bpmn"), str(tmp_path / "route.dmn"), "--data", str(tmp_path / "data"),
            "--accept")
    first = flowdesk(*args)
    assert first.returncode == 0, first.stderr
    assert "claim: draft created" in first.stdout
    with open_runtime(tmp_path / "data", read_only=True) as runtime:
        saved = Drafts(runtime).open(person("ann", "designer"), "claim").document
    # 'route_claim' is the one the process evaluates; 'total' no process names, so it is kept here too
    assert [t["id"] for t in saved["decision_tables"]] == ["route_claim", "total"]
    assert "reference-missing" not in first.stdout
    again = flowdesk(*args)
    assert "claim: not created — there is a draft of 'claim' already" in again.stdout


def test_a_hostile_file_is_refused_with_exit_1(tmp_path: Path):
    (tmp_path / "bomb.bpmn").write_text('<!DOCTYPE d [<!ENTITY x "y">]><definitions>&x;</definitions>')
    result = flowdesk("import", str(tmp_path / "bomb.bpmn"), "--accept", "--data", str(tmp_path / "data"))
    assert result.returncode == 1
    assert "cannot be read" in result.stdout and "document type (DTD)" in result.stdout
    assert not (tmp_path / "data").exists()  # nothing was created, not even the data folder


def test_export_writes_a_published_version_as_valid_bpmn_and_its_tables_as_valid_dmn(tmp_path: Path):
    data = str(tmp_path / "data")
    assert flowdesk("publish", str(ROOT / "examples/billing_complaint.json"), "--note", "v1", "--data", data
                    ).returncode == 0
    bpmn = flowdesk("export", "billing_complaint", "--bpmn", "--version", "1", "-o", str(tmp_path / "bc.bpmn"),
                    "--data", data)
    assert bpmn.returncode == 0, bpmn.stderr
    assert load_schema(XSD / "bpmn/BPMN20.xsd").validate(etree.parse(str(tmp_path / "bc.bpmn")))
    dmn = flowdesk("export", "billing_complaint", "--dmn", "--data", data)
    assert load_schema(XSD / "dmn/DMN13.xsd").validate(etree.fromstring(dmn.stdout.encode()))
    missing = flowdesk("export", "nope", "--bpmn", "--data", data)
    assert missing.returncode == 1 and "process 'nope' has no published version" in missing.stderr
