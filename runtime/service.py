"""`Runtime`: the Python API to run published processes (the CLI and web app call this).

Every public method that changes something is one step: it opens a
`Transaction`, lets the engine work, and commits everything with one
`Store.commit` — or nothing, if anything fails. A stale case revision raises
`ConflictError` (someone else was faster); completions carry an idempotency
key so a replayed request changes nothing and sends nothing twice.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from models import Bundle, load_bundle
from models.checks import Severity, check
from models.errors import FlowdeskError
from models.serialization import bundle_document
from runtime.audit import TrailProblem, verify_trail
from runtime.business_calendar import BusinessCalendar
from runtime.clock import Clock, SystemClock
from runtime.documents import Case, CaseStatus, Job, JobKind, Version, WorkItem, WorkItemStatus
from runtime.engine import Engine, Services, check_form, validate_data
from runtime.errors import EngineError
from runtime.escalations import escalate
from runtime.handlers import message_key
from runtime.process_version import ProcessVersion
from runtime.storage.base import Changes, ConflictError, NotFound, Store, WorkQuery, lease_owner
from runtime.transaction import Transaction

#: How long a runtime holds the due jobs it claimed; a dead worker's jobs are taken over after it.
JOB_LEASE = timedelta(minutes=1)


class PublishError(FlowdeskError):
    """The bundle has errors; `findings` lists them. Nothing was published."""

    def __init__(self, findings: list) -> None:
        self.findings = findings
        lines = "\n".join(f"  - {f.code} [{f.element}]: {f.message}" for f in findings)
        super().__init__(f"cannot publish: the process has {len(findings)} error(s)\n{lines}")


def content_hash(document: Mapping[str, Any]) -> str:
    """The SHA-256 of a bundle's canonical JSON: same content, same hash."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class Runtime:
    """Publishes versions and runs cases on one store, with an injectable clock."""

    def __init__(self, store: Store, clock: Clock | None = None, calendar: BusinessCalendar | None = None,
                 cache_size: int = 64) -> None:
        self.store = store
        self.clock = clock or SystemClock()
        self.calendar = calendar or BusinessCalendar()
        self._versions: OrderedDict[str, ProcessVersion] = OrderedDict()
        self._cache_size = cache_size
        self.engine = Engine(Services(
            version_by_hash=self.process_version,
            latest_version=self.latest_process_version,
            customer=self._customer_values,
            calendar=self.calendar,
        ))

    # Publishing -------------------------------------------------------------

    def publish(self, bundle: Bundle, author: str, note: str = "") -> Version:
        """Check the bundle, refuse errors, and store it as the process's next immutable version."""
        published = {v.process_key: self.bundle(v) for v in self._latest_versions()}
        published[bundle.key] = bundle
        errors = [f for f in check(bundle, known_processes=published) if f.severity is Severity.ERROR]
        if errors:
            raise PublishError(errors)
        document = bundle_document(bundle)
        digest = content_hash(document)
        latest = self.store.latest_version(bundle.key)
        if latest is not None and latest.hash == digest:
            raise EngineError(f"version {latest.number} of '{bundle.key}' is already exactly this; nothing to publish")
        version = Version(process_key=bundle.key, number=(latest.number + 1) if latest else 1, hash=digest,
                          name=bundle.name, author=author, published_at=self.clock.now(), note=note)
        self.store.commit(Changes(versions=[(version, document)]))
        return version

    def bundle(self, version: Version) -> Bundle:
        return self.process_version(version.hash).bundle

    def process_version(self, version_hash: str) -> ProcessVersion:
        """The runnable version for a hash, built once and kept in a small cache."""
        cached = self._versions.get(version_hash)
        if cached is not None:
            self._versions.move_to_end(version_hash)
            return cached
        document = self.store.bundle_document(version_hash)
        bundle = load_bundle(json.dumps(document))
        version = next(v for v in self.store.versions(bundle.key) if v.hash == version_hash)
        built = self._versions[version_hash] = ProcessVersion(version, bundle)
        if len(self._versions) > self._cache_size:
            self._versions.popitem(last=False)
        return built

    def latest_process_version(self, process_key: str) -> ProcessVersion | None:
        latest = self.store.latest_version(process_key)
        return self.process_version(latest.hash) if latest else None

    def _latest_versions(self) -> list[Version]:
        latest: dict[str, Version] = {}
        for version in self.store.versions():
            latest[version.process_key] = version
        return list(latest.values())

    # Steps ------------------------------------------------------------------

    def start_case(self, process_key: str, data: Mapping[str, Any] | None = None, *, actor: str,
                   customer_id: str | None = None, contact_id: str | None = None,
                   start_node: str | None = None) -> Case:
        """Start a case on the newest published version of `process_key`."""
        version = self.latest_process_version(process_key)
        if version is None:
            raise EngineError(f"process '{process_key}' has no published version")
        if customer_id is not None:
            self.store.customer(customer_id)  # NotFound names the customer
        contact = self.store.contact(contact_id) if contact_id is not None else None  # NotFound names it
        tx = self.transaction(actor)
        case = self.engine.start(tx, version, data or {}, start_node=start_node, customer_id=customer_id,
                                 contact_id=contact_id)
        changes = tx.changes()
        if contact is not None:  # the contact lists its cases, written in the case's own commit
            contact.case_ids.append(case.id)
            changes.contacts.append(contact)
        self.store.commit(changes)
        return case  # the store has set its new revision

    def complete(self, item_id: str, data: Mapping[str, Any] | None = None, *, actor: str,
                 idempotency_key: str | None = None, checklist: Iterable[str] = ()) -> Case:
        """Complete a work item with the data entered, and run the case on.

        Required checklist items must be ticked before (`CaseWork.tick`) or with
        the completion (`checklist`: the ids ticked now).
        """
        item = self.store.work_item(item_id)
        case = self.store.case(item.case_id)
        if idempotency_key and case.completions.get(idempotency_key) == item_id:
            return case  # a replay of a completion that already happened: change nothing
        if item.status is not WorkItemStatus.OPEN:
            who = f" by {item.completed_by}" if item.completed_by else ""
            raise ConflictError(f"task '{item.title}' was already {item.status.value}{who}; nothing was changed")
        tx = self.transaction(actor)
        case = tx.case(item.case_id)
        run = self.engine.run(tx, case)
        values = validate_data(run.version, data or {}, allowed=_form_variables(run.version, item))
        values = check_form(run, item.form, values)
        item = tx.work_item(item_id)
        token = next((t for t in case.tokens if t.waiting_for == item.id), None)
        if item.status is not WorkItemStatus.OPEN or (token is None and not item.adhoc):
            raise ConflictError(f"task '{item.title}' was already completed by someone else just now; "
                                "nothing was changed")
        item.checklist_ticked = sorted(set(item.checklist_ticked) | set(checklist))
        _require_checklist(run.version, item)
        item.status, item.completed_at, item.completed_by = WorkItemStatus.COMPLETED, tx.now, actor
        for job_id in item.sla_jobs:
            run.cancel_job(job_id)
        changes = run.set_data(values)
        if idempotency_key:
            case.completions[idempotency_key] = item.id
        run.audit("task completed", f"Task '{item.title}' completed", node=item.node or None, changes=changes,
                  details={"work_item": item.id})
        if token is not None:  # an ad-hoc task holds no token: the flow does not wait for it
            self.engine.resume(tx, case, token, run.only_way_out(token))
        self.commit(tx)
        return case

    def send_message(self, case_id: str, message: str, data: Mapping[str, Any] | None = None, *,
                     actor: str) -> Case:
        """Deliver a message (e.g. a customer's reply) to the case waiting for it."""
        tx = self.transaction(actor)
        case = tx.case(case_id)
        token = next((t for t in case.tokens if t.waiting_for == message_key(message)), None)
        if token is None:
            raise EngineError(f"case {case_id} is not waiting for message '{message}'")
        run = self.engine.run(tx, case)
        changes = run.set_data(validate_data(run.version, data or {}))
        run.cancel_job(token.timeout_job)
        token.timeout_job = None
        run.audit("message received", f"Message '{message}' received", node=token.node, changes=changes)
        self.engine.resume(tx, case, token, run.only_way_out(token))
        self.commit(tx)
        return case

    def migrate(self, case_id: str, to_version: int, node_map: Mapping[str, str] | None = None, *,
                actor: str) -> Case:
        """Move an open case to a newer version of its process.

        Every node the case waits at must exist in the new version, or be mapped by
        the owner (`node_map`: old node id -> new node id) to a node of the same kind;
        its data must still fit the new version's variables. Open work items follow
        their node (queue, form, title of the new version).
        """
        tx = self.transaction(actor)
        case = tx.case(case_id)
        if case.status is not CaseStatus.ACTIVE:
            raise EngineError(f"case {case_id} is {case.status.value}; only open cases can be migrated")
        if to_version <= case.version:
            raise EngineError(f"case {case_id} is on version {case.version}; migrate it to a newer one")
        old = self.process_version(case.version_hash)
        new = self.process_version(self.store.version(case.process_key, to_version).hash)
        mapping = _node_mapping(old, new, {t.node for t in case.tokens}, dict(node_map or {}))
        validate_data(new, {k: v for k, v in case.data.items() if k in new.variables})
        for token in case.tokens:
            token.node = mapping[token.node]
        for item in self.store.work_items(WorkQuery(case_id=case_id, limit=1000)):
            item = tx.work_item(item.id)
            node = new.nodes[mapping[item.node]]
            item.node, item.title, item.queue, item.form = node.id, node.display, node.queue, node.form
        before = case.version
        case.version, case.version_hash = new.version.number, new.hash
        self.engine.run(tx, case).audit(
            "case migrated", f"Case moved from version {before} to version {new.version.number}",
            details={"from": before, "to": new.version.number,
                     "nodes": {k: v for k, v in mapping.items() if k != v}})
        self.commit(tx)
        return case

    def update_data(self, case_id: str, data: Mapping[str, Any], *, actor: str) -> Case:
        """Correct case data by hand (e.g. before retrying an incident); audited like any step."""
        tx = self.transaction(actor)
        case = tx.case(case_id)
        run = self.engine.run(tx, case)
        changes = run.set_data(validate_data(run.version, data))
        run.audit("data corrected", "Case data corrected by hand", changes=changes)
        self.commit(tx)
        return case

    def retry(self, case_id: str, incident_id: str, *, actor: str) -> Case:
        """Run the node where an incident stopped the case again (after the data was fixed)."""
        tx = self.transaction(actor)
        case = tx.case(case_id)
        incident = next((i for i in case.incidents if i.id == incident_id), None)
        if incident is None:
            raise EngineError(f"case {case_id} has no open incident {incident_id}")
        case.incidents.remove(incident)
        token = next(t for t in case.tokens if t.waiting_for == incident.id)
        self.engine.run(tx, case).audit("incident retried", f"Retrying '{incident.node}' after: {incident.message}",
                                        node=incident.node)
        self.engine.resume(tx, case, token)
        self.commit(tx)
        return case

    def fire_due_jobs(self, limit: int = 100, lease: timedelta = JOB_LEASE) -> int:
        """Fire up to `limit` due jobs, each once; returns how many fired. Safe to run in several places at
        once: each runtime claims its own jobs for `lease` (`Store.claim_due_jobs`)."""
        fired = 0
        for job in self.store.claim_due_jobs(self.clock.now(), lease_owner(self), lease, limit):
            try:
                fired += self.fire_job(job)
            except ConflictError:
                continue  # the case changed meanwhile (or another worker fired it); it is picked up again
        return fired

    def fire_job(self, job: Job) -> bool:
        """Fire one job in its own step; False if it turned out to be no longer due or needed."""
        tx = self.transaction("scheduler")
        case = tx.case(job.case_id)  # the case before the job: a job fired meanwhile then shows as done
        job = tx.job(job.id)
        if job.done or job.due_at > tx.now:
            return False
        job.done = True
        if case.status is not CaseStatus.ACTIVE:
            self.commit(tx)
            return False
        run = self.engine.run(tx, case)
        if job.kind in (JobKind.SLA_WARNING, JobKind.SLA_BREACH):
            escalate(self, tx, run, job)
        else:
            token = next((t for t in case.tokens if job.id in (t.waiting_for, t.timeout_job)), None)
            if token is not None:
                timeout = job.kind is JobKind.MESSAGE_TIMEOUT
                token.timeout_job = None
                run.audit("timer fired", "Timeout expired" if timeout else "Waiting time is over", node=token.node,
                          details={"job": job.id})
                self.engine.resume(tx, case, token, run.only_way_out(token, timeout=timeout))
        self.commit(tx)
        return True

    # Reading ----------------------------------------------------------------

    def verify_audit(self, case_id: str | None = None) -> list[TrailProblem]:
        """Problems in the audit trails of one case or of all; empty when every trail is intact."""
        cases = [self.store.case(case_id)] if case_id else self.store.cases()
        problems = []
        for case in cases:
            problem = verify_trail(case, self.store.audit_events(case.id))
            if problem:
                problems.append(problem)
        return problems

    def now(self) -> datetime:
        return self.clock.now()

    # Helpers ----------------------------------------------------------------

    def transaction(self, actor: str) -> Transaction:
        """A new step by `actor` at the clock's now (see runtime.casework for steps outside the flow)."""
        return Transaction(self.store, actor, self.clock.now())

    def commit(self, tx: Transaction) -> None:
        """Write everything the step changed in one store commit."""
        self.store.commit(tx.changes())

    def _customer_values(self, customer_id: str) -> dict[str, Any] | None:
        try:
            return self.store.customer(customer_id).model_dump(mode="json")
        except NotFound:
            return None


def _node_mapping(old: ProcessVersion, new: ProcessVersion, waiting_at: set[str],
                  node_map: dict[str, str]) -> dict[str, str]:
    """Old node id -> new node id for every node the case waits at; EngineError naming what is missing."""
    mapping, problems = {}, []
    for node_id in sorted(waiting_at):
        target = node_map.get(node_id, node_id)
        if target not in new.nodes:
            problems.append(f"node '{node_id}' is not in the new version; map it to one that is")
        elif new.nodes[target].kind != old.nodes[node_id].kind:
            problems.append(f"node '{node_id}' ({old.nodes[node_id].kind}) cannot become "
                            f"'{target}' ({new.nodes[target].kind})")
        else:
            mapping[node_id] = target
    if problems:
        raise EngineError("cannot migrate: " + "; ".join(problems))
    return mapping


def _form_variables(version: ProcessVersion, item: WorkItem) -> set[str] | None:
    """The variables a task's form writes; None (anything declared) when the task has no form."""
    form = version.bundle.form(item.form) if item.form else None
    if form is None:
        return None
    return {element.variable for element in form.walk() if getattr(element, "variable", None)}


def _require_checklist(version: ProcessVersion, item: WorkItem) -> None:
    """Refuse completing a task whose required checklist items are not all ticked."""
    node = version.nodes.get(item.node)
    missing = [f"{c.text} (id: {c.id})" for c in getattr(node, "checklist", [])
               if c.required and c.id not in item.checklist_ticked]
    if missing:
        raise EngineError(f"tick the checklist first: {'; '.join(missing)}")
