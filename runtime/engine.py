"""Token semantics: moving a case through its flow until every token waits or ends.

The engine works inside one `Transaction`: it changes working copies of
cases and records work items, jobs, outbox entries and audit events; it never
commits. Each node kind has one handler (see `runtime.handlers.HANDLERS`);
a handler either parks the token (waiting for a person, a timer, a message,
a child case or a join), moves it on, or ends it.

Anything a case's data or model makes impossible at run time (an expression
error, a decision with no way out, a missing process) becomes an *incident*:
the token waits at that node until an operator fixes the data and retries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.errors import FlowdeskError
from models.nodes import Edge, NodeBase, TaskNode
from models.phrases import Phrase, phrase_of
from models.references import reference_prefix
from models.values import normalise_value, to_json_value
from runtime.business_calendar import BusinessCalendar
from runtime.case_values import Scope
from runtime.documents import Case, CaseStatus, Incident, Job, JobKind, Token, WorkItemStatus
from runtime.errors import CaseStuck, DataError, EngineError
from runtime.handlers import HANDLERS, sla_jobs
from runtime.process_version import ProcessVersion
from runtime.references import give_reference
from runtime.transaction import Transaction, new_id

#: A case may visit this many nodes in one step before it counts as an endless loop.
MAX_VISITS_PER_STEP = 100_000


@dataclass
class Services:
    """What the engine needs from outside: versions, customers and the calendar."""

    version_by_hash: Callable[[str], ProcessVersion]
    latest_version: Callable[[str], ProcessVersion | None]
    customer: Callable[[str], dict[str, Any] | None]
    calendar: BusinessCalendar


def _customer_of(services: Services, case: Case) -> Callable[[], dict[str, Any] | None]:
    """How a case's scope reads its customer (when asked). A closure over the services and the case, not a method
    of the run: a run that held itself through its scope would live on as cyclic garbage after its step."""
    return lambda: services.customer(case.customer_id) if case.customer_id else None


class CaseRun:
    """One case being advanced inside a transaction."""

    def __init__(self, engine: Engine, tx: Transaction, case: Case) -> None:
        self.engine = engine
        self.tx = tx
        self.case = case
        self.version = engine.services.version_by_hash(case.version_hash)
        self.scope = Scope(self.version, case, tx.now, _customer_of(engine.services, case))

    @property
    def calendar(self) -> BusinessCalendar:
        return self.engine.services.calendar

    def node(self, token: Token) -> NodeBase:
        return self.version.nodes[token.node]

    def audit(self, kind: str, summary: str | Phrase, **kwargs: Any) -> None:
        self.tx.audit(self.case, kind, summary, **kwargs)

    def follow(self, token: Token, edge: Edge) -> Token:
        """Move `token` over `edge`; it is ready at the next node. The case's next audit event names the edge."""
        token.node, token.edge, token.waiting_for = edge.target, edge.id, None
        self.tx.took_edge(self.case, edge.id)
        return token

    def only_way_out(self, token: Token, *, timeout: bool = False) -> Edge:
        edges = [e for e in self.version.outgoing[token.node] if e.timeout == timeout]
        return edges[0]

    def set_data(self, values: Mapping[str, Any]) -> dict[str, list[Any]]:
        """Write canonical values into the case data; returns what changed as name -> [before, after]."""
        changed = {}
        for name, value in values.items():
            new = to_json_value(value)
            old = self.case.data.get(name)
            if new != old:
                changed[name] = [old, new]
                self.case.data[name] = new
                self.scope.forget(name)
        return changed

    def normalise(self, name: str, value: Any) -> Any:
        """A value for variable `name`, in canonical form; raises CaseStuck when it does not fit."""
        variable = self.version.variables.get(name)
        if variable is None:
            raise CaseStuck(Phrase("'{name}' is not declared in the case data", name=name))
        try:
            return normalise_value(variable, value)
        except ValueError as error:
            raise CaseStuck(Phrase("the value for '{name}' does not fit: {problem}", name=name,
                                   problem=phrase_of(error))) from None

    def add_job(self, kind: JobKind, due_at: datetime, **fields: Any) -> Job:
        job = Job(id=new_id("job"), case_id=self.case.id, kind=kind, due_at=due_at, **fields)
        return self.tx.put_job(job)

    def cancel_job(self, job_id: str | None) -> None:
        if job_id:
            job = self.tx.job(job_id)
            if not job.done:
                job.done = True


class Engine:
    def __init__(self, services: Services, max_visits: int = MAX_VISITS_PER_STEP) -> None:
        self.services = services
        self.max_visits = max_visits

    def run(self, tx: Transaction, case: Case) -> CaseRun:
        """The case's run in this step: one per case, so its customer and values are read once per step (a case
        moved to another version meanwhile gets a new one)."""
        run = tx.runs.get(case.id)
        if run is None or run.case is not case or run.version.hash != case.version_hash:
            run = tx.runs[case.id] = CaseRun(self, tx, case)
        return run

    # Entry points -------------------------------------------------------------

    def start(self, tx: Transaction, version: ProcessVersion, data: Mapping[str, Any], *,
              start_node: str | None = None, customer_id: str | None = None, contact_id: str | None = None,
              parent: tuple[Case, Token] | None = None, advance: bool = True) -> Case:
        """Create a case on `version` at its start node and (unless told not to) run it."""
        start = self._start_node(version, start_node)
        values = validate_data(version, data)  # the declared defaults are read while a variable is unset
        case = tx.add_case(Case(
            id=new_id("case"), process_key=version.version.process_key, version=version.version.number,
            version_hash=version.hash, customer_id=customer_id, contact_id=contact_id,
            parent_case=parent[0].id if parent else None, parent_token=parent[1].id if parent else None,
            depth=parent[0].depth + 1 if parent else 0, started_at=tx.now, started_by=tx.actor,
            tokens=[Token(id=new_id("tok"), node=start.id)],
        ))
        reference = give_reference(tx, case, reference_prefix(version.bundle), self.services.calendar.local(tx.now))
        run = self.run(tx, case)
        values = check_form(run, start.form, values)
        changes = run.set_data(values)
        run.audit("case started", Phrase("Case started on '{process}' version {version} as {reference}",
                                         process=version.bundle.name, version=version.version.number,
                                         reference=reference),
                  node=start.id, changes=changes,
                  details={"customer": customer_id, "contact": contact_id, "reference": reference})
        self._start_case_sla(run)
        if advance:
            self.advance(tx, case)
        return case

    def start_child(self, run: CaseRun, token: Token, called: ProcessVersion, data: Mapping[str, Any]) -> Case:
        """Start `called` as a subprocess of `run`'s case; `token` waits until the child ends."""
        child = self.start(run.tx, called, data, customer_id=run.case.customer_id, contact_id=run.case.contact_id,
                           parent=(run.case, token), advance=False)
        token.waiting_for = f"case:{child.id}"
        run.audit("subprocess started", Phrase("Started '{process}' as case {case}", process=called.bundle.name,
                                               case=child.id), node=token.node, details={"child": child.id})
        self.advance(run.tx, child)
        return child

    def advance(self, tx: Transaction, case: Case) -> None:
        """Run ready tokens until each waits or ends. Re-entrant calls just leave tokens ready."""
        if case.id in tx.advancing:
            return
        tx.advancing.add(case.id)
        try:
            run = self.run(tx, case)
            visits = 0
            while (token := next((t for t in case.tokens if t.waiting_for is None), None)) is not None:
                visits += 1
                node = run.node(token)
                if visits > self.max_visits:
                    self.raise_incident(run, token, Phrase("the process ran {count} steps without waiting for "
                                                           "anything: it seems to loop endlessly",
                                                           count=self.max_visits))
                    continue
                try:
                    HANDLERS[node.kind](run, token, node)
                except FlowdeskError as problem:  # CaseStuck, or expression, table, letter errors
                    self.raise_incident(run, token, phrase_of(problem))
        finally:
            tx.advancing.discard(case.id)
        if case.status is CaseStatus.COMPLETED and case.parent_case:
            self._return_to_parent(tx, case)

    def resume(self, tx: Transaction, case: Case, token: Token, edge: Edge | None = None) -> None:
        """Let a waiting token go on (over `edge`, or by re-entering its node) and advance the case."""
        if edge is not None:
            self.run(tx, case).follow(token, edge)
        else:
            token.waiting_for = None
        self.advance(tx, case)

    def raise_incident(self, run: CaseRun, token: Token, message: Phrase | str) -> None:
        """Stop `token` at its node; a phrased `message` (an expression's error) is kept for a reader's language."""
        node = run.node(token)
        incident = Incident(id=new_id("inc"), token=token.id, node=node.id, message=str(message), raised_at=run.tx.now,
                            said=_kept(message))
        run.case.incidents.append(incident)
        token.waiting_for = incident.id
        run.audit("incident", Phrase("Stopped at '{step}': {problem}", step=node.display, problem=message),
                  node=node.id, details={"incident": incident.id})

    def stop_call_chain(self, run: CaseRun, reason: Phrase) -> None:
        """Stop a runaway chain of subprocess calls: `run`'s case (a subprocess) and every case between it and
        the top case end, their open tasks cancelled; the top case gets one incident at its call, to retry
        once the processes no longer call each other.
        """
        chain = [run]
        while chain[-1].case.parent_case:
            parent = self.run(run.tx, run.tx.case(chain[-1].case.parent_case))
            chain.append(parent)
        top = chain.pop()
        keys = " → ".join(r.case.process_key for r in (top, *reversed(chain))) + " → …"
        for stopped in chain:
            self._stop(stopped, f"stopped: subprocesses nested too deep below case {top.case.id}")
        waiting = next(t for t in top.case.tokens if t.waiting_for == f"case:{chain[-1].case.id}")
        self.raise_incident(top, waiting, Phrase("{reason} ({calls}): a process calls itself, directly or through "
                                                 "others; the {count} cases started below this one were stopped",
                                                 reason=reason, calls=keys, count=len(chain)))

    def _stop(self, run: CaseRun, outcome: str) -> None:
        """End a case that must not go on: open tasks cancelled, tokens removed (jobs of an ended case never fire)."""
        incidents = {incident.id for incident in run.case.incidents}
        for token in run.case.tokens:
            if isinstance(run.node(token), TaskNode) and token.waiting_for and token.waiting_for not in incidents:
                run.tx.work_item(token.waiting_for).status = WorkItemStatus.CANCELLED
        run.case.tokens = []
        self.complete_case(run, outcome)

    def complete_case(self, run: CaseRun, outcome: str) -> None:
        case = run.case
        case.status, case.outcome, case.closed_at = CaseStatus.COMPLETED, outcome, run.tx.now
        for job_id in case.sla_jobs:
            run.cancel_job(job_id)
        case.sla_jobs = []
        run.audit("case completed", Phrase("Case completed: {outcome}", outcome=outcome) if outcome else
                  Phrase("Case completed: done"), details={"outcome": outcome})

    # Helpers ------------------------------------------------------------------

    def _start_node(self, version: ProcessVersion, start_node: str | None) -> NodeBase:
        starts = version.starts()
        if start_node is None:
            if len(starts) != 1:
                raise EngineError(Phrase("process '{process}' has several starts ({starts}); say which one",
                                         process=version.version.process_key, starts=[s.id for s in starts]))
            return starts[0]
        for start in starts:
            if start.id == start_node:
                return start
        raise EngineError(Phrase("process '{process}' has no start '{start}'", process=version.version.process_key,
                                 start=start_node))

    def _start_case_sla(self, run: CaseRun) -> None:
        sla = run.version.bundle.case_sla
        if sla is None:
            return
        run.case.due_at = run.calendar.add(run.tx.now, sla.target)
        for job in sla_jobs(run, sla, work_item=None):
            run.case.sla_jobs.append(job.id)

    def _return_to_parent(self, tx: Transaction, child: Case) -> None:
        parent = tx.case(child.parent_case)
        token = next((t for t in parent.tokens if t.id == child.parent_token), None)
        if token is None or token.waiting_for != f"case:{child.id}":
            return
        run = self.run(tx, parent)
        node = run.node(token)
        try:
            values = {}
            child_run = self.run(tx, child)
            for mapping in node.outputs:
                value = child_run.version.expression(mapping.expression).evaluate(child_run.scope)
                values[mapping.target] = run.normalise(mapping.target, value)
        except FlowdeskError as problem:
            self.raise_incident(run, token, Phrase("cannot take over the results of the subprocess: {problem}",
                                                   problem=phrase_of(problem)))
            return
        changes = run.set_data(values)
        run.audit("subprocess returned", Phrase("Subprocess '{process}' ended ({outcome})", process=child.process_key,
                                                outcome=str(child.outcome)),
                  node=node.id, changes=changes, details={"child": child.id})
        self.resume(tx, parent, token, run.only_way_out(token))


def check_form(run: CaseRun, form_id: str | None, entered: Mapping[str, Any]) -> dict[str, Any]:
    """The entered values to keep: DataError per field on a broken rule of the form; values of form fields
    hidden by their visibility condition are dropped, so a value typed before a field was hidden is not saved."""
    form = run.version.prepared_form(form_id)
    if form is None:
        return dict(entered)
    submission = form.check(entered, run.scope, run.version.expression)
    if submission.errors:
        raise DataError(submission.phrases)
    return {name: value for name, value in entered.items()
            if name not in form.variables or name in submission.values}


def validate_data(version: ProcessVersion, data: Mapping[str, Any],
                  allowed: set[str] | None = None) -> dict[str, Any]:
    """Input values in canonical form, or DataError naming every variable that is wrong."""
    if not isinstance(data, Mapping):
        raise DataError({"(data)": Phrase("expected an object of variable names and values")})
    errors: dict[str, Phrase | str] = {}
    values: dict[str, Any] = {}
    for name, value in data.items():
        variable = version.variables.get(name)
        if variable is None:
            errors[name] = Phrase("is not declared in the case data of this process")
        elif allowed is not None and name not in allowed:
            errors[name] = Phrase("cannot be changed at this step")
        else:
            try:
                values[name] = normalise_value(variable, value)
            except ValueError as error:
                errors[name] = phrase_of(error)
    if errors:
        raise DataError(errors)
    return values


def _kept(message: Phrase | str) -> dict[str, Any] | None:
    """`message` as data to keep with an incident; None for text, or a phrase holding a value data cannot keep (its
    English text is kept all the same)."""
    if not isinstance(message, Phrase):
        return None
    try:
        return message.as_data()
    except TypeError:
        return None
