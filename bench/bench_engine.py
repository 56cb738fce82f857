"""Engine throughput: Flowdesk (in memory and durable) against SpiffWorkflow 3.x on equivalent processes.

Run: `.venv/bin/python bench/bench_engine.py [--quick] [--repeats 9] [--batch-seconds 0.25] [--only NAME]
[--sizes 100,10000,100000] [--step-samples 300] [--folder DIR] [--profile SCENARIO]`
(4-5 minutes on 2 busy CPUs, 1.5 of them filling the 100,000-case store; `--quick` about 1 minute).

SpiffWorkflow is a bench-only dependency: `.venv/bin/pip install 'spiffworkflow>=3,<4'`.

**What is measured.** One *case* is the unit: start it, complete every task
it creates (with realistic data) until it ends. Reported per engine and
scenario: the median time of one case (over `--repeats` timed batches,
after a warm-up, engines interleaved so drift hits all alike), cases/s,
transactions (steps) per case and node executions per case and per second.
A *node execution* is one flow node a token passes (a start, an automatic or
script task, a gateway, a task created, an end); a parallel join counts once
per arriving branch in Flowdesk. The ratio Flowdesk/Spiff is a ratio of
cases/s, i.e. the same work on both sides.

The engines:

- Flowdesk memory: `Runtime` on `MemoryStore`; a case is `start_case` plus one
  `Runtime.complete` per task, the open task found through the worklist
  (`store.work_items`). Every step is a full transaction (audit events with
  their hash chain, SLA jobs, outbox entries), as in production.
- Flowdesk durable: the same on `TinyDBStore` in a temporary folder (one
  journal append + fdatasync per step; checkpoints when they fall due).
- Spiff memory: `BpmnWorkflow` on the parsed spec (parsed once, like
  publishing), start data on the start task, `do_engine_steps`, each user
  task found with `get_next_task(state=READY, manual=True)`, its data set and
  `run()`, then `do_engine_steps` again. The workflow object stays in memory.
- Spiff durable: as Spiff memory, but after every step the workflow is
  serialised with `BpmnWorkflowSerializer` (the process spec is kept once by
  name, not re-serialised each step, as SpiffArena keeps process definitions
  apart), appended as one line to a journal file and fdatasynced, and before
  every task completion it is restored from the stored JSON (Flowdesk too
  reads its case back from the store at every step).
- fdatasync floor: no engine, just the journal write every durable step
  needs (a 2 KB append + fdatasync per step), timed in the same rotation.
  Spiff durable / floor is the best durable ratio any Flowdesk could reach
  on this disk ("durable ceiling").

The scenarios (BPMN for Spiff in bench/bpmn/): a 20-step sequence of
automatic assignments (Spiff: script tasks), a 50-iteration loop (counter +
decision; Spiff: script task + exclusive gateway), a 4x3 parallel split/join,
3 human tasks in sequence, and examples/billing_complaint.json with the
example customers, completed along the supervisor-approval path (Spiff: the
same flow with user tasks, script tasks that build the same letters and
decision-table outcome, exclusive gateways).

Last, the durable cost of one step as the store grows: the median time of
one `Runtime.complete` on a fresh task of a `start > task > task > end`
process, with 100, 10,000 and 100,000 stored cases (`--quick`: without
100,000). The stores are filled by cloning one real started case (new ids,
audit chain resealed) and committing 1,000 cases per `Changes`; the stores
are then reopened and take turns, one step each, on random cases never
touched before (a store that runs out of fresh tasks is filled again).
Checkpoints are not part of these steps (bench_storage.py measures them).
With `--folder` the filled stores are kept and reused by later runs.

`--profile SCENARIO` runs cProfile on Flowdesk in memory for that scenario
and prints the hotspots.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BPMN = Path(__file__).resolve().parent / "bpmn"
EXAMPLES = ROOT / "examples"
sys.path[:0] = [str(ROOT)]

from models import Bundle, load_bundle  # noqa: E402
from models.customers import Customer  # noqa: E402
from runtime import handlers  # noqa: E402
from runtime.audit import GENESIS, seal  # noqa: E402
from runtime.documents import AuditEvent, Case, WorkItem  # noqa: E402
from runtime.service import Runtime  # noqa: E402
from runtime.storage.base import Changes, Store, WorkQuery  # noqa: E402
from runtime.storage.memory import MemoryStore  # noqa: E402
from runtime.storage.tinydb_store import TinyDBStore  # noqa: E402
from runtime.test_run import Action, Outcome, Scenario, ScenarioRun  # noqa: E402
from tests.people import person  # noqa: E402
from tests.runtime.builders import auto, decision, end, parallel, process, start, task  # noqa: E402

try:
    from importlib.metadata import version as _dist_version

    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
    from SpiffWorkflow.bpmn.serializer import DEFAULT_CONFIG, BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
    from SpiffWorkflow.bpmn.specs.defaults import EndEvent
    from SpiffWorkflow.util.task import TaskState

    SPIFF_VERSION = _dist_version("SpiffWorkflow")
except ImportError:  # the Flowdesk half still runs
    SPIFF_VERSION = None

ACTOR = "bench-agent"
TARGET_RATIO = 10.0
TARGET_GROWTH = 2.0
FLOOR = "fdatasync floor"


# Workloads -------------------------------------------------------------------------------------------


@dataclass
class Workload:
    """One process for both engines: Flowdesk plays `scenarios` (the runtime's one scenario type, case number n
    taking `scenarios[n % len]`); Spiff runs the BPMN twin with the same start data and task data."""

    name: str
    bundle: Bundle
    bpmn: str  # file in bench/bpmn/, process id = the bundle's key
    scenarios: list[Workload]
    spiff_data: Callable[[Scenario], dict[str, Any]] = lambda s: dict(s.actions[0].data)  # Spiff's start data
    check_flowdesk: Callable[[Runtime, Case], None] = lambda rt, case: None
    check_spiff: Callable[[Any], None] = lambda wf: None

    @property
    def key(self) -> str:
        return self.bundle.key

    def scenario(self, number: int) -> Scenario:
        return self.scenarios[number % len(self.scenarios)]


def played(bundle: Bundle, start: dict[str, Any], tasks: dict[str, dict[str, Any]] | None = None,
           customer: dict[str, Any] | None = None, end: str = "e") -> Scenario:
    """A scenario of `bundle`: start with `start`, then complete each task in `tasks` (node id -> the data entered,
    in order), the agent ticking the task's whole checklist; it must end at `end`."""
    checklists = {node.id: [c.id for c in node.checklist] for node in bundle.nodes if node.kind == "task"}
    actions = [Action(kind="start", process=bundle.key, data=start)]
    actions += [Action(kind="complete", process=bundle.key, node=node, data=data, checklist=checklists[node])
                for node, data in (tasks or {}).items()]
    return Scenario(name=bundle.key, customer=customer, actions=actions, expected=Outcome(status="ended", end=end))


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def sequence_workload() -> Workload:
    steps = [f"a{n:02}" for n in range(1, 21)]
    bundle = process("sequence20", variables={"n": "number"}, nodes=[start(), *(auto(s, n="n + 1") for s in steps),
                                                                       end()],
                     flow=" ".join(f"{a}>{b}" for a, b in zip(["s", *steps], [*steps, "e"], strict=True)))
    return Workload(
        "20-step sequence", bundle, "sequence20.bpmn", [played(bundle, {"n": 0})],
        check_flowdesk=lambda rt, case: _expect(case.data["n"] == 20, f"n = {case.data['n']}"),
        check_spiff=lambda wf: _expect(wf.data["n"] == 20, f"n = {wf.data['n']}"),
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
        check_flowdesk=lambda rt, case: _expect(case.data["i"] == 50, f"i = {case.data['i']}"),
        check_spiff=lambda wf: _expect(wf.data["i"] == 50, f"i = {wf.data['i']}"),
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
        check_flowdesk=lambda rt, case: _expect(all(case.data[v] == 3 for v in names), str(case.data)),
        check_spiff=lambda wf: _expect(all(wf.data[v] == 3 for v in names), str(wf.data)),
    )


def human_workload() -> Workload:
    bundle = process("human3", variables={"note1": "text", "note2": "text", "note3": "text"},
                     nodes=[start(), task("t1"), task("t2"), task("t3"), end()], flow="s>t1 t1>t2 t2>t3 t3>e")
    data = {f"t{k}": {f"note{k}": f"step {k} checked, nothing unusual"} for k in (1, 2, 3)}
    return Workload(
        "3 human tasks", bundle, "human3.bpmn", [played(bundle, {}, data)],
        check_flowdesk=lambda rt, case: _expect(case.data.get("note3", "").startswith("step 3"), str(case.data)),
        check_spiff=lambda wf: _expect(wf.data.get("note3", "").startswith("step 3"), str(wf.data)),
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
        _expect(case.outcome == "Klacht terecht: gecrediteerd", f"outcome {case.outcome!r}")
        kinds = sorted(entry.channel for entry in rt.store.outbox(case_id=case.id))
        _expect(kinds == ["connector", "email", "letter"], f"outbox {kinds}")

    def check_spiff(wf: Any) -> None:
        ends = [t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.COMPLETED, spec_class=EndEvent)]
        _expect(ends == ["end_credited"], f"ended at {ends}")
        kinds = sorted(entry["channel"] for entry in wf.data["outbox"])
        _expect(kinds == ["connector", "email", "letter"], f"outbox {kinds}")

    return Workload(
        "billing complaint (supervisor path)", bundle, "billing_complaint.bpmn",
        [played(bundle, intake(n), tasks, customer, "end_credited") for n, customer in enumerate(customers)],
        spiff_data=lambda s: dict(s.actions[0].data) | defaults | {"customer": s.customer, "outbox": []},
        check_flowdesk=check_flowdesk, check_spiff=check_spiff,
    )


def sample_customers() -> list[dict[str, Any]]:
    return json.loads((EXAMPLES / "customers.json").read_text(encoding="utf-8"))["customers"]


# Flowdesk --------------------------------------------------------------------------------------------


class FlowdeskEngine:
    """Runs whole cases through `Runtime` on one store, playing each workload's scenario."""

    def __init__(self, label: str, store: Store, workloads: list[Workload], customers: list[dict[str, Any]]) -> None:
        self.label = label
        self.store = store
        self.runtime = Runtime(store)
        store.commit(Changes(customers=[Customer.model_validate(c) for c in customers]))
        for workload in workloads:
            self.runtime.publish(person("bench"), workload.bundle)
        self.started = 0

    def run_case(self, workload: Workload, check: bool = False) -> tuple[int, Case]:
        """Play one case's scenario (start, then complete its tasks until it ends); the number of steps
        (transactions)."""
        scenario = workload.scenario(self.started)
        self.started += 1
        run = ScenarioRun(self.runtime, person(ACTOR))
        for action in scenario.actions:
            run.apply(action, scenario.customer_id)
        case = self.runtime.store.case(run.case_id or "")
        if check:
            outcome = run.outcome()
            _expect(outcome.same_as(scenario.expected), outcome.describe())
            workload.check_flowdesk(self.runtime, case)
        return len(scenario.actions), case

    def nodes_per_case(self, scenario: Workload) -> int:
        """Node executions of one case, counted by wrapping the engine's handlers for one run."""
        visits: Counter[str] = Counter()
        original = dict(handlers.HANDLERS)

        def counting(kind: str) -> Callable[..., None]:
            def handle(run: Any, token: Any, node: Any) -> None:
                visits[kind] += 1
                original[kind](run, token, node)
            return handle

        handlers.HANDLERS.update({kind: counting(kind) for kind in original})
        try:
            self.run_case(scenario, check=True)
        finally:
            handlers.HANDLERS.update(original)
        return sum(visits.values())

    def close(self) -> None:
        self.store.close()


# SpiffWorkflow ---------------------------------------------------------------------------------------


def spiff_serializer(specs: dict[str, Any]) -> Any:
    """A `BpmnWorkflowSerializer` that stores the process spec by name instead of serialising it each step."""

    class SpecByName(BpmnWorkflowConverter):
        def to_dict(self, workflow: Any) -> dict[str, Any]:
            dct = WorkflowConverter.to_dict(self, workflow)  # data, tasks, state: everything but the specs
            dct.update(spec=workflow.spec.name, subprocess_specs={},
                       subprocesses=self.mapping_to_dict(workflow.subprocesses),
                       bpmn_events=self.registry.convert(workflow.bpmn_events))
            return dct

        def from_dict(self, dct: dict[str, Any]) -> Any:
            dct["spec"] = specs[dct["spec"]]  # the registry hands a spec object back unchanged
            return super().from_dict(dct)

    config = dict(DEFAULT_CONFIG)
    config[BpmnWorkflow] = SpecByName
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


class SpiffEngine:
    """Runs whole cases through SpiffWorkflow; durable: serialise + journal append + fdatasync every step."""

    def __init__(self, label: str, workloads: list[Workload], folder: Path | None) -> None:
        self.label = label
        self.specs = {}
        for workload in workloads:
            parser = BpmnParser()
            parser.add_bpmn_file(str(BPMN / workload.bpmn))
            self.specs[workload.key] = parser.get_spec(workload.key)
        self.script_engine = PythonScriptEngine(environment=TaskDataEnvironment({"date": date, "json": json}))
        self.durable = folder is not None
        self.serializer = spiff_serializer({spec.name: spec for spec in self.specs.values()})
        self.states: dict[str, str] = {}  # case id -> its last committed JSON (as a store keeps it)
        self._journal = os.open(folder / "spiff-journal.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644) \
            if folder is not None else None
        self.started = 0

    def _persist(self, case_id: str, workflow: Any) -> None:
        text = self.serializer.serialize_json(workflow)
        os.write(self._journal, json.dumps({"case": case_id}).encode() + b"\t" + text.encode() + b"\n")
        os.fdatasync(self._journal)
        self.states[case_id] = text

    def _restore(self, case_id: str) -> Any:
        workflow = self.serializer.deserialize_json(self.states[case_id])
        workflow.script_engine = self.script_engine
        return workflow

    def run_case(self, workload: Workload, check: bool = False) -> tuple[int, Any]:
        scenario = workload.scenario(self.started)
        self.started += 1
        task_data = {action.node: action.data for action in scenario.actions if action.kind == "complete"}
        case_id = uuid.uuid4().hex
        workflow = BpmnWorkflow(self.specs[workload.key], script_engine=self.script_engine)
        workflow.get_next_task(state=TaskState.READY).data.update(workload.spiff_data(scenario))
        workflow.do_engine_steps()
        steps = 1
        if self.durable:
            self._persist(case_id, workflow)
        while not workflow.completed:
            if self.durable:
                workflow = self._restore(case_id)
            user_task = workflow.get_next_task(state=TaskState.READY, manual=True)
            user_task.data.update(task_data.get(user_task.task_spec.bpmn_id, {}))
            user_task.run()
            workflow.do_engine_steps()
            steps += 1
            if self.durable:
                self._persist(case_id, workflow)
        if self.durable:
            del self.states[case_id]  # ended: keep the dict small, the journal has it
        if check:
            workload.check_spiff(workflow)
        return steps, workflow

    def nodes_per_case(self, scenario: Workload) -> int:
        _, workflow = self.run_case(scenario, check=True)
        done = workflow.get_tasks(state=TaskState.COMPLETED)
        return sum(1 for t in done if t.task_spec.bpmn_id is not None)

    def close(self) -> None:
        if self._journal is not None:
            os.close(self._journal)


class FsyncFloor:
    """No engine: per case, one 2 KB journal append + fdatasync per step, the least any durable engine pays."""

    def __init__(self, label: str, folder: Path) -> None:
        self.label = label
        self._journal = os.open(folder / "floor-journal.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def run_case(self, workload: Workload, check: bool = False) -> tuple[int, None]:
        steps = len(workload.scenario(0).actions)  # start_case, then one completion per task
        for _ in range(steps):
            os.write(self._journal, b"x" * 2047 + b"\n")
            os.fdatasync(self._journal)
        return steps, None

    def nodes_per_case(self, scenario: Workload) -> int:
        return 0

    def close(self) -> None:
        os.close(self._journal)


# Measuring -------------------------------------------------------------------------------------------


@dataclass
class Result:
    engine: str
    steps: int
    nodes: int
    samples: list[float]  # seconds per case, one per timed batch

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def cases_per_s(self) -> float:
        return 1.0 / self.median


def measure(scenario: Workload, engines: list[Any], repeats: int, batch_seconds: float) -> list[Result]:
    """Warm up each engine, size its batch to about `batch_seconds`, then time interleaved batches."""
    info, batch = {}, {}
    for engine in engines:
        nodes = engine.nodes_per_case(scenario)  # one checked run that also counts nodes
        steps, _ = engine.run_case(scenario, check=True)
        started = time.perf_counter()
        warm = 0
        while warm < 3 or time.perf_counter() - started < batch_seconds / 2:
            engine.run_case(scenario)
            warm += 1
        per_case = (time.perf_counter() - started) / warm
        batch[engine.label] = max(1, round(batch_seconds / per_case))
        info[engine.label] = (steps, nodes)
    samples: dict[str, list[float]] = {engine.label: [] for engine in engines}
    for rep in range(repeats):
        for engine in engines[rep % len(engines):] + engines[:rep % len(engines)]:
            count = batch[engine.label]
            gc.collect()
            started = time.perf_counter()
            for _ in range(count):
                engine.run_case(scenario)
            samples[engine.label].append((time.perf_counter() - started) / count)
    return [Result(engine.label, *info[engine.label], samples[engine.label]) for engine in engines]


def engine_table(scenarios: list[Workload], customers: list[dict[str, Any]], folder: Path, repeats: int,
                 batch_seconds: float) -> dict[str, list[Result]]:
    folder.mkdir(parents=True, exist_ok=True)
    engines: list[Any] = [FlowdeskEngine("Flowdesk memory", MemoryStore(), scenarios, customers),
                          FlowdeskEngine("Flowdesk durable", TinyDBStore.open(folder / "flowdesk"), scenarios,
                                         customers)]
    if SPIFF_VERSION:
        engines.insert(1, SpiffEngine("Spiff memory", scenarios, None))
        engines.append(SpiffEngine("Spiff durable", scenarios, folder))
    engines.append(FsyncFloor(FLOOR, folder))
    results = {}
    try:
        for scenario in scenarios:
            print(f"  measuring {scenario.name} ...", file=sys.stderr, flush=True)
            results[scenario.name] = measure(scenario, engines, repeats, batch_seconds)
    finally:
        for engine in engines:
            engine.close()
    return results


# Durable cost of one step as the store grows ---------------------------------------------------------


def two_tasks() -> Bundle:
    return process("two_tasks", nodes=[start(), task("t1"), task("t2"), end()], flow="s>t1 t1>t2 t2>e")


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:20]}"


def clone_case(case: Case, items: list[WorkItem], events: list[AuditEvent]) -> tuple[Changes, str]:
    """A copy of a started case under new ids, its audit chain resealed; the changes and its open item's id."""
    renames = {case.id: _new_id("case")}
    renames |= {token.id: _new_id("tok") for token in case.tokens}
    renames |= {item.id: _new_id("item") for item in items}

    def renamed(text: str) -> str:
        for old, new in renames.items():
            text = text.replace(old, new)
        return text

    new_case = Case.model_validate_json(renamed(case.model_dump_json()))
    new_items = [WorkItem.model_validate_json(renamed(item.model_dump_json())) for item in items]
    previous, new_events = GENESIS, []
    for event in events:
        fields = json.loads(renamed(event.model_dump_json()))
        fields.update(id=_new_id("ev"), previous_hash=previous)
        fields["hash"] = previous = seal(fields, previous)
        new_events.append(AuditEvent.model_validate(fields))
    new_case.audit_head, new_case.revision = previous, 0
    return Changes(cases=[(new_case, None)], work_items=new_items, audit=new_events), new_items[0].id


def fill_store(folder: Path, cases: int) -> tuple[list[str], float]:
    """A store in `folder` with `cases` cases waiting at their first task; their open item ids, seconds taken."""
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    items = []
    with TinyDBStore.open(folder) as store:
        rt = Runtime(store)
        rt.publish(person("bench"), two_tasks())
        template = rt.start_case(person(ACTOR), "two_tasks")
        template_items = store.work_items(WorkQuery(case_id=template.id))
        template_events = store.audit_events(template.id)
        items.append(template_items[0].id)
        batch = Changes()
        for number in range(1, cases):
            one, item_id = clone_case(template, template_items, template_events)
            items.append(item_id)
            for name, docs in vars(one).items():
                getattr(batch, name).extend(docs)
            if number % 1_000 == 0 or number == cases - 1:
                store.commit(batch)
                batch = Changes()
            if number % 10_000 == 0:
                store.checkpoint()
    return items, time.perf_counter() - started


def fresh_items(folder: Path, cases: int, needed: int, keep: bool) -> tuple[list[str], float]:
    """Open items never completed in a store of `cases` cases: a kept store's (`--folder`) if it has enough."""
    record = folder / "bench-items.json"
    if keep and record.exists():
        kept = json.loads(record.read_text())
        used = set(kept["used"])
        unused = [item for item in kept["items"] if item not in used]
        if len(unused) >= min(cases, needed):
            return unused, 0.0
    items, seconds = fill_store(folder, cases)
    if keep:
        record.write_text(json.dumps({"items": items, "used": []}))
    return items, seconds


class StepStore:
    """A store of `cases` cases for timing single steps on fresh tasks; refilled when it runs out of them."""

    def __init__(self, folder: Path, cases: int, needed: int, keep: bool) -> None:
        self.folder, self.cases, self.keep = folder, cases, keep
        self.build = 0.0
        self.times: list[float] = []
        self.cpu: list[float] = []  # CPU time of the same steps: the work without waiting for the disk
        self._open(needed)

    def _open(self, needed: int) -> None:
        items, seconds = fresh_items(self.folder, self.cases, needed, self.keep)
        self.build += seconds
        self.queue = random.sample(items, min(len(items), needed))
        self.used: list[str] = []
        self.store = TinyDBStore.open(self.folder)
        self.runtime = Runtime(self.store)
        self.runtime.latest_process_version("two_tasks")  # build the runnable version before timing steps

    def step(self, remaining: int) -> None:
        """Time one `Runtime.complete` on a task no step has touched; `remaining` steps are still to come."""
        if not self.queue:
            self._close()
            self._open(remaining)
        item_id = self.queue.pop()
        gc.collect(0)
        started, cpu = time.perf_counter(), time.process_time()
        self.runtime.complete(person(ACTOR), item_id, {})
        self.times.append(time.perf_counter() - started)
        self.cpu.append(time.process_time() - cpu)
        self.used.append(item_id)

    def _close(self) -> None:
        self.store.close()
        if self.keep:
            record = self.folder / "bench-items.json"
            kept = json.loads(record.read_text())
            kept["used"] += self.used
            record.write_text(json.dumps(kept))

    def close(self) -> None:
        self._close()
        if not self.keep:
            shutil.rmtree(self.folder, ignore_errors=True)


def step_cost(sizes: list[int], samples: int, folder: Path, keep: bool) -> list[dict[str, Any]]:
    """Per size: the median (and p90, mean) time of one `Runtime.complete` on a fresh task.

    The stores are filled first, then the sizes take turns step by step, so that a slower disk for a
    while (fdatasync is most of a step) slows every size alike.
    """
    stores = []
    try:
        for size in sizes:
            print(f"  filling a store with {size:,} cases ...", file=sys.stderr, flush=True)
            stores.append(StepStore(folder / f"steps-{size}", size, samples, keep))
        print(f"  {samples} steps per store, taking turns ...", file=sys.stderr, flush=True)
        for number in range(samples):
            for store in stores:
                store.step(samples - number)
    finally:
        for store in stores:
            store.close()
    results = []
    for size, store in zip(sizes, stores, strict=True):
        times = sorted(store.times)
        results.append({"cases": size, "build s": store.build, "median": statistics.median(times),
                        "p90": times[int(len(times) * 0.9)], "mean": statistics.fmean(times), "n": len(times),
                        "cpu": statistics.median(store.cpu)})
    return results


# Profiling ------------------------------------------------------------------------------------------


def profile(scenario: Workload, customers: list[dict[str, Any]], cases: int) -> None:
    """cProfile Flowdesk in memory on `cases` cases: the top functions overall, then those in our code."""
    engine = FlowdeskEngine("Flowdesk memory", MemoryStore(), [scenario], customers)
    for _ in range(5):
        engine.run_case(scenario)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(cases):
        engine.run_case(scenario)
    profiler.disable()
    ours = re.escape(str(ROOT)) + r"/(runtime|models|codegen)/"
    for title, order, restrictions in (("all code, by own time", "tottime", (15,)),
                                       ("our code (runtime, models, codegen), by cumulative time", "cumulative",
                                        (ours, 30))):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(*restrictions)
        lines = [line.replace(str(ROOT) + "/", "") for line in out.getvalue().splitlines() if line.strip()]
        print(f"\n--- Flowdesk memory, {scenario.name}, {cases} cases: {title} ---")
        print("\n".join(lines))


# Report ---------------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(results: dict[str, list[Result]], steps: list[dict[str, Any]], elapsed: float,
           args: argparse.Namespace) -> None:
    spiff = f"SpiffWorkflow {SPIFF_VERSION}" if SPIFF_VERSION else "SpiffWorkflow not installed (Flowdesk only)"
    print(f"\nFlowdesk engine benchmark — {spiff}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print("unit: one case, started and every task completed until it ends; medians of "
          f"{args.repeats} timed batches of ~{args.batch_seconds:.2f} s per engine after warm-up")
    print("steps = transactions per case (start + one per task); nodes = node executions per case")
    print("(flow nodes a token passes; a Flowdesk join counts once per arriving branch); min-max: of the batches")
    print("memory/durable: see the module docstring; fdatasync floor: only the 2 KB append + fdatasync per step\n")
    header = (f"{'scenario':<36} {'engine':<17} {'steps':>5} {'nodes':>5} {'ms/case':>9} {'min-max ms':>15}"
              f" {'cases/s':>9} {'nodes/s':>9}")
    print(header)
    print("-" * len(header))
    for name, rows in results.items():
        for row in rows:
            spread = f"{min(row.samples) * 1e3:.2f}-{max(row.samples) * 1e3:.2f}"
            nodes, per_s = (f"{row.nodes}", f"{row.nodes * row.cases_per_s:,.0f}") if row.nodes else ("-", "-")
            print(f"{name:<36} {row.engine:<17} {row.steps:>5} {nodes:>5} {row.median * 1e3:>9.3f}"
                  f" {spread:>15} {row.cases_per_s:>9,.0f} {per_s:>9}")
        print()
    if SPIFF_VERSION:
        print(f"ratio Flowdesk / Spiff (cases/s; target >= {TARGET_RATIO:.0f}x). durable ceiling = Spiff durable / "
              f"{FLOOR}:\nthe durable ratio a Flowdesk whose steps cost nothing but their journal write would reach")
        print(f"{'scenario':<36} {'memory':>8} {'':>5} {'durable':>8} {'':>5} {'durable ceiling':>16}")
        memory_ratios, durable_ratios = [], []
        for name, rows in results.items():
            by = {row.engine: row for row in rows}
            memory = by["Flowdesk memory"].cases_per_s / by["Spiff memory"].cases_per_s
            durable = by["Flowdesk durable"].cases_per_s / by["Spiff durable"].cases_per_s
            memory_ratios.append(memory)
            durable_ratios.append(durable)
            ceiling = by["Spiff durable"].median / by[FLOOR].median
            print(f"{name:<36} {memory:>7.2f}x {verdict(memory >= TARGET_RATIO):>5} {durable:>7.2f}x"
                  f" {verdict(durable >= TARGET_RATIO):>5} {ceiling:>15.1f}x")
        gm, gd = statistics.geometric_mean(memory_ratios), statistics.geometric_mean(durable_ratios)
        print(f"{'geometric mean':<36} {gm:>7.2f}x {verdict(gm >= TARGET_RATIO):>5} {gd:>7.2f}x"
              f" {verdict(gd >= TARGET_RATIO):>5}")
    print("\ndurable cost of one Runtime.complete on a fresh task (start > task > task > end, TinyDBStore)")
    print("(wall time; cpu = median CPU time of the same steps, i.e. without waiting for the disk)")
    print(f"{'stored cases':>12} {'fill s':>7} {'steps':>6} {'median ms':>10} {'p90 ms':>8} {'mean ms':>8}"
          f" {'cpu ms':>7}")
    for row in steps:
        print(f"{row['cases']:>12,} {row['build s']:>7.1f} {row['n']:>6} {row['median'] * 1e3:>10.3f}"
              f" {row['p90'] * 1e3:>8.3f} {row['mean'] * 1e3:>8.3f} {row['cpu'] * 1e3:>7.3f}")
    if len(steps) > 1:
        first, last = steps[0], steps[-1]
        growth = last["median"] / first["median"]
        print(f"ratio {last['cases']:,} / {first['cases']:,} cases (median): {growth:.2f}"
              f"  (target <= {TARGET_GROWTH:.0f}: {verdict(growth <= TARGET_GROWTH)});"
              f" cpu: {last['cpu'] / first['cpu']:.2f}")
    print(f"\nbench took {elapsed:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, and no 100,000-case store")
    parser.add_argument("--repeats", type=int, help="timed batches per engine and scenario (default 9, quick 5)")
    parser.add_argument("--batch-seconds", type=float, default=0.25, help="length of one timed batch")
    parser.add_argument("--sizes", help="stored cases for the per-step cost (default 100,10000,100000)")
    parser.add_argument("--step-samples", type=int, default=300, help="timed steps per store size")
    parser.add_argument("--folder", type=Path, help="keep the per-step stores here and reuse them in later runs "
                        "(steps then run on cases no earlier run touched); default: a temporary folder")
    parser.add_argument("--only", help="run only scenarios whose name contains this")
    parser.add_argument("--profile", metavar="SCENARIO", help="profile Flowdesk in memory on this scenario and stop")
    args = parser.parse_args()
    args.repeats = args.repeats or (5 if args.quick else 9)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [100, 10_000] + ([] if args.quick else
                                                                                          [100_000])
    customers = sample_customers()
    scenarios = [sequence_workload(), loop_workload(), parallel_workload(), human_workload(),
                 billing_workload(customers)]
    if args.profile:
        [scenario] = [s for s in scenarios if args.profile in (s.key, s.name)]
        profile(scenario, customers, cases=200)
        return
    if args.only:
        scenarios = [s for s in scenarios if args.only in s.name or args.only in s.key]
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="flowdesk-bench-engine-"))
    try:
        results = engine_table(scenarios, customers, folder / "engines", args.repeats, args.batch_seconds)
        steps = step_cost(sizes, args.step_samples, args.folder or folder, keep=args.folder is not None) \
            if sizes else []
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(results, steps, time.perf_counter() - started, args)


if __name__ == "__main__":
    main()
