"""One class per engine that runs whole cases of a scenario; all answer `run_case` and `nodes_per_case`.

- `FlowdeskEngine` memory: `Runtime` on `MemoryStore`; a case is `start_case` plus one
  `Runtime.complete` per task, the open task found through the worklist (`store.work_items`).
  Every step is a full transaction (audit events with their hash chain, SLA jobs, outbox
  entries), as in production. Durable: the same on `TinyDBStore` in a temporary folder (one
  journal append + fdatasync per step; checkpoints when they fall due).
- `SpiffEngine` memory: `BpmnWorkflow` on the parsed spec (parsed once, like publishing), start
  data on the start task, `do_engine_steps`, each user task found with
  `get_next_task(state=READY, manual=True)`, its data set and `run()`, then `do_engine_steps`
  again. The workflow object stays in memory. Durable: after every step the workflow is
  serialised with `BpmnWorkflowSerializer` (the process spec kept once by name, as SpiffArena
  keeps process definitions apart), appended as one line to a journal file and fdatasynced, and
  before every task completion it is restored from the stored JSON (Flowdesk too reads its case
  back from the store at every step).
- `FsyncFloor`: no engine, just the journal write every durable step needs (a 2 KB append +
  fdatasync per step). Spiff durable / floor is the best durable ratio any Flowdesk could reach
  on this disk.

A *node execution* is one flow node a token passes (a start, an automatic or script task, a
gateway, a task created, an end); a parallel join counts once per arriving branch in Flowdesk.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bench.engine.scenarios import BPMN, Scenario
from models.customers import Customer
from runtime import handlers
from runtime.documents import Case, CaseStatus
from runtime.service import Runtime
from runtime.storage.base import Changes, Store, WorkQuery
from tests.people import person

try:
    from importlib.metadata import version as _dist_version

    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
    from SpiffWorkflow.bpmn.serializer import DEFAULT_CONFIG, BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
    from SpiffWorkflow.util.task import TaskState

    SPIFF_VERSION: str | None = _dist_version("SpiffWorkflow")
except ImportError:  # the Flowdesk half still runs
    SPIFF_VERSION = None

ACTOR = "bench-agent"


class FlowdeskEngine:
    """Runs whole cases through `Runtime` on one store."""

    def __init__(self, label: str, store: Store, scenarios: list[Scenario], customers: list[dict[str, Any]]) -> None:
        self.label = label
        self.store = store
        self.runtime = Runtime(store)
        self.agent = person(ACTOR)
        store.commit(Changes(customers=[Customer.model_validate(c) for c in customers]))
        for scenario in scenarios:
            self.runtime.publish(person("bench"), scenario.bundle)
        self.checklists = {scenario.key: {node.id: [c.id for c in node.checklist] for node in scenario.bundle.nodes
                                          if node.kind == "task"} for scenario in scenarios}
        self.started = 0

    def run_case(self, scenario: Scenario, check: bool = False) -> tuple[int, Case]:
        """Start a case and complete its tasks until it ends; the number of steps (transactions)."""
        rt, number = self.runtime, self.started
        self.started += 1
        case = rt.start_case(self.agent, scenario.key, scenario.start_data(number),
                             customer_id=scenario.customer(number))
        steps = 1
        checklists = self.checklists[scenario.key]
        while case.status is CaseStatus.ACTIVE:
            [item] = rt.store.work_items(WorkQuery(case_id=case.id))
            case = rt.complete(self.agent, item.id, scenario.task_data.get(item.node, {}),
                               checklist=checklists[item.node])  # the agent ticks the whole checklist
            steps += 1
        if check:
            scenario.check_flowdesk(rt, case)
        return steps, case

    def nodes_per_case(self, scenario: Scenario) -> int:
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

    def __init__(self, label: str, scenarios: list[Scenario], folder: Path | None) -> None:
        self.label = label
        self.specs = {}
        for scenario in scenarios:
            parser = BpmnParser()
            parser.add_bpmn_file(str(BPMN / scenario.bpmn))
            self.specs[scenario.key] = parser.get_spec(scenario.key)
        self.script_engine = PythonScriptEngine(environment=TaskDataEnvironment({"date": date, "json": json}))
        self.durable = folder is not None
        self.serializer = spiff_serializer({spec.name: spec for spec in self.specs.values()})
        self.states: dict[str, str] = {}  # case id -> its last committed JSON (as a store keeps it)
        self._journal = os.open(folder / "spiff-journal.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644) \
            if folder is not None else None
        self.started = 0

    def _persist(self, case_id: str, workflow: Any) -> None:
        assert self._journal is not None
        text = self.serializer.serialize_json(workflow)
        os.write(self._journal, json.dumps({"case": case_id}).encode() + b"\t" + text.encode() + b"\n")
        os.fdatasync(self._journal)
        self.states[case_id] = text

    def _restore(self, case_id: str) -> Any:
        workflow = self.serializer.deserialize_json(self.states[case_id])
        workflow.script_engine = self.script_engine
        return workflow

    def run_case(self, scenario: Scenario, check: bool = False) -> tuple[int, Any]:
        number = self.started
        self.started += 1
        case_id = uuid.uuid4().hex
        workflow = BpmnWorkflow(self.specs[scenario.key], script_engine=self.script_engine)
        workflow.get_next_task(state=TaskState.READY).data.update(scenario.spiff_data(number))
        workflow.do_engine_steps()
        steps = 1
        if self.durable:
            self._persist(case_id, workflow)
        while not workflow.completed:
            if self.durable:
                workflow = self._restore(case_id)
            user_task = workflow.get_next_task(state=TaskState.READY, manual=True)
            user_task.data.update(scenario.task_data.get(user_task.task_spec.bpmn_id, {}))
            user_task.run()
            workflow.do_engine_steps()
            steps += 1
            if self.durable:
                self._persist(case_id, workflow)
        if self.durable:
            del self.states[case_id]  # ended: keep the dict small, the journal has it
        if check:
            scenario.check_spiff(workflow)
        return steps, workflow

    def nodes_per_case(self, scenario: Scenario) -> int:
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

    def run_case(self, scenario: Scenario, check: bool = False) -> tuple[int, None]:
        steps = 1 + len(scenario.task_data)  # start_case, then one completion per task
        for _ in range(steps):
            os.write(self._journal, b"x" * 2047 + b"\n")
            os.fdatasync(self._journal)
        return steps, None

    def nodes_per_case(self, scenario: Scenario) -> int:
        return 0

    def close(self) -> None:
        os.close(self._journal)
