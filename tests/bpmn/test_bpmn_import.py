"""Importing BPMN drawn elsewhere: what each element becomes, and a report that leaves nothing unsaid."""

from __future__ import annotations

import pytest

from codegen.bpmn.importer import NOT_RUN, import_bpmn
from codegen.bpmn.report import ImportReport, Outcome
from models import Bundle
from models.checks import check
from models.errors import FlowdeskError


def bpmn(body: str, *, extra: str = "", namespaces: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" {namespaces} targetNamespace="t">
  {extra}
  <process id="claim" name="Claim">{body}</process>
</definitions>""".encode()


def one(body: str, **options: str) -> tuple[dict, ImportReport]:
    [imported] = import_bpmn(bpmn(body, **options), "claim.bpmn")
    Bundle.model_validate(imported.document)  # always a document the models accept
    return imported.document, imported.report


def node(document: dict, node_id: str) -> dict:
    return next(n for n in document["nodes"] if n["id"] == node_id)


def entry(report: ImportReport, element: str, outcome: Outcome | None = None) -> str:
    found = [e for e in report.entries if e.element == element and (outcome is None or e.outcome is outcome)]
    assert found, f"no {outcome or ''} entry for {element}: {report.lines()}"
    return " ".join(e.detail for e in found)


FLOW = """
  <startEvent id="start"/><userTask id="check" name="Check claim"><documentation>Look at the photos</documentation>
  </userTask><exclusiveGateway id="big" default="small_flow"/><serviceTask id="pay" camunda:topic="payments"/>
  <endEvent id="done"/>
  <sequenceFlow id="f1" sourceRef="start" targetRef="check"/><sequenceFlow id="f2" sourceRef="check" targetRef="big"/>
  <sequenceFlow id="big_flow" name="large" sourceRef="big" targetRef="pay">
    <conditionExpression xsi:type="tFormalExpression">${amount &gt; 1000 &amp;&amp; approved}</conditionExpression>
  </sequenceFlow>
  <sequenceFlow id="small_flow" sourceRef="big" targetRef="done"/>
  <sequenceFlow id="f5" sourceRef="pay" targetRef="done"/>
"""
CAMUNDA = 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'


def test_a_simple_camunda_flow_becomes_a_process_that_passes_the_checks_after_import():
    document, report = one(FLOW, namespaces=CAMUNDA)
    assert [(n["id"], n["kind"]) for n in document["nodes"]] == [
        ("start", "start"), ("check", "task"), ("big", "decision"), ("pay", "automatic"), ("done", "end")]
    assert node(document, "check") | {} == {"id": "check", "kind": "task", "name": "Check claim",
                                             "instructions": "Look at the photos", "queue": "work"}
    assert node(document, "pay")["connector"] == "payments"
    edges = {e["id"]: e for e in document["edges"]}
    assert edges["big_flow"]["condition"] == "amount > 1000 && approved"
    assert edges["big_flow"]["label"] == "large"
    assert edges["small_flow"]["default"] is True
    assert {v["name"]: v["type"] for v in document["variables"]} == {"amount": "number"}
    assert "is 'amount > 1000 && approved'" in entry(report, "big_flow", Outcome.TRANSLATED)
    assert "declared as number" in entry(report, "big_flow", Outcome.TRANSLATED)
    codes = {f.code for f in check(Bundle.model_validate(document))}
    assert codes == {"expression-invalid"}  # 'approved' is compared with nothing, so it is not declared


def test_positions_come_from_the_diagram_as_shape_centres():
    diagram = """<bpmndi:BPMNDiagram><bpmndi:BPMNPlane bpmnElement="claim">
      <bpmndi:BPMNShape bpmnElement="check"><dc:Bounds x="100" y="50" width="100" height="80"/></bpmndi:BPMNShape>
    </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"""
    [imported] = import_bpmn(bpmn(FLOW, namespaces=CAMUNDA).replace(b"</definitions>",
                                                                     diagram.encode() + b"</definitions>"))
    assert node(imported.document, "check")["position"] == {"x": 150.0, "y": 90.0}
    assert "position" not in node(imported.document, "start")


def test_lanes_become_queues_with_roles_and_tasks_outside_lanes_go_to_a_work_queue():
    document, report = one("""
      <laneSet id="ls"><lane id="l1" name="Back office"><flowNodeRef>a</flowNodeRef></lane></laneSet>
      <startEvent id="s"/><userTask id="a"/><manualTask id="b"/><endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="a"/><sequenceFlow id="f2" sourceRef="a" targetRef="b"/>
      <sequenceFlow id="f3" sourceRef="b" targetRef="e"/>""")
    assert node(document, "a")["queue"] == "Back_office"
    assert node(document, "b")["queue"] == "work"
    assert document["queues"] == [{"id": "Back_office", "name": "Back office", "role": "Back_office"},
                                  {"id": "work", "name": "Work", "role": "work"}]
    assert "becomes queue 'Back_office'" in entry(report, "l1", Outcome.TRANSLATED)


def test_message_and_timer_events_become_starts_and_waits():
    document, report = one("""
      <startEvent id="s"><messageEventDefinition messageRef="m1"/></startEvent>
      <intermediateCatchEvent id="pause"><timerEventDefinition>
        <timeDuration xsi:type="tFormalExpression">P1DT12H</timeDuration></timerEventDefinition>
      </intermediateCatchEvent>
      <intermediateCatchEvent id="until"><timerEventDefinition>
        <timeDate xsi:type="tFormalExpression">2027-03-01T09:00:00Z</timeDate></timerEventDefinition>
      </intermediateCatchEvent>
      <receiveTask id="reply" messageRef="m2"/>
      <boundaryEvent id="late" attachedToRef="reply"><timerEventDefinition><timeDuration>P10D</timeDuration>
      </timerEventDefinition></boundaryEvent>
      <sendTask id="remind"/><endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="pause"/><sequenceFlow id="f2" sourceRef="pause" targetRef="until"/>
      <sequenceFlow id="f3" sourceRef="until" targetRef="reply"/><sequenceFlow id="f4" sourceRef="reply" targetRef="e"/>
      <sequenceFlow id="f5" sourceRef="late" targetRef="remind"/>
      <sequenceFlow id="f6" sourceRef="remind" targetRef="e"/>
      """, extra='<message id="m1" name="claim_filed"/><message id="m2" name="photos_received"/>')
    assert node(document, "s") == {"id": "s", "kind": "start", "trigger": "message", "message": "claim_filed"}
    assert node(document, "pause")["duration"] == "36 hours"
    assert node(document, "until")["until"] == 'datetime("2027-03-01T09:00:00Z")'
    assert node(document, "reply") | {} == {"id": "reply", "kind": "wait", "wait_for": "message",
                                            "message": "photos_received", "timeout": "10 days"}
    assert next(e for e in document["edges"] if e["id"] == "f5") == {
        "id": "f5", "source": "reply", "target": "remind", "timeout": True}
    assert "times out after 10 days" in entry(report, "late", Outcome.TRANSLATED)
    assert "write it under Letters" in entry(report, "remind", Outcome.TO_FIX)


def test_conditions_that_cannot_be_translated_exactly_are_kept_as_written_and_fail_the_checks():
    document, report = one("""
      <startEvent id="s"/><exclusiveGateway id="d" default="f3"/><endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="d"/>
      <sequenceFlow id="f2" sourceRef="d" targetRef="e"><conditionExpression language="feel">
        date(due) &lt; today()</conditionExpression></sequenceFlow>
      <sequenceFlow id="f3" sourceRef="d" targetRef="e"/>""")
    assert next(e for e in document["edges"] if e["id"] == "f2")["condition"] == "date(due) < today()"
    assert "kept as written" in entry(report, "f2", Outcome.TO_FIX)
    findings = check(Bundle.model_validate(document))
    assert [(f.code, f.element) for f in findings if f.severity == "error"] == [("expression-invalid", "f2")]


@pytest.mark.parametrize("tag", sorted(set(NOT_RUN) - {"dataInput", "dataOutput"}))
def test_every_element_flowdesk_does_not_run_is_reported_with_what_to_do_instead(tag: str):
    document, report = one(f'<startEvent id="s"/><{tag} id="x" name="Odd one"/><endEvent id="e"/>'
                           '<sequenceFlow id="f1" sourceRef="s" targetRef="e"/>')
    assert entry(report, "x", Outcome.NOT_IMPORTED) == str(NOT_RUN[tag])  # the English the command line prints
    assert [e.name for e in report.of(Outcome.NOT_IMPORTED)] == ["Odd one"]
    assert "x" not in {n["id"] for n in document["nodes"]}


@pytest.mark.parametrize(("definition", "words"), [
    ("signalEventDefinition", "no broadcast signals"), ("errorEventDefinition", "no error events"),
    ("escalationEventDefinition", "SLA with escalations"), ("conditionalEventDefinition", "no conditional events"),
])
def test_events_of_kinds_flowdesk_does_not_run_are_reported_by_id(definition: str, words: str):
    _, report = one(f'<startEvent id="s"/><intermediateThrowEvent id="x"><{definition}/></intermediateThrowEvent>'
                    '<endEvent id="e"/><sequenceFlow id="f1" sourceRef="s" targetRef="e"/>')
    assert words in entry(report, "x", Outcome.NOT_IMPORTED)


def test_multi_instance_and_a_timer_on_a_task_are_reported_and_the_task_kept():
    document, report = one("""<startEvent id="s"/><userTask id="t"><multiInstanceLoopCharacteristics/></userTask>
      <boundaryEvent id="b" attachedToRef="t"><timerEventDefinition><timeDuration>PT4H</timeDuration>
      </timerEventDefinition></boundaryEvent><endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="t"/><sequenceFlow id="f2" sourceRef="t" targetRef="e"/>""")
    assert node(document, "t")["kind"] == "task"
    assert "runs once per case" in entry(report, "t", Outcome.NOT_IMPORTED)
    assert "give the task an SLA" in entry(report, "b", Outcome.NOT_IMPORTED)


def test_an_embedded_sub_process_becomes_a_process_of_its_own_called_from_the_step():
    imported = import_bpmn(bpmn("""<startEvent id="s"/><subProcess id="inner" name="Collect">
        <startEvent id="is"/><userTask id="it"/><endEvent id="ie"/>
        <sequenceFlow id="if1" sourceRef="is" targetRef="it"/><sequenceFlow id="if2" sourceRef="it" targetRef="ie"/>
      </subProcess><endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="inner"/>
      <sequenceFlow id="f2" sourceRef="inner" targetRef="e"/>"""))
    outer, inner = (i.document for i in imported)
    assert node(outer, "inner") == {"id": "inner", "kind": "subprocess", "name": "Collect", "process": "inner"}
    assert inner["key"] == "inner"
    assert [n["id"] for n in inner["nodes"]] == ["is", "it", "ie"]


def test_a_milestone_event_is_passed_straight_through():
    document, _ = one('<startEvent id="s"/><intermediateThrowEvent id="m"/><endEvent id="e"/>'
                      '<sequenceFlow id="f1" sourceRef="s" targetRef="m"/><sequenceFlow id="f2" sourceRef="m" '
                      'targetRef="e"/>')
    assert [(e["source"], e["target"]) for e in document["edges"]] == [("s", "e")]


def test_every_element_of_the_file_is_in_the_report():
    _, report = one(FLOW, namespaces=CAMUNDA)
    reported = {e.element for e in report.entries}
    assert {"start", "check", "big", "pay", "done"} <= reported


@pytest.mark.parametrize(("data", "words"), [
    (b"<definitions/>", "not a BPMN 2.0 file"),
    (b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>', "holds no process"),
    (b"<a><b></a>", "not well-formed XML at line 1"),
])
def test_files_that_are_not_bpmn_processes_get_a_clear_message(data: bytes, words: str):
    with pytest.raises(FlowdeskError, match=words):
        import_bpmn(data, "odd.bpmn")


ZEEBE = 'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"'


def test_a_camunda_8_flow_with_feel_conditions_and_job_types_is_translated():
    document, report = one("""
      <startEvent id="s"/><exclusiveGateway id="d" default="low"/>
      <serviceTask id="notify"><extensionElements><zeebe:taskDefinition type="crm.notify"/></extensionElements>
      </serviceTask>
      <businessRuleTask id="rate"><extensionElements><zeebe:calledDecision decisionId="rating"/>
      </extensionElements></businessRuleTask><endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="d"/>
      <sequenceFlow id="high" sourceRef="d" targetRef="notify">
        <conditionExpression xsi:type="tFormalExpression">= score &gt;= 80 and segment = "gold"</conditionExpression>
      </sequenceFlow>
      <sequenceFlow id="low" sourceRef="d" targetRef="rate"/>
      <sequenceFlow id="f4" sourceRef="notify" targetRef="e"/><sequenceFlow id="f5" sourceRef="rate" targetRef="e"/>
      """, namespaces=ZEEBE)
    assert next(e for e in document["edges"] if e["id"] == "high")["condition"] == 'score >= 80 && segment == "gold"'
    assert node(document, "notify")["connector"] == "crm.notify"
    assert node(document, "rate")["decision_table"] == "rating"
    assert {v["name"]: v["type"] for v in document["variables"]} == {"score": "number", "segment": "text"}
    assert "(feel)" in entry(report, "high", Outcome.TRANSLATED)


def test_a_python_condition_and_a_month_long_timer_are_kept_for_a_person_to_rewrite():
    document, report = one("""
      <startEvent id="s"/><intermediateCatchEvent id="later"><timerEventDefinition>
        <timeDuration>P1M</timeDuration></timerEventDefinition></intermediateCatchEvent>
      <exclusiveGateway id="d" default="f4"/><endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="later"/><sequenceFlow id="f2" sourceRef="later" targetRef="d"/>
      <sequenceFlow id="f3" sourceRef="d" targetRef="e"><conditionExpression language="python">
        len(items) &gt; 2</conditionExpression></sequenceFlow>
      <sequenceFlow id="f4" sourceRef="d" targetRef="e"/>""")
    assert node(document, "later")["until"] == "P1M"
    assert "months and years vary in length" in entry(report, "later", Outcome.TO_FIX)
    assert "'len' has no exact counterpart" in entry(report, "f3", Outcome.TO_FIX)


def test_a_script_is_kept_as_an_assignment_for_a_person_to_rewrite_and_the_checks_say_so():
    document, report = one("""<startEvent id="s"/><scriptTask id="calc" scriptFormat="groovy">
      <script>execution.setVariable("total", a + b)</script></scriptTask><endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="calc"/><sequenceFlow id="f2" sourceRef="calc" targetRef="e"/>""")
    assert node(document, "calc")["assignments"] == [
        {"variable": "script_result", "expression": 'execution.setVariable("total", a + b)'}]
    assert "its groovy script is kept as written" in entry(report, "calc", Outcome.TO_FIX)
    assert "expression-invalid" in {f.code for f in check(Bundle.model_validate(document))}
