"""Test-runs of a draft before it is published, and scenarios that re-run them after every later edit.

A `TestRun` publishes the draft's bundle (and the published processes it calls
as subprocesses) into a throw-away runtime: an in-memory store and a clock that
stands still until a timer is skipped to. The owner starts a case with sample
data, completes its tasks, delivers messages and skips timers; `state` says
where the tokens are, which tasks are open, which decisions were taken, which
letters were rendered and how the case ended. Every accepted action is recorded,
so a run can be kept as a `Scenario` (its actions and the outcome they reached)
in `<data>/scenarios/<process key>.json` and replayed (`replay`) against any
later draft: passed, or failed with the reason a business owner understands.

No UI here: the editor's test-run tab (designer.pages.editor.sandbox_run) calls these.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from designer.editing.edits import is_key
from models.bundle import Bundle
from models.customers import Customer
from models.errors import FlowdeskError
from runtime.clock import ManualClock
from runtime.documents import AuditEvent, Case, CaseStatus, Job, JobKind, OutboxEntry, WorkItem
from runtime.handlers import CONNECTOR_CHANNEL, message_key
from runtime.service import PublishError, Runtime
from runtime.storage.base import Changes, WorkQuery
from runtime.storage.files import atomic_write, make_directory
from runtime.storage.memory import MemoryStore

#: Who the sandbox says did every step.
ACTOR = "test-run"
#: The longest scenario name.
MAX_NAME = 120
_MESSAGE = message_key("")
_JOB_TEXT = {JobKind.TIMER: "Waiting time", JobKind.MESSAGE_TIMEOUT: "Time-out of the wait",
             JobKind.SLA_WARNING: "SLA warning", JobKind.SLA_BREACH: "SLA breach"}


class TestRunError(FlowdeskError):
    """The test-run cannot do what was asked (draft with errors, nothing waiting, unreadable scenarios)."""

    __test__ = False  # not a pytest test class, despite the name


# What a scenario holds ---------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Action(_Model):
    """One thing the owner did in a test-run, replayable against another version of the draft.

    A start names its start node (empty: the only one); a task is named by process key and node id
    (work item ids differ on every run), with `title`, its name when recorded, for messages about it.
    """

    kind: Literal["start", "complete", "skip timer", "message"]
    process: str = ""
    node: str = ""
    title: str = ""
    message: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    checklist: list[str] = Field(default_factory=list)  # the task's checklist items ticked


class Outcome(_Model):
    """Where a test-run's case got to: ended at an end node, waiting at nodes, or stopped by an incident."""

    status: Literal["ended", "waiting", "stopped"]
    end: str = ""  # the end node reached (ended)
    nodes: list[str] = Field(default_factory=list)  # node ids the tokens wait at (waiting, stopped)
    names: list[str] = Field(default_factory=list)  # the names of `end` / `nodes` when recorded
    outcome: str = ""  # the end's outcome text
    problem: str = ""  # the incident's message (stopped)

    def describe(self) -> str:
        """What happened, e.g. "ended at 'Rejected'" or "is waiting at 'Check identity'"."""
        where = ", ".join(f"'{name}'" for name in self.names)
        if self.status == "ended":
            return f"ended at {where}"
        if self.status == "stopped":
            return f"stopped at {where}: {self.problem}"
        return f"is waiting at {where}" if where else "has not started"

    def same_as(self, other: Outcome) -> bool:
        return (self.status, self.end, sorted(self.nodes)) == (other.status, other.end, sorted(other.nodes))


class Scenario(_Model):
    """A saved test-run: sample customer, start moment, the actions taken and the outcome they reached."""

    name: str = Field(min_length=1, max_length=MAX_NAME)
    started_at: datetime
    customer: dict[str, Any] | None = None
    actions: list[Action]
    expected: Outcome


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario replayed against a draft: passed, or failed with the reason."""

    scenario: Scenario
    passed: bool
    reason: str


# What a test-run shows ---------------------------------------------------------------------


@dataclass(frozen=True)
class Timer:
    """A pending timer of the sandbox: when it is due and what it is for."""

    due_at: datetime
    what: str


@dataclass(frozen=True)
class RunState:
    """Everything the test-run tab shows after each action."""

    now: datetime
    case: Case | None
    token_nodes: list[str]  # nodes of the draft's flow holding a token
    open_tasks: list[WorkItem]  # in every case of the run (subprocesses too)
    waiting_messages: list[str]
    decisions: list[AuditEvent]
    letters: list[OutboxEntry]
    timers: list[Timer]
    incidents: list[str]
    outcome: Outcome


class TestRun:
    """A draft running in a sandbox; every accepted action is kept in `actions`.

    :param bundle: the draft's bundle (must have no errors)
    :param called: published processes by key; those the draft calls (directly or not) are published too
    :param customer: the sample customer the case is for (letters go to their address)
    :param start: the sandbox clock's start moment (timezone-aware)
    """

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, bundle: Bundle, called: Mapping[str, Bundle], customer: Customer | None,
                 start: datetime) -> None:
        self.bundle = bundle
        self.customer = customer
        self.started_at = start
        self.clock = ManualClock(start)
        self.runtime = Runtime(MemoryStore(), clock=self.clock)
        self.actions: list[Action] = []
        self.case_id: str | None = None
        if customer is not None:
            self.runtime.store.commit(Changes(customers=[customer]))
        for dependency in _called_processes(bundle, called):
            self._publish(dependency)
        self._publish(bundle)

    def _publish(self, bundle: Bundle) -> None:
        try:
            self.runtime.publish(bundle, author=ACTOR)
        except PublishError as error:
            which = "the draft" if bundle.key == self.bundle.key else f"the called process '{bundle.key}'"
            raise TestRunError(f"{which} has errors; fix them first: "
                               + "; ".join(f.message for f in error.findings)) from None

    # Actions.

    def start(self, data: Mapping[str, Any], start_node: str | None = None) -> Case:
        """Start the case with the start data typed in."""
        if self.case_id is not None:
            raise TestRunError("this test-run has started already; start a new one")
        case = self.runtime.start_case(self.bundle.key, data, actor=ACTOR, start_node=start_node,
                                       customer_id=self.customer.id if self.customer else None)
        self.case_id = case.id
        self.actions.append(Action(kind="start", node=start_node or "", data=dict(data)))
        return case

    def complete(self, item_id: str, data: Mapping[str, Any], checklist: Iterable[str] = ()) -> None:
        """Complete an open task with the data typed in and the checklist items ticked."""
        item = self.runtime.store.work_item(item_id)
        ticked = sorted(set(checklist))
        self.runtime.complete(item_id, data, actor=ACTOR, checklist=ticked)
        self.actions.append(Action(kind="complete", process=item.process_key, node=item.node, title=item.title,
                                   data=dict(data), checklist=ticked))

    def skip_to_next_timer(self) -> Timer:
        """Move the clock to the next pending timer (or SLA deadline) and fire what is due then."""
        timers = self._pending_jobs()
        if not timers:
            raise TestRunError("no timer is waiting")
        job = timers[0]
        if job.due_at > self.clock.now():
            self.clock.set(job.due_at)
        self.runtime.fire_due_jobs()
        self.actions.append(Action(kind="skip timer"))
        return self._timer(job)

    def send_message(self, message: str, data: Mapping[str, Any] | None = None) -> None:
        """Deliver a message (e.g. the customer's reply) to the case waiting for it."""
        case = next((c for c in self._cases() if any(t.waiting_for == message_key(message) for t in c.tokens)),
                    None)
        if case is None:
            raise TestRunError(f"nothing is waiting for message '{message}'")
        self.runtime.send_message(case.id, message, data or {}, actor=ACTOR)
        self.actions.append(Action(kind="message", message=message, data=dict(data or {})))

    def apply(self, action: Action) -> None:
        """Do a recorded action again; TestRunError (or the runtime's error) says why it cannot be done."""
        if action.kind == "start":
            self.start(action.data, action.node or None)
        elif action.kind == "complete":
            self.complete(self._open_item(action).id, action.data, action.checklist)
        elif action.kind == "skip timer":
            self.skip_to_next_timer()
        else:
            self.send_message(action.message, action.data)

    def _open_item(self, action: Action) -> WorkItem:
        bundle = self.bundle_of(action.process)
        node = bundle.find_node(action.node) if bundle else None
        if node is None or node.kind != "task":
            raise TestRunError(f"task '{action.title}' no longer exists")
        item = next((i for i in self._open_items() if (i.process_key, i.node) == (action.process, action.node)),
                    None)
        if item is None:
            raise TestRunError(f"task '{node.display}' was not open; the case {self.state().outcome.describe()}")
        return item

    # What is where.

    def state(self) -> RunState:
        store = self.runtime.store
        cases = self._cases()
        case = store.case(self.case_id) if self.case_id else None
        events = [e for c in cases for e in store.audit_events(c.id)]
        return RunState(
            now=self.clock.now(),
            case=case,
            token_nodes=sorted({t.node for t in case.tokens}) if case else [],
            open_tasks=self._open_items(),
            waiting_messages=sorted({t.waiting_for.removeprefix(_MESSAGE) for c in cases for t in c.tokens
                                     if t.waiting_for and t.waiting_for.startswith(_MESSAGE)}),
            decisions=sorted((e for e in events if e.kind == "decision"), key=lambda e: (e.at, e.seq)),
            letters=[entry for c in cases for entry in store.outbox(case_id=c.id)
                     if entry.channel != CONNECTOR_CHANNEL],
            timers=[self._timer(job) for job in self._pending_jobs()],
            incidents=[f"'{self._node_name(c.process_key, i.node)}': {i.message}" for c in cases
                       for i in c.incidents],
            outcome=self.outcome(),
        )

    def outcome(self) -> Outcome:
        """Where the draft's case is now (its subprocesses count only through the node that waits for them)."""
        if self.case_id is None:
            return Outcome(status="waiting")
        case = self.runtime.store.case(self.case_id)
        if case.status is CaseStatus.COMPLETED:
            end = next(e.node for e in reversed(self.runtime.store.audit_events(case.id)) if e.kind == "end reached")
            return Outcome(status="ended", end=end, names=[self._node_name(case.process_key, end)],
                           outcome=case.outcome or "")
        stopped = [(c, i) for c in self._cases() for i in c.incidents]
        if stopped:
            incident_case, incident = stopped[0]
            return Outcome(status="stopped", nodes=[incident.node], problem=incident.message,
                           names=[self._node_name(incident_case.process_key, incident.node)])
        nodes = sorted({t.node for t in case.tokens})
        return Outcome(status="waiting", nodes=nodes, names=[self._node_name(case.process_key, n) for n in nodes])

    def scenario(self, name: str) -> Scenario:
        """This run so far as a scenario named `name`, expecting the outcome it reached."""
        if not name.strip():
            raise TestRunError("give the scenario a name")
        if len(name.strip()) > MAX_NAME:
            raise TestRunError(f"a scenario name has at most {MAX_NAME} characters")
        if not self.actions:
            raise TestRunError("start the test-run first; a scenario replays what was done in it")
        return Scenario(name=name.strip(), started_at=self.started_at, actions=list(self.actions),
                        customer=self.customer.model_dump(mode="json") if self.customer else None,
                        expected=self.outcome())

    # Helpers.

    def _cases(self) -> list[Case]:
        return self.runtime.store.cases()

    def _open_items(self) -> list[WorkItem]:
        return self.runtime.store.work_items(WorkQuery(limit=1000))

    def _pending_jobs(self) -> list[Job]:
        jobs = [j for c in self._cases() for j in self.runtime.store.case_jobs(c.id) if not j.done]
        return sorted(jobs, key=lambda j: j.due_at)

    def _timer(self, job: Job) -> Timer:
        case = self.runtime.store.case(job.case_id)
        if job.work_item:
            node = self.runtime.store.work_item(job.work_item).node
        else:
            node = next((t.node for t in case.tokens if t.id == job.token), "")
        where = f" at '{self._node_name(case.process_key, node)}'" if node else " of the case"
        return Timer(due_at=job.due_at, what=_JOB_TEXT[job.kind] + where)

    def bundle_of(self, process_key: str) -> Bundle | None:
        """The sandbox's bundle of the draft or of a process it calls."""
        version = self.runtime.latest_process_version(process_key)
        return version.bundle if version else None

    def _node_name(self, process_key: str, node_id: str) -> str:
        bundle = self.bundle_of(process_key)
        node = bundle.find_node(node_id) if bundle else None
        return node.display if node else node_id


def _called_processes(bundle: Bundle, known: Mapping[str, Bundle]) -> list[Bundle]:
    """The processes `bundle` calls, directly or through others, each after the ones it calls itself."""
    ordered: list[Bundle] = []
    seen = {bundle.key}

    def visit(caller: Bundle) -> None:
        for node in caller.nodes:
            key = getattr(node, "process", None) if node.kind == "subprocess" else None
            if key is None or key in seen:
                continue
            seen.add(key)
            if key not in known:
                raise TestRunError(f"'{node.display}' calls process '{key}', which is not published")
            visit(known[key])
            ordered.append(known[key])

    visit(bundle)
    return ordered


def start_form(bundle: Bundle, start_node: str | None = None) -> str | None:
    """The form of the (given, else the only) start node, if it has one."""
    starts = [n for n in bundle.nodes if n.kind == "start" and start_node in (None, n.id)]
    return getattr(starts[0], "form", None) if len(starts) == 1 else None


# Replaying ---------------------------------------------------------------------------------


def replay(scenario: Scenario, bundle: Bundle, called: Mapping[str, Bundle]) -> ScenarioResult:
    """Run the scenario's actions against `bundle`; passed when it reaches the same outcome."""
    try:
        customer = Customer.model_validate(scenario.customer) if scenario.customer else None
        run = TestRun(bundle, called, customer, scenario.started_at)
    except (FlowdeskError, ValidationError) as error:
        return ScenarioResult(scenario, False, f"cannot run: {error}")
    for number, action in enumerate(scenario.actions, start=1):
        try:
            run.apply(action)
        except FlowdeskError as error:
            return ScenarioResult(scenario, False, f"step {number} ({_action_text(action)}): {error}")
    actual = run.outcome()
    if actual.same_as(scenario.expected):
        return ScenarioResult(scenario, True, actual.describe())
    return ScenarioResult(scenario, False, _difference(actual, scenario.expected))


def _action_text(action: Action) -> str:
    if action.kind == "complete":
        return f"complete task '{action.title}'"
    if action.kind == "message":
        return f"message '{action.message}'"
    return action.kind


def _difference(actual: Outcome, expected: Outcome) -> str:
    """E.g. "ended at 'Rejected' instead of 'Approved'"; "is waiting at 'Check' instead of ending at 'Approved'"."""
    wanted = ", ".join(f"'{name}'" for name in expected.names)
    if actual.status == expected.status == "ended":
        return f"{actual.describe()} instead of {wanted}"
    if expected.status == "ended":
        return f"{actual.describe()} instead of ending at {wanted}"
    if expected.status == "stopped":
        return f"{actual.describe()} instead of stopping at {wanted}"
    return f"{actual.describe()} instead of waiting at {wanted}"


# Keeping scenarios -------------------------------------------------------------------------


class ScenarioFolder:
    """Scenarios kept per process as `<folder>/<process key>.json`, rewritten atomically on every change.

    A file that cannot be read is never overwritten: loading and saving it raise TestRunError naming it.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        if not is_key(key):
            raise TestRunError(f"'{key}' is not a process key")
        return self.folder / f"{key}.json"

    def load(self, key: str) -> list[Scenario]:
        path = self.path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as error:
            raise TestRunError(f"cannot read the scenarios in {path}: {error}") from None
        try:
            return [Scenario.model_validate(s) for s in data["scenarios"]]
        except (KeyError, TypeError, ValidationError) as error:
            raise TestRunError(f"the scenarios in {path} are not in the expected shape: {error}") from None

    def save(self, key: str, scenario: Scenario) -> None:
        """Add the scenario, replacing one with the same name."""
        scenarios = [s for s in self.load(key) if s.name != scenario.name] + [scenario]
        self._write(key, scenarios)

    def delete(self, key: str, name: str) -> None:
        self._write(key, [s for s in self.load(key) if s.name != name])

    def _write(self, key: str, scenarios: list[Scenario]) -> None:
        path = self.path(key)
        make_directory(self.folder)
        text = json.dumps({"scenarios": [s.model_dump(mode="json") for s in scenarios]}, indent=1,
                          ensure_ascii=False)
        atomic_write(path, text.encode())
