"""The processes both engines run, as Flowdesk bundles and as BPMN for SpiffWorkflow (bench/bpmn/).

A *case* is the unit: start it, complete every task it creates (with the realistic data given
here) until it ends. The scenarios:

- a 20-step sequence of automatic assignments (Spiff: script tasks);
- a 50-iteration loop (counter + decision; Spiff: script task + exclusive gateway);
- a 4x3 parallel split/join;
- 3 human tasks in sequence;
- examples/billing_complaint.json with the example customers, completed along the supervisor-approval
  path (Spiff: the same flow with user tasks, script tasks that build the same letters and
  decision-table outcome, exclusive gateways).

Each scenario also checks one finished case of each engine, so both really did the same work.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models import Bundle, load_bundle
from runtime.documents import Case
from runtime.service import Runtime
from tests.runtime.builders import auto, decision, end, parallel, process, start, task

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
BPMN = ROOT / "bench" / "bpmn"


@dataclass
class Scenario:
    """One process for both engines, the data to start it with and the data each task is completed with."""

    name: str
    key: str
    bundle: Bundle
    bpmn: str  # file in bench/bpmn/, process id = key
    start_data: Callable[[int], dict[str, Any]]  # Flowdesk start data of case number n
    spiff_data: Callable[[int], dict[str, Any]]  # Spiff start data of case number n
    task_data: dict[str, dict[str, Any]] = field(default_factory=dict)  # node id -> values entered
    customer: Callable[[int], str | None] = lambda n: None
    check_flowdesk: Callable[[Runtime, Case], None] = lambda rt, case: None
    check_spiff: Callable[[Any], None] = lambda wf: None


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def sequence_scenario() -> Scenario:
    steps = [f"a{n:02}" for n in range(1, 21)]
    bundle = process("sequence20", variables={"n": "number"}, nodes=[start(), *(auto(s, n="n + 1") for s in steps),
                                                                       end()],
                     flow=" ".join(f"{a}>{b}" for a, b in zip(["s", *steps], [*steps, "e"], strict=True)))
    return Scenario(
        "20-step sequence", "sequence20", bundle, "sequence20.bpmn",
        start_data=lambda n: {"n": 0}, spiff_data=lambda n: {"n": 0},
        check_flowdesk=lambda rt, case: _expect(case.data["n"] == 20, f"n = {case.data['n']}"),
        check_spiff=lambda wf: _expect(wf.data["n"] == 20, f"n = {wf.data['n']}"),
    )


def loop_scenario() -> Scenario:
    bundle = process("loop50", variables={"i": "number"},
                     nodes=[start(), auto("count", i="i + 1"), decision("again"), end()],
                     flow="""s>count
                             count>again
                             again>count: i < 50
                             again>e: default""")
    return Scenario(
        "50-iteration loop", "loop50", bundle, "loop50.bpmn",
        start_data=lambda n: {"i": 0}, spiff_data=lambda n: {"i": 0},
        check_flowdesk=lambda rt, case: _expect(case.data["i"] == 50, f"i = {case.data['i']}"),
        check_spiff=lambda wf: _expect(wf.data["i"] == 50, f"i = {wf.data['i']}"),
    )


def parallel_scenario() -> Scenario:
    branches = {b: [f"b{b}_{k}" for k in range(1, 4)] for b in range(1, 5)}
    nodes = [start(), parallel("split"), parallel("join"), end()]
    flow = ["s>split", "join>e"]
    for b, steps in branches.items():
        # each branch writes only its own variable (b1 = 1, then + 1 twice), so Spiff's join merges the branches' data
        nodes += [auto(s, **{f"b{b}": "1" if k == 0 else f"b{b} + 1"}) for k, s in enumerate(steps)]
        flow += [f"split>{steps[0]}", f"{steps[0]}>{steps[1]}", f"{steps[1]}>{steps[2]}", f"{steps[2]}>join"]
    bundle = process("parallel4x3", variables={f"b{b}": "number" for b in branches}, nodes=nodes, flow=" ".join(flow))
    names = [f"b{b}" for b in branches]
    return Scenario(
        "4x3 parallel split/join", "parallel4x3", bundle, "parallel4x3.bpmn",
        start_data=lambda n: {}, spiff_data=lambda n: {},
        check_flowdesk=lambda rt, case: _expect(all(case.data[v] == 3 for v in names), str(case.data)),
        check_spiff=lambda wf: _expect(all(wf.data[v] == 3 for v in names), str(wf.data)),
    )


def human_scenario() -> Scenario:
    bundle = process("human3", variables={"note1": "text", "note2": "text", "note3": "text"},
                     nodes=[start(), task("t1"), task("t2"), task("t3"), end()], flow="s>t1 t1>t2 t2>t3 t3>e")
    data = {f"t{k}": {f"note{k}": f"step {k} checked, nothing unusual"} for k in (1, 2, 3)}
    return Scenario(
        "3 human tasks", "human3", bundle, "human3.bpmn",
        start_data=lambda n: {}, spiff_data=lambda n: {}, task_data=data,
        check_flowdesk=lambda rt, case: _expect(case.data.get("note3", "").startswith("step 3"), str(case.data)),
        check_spiff=lambda wf: _expect(wf.data.get("note3", "").startswith("step 3"), str(wf.data)),
    )


def billing_scenario(customers: list[dict[str, Any]]) -> Scenario:
    bundle = load_bundle((EXAMPLES / "billing_complaint.json").read_bytes(), "billing_complaint.json")
    amount = 312.40  # above every segment's limit in the decision table: a supervisor has to approve

    def intake(n: int) -> dict[str, Any]:
        return {"invoice_number": f"F2026-{100_000 + n % 900_000:06}", "invoice_date": "2026-02-14",
                "disputed_amount": amount, "complaint_category": "meter_reading",
                "complaint_description": "De meterstand op de jaarafrekening is geschat en veel te hoog; "
                                         "de klant heeft een foto van de meter met een lagere stand."}

    defaults = {"complaint_justified": False, "investigation_findings": "", "supervisor_approved": False,
                "supervisor_note": "", "rejection_reason": ""}
    tasks = {
        "task_investigate": {"disputed_amount": amount, "complaint_justified": True,
                             "investigation_findings": "Meterstand geschat door netbeheerder; foto klant toont "
                                                       "12.345 kWh in plaats van 13.870 kWh. Verbruik gecorrigeerd."},
        "task_supervisor_approval": {"supervisor_approved": True, "credit_amount": amount, "supervisor_note": ""},
    }

    def check_flowdesk(rt: Runtime, case: Case) -> None:
        _expect(case.outcome == "Klacht terecht: gecrediteerd", f"outcome {case.outcome!r}")
        kinds = sorted(entry.channel for entry in rt.store.outbox(case_id=case.id))
        _expect(kinds == ["connector", "email", "letter"], f"outbox {kinds}")

    def check_spiff(wf: Any) -> None:
        from SpiffWorkflow.bpmn.specs.defaults import EndEvent
        from SpiffWorkflow.util.task import TaskState

        ends = [t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.COMPLETED, spec_class=EndEvent)]
        _expect(ends == ["end_credited"], f"ended at {ends}")
        kinds = sorted(entry["channel"] for entry in wf.data["outbox"])
        _expect(kinds == ["connector", "email", "letter"], f"outbox {kinds}")

    return Scenario(
        "billing complaint (supervisor path)", "billing_complaint", bundle, "billing_complaint.bpmn",
        start_data=intake,
        spiff_data=lambda n: intake(n) | defaults | {"customer": customers[n % len(customers)], "outbox": []},
        task_data=tasks, customer=lambda n: customers[n % len(customers)]["id"],
        check_flowdesk=check_flowdesk, check_spiff=check_spiff,
    )


def sample_customers() -> list[dict[str, Any]]:
    return json.loads((EXAMPLES / "customers.json").read_text(encoding="utf-8"))["customers"]


def all_scenarios(customers: list[dict[str, Any]]) -> list[Scenario]:
    """Every scenario, automatic flows first."""
    return [sequence_scenario(), loop_scenario(), parallel_scenario(), human_scenario(), billing_scenario(customers)]


#: The scenarios whose Flowdesk ÷ Spiff ratio in memory must reach 10 (automatic flows) or 2 (people's tasks).
TARGETS = {"sequence20": 10.0, "loop50": 10.0, "parallel4x3": 10.0, "human3": 2.0, "billing_complaint": 2.0}
