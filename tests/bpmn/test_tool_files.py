"""Real BPMN files exported by modelling tools import with the report we expect.

The files are the BPMN Model Interchange Working Group's test suite (OMG; CC BY
3.0; github.com/bpmn-miwg/bpmn-miwg-test-suite, commit bc9f858): the reference
models and the same models as exported by bpmn.io / Camunda Modeler, SAP
Signavio, Bizagi and the Camunda Eclipse plugin. Fetched data is kept in the
steering repository's shared folder, not here: the tests read them from
`$FLOWDESK_BPMN_SAMPLES`, else from `shared/bpmn-miwg-test-suite` beside the
checkout (with that suite's LICENSE.txt), and say where to put them when absent.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from codegen.bpmn.importer import import_bpmn
from codegen.bpmn.names import BPMN
from codegen.bpmn.report import Outcome
from codegen.bpmn.safe_xml import parse_xml
from models import Bundle


def _samples() -> Path | None:
    if os.environ.get("FLOWDESK_BPMN_SAMPLES"):
        return Path(os.environ["FLOWDESK_BPMN_SAMPLES"])
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "shared" / "bpmn-miwg-test-suite"
        if candidate.is_dir():
            return candidate
    return None


SAMPLES = _samples()

#: File -> per process: (key, node kinds, elements not imported, elements kept to fix).
EXPECTED: dict[str, list[tuple[str, dict[str, int], set[str], set[str]]]] = {
    "Reference/A.1.0.bpmn": [("WFP-6-", {"start": 1, "task": 3, "end": 1}, set(), set())],
    "Reference/B.2.0.bpmn": [
        ("Process_ba16239e-181e-4b9f-bc5b-0bb2ee973450", {"start": 2, "task": 2, "automatic": 1, "end": 2},
         {"conditionalEventDefinition", "globalUserTask", "messageEventDefinition", "messageFlow",
          "multiInstanceLoopCharacteristics"},
         set()),
        ("WFP-6-1", {"task": 7, "start": 1, "end": 2, "automatic": 1, "parallel": 1, "send": 1, "subprocess": 3},
         {"association", "conditionalEventDefinition", "dataObject", "dataObjectReference",
          "escalationEventDefinition", "inclusiveGateway", "messageEventDefinition",
          "multiInstanceLoopCharacteristics", "signalEventDefinition", "textAnnotation", "timerEventDefinition"},
         {"sendTask"}),
        ("303e68ec-dbb3-4d90-8a96-26e0be44f5f3", {"start": 1, "task": 1, "end": 1}, {"standardLoopCharacteristics"},
         set()),
        ("WFP-6-2", {"subprocess": 5, "automatic": 1, "task": 15, "wait": 4, "end": 5, "decision": 1, "start": 2,
                     "send": 1, "parallel": 2},
         {"boundaryEvent", "conditionalEventDefinition", "dataStoreReference", "errorEventDefinition",
          "escalationEventDefinition", "eventBasedGateway", "inclusiveGateway", "linkEventDefinition",
          "messageEventDefinition", "signalEventDefinition"},
         {"intermediateCatchEvent", "intermediateThrowEvent"}),
        ("7e6ccf38-e740-4537-a439-a8e984d066de", {"start": 1, "automatic": 1, "end": 1},
         {"multiInstanceLoopCharacteristics"}, set()),
        ("189118eb-65fc-43e8-8a34-a155b113914f", {"start": 1, "task": 1, "decision": 1, "end": 2},
         {"errorEventDefinition", "signalEventDefinition"}, set()),
        ("WFP-0-", {"start": 1, "task": 1, "end": 1}, set(), set()),
    ],
    "bpmn.io (Camunda Modeler) 18.6.1/C.1.0-export.bpmn": [
        ("Process_1mgwbq0", {"start": 1, "task": 4, "wait": 3, "end": 2}, {"eventBasedGateway", "messageFlow"},
         {"intermediateCatchEvent"}),
        ("Process_18fi83m", {"start": 1, "task": 4, "decision": 2, "end": 2, "automatic": 1}, set(), set()),
    ],
    "SAP Signavio Process Manager 19.9.0/A.4.0-export.bpmn": [
        ("sid-197DAB20-8272-47C0-A69C-A7919FE812D8", {"start": 1, "task": 2, "end": 1}, {"messageFlow"}, set()),
        ("sid-1A97D63B-E3EB-4DD3-A557-3F91F6548019", {"start": 1, "task": 2, "subprocess": 2, "end": 2}, set(),
         set()),
        ("sid-B479F381-184C-4AA9-ACD0-E15245BD474F", {"start": 1, "task": 1, "end": 1}, set(), set()),
        ("sid-40A670D8-CCF2-42D8-8EEA-FE1D24902A19", {"start": 1, "task": 1, "end": 1}, set(), set()),
    ],
    "Bizagi Modeler 2.8.0.8/B.1.0-roundtrip.bpmn": [
        ("WFP-6-1", {"start": 1, "end": 1, "task": 2, "automatic": 1}, {"messageFlow", "timerEventDefinition"}, set()),
        ("WFP-6-2", {"end": 2, "subprocess": 5, "decision": 4, "start": 1, "parallel": 1, "task": 1, "automatic": 1},
         {"association", "dataObject", "dataObjectReference", "dataStoreReference", "messageEventDefinition",
          "textAnnotation"},
         {"callActivity"}),
        ("7e6ccf38-e740-4537-a439-a8e984d066de", {"start": 1, "task": 1, "end": 1}, set(), set()),
        ("Process_ba16239e-181e-4b9f-bc5b-0bb2ee973450", {"start": 1, "task": 1, "end": 1}, set(), set()),
        ("WFP-0-", {"start": 1, "task": 1, "end": 1}, set(), set()),
    ],
    "Camunda Eclipse Plugin 3.0.0/C.1.0-export.bpmn": [
        ("Process_1", {"start": 1, "task": 4, "wait": 3, "end": 2}, {"eventBasedGateway", "messageFlow"},
         {"intermediateCatchEvent"}),
        ("Process_2", {"task": 4, "decision": 2, "end": 2, "automatic": 1, "start": 1}, set(), set()),
    ],
}

pytestmark = pytest.mark.skipif(
    SAMPLES is None, reason="the BPMN MIWG test suite is not there: put it in shared/bpmn-miwg-test-suite "
                            "beside the checkout, or name its folder in $FLOWDESK_BPMN_SAMPLES")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_file_from_a_modelling_tool_imports_with_the_expected_report(name: str):
    assert SAMPLES is not None
    data = (SAMPLES / name).read_bytes()
    imported = import_bpmn(data, name)
    got = [(i.document["key"], dict(Counter(n["kind"] for n in i.document["nodes"])),
            {e.what for e in i.report.of(Outcome.NOT_IMPORTED)}, {e.what for e in i.report.of(Outcome.TO_FIX)})
           for i in imported]
    assert got == EXPECTED[name]
    for process in imported:
        Bundle.model_validate(process.document)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_step_gateway_and_event_of_the_file_is_in_the_report(name: str):
    assert SAMPLES is not None
    data = (SAMPLES / name).read_bytes()
    reported = {e.element for process in import_bpmn(data, name) for e in process.report.entries}
    kinds = ("Task", "task", "Event", "Gateway", "subProcess", "callActivity", "transaction")
    elements = {el.get("id") for el in parse_xml(data).iter(f"{{{BPMN}}}*")
                if el.tag.split("}")[1].endswith(kinds) and el.get("id")}
    assert elements - reported == set()
