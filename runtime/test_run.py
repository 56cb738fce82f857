"""Scenarios, and test-runs of a draft in a sandbox before it is published.

A `Scenario` is what someone did with a case, as data: the sample customer,
the actions (start with data, complete a task, deliver a message, skip to the
next timer, let time pass) and the outcome they reached. It is the one
scenario type of Flowdesk: the designer's test-run saves and replays it, the
example tests drive the examples with it, the engine bench runs it.

`ScenarioRun` plays actions on any runtime as a given user, keeping each
accepted action. `TestRun` is a `ScenarioRun` in a sandbox: an in-memory store
and a clock that stands still until a timer is skipped to, into which the
draft (and the published processes it calls) are published, acting as the
system user "test-run". `TestRuns` holds the use cases (start a test-run,
replay saved scenarios against a draft), allowed to whoever may test-run.
`state` says where the tokens are, which tasks are open, which decisions were
taken, which letters were rendered and how the case ended; `replay` runs a
saved scenario against a later draft: passed, or failed with the reason a
business owner understands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.bundle import Bundle
from models.customers import Customer
from models.errors import FlowdeskError
from models.phrases import Phrase, kept_phrase, phrase_of
from runtime.access import UseCase, require, system_user
from runtime.clock import ManualClock
from runtime.documents import AuditEvent, Case, CaseStatus, Job, JobKind, OutboxEntry, User, WorkItem
from runtime.errors import NotFound
from runtime.handlers import CONNECTOR_CHANNEL, message_key
from runtime.process_version import ProcessVersion
from runtime.service import PublishError, Runtime
from runtime.storage.base import Changes, WorkQuery
from runtime.storage.memory import MemoryStore
from runtime.views.cases import incident_phrase

#: Who the sandbox says did every step.
TEST_RUN_USER = system_user("test-run")
#: The longest scenario name.
MAX_NAME = 120
#: The most actions a scenario may hold (a test-run is done by hand; this bounds a stored one).
MAX_ACTIONS = 1000
_MESSAGE = message_key("")
_CASE = "case:"
_JOB_TEXT = {JobKind.TIMER: "Waiting time", JobKind.MESSAGE_TIMEOUT: "Time-out of the wait",
             JobKind.SLA_WARNING: "SLA warning", JobKind.SLA_BREACH: "SLA breach"}


class TestRunError(FlowdeskError):
    """The test-run cannot do what was asked (draft with errors, nothing waiting, no such task)."""

    __test__ = False  # not a pytest test class, despite the name


# What a scenario holds ---------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Action(_Model):
    """One thing done to a case, replayable against another version of its process.

    A start names its process (empty: the draft's) and start node (empty: the only one); a task is named by
    process key and node id (work item ids differ on every run), with `title`, its name when recorded, for
    messages about it. A wait lets `wait` pass; a skip moves the clock to the next timer.
    """

    kind: Literal["start", "complete", "skip timer", "wait", "message"]
    process: str = ""
    node: str = ""
    title: str = ""
    message: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    checklist: list[str] = Field(default_factory=list)  # the task's checklist items ticked
    wait: timedelta | None = None

    def describe(self) -> str:
        """E.g. "complete task 'Check identity'", for messages about this action."""
        return str(self.phrase())

    def phrase(self) -> Phrase:
        """`describe`, phrased for a page to say in its reader's language."""
        if self.kind == "complete":
            return Phrase("complete task '{task}'", task=self.title or self.node)
        if self.kind == "message":
            return Phrase("message '{message}'", message=self.message)
        if self.kind == "wait":
            return Phrase("wait {duration}", duration=str(self.wait))
        return Phrase("start") if self.kind == "start" else Phrase("skip timer")


class Outcome(_Model):
    """Where a case got to: ended at an end node, waiting at nodes, or stopped by an incident."""

    status: Literal["ended", "waiting", "stopped"]
    end: str = ""  # the end node reached (ended)
    nodes: list[str] = Field(default_factory=list)  # node ids the tokens wait at (waiting, stopped)
    names: list[str] = Field(default_factory=list)  # the names of `end` / `nodes` when recorded
    outcome: str = ""  # the end's outcome text
    problem: str = ""  # the incident's message (stopped)
    problem_said: dict[str, Any] | None = None  # `problem` as the engine phrased it (`Incident.said`), if it did

    def describe(self) -> str:
        """What happened, e.g. "ended at 'Rejected'" or "is waiting at 'Check identity'"."""
        return str(self.phrase())

    def phrase(self) -> Phrase:
        """What happened, phrased for a page to say in its reader's language."""
        where = [f"'{name}'" for name in self.names or self.nodes or [self.end]]
        if self.status == "ended":
            return Phrase("ended at {where}", where=where)
        if self.status == "stopped":
            return Phrase("stopped at {where}: {problem}", where=where,
                          problem=kept_phrase(self.problem_said, self.problem))
        return Phrase("is waiting at {where}", where=where) if self.nodes else Phrase("has not started")

    def same_as(self, other: Outcome) -> bool:
        return (self.status, self.end, sorted(self.nodes)) == (other.status, other.end, sorted(other.nodes))


class Scenario(_Model):
    """A case's story as data: sample customer, start moment, the actions taken and the outcome they reached.

    `customer` is the whole customer record (a sandbox stores it; a runtime that has the customer uses its id);
    `started_at` is where a sandbox's clock starts (None: wherever the runtime's clock stands).
    """

    name: str = Field(min_length=1, max_length=MAX_NAME)
    started_at: datetime | None = None
    customer: dict[str, Any] | None = None
    actions: list[Action] = Field(max_length=MAX_ACTIONS)
    expected: Outcome

    @property
    def customer_id(self) -> str | None:
        return str(self.customer["id"]) if self.customer and "id" in self.customer else None


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario replayed against a draft: passed, or failed with the reason."""

    scenario: Scenario
    passed: bool
    reason: Phrase | str  # English as `str(reason)`; a page says the phrase in its reader's language


# Playing actions on a runtime --------------------------------------------------------------


@dataclass(frozen=True)
class Timer:
    """A pending timer: when it is due and what it is for."""

    due_at: datetime
    what: str


class ScenarioRun:
    """Actions done to one case (and the subprocess cases it runs) on `runtime`, as `user`.

    Every accepted action is kept in `actions`. Moving time (`skip_to_next_timer`, `wait`) needs a runtime
    whose clock is a `ManualClock`.
    """

    def __init__(self, runtime: Runtime, user: User) -> None:
        self.runtime = runtime
        self.user = user
        self.actions: list[Action] = []
        self.case_id: str | None = None

    # Actions.

    def start(self, process: str, data: Mapping[str, Any], start_node: str | None = None,
              customer_id: str | None = None) -> Case:
        """Start the case with the start data typed in."""
        if self.case_id is not None:
            raise TestRunError(Phrase("this run has started already; start a new one"))
        case = self.runtime.start_case(self.user, process, data, start_node=start_node, customer_id=customer_id)
        self.case_id = case.id
        self.actions.append(Action(kind="start", process=process, node=start_node or "", data=dict(data)))
        return case

    def complete(self, item_id: str, data: Mapping[str, Any], checklist: Iterable[str] = ()) -> None:
        """Complete an open task with the data typed in and the checklist items ticked."""
        self._complete(self.runtime.store.work_item(item_id), data, checklist)

    def _complete(self, item: WorkItem, data: Mapping[str, Any], checklist: Iterable[str]) -> None:
        ticked = sorted(set(checklist))
        self.runtime.complete(self.user, item.id, data, checklist=ticked)
        self.actions.append(Action(kind="complete", process=item.process_key, node=item.node, title=item.title,
                                   data=dict(data), checklist=ticked))

    def skip_to_next_timer(self) -> Timer:
        """Move the clock to the next pending timer (or SLA deadline) and fire what is due then."""
        jobs = self.pending_jobs()
        if not jobs:
            raise TestRunError(Phrase("no timer is waiting"))
        job = jobs[0]
        if job.due_at > self._clock().now():
            self._clock().set(job.due_at)
        self.runtime.fire_due_jobs()
        self.actions.append(Action(kind="skip timer"))
        return self._timer(job)

    def wait(self, duration: timedelta) -> None:
        """Let `duration` pass and fire what fell due."""
        if duration <= timedelta(0):
            raise TestRunError(Phrase("a wait must let some time pass"))
        self._clock().advance(duration)
        self.runtime.fire_due_jobs()
        self.actions.append(Action(kind="wait", wait=duration))

    def send_message(self, message: str, data: Mapping[str, Any] | None = None) -> None:
        """Deliver a message (e.g. the customer's reply) to the case waiting for it."""
        waiting = next((c for c in self.cases() if any(t.waiting_for == message_key(message) for t in c.tokens)),
                       None)
        if waiting is None:
            raise TestRunError(Phrase("nothing is waiting for message '{message}'", message=message))
        self.runtime.send_message(self.user, waiting.id, message, data or {})
        self.actions.append(Action(kind="message", message=message, data=dict(data or {})))

    def apply(self, action: Action, customer_id: str | None = None) -> None:
        """Do a recorded action again; TestRunError (or the runtime's error) says why it cannot be done."""
        if action.kind == "start":
            self.start(action.process or self.default_process(), action.data, action.node or None, customer_id)
        elif action.kind == "complete":
            self._complete(self._open_item(action), action.data, action.checklist)
        elif action.kind == "skip timer":
            self.skip_to_next_timer()
        elif action.kind == "wait":
            self.wait(action.wait or timedelta(0))
        else:
            self.send_message(action.message, action.data)

    def play(self, scenario: Scenario) -> Outcome:
        """Do every action of `scenario` (its customer's id for the start); the outcome reached."""
        for number, action in enumerate(scenario.actions, start=1):
            try:
                self.apply(action, scenario.customer_id)
            except FlowdeskError as error:
                raise TestRunError(Phrase("step {number} ({action}): {problem}", number=number, action=action.phrase(),
                                          problem=phrase_of(error))) from None
        return self.outcome()

    def default_process(self) -> str:
        """The process a start without one starts."""
        raise TestRunError(Phrase("the start does not say which process to start"))

    # What is where.

    def cases(self) -> list[Case]:
        """The case and the subprocess cases it waits for (and theirs)."""
        if self.case_id is None:
            return []
        found = [self.runtime.store.case(self.case_id)]
        for case in found:
            found += [self.runtime.store.case(t.waiting_for.removeprefix(_CASE)) for t in case.tokens
                      if t.waiting_for and t.waiting_for.startswith(_CASE)]
        return found

    def open_items(self) -> list[WorkItem]:
        return self._open_items(self.cases())

    def _open_items(self, cases: list[Case]) -> list[WorkItem]:
        return [item for case in cases for item in self.runtime.store.work_items(WorkQuery(case_id=case.id))]

    def pending_jobs(self) -> list[Job]:
        jobs = [j for c in self.cases() for j in self.runtime.store.case_jobs(c.id) if not j.done]
        return sorted(jobs, key=lambda j: j.due_at)

    def outcome(self) -> Outcome:
        """Where the case is now (its subprocesses count only through the node that waits for them)."""
        if self.case_id is None:
            return Outcome(status="waiting")
        case = self.runtime.store.case(self.case_id)
        if case.status is CaseStatus.COMPLETED:
            end = next(e.node for e in reversed(self.runtime.store.audit_events(case.id)) if e.kind == "end reached")
            return Outcome(status="ended", end=end or "", names=[self._node_name(case.process_key, end or "")],
                           outcome=case.outcome or "")
        stopped = [(c, i) for c in self.cases() for i in c.incidents]
        if stopped:
            incident_case, incident = stopped[0]
            return Outcome(status="stopped", nodes=[incident.node], problem=incident.message,
                           problem_said=incident.said,
                           names=[self._node_name(incident_case.process_key, incident.node)])
        nodes = sorted({t.node for t in case.tokens})
        return Outcome(status="waiting", nodes=nodes, names=[self._node_name(case.process_key, n) for n in nodes])

    def version_of(self, case: Case) -> ProcessVersion:
        return self.runtime.process_version(case.version_hash)

    # Helpers.

    def _clock(self) -> ManualClock:
        clock = self.runtime.clock
        if not isinstance(clock, ManualClock):
            raise TestRunError(Phrase("time can only be moved on a runtime whose clock stands still"))
        return clock

    def _open_item(self, action: Action) -> WorkItem:
        cases = self.cases()
        version = next((self.version_of(c) for c in cases if c.process_key == action.process), None)
        node = version.nodes.get(action.node) if version else None
        if version is not None and (node is None or node.kind != "task"):
            raise TestRunError(Phrase("task '{task}' no longer exists", task=action.title or action.node))
        item = next((i for i in self._open_items(cases) if (i.process_key, i.node) == (action.process, action.node)),
                    None)
        if item is None:
            raise TestRunError(Phrase("task '{task}' was not open; the case {state}",
                                      task=node.display if node else action.title or action.node,
                                      state=self.outcome().phrase()))
        return item

    def _timer(self, job: Job) -> Timer:
        case = self.runtime.store.case(job.case_id)
        if job.work_item:
            node = self.runtime.store.work_item(job.work_item).node
        else:
            node = next((t.node for t in case.tokens if t.id == job.token), "")
        where = f" at '{self._node_name(case.process_key, node, case)}'" if node else " of the case"
        return Timer(due_at=job.due_at, what=_JOB_TEXT[job.kind] + where)

    def _node_name(self, process_key: str, node_id: str, case: Case | None = None) -> str:
        version = self.version_of(case) if case else self.runtime.latest_process_version(process_key)
        node = version.nodes.get(node_id) if version else None
        return node.display if node else node_id


# The sandbox -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenTask:
    """An open task of the test-run, with what its form needs: its process version and the case's data."""

    item: WorkItem
    version: ProcessVersion
    data: dict[str, Any]


@dataclass(frozen=True)
class RunState:
    """Everything the test-run tab shows after each action."""

    now: datetime
    case: Case | None
    token_nodes: list[str]  # nodes of the draft's flow holding a token
    open_tasks: list[OpenTask]  # in every case of the run (subprocesses too)
    waiting_messages: list[str]
    decisions: list[AuditEvent]  # what each decision and each step's decision table decided, in order
    letters: list[OutboxEntry]
    timers: list[Timer]
    incidents: list[Phrase]  # where each incident stopped a case, and why
    outcome: Outcome
    timezone: str  # where the sandbox's business calendar counts working days (`now` and due times are UTC)


class TestRun(ScenarioRun):
    """A draft running in a sandbox of its own (memory store, clock standing still) as `TEST_RUN_USER`.

    :param bundle: the draft's bundle (must have no errors)
    :param called: published processes by key; those the draft calls (directly or not) are published too
    :param customer: the sample customer the case is for (letters go to their address)
    :param start: the sandbox clock's start moment (timezone-aware)
    """

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, bundle: Bundle, called: Mapping[str, Bundle], customer: Customer | None,
                 start: datetime) -> None:
        super().__init__(Runtime(MemoryStore(), clock=ManualClock(start)), TEST_RUN_USER)
        self.bundle = bundle
        self.customer = customer
        self.started_at = start
        if customer is not None:
            self.runtime.store.commit(Changes(customers=[customer]))
        for dependency in _called_processes(bundle, called):
            self._publish(dependency)
        self._publish(bundle)

    def _publish(self, bundle: Bundle) -> None:
        try:
            self.runtime.publish(self.user, bundle, note="test-run")
        except PublishError as error:
            problems = reduce(lambda some, last: Phrase("{some}; {last}", some=some, last=last),
                              [finding.phrased_message for finding in error.findings])
            raise TestRunError(Phrase("the draft has errors; fix them first: {problems}", problems=problems)
                               if bundle.key == self.bundle.key else
                               Phrase("the called process '{process}' has errors; fix them first: {problems}",
                                      process=bundle.key, problems=problems)) from None

    def begin(self, data: Mapping[str, Any], start_node: str | None = None) -> Case:
        """Start the draft's case for the sample customer."""
        return self.start(self.bundle.key, data, start_node, self.customer.id if self.customer else None)

    def default_process(self) -> str:
        return self.bundle.key

    def cases(self) -> list[Case]:
        """Every case of the sandbox: the draft's and its subprocess cases, finished ones too."""
        return self.runtime.store.cases()

    def state(self) -> RunState:
        store = self.runtime.store
        cases = self.cases()
        case = store.case(self.case_id) if self.case_id else None
        events = [e for c in cases for e in store.audit_events(c.id)]
        by_id = {c.id: c for c in cases}
        versions = {c.id: self.version_of(c) for c in cases}
        return RunState(
            now=self._clock().now(),
            case=case,
            token_nodes=sorted({t.node for t in case.tokens}) if case else [],
            open_tasks=[OpenTask(item, versions[item.case_id],
                                 versions[item.case_id].data_read(by_id[item.case_id].data))
                        for item in self.open_items()],
            waiting_messages=sorted({t.waiting_for.removeprefix(_MESSAGE) for c in cases for t in c.tokens
                                     if t.waiting_for and t.waiting_for.startswith(_MESSAGE)}),
            decisions=sorted((e for e in events if e.kind == "decision" or "decision_table" in e.details),
                             key=lambda e: (e.at, e.seq)),
            letters=[entry for c in cases for entry in store.outbox(case_id=c.id)
                     if entry.channel != CONNECTOR_CHANNEL],
            timers=[self._timer(job) for job in self.pending_jobs()],
            incidents=[Phrase("'{step}': {problem}", step=self._node_name(c.process_key, i.node, c),
                              problem=incident_phrase(i)) for c in cases for i in c.incidents],
            outcome=self.outcome(),
            timezone=self.runtime.calendar.timezone,
        )

    def scenario(self, name: str) -> Scenario:
        """This run so far as a scenario named `name`, expecting the outcome it reached."""
        if not name.strip():
            raise TestRunError(Phrase("give the scenario a name"))
        if len(name.strip()) > MAX_NAME:
            raise TestRunError(Phrase("a scenario name has at most {limit} characters", limit=MAX_NAME))
        if not self.actions:
            raise TestRunError(Phrase("start the test-run first; a scenario replays what was done in it"))
        return Scenario(name=name.strip(), started_at=self.started_at, actions=list(self.actions),
                        customer=self.customer.model_dump(mode="json") if self.customer else None,
                        expected=self.outcome())

    def bundle_of(self, process_key: str) -> Bundle | None:
        """The sandbox's bundle of the draft or of a process it calls."""
        version = self.runtime.latest_process_version(process_key)
        return version.bundle if version else None


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
                raise TestRunError(Phrase("'{step}' calls process '{process}', which is not published",
                                          step=node.display, process=key))
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
    """Run the scenario's actions against `bundle` in a new sandbox; passed when it reaches the same outcome."""
    try:
        if scenario.started_at is None:
            raise TestRunError(Phrase("the scenario does not say when it started"))
        customer = Customer.model_validate(scenario.customer) if scenario.customer else None
        run = TestRun(bundle, called, customer, scenario.started_at)
    except FlowdeskError as error:
        return ScenarioResult(scenario, False, Phrase("cannot run: {problem}", problem=phrase_of(error)))
    except ValidationError as error:
        return ScenarioResult(scenario, False, Phrase("cannot run: {problem}", problem=str(error)))
    try:
        actual = run.play(scenario)
    except TestRunError as error:
        return ScenarioResult(scenario, False, phrase_of(error))
    if actual.same_as(scenario.expected):
        return ScenarioResult(scenario, True, actual.phrase())
    return ScenarioResult(scenario, False, _difference(actual, scenario.expected))


def _difference(actual: Outcome, expected: Outcome) -> Phrase:
    """E.g. "ended at 'Rejected' instead of 'Approved'"; "is waiting at 'Check' instead of ending at 'Approved'"."""
    wanted = [f"'{name}'" for name in expected.names or expected.nodes or [expected.end]]
    if actual.status == expected.status == "ended":
        return Phrase("{actual} instead of {wanted}", actual=actual.phrase(), wanted=wanted)
    if expected.status == "ended":
        return Phrase("{actual} instead of ending at {wanted}", actual=actual.phrase(), wanted=wanted)
    if expected.status == "stopped":
        return Phrase("{actual} instead of stopping at {wanted}", actual=actual.phrase(), wanted=wanted)
    return Phrase("{actual} instead of waiting at {wanted}", actual=actual.phrase(), wanted=wanted)


# The use cases -----------------------------------------------------------------------------


class TestRuns:
    """Test-runs of drafts, for whoever may test-run (`UseCase.TEST_RUN`): each runs in a sandbox of its own,
    with the runtime's published processes (for subprocess calls) and its customers as samples."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def start(self, user: User, bundle: Bundle, data: Mapping[str, Any], *, customer_id: str | None = None,
              start_node: str | None = None) -> TestRun:
        """A new sandbox for the draft `bundle`, its case started now with `data` for the customer."""
        require(user, UseCase.TEST_RUN)
        customer = None
        if customer_id:
            try:
                customer = self.runtime.store.customer(customer_id)
            except NotFound:
                raise TestRunError(Phrase("there is no customer '{customer}' to test with",
                                          customer=customer_id)) from None
        run = TestRun(bundle, self._published(), customer, self.runtime.now())
        run.begin(data, start_node)
        return run

    def replay(self, user: User, bundle: Bundle, scenarios: Sequence[Scenario]) -> list[ScenarioResult]:
        """Every scenario run again against the draft `bundle`, each in a sandbox of its own."""
        require(user, UseCase.TEST_RUN)
        called = self._published()
        return [replay(scenario, bundle, called) for scenario in scenarios]

    def _published(self) -> dict[str, Bundle]:
        """The newest published bundle of every process, by key (what a draft's subprocesses call)."""
        return {v.process_key: self.runtime.bundle(v) for v in self.runtime.latest_versions()}
