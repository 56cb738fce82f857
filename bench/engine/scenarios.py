"""The processes both engines run, as Flowdesk bundles and as BPMN for SpiffWorkflow (bench/bpmn/).

A *case* is the unit: start it, complete every task it creates (with the realistic data given
here) until it ends. Each workload is one process and the runtime's own scenarios of it
(`runtime.test_run.Scenario`, played by `ScenarioRun`); Spiff gets the same start and task data.
The workloads:

- a start and an end, nothing between: the fixed cost of a case, against which the others' cost per
  node reads (no target of its own);
- a 20-step sequence of automatic assignments (Spiff: script tasks);
- a 50-iteration loop (counter + decision; Spiff: script task + exclusive gateway);
- a 4x3 parallel split/join;
- 3 human tasks in sequence;
- examples/billing_complaint.json with the example customers, completed along the supervisor-approval
  path (Spiff: the same flow with user tasks, script tasks that build the same letters and
  decision-table outcome, exclusive gateways).

Each workload also checks one finished case of each engine, so both really did the same work.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models import Bundle, load_bundle
from runtime.documents import Case
from runtime.service import Runtime
from runtime.test_run import Action, Outcome, Scenario
from tests.runtime.builders import auto, decision, end, parallel, process, start, task

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
BPMN = ROOT / "bench" / "bpmn"
START_END_KEY = "start_end"
START_END = "start and end only (fixed cost)"


@dataclass
class Workload:
    """One process for both engines: Flowdesk plays `scenarios` (case number n taking `scenarios[n % len]`);
    Spiff runs the BPMN twin with the same start data and task data."""

    name: str
    bundle: Bundle
    bpmn: str  # file in bench/bpmn/, process id = the bundle's key
    scenarios: list[Scenario]
    spiff_data: Callable[[Scenario], dict[str, Any]] = lambda s: dict(s.actions[0].data)  # Spiff's start data
    check_flowdesk: Callable[[Runtime, Case], None] = lambda rt, case: None
    check_spiff: Callable[[Any], None] = lambda wf: None

    @property
    def key(self) -> str:
        return self.bundle.key

    def scenario(self, number: int) -> Scenario:
        return self.scenarios[number % len(self.scenarios)]

    def task_data(self, scenario: Scenario) -> dict[str, dict[str, Any]]:
        """Node id -> the data a task of `scenario` is completed with."""
        return {action.node: action.data for action in scenario.actions if action.kind == "complete"}


def played(bundle: Bundle, start: dict[str, Any], tasks: dict[str, dict[str, Any]] | None = None,
           customer: dict[str, Any] | None = None, end: str = "e") -> Scenario:
    """A scenario of `bundle`: start with `start`, then complete each task in `tasks` (node id -> the data entered,
    in order), the agent ticking the task's whole checklist; it must end at `end`."""
    checklists = {node.id: [c.id for c in node.checklist] for node in bundle.nodes if node.kind == "task"}
    actions = [Action(kind="start", process=bundle.key, data=start)]
    actions += [Action(kind="complete", process=bundle.key, node=node, data=data, checklist=checklists[node])
                for node, data in (tasks or {}).items()]
    return Scenario(name=bundle.key, customer=customer, actions=actions, expected=Outcome(status="ended", end=end))


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def start_end_workload() -> Workload:
    bundle = process(START_END_KEY, nodes=[start(), end()], flow="s>e", reference_prefix="SEO")
    return Workload(START_END, bundle, "start_end.bpmn", [played(bundle, {})])


def sequence_workload() -> Workload:
    steps = [f"a{n:02}" for n in range(1, 21)]
    bundle = process("sequence20", variables={"n": "number"}, nodes=[start(), *(auto(s, n="n + 1") for s in steps),
                                                                       end()],
                     flow=" ".join(f"{a}>{b}" for a, b in zip(["s", *steps], [*steps, "e"], strict=True)))
    return Workload(
        "20-step sequence", bundle, "sequence20.bpmn", [played(bundle, {"n": 0})],
        check_flowdesk=lambda rt, case: expect(case.data["n"] == 20, f"n = {case.data['n']}"),
        check_spiff=lambda wf: expect(wf.data["n"] == 20, f"n = {wf.data['n']}"),
    )


def loop_workload() -> Workload:
    bundle = process("loop50", variables={"i": "number"},
                     nodes=[start(), auto("count", i="i + 1"), decision("again"), end()],
                     flow="""s>count
                             count>again
                             again>count: i < 50
                             again>e: default""")
    return Workload(
        "50-iteration loop", bundle, "loop50.bpmn", [played(bundle, {"i": 0})],
        check_flowdesk=lambda rt, case: expect(case.data["i"] == 50, f"i = {case.data['i']}"),
        check_spiff=lambda wf: expect(wf.data["i"] == 50, f"i = {wf.data['i']}"),
    )


def parallel_workload() -> Workload:
    branches = {b: [f"b{b}_{k}" for k in range(1, 4)] for b in range(1, 5)}
    nodes = [start(), parallel("split"), parallel("join"), end()]
    flow = ["s>split", "join>e"]
    for b, steps in branches.items():
        # each branch writes only its own variable (b1 = 1, then + 1 twice), so Spiff's join merges the branches' data
        nodes += [auto(s, **{f"b{b}": "1" if k == 0 else f"b{b} + 1"}) for k, s in enumerate(steps)]
        flow += [f"split>{steps[0]}", f"{steps[0]}>{steps[1]}", f"{steps[1]}>{steps[2]}", f"{steps[2]}>join"]
    bundle = process("parallel4x3", variables={f"b{b}": "number" for b in branches}, nodes=nodes, flow=" ".join(flow))
    names = [f"b{b}" for b in branches]
    return Workload(
        "4x3 parallel split/join", bundle, "parallel4x3.bpmn", [played(bundle, {})],
        check_flowdesk=lambda rt, case: expect(all(case.data[v] == 3 for v in names), str(case.data)),
        check_spiff=lambda wf: expect(all(wf.data[v] == 3 for v in names), str(wf.data)),
    )


def human_workload() -> Workload:
    bundle = process("human3", variables={"note1": "text", "note2": "text", "note3": "text"},
                     nodes=[start(), task("t1"), task("t2"), task("t3"), end()], flow="s>t1 t1>t2 t2>t3 t3>e")
    data = {f"t{k}": {f"note{k}": f"step {k} checked, nothing unusual"} for k in (1, 2, 3)}
    return Workload(
        "3 human tasks", bundle, "human3.bpmn", [played(bundle, {}, data)],
        check_flowdesk=lambda rt, case: expect(case.data.get("note3", "").startswith("step 3"), str(case.data)),
        check_spiff=lambda wf: expect(wf.data.get("note3", "").startswith("step 3"), str(wf.data)),
    )


def billing_workload(customers: list[dict[str, Any]]) -> Workload:
    bundle = load_bundle((EXAMPLES / "billing_complaint.json").read_bytes(), "billing_complaint.json")
    amount = 312.40  # above every segment's limit in the decision table: a supervisor has to approve

    def intake(n: int) -> dict[str, Any]:
        return {"invoice_number": f"F2026-{100_000 + n:06}", "invoice_date": "2026-02-14",
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
        expect(case.outcome == "Klacht terecht: gecrediteerd", f"outcome {case.outcome!r}")
        kinds = sorted(entry.channel for entry in rt.store.outbox(case_id=case.id))
        expect(kinds == ["connector", "email", "letter"], f"outbox {kinds}")

    def check_spiff(wf: Any) -> None:
        from SpiffWorkflow.bpmn.specs.defaults import EndEvent
        from SpiffWorkflow.util.task import TaskState

        ends = [t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.COMPLETED, spec_class=EndEvent)]
        expect(ends == ["end_credited"], f"ended at {ends}")
        kinds = sorted(entry["channel"] for entry in wf.data["outbox"])
        expect(kinds == ["connector", "email", "letter"], f"outbox {kinds}")

    return Workload(
        "billing complaint (supervisor path)", bundle, "billing_complaint.bpmn",
        [played(bundle, intake(n), tasks, customer, "end_credited") for n, customer in enumerate(customers)],
        spiff_data=lambda s: dict(s.actions[0].data) | defaults | {"customer": s.customer, "outbox": []},
        check_flowdesk=check_flowdesk, check_spiff=check_spiff,
    )


def sample_customers() -> list[dict[str, Any]]:
    return json.loads((EXAMPLES / "customers.json").read_text(encoding="utf-8"))["customers"]


def all_workloads(customers: list[dict[str, Any]]) -> list[Workload]:
    """Every workload, the fixed cost of a case and automatic flows first."""
    return [start_end_workload(), sequence_workload(), loop_workload(), parallel_workload(), human_workload(),
            billing_workload(customers)]


#: The workloads whose Flowdesk ÷ Spiff ratio in memory must reach 10 (automatic flows) or 2 (people's tasks);
#: `start_end` has none: it shows what a case costs each engine before its flow does anything.
TARGETS: dict[str, float | None] = {START_END_KEY: None, "sequence20": 10.0, "loop50": 10.0, "parallel4x3": 10.0,
                                    "human3": 2.0, "billing_complaint": 2.0}
