"""`Runtime`: the one door to Flowdesk's cases and versions.

Every use case is a method taking the acting `User` first, and is one step
(`Runtime.step`): a new transaction reads the documents the use case decides
on, `runtime.access` says whether the user may do it to them, the engine
works, and everything is committed with one `Store.commit`, or nothing if
anything fails. Pages, the REST API, the CLI and the test-run all call these
methods, so a request gets the same answer through each of them.

When the commit finds that only the case's revision moved meanwhile (someone
else's step on the same case, such as the other branch of a parallel split),
or a record the step found missing was created meanwhile (`ChangedMeanwhile`:
two starts numbering their cases from one counter), the step runs again on
fresh documents, after a short random pause that grows
with each re-run: a user sees a `ConflictError` only when what they acted on
really changed (completed, claimed, reassigned).

A door may pass a `Request`: the caller's idempotency key and a fingerprint of
what was asked. The answer is recorded in the step's own commit; the same key
again with the same fingerprint gets that answer without doing anything, and
with another fingerprint is refused (`RequestReused`). A `Request` may also name
the revision of the case the caller last saw: the step then refuses
(`PreconditionFailed`) when it reads that case at another revision, also on a
re-run after a conflict.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from models import Bundle, load_bundle
from models.checks import Severity, check
from models.errors import FlowdeskError
from models.phrases import Phrase, kept_phrase
from models.serialization import bundle_document
from runtime.access import SYSTEM_ROLE, DoneBy, UseCase, require, require_work, system_user
from runtime.anchors import Anchoring, Checkpoint, SigningKey, Verdict, verify_store
from runtime.business_calendar import BusinessCalendar
from runtime.clock import Clock, SystemClock
from runtime.documents import (
    Attachment,
    Case,
    CaseStatus,
    Contact,
    Job,
    JobKind,
    User,
    Version,
    WorkItem,
    WorkItemStatus,
)
from runtime.engine import Engine, Services, check_form, validate_data
from runtime.errors import ChangedMeanwhile, ConflictError, EngineError, NotFound
from runtime.escalations import escalate
from runtime.handlers import message_key
from runtime.process_version import ProcessVersion
from runtime.settings import installation_settings
from runtime.storage.base import Store, WorkQuery, lease_owner
from runtime.transaction import Transaction

T = TypeVar("T")

#: How often a step runs again when its commit found the case changed by someone else's step (or what it found
#: missing was created meanwhile).
STEP_ATTEMPTS = 8
#: The longest pause, in seconds, before a step's first re-run; it doubles per re-run and is drawn at random below
#: it, so steps that keep meeting on one document (starts numbering their references from one counter on a
#: shared database) fall out of step instead of colliding again.
RERUN_PAUSE = 0.005
#: Who fires due timers and SLA jobs.
SCHEDULER = system_user("scheduler")
#: How long a runtime holds the due jobs it claimed; a dead worker's jobs are taken over after it.
JOB_LEASE = timedelta(minutes=1)


def _pause_before_rerun(attempt: int) -> None:
    time.sleep(random.uniform(0, RERUN_PAUSE * 2 ** attempt))


class PublishError(FlowdeskError):
    """The bundle has errors; `findings` lists them. Nothing was published."""

    def __init__(self, findings: list) -> None:
        self.findings = findings
        lines = "\n".join(f"  - {f.code} [{f.element}]: {f.message}" for f in findings)
        super().__init__(f"cannot publish: the process has {len(findings)} error(s)\n{lines}")


class RequestReused(EngineError):
    """An idempotency key already answered another request; nothing was done."""


@dataclass(frozen=True)
class Approval:
    """A second person's yes to a submitted version: whose version it is, and what the approver said."""

    author: str
    note: str = ""


@dataclass(frozen=True)
class Request:
    """What a door knows of the request behind a step: the caller's idempotency key with a fingerprint of what it
    asked (made by the door, e.g. a body digest), and the revision of the case the caller last saw, if it says so
    (`expected`: case id and revision, e.g. an HTTP If-Match)."""

    key: str | None
    fingerprint: str
    expected: tuple[str, int] | None = None

    @classmethod
    def of(cls, key: str | None, *asked: Any, expected: tuple[str, int] | None = None) -> Request | None:
        """A request keyed `key` whose fingerprint is the digest of `asked` as JSON; None with neither a key nor
        an expected case revision."""
        if not key and expected is None:
            return None
        text = json.dumps(asked, sort_keys=True, default=str, separators=(",", ":"))
        return cls(key or None, hashlib.sha256(text.encode()).hexdigest(), expected)


def content_hash(document: Mapping[str, Any]) -> str:
    """The SHA-256 of a bundle's canonical JSON: same content, same hash."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class Runtime:
    """Publishes versions and runs cases on one store, with an injectable clock."""

    def __init__(self, store: Store, clock: Clock | None = None, calendar: BusinessCalendar | None = None,
                 cache_size: int = 64, signing_key: SigningKey | None = None) -> None:
        self.store = store
        self.anchoring = Anchoring(store, signing_key)
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

    # Steps ------------------------------------------------------------------

    def step(self, user: User, body: Callable[[Transaction], T], *, request: Request | None = None) -> T:
        """Run `body` in a new transaction by `user` and commit what it changed; see the module docstring for
        the re-runs after a conflict and for `request`."""
        keyed = request is not None and request.key is not None
        for attempt in range(STEP_ATTEMPTS):
            tx = self.transaction(user)
            key = f"{user.id}:{request.key}" if keyed else ""
            answered = tx.record("request", key) if keyed else None
            if answered is not None and request is not None:
                if answered.data["fingerprint"] != request.fingerprint:
                    raise RequestReused(f"the idempotency key '{request.key}' was used for another request "
                                        f"on {answered.updated_at:%Y-%m-%d %H:%M}; use a new key for a new request")
                return self._recall(answered.data["result"])
            if request is not None and request.expected is not None:
                tx.expect_revision(*request.expected)
            try:
                try:
                    result = body(tx)
                finally:
                    tx.runs.clear()  # a run refers to its transaction: without this the step would be cyclic garbage
                if keyed:
                    tx.new_record("request", key, {"fingerprint": request.fingerprint, "result": _remember(result)})
            except ChangedMeanwhile:
                if attempt == STEP_ATTEMPTS - 1:
                    raise
                _pause_before_rerun(attempt)
                continue
            try:
                self.store.commit(tx.changes())
            except ConflictError:
                if attempt == STEP_ATTEMPTS - 1:
                    raise
                _pause_before_rerun(attempt)
                continue
            return result
        raise AssertionError("unreachable")  # the loop returns or raises

    def transaction(self, user: User) -> Transaction:
        """A new step by `user` at the clock's now."""
        return Transaction(self.store, user, self.clock.now(), self.calendar.timezone)

    def kept_apart(self, version: ProcessVersion, item: WorkItem) -> DoneBy:
        """The tasks `item` is kept apart from (four eyes) and who completed them in its case."""
        others = getattr(version.nodes.get(item.node), "separate_from", [])
        if not others:
            return {}
        done: dict[str, tuple[str, set[str]]] = {node: (version.nodes[node].display, set()) for node in others}
        for earlier in self.store.work_items(WorkQuery(case_id=item.case_id, status=WorkItemStatus.COMPLETED,
                                                       limit=10_000)):
            if earlier.node in done and earlier.completed_by:
                done[earlier.node][1].add(earlier.completed_by)
        return done

    def display_name(self, user_id: str) -> str:
        """How messages name a user: their name, else their id."""
        try:
            return self.store.user(user_id).name or user_id
        except NotFound:
            return user_id

    # Publishing -------------------------------------------------------------

    def publish(self, user: User, bundle: Bundle, note: str = "") -> Version:
        """Check the bundle, refuse errors, and store it as the process's next immutable version."""
        require(user, UseCase.PUBLISH)
        return self.step(user, lambda tx: self.publish_in(tx, bundle, note))

    def publish_in(self, tx: Transaction, bundle: Bundle, note: str, approval: Approval | None = None) -> Version:
        """Publish `bundle` as part of the step `tx` (the caller checked access). Where four eyes apply
        (`needs_approval`), only with a second person's `approval`; the version is by `author` then."""
        if approval is None and self.needs_approval(bundle) and SYSTEM_ROLE not in tx.user.roles:
            raise EngineError(f"a new version of '{bundle.name}' goes live only after a second person approves "
                              "it (four eyes): submit it for approval instead")
        published = {v.process_key: self.bundle(v) for v in self.latest_versions()}
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
                          name=bundle.name, author=approval.author if approval else tx.actor, published_at=tx.now,
                          note=note, approved_by=tx.actor if approval else "",
                          approved_at=tx.now if approval else None, approval_note=approval.note if approval else "")
        tx.add_version(version, document)
        return version

    def needs_approval(self, bundle: Bundle) -> bool:
        """Whether a new version of `bundle` needs a second person's approval: as the process says, else as the
        installation's setting says."""
        return bundle.four_eyes if bundle.four_eyes is not None else installation_settings(self).four_eyes

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

    def latest_versions(self) -> list[Version]:
        """The newest version of every published process."""
        latest: dict[str, Version] = {}
        for version in self.store.versions():
            if version.process_key not in latest or version.number > latest[version.process_key].number:
                latest[version.process_key] = version
        return list(latest.values())

    # Cases ------------------------------------------------------------------

    def start_case(self, user: User, process_key: str, data: Mapping[str, Any] | None = None, *,
                   customer_id: str | None = None, contact_id: str | None = None, start_node: str | None = None,
                   request: Request | None = None) -> Case:
        """Start a case on the newest published version of `process_key` (linked to its contact, if any)."""
        require(user, UseCase.START_CASE)

        def start(tx: Transaction) -> Case:
            version = self.latest_process_version(process_key)
            if version is None:
                raise EngineError(f"process '{process_key}' has no published version")
            if customer_id is not None:
                self.store.customer(customer_id)  # NotFound names the customer
            contact = tx.contact(contact_id) if contact_id is not None else None  # NotFound names it
            case = self.engine.start(tx, version, data or {}, start_node=start_node, customer_id=customer_id,
                                     contact_id=contact_id)
            if contact is not None:  # the contact lists its cases, written in the case's own commit
                contact.case_ids.append(case.id)
            return case

        return self.step(user, start, request=request)

    def complete(self, user: User, item_id: str, data: Mapping[str, Any] | None = None, *,
                 checklist: Iterable[str] = (), request: Request | None = None) -> Case:
        """Complete a work item with the data entered, and run the case on.

        Required checklist items must be ticked before (`CaseWork.tick`) or with
        the completion (`checklist`: the ids ticked now).
        """
        require(user, UseCase.COMPLETE)

        def complete(tx: Transaction) -> Case:
            item, case = tx.item_and_case(item_id)
            token = next((t for t in case.tokens if t.waiting_for == item.id), None)
            require_open(item, self.display_name)
            if token is None and not item.adhoc:
                raise ConflictError(Phrase("task '{task}' is no longer waited for; nothing was changed",
                                           task=item.title))
            run = self.engine.run(tx, case)
            require_work(user, item, UseCase.COMPLETE, self.display_name, self.kept_apart(run.version, item))
            values = validate_data(run.version, data or {}, allowed=_form_variables(run.version, item))
            values = check_form(run, item.form, values)
            item.checklist_ticked = sorted(set(item.checklist_ticked) | set(checklist))
            _require_checklist(run.version, item)
            item.status, item.completed_at, item.completed_by = WorkItemStatus.COMPLETED, tx.now, tx.actor
            for job_id in item.sla_jobs:
                run.cancel_job(job_id)
            changes = run.set_data(values)
            run.audit("task completed", Phrase("Task '{task}' completed", task=item.title), node=item.node or None,
                      changes=changes,
                      details={"work_item": item.id})
            if token is not None:  # an ad-hoc task holds no token: the flow does not wait for it
                self.engine.resume(tx, case, token, run.only_way_out(token))
            return case

        return self.step(user, complete, request=request)

    def send_message(self, user: User, case_id: str, message: str, data: Mapping[str, Any] | None = None, *,
                     request: Request | None = None) -> Case:
        """Deliver a message (e.g. a customer's reply) to the case waiting for it."""
        require(user, UseCase.DELIVER_MESSAGE)

        def deliver(tx: Transaction) -> Case:
            case = tx.case(case_id)
            token = next((t for t in case.tokens if t.waiting_for == message_key(message)), None)
            if token is None:
                raise EngineError(f"case {case_id} is not waiting for message '{message}'")
            run = self.engine.run(tx, case)
            changes = run.set_data(validate_data(run.version, data or {}))
            run.cancel_job(token.timeout_job)
            token.timeout_job = None
            run.audit("message received", Phrase("Message '{message}' received", message=message), node=token.node,
                      changes=changes)
            self.engine.resume(tx, case, token, run.only_way_out(token))
            return case

        return self.step(user, deliver, request=request)

    def migrate(self, user: User, case_id: str, to_version: int, node_map: Mapping[str, str] | None = None) -> Case:
        """Move an open case to a newer version of its process.

        Every node the case waits at must exist in the new version, or be mapped by
        the owner (`node_map`: old node id -> new node id) to a node of the same kind;
        its data must still fit the new version's variables. Open work items follow
        their node (queue, form, title of the new version).
        """
        require(user, UseCase.MIGRATE)
        return self.step(user, lambda tx: self.migrate_in(tx, case_id, to_version, node_map or {}))

    def migrate_in(self, tx: Transaction, case_id: str, to_version: int, node_map: Mapping[str, str]) -> Case:
        """Migrate a case within the step `tx` (the caller checked access); a dry run does this without
        committing."""
        case = tx.case(case_id)
        if case.status is not CaseStatus.ACTIVE:
            raise EngineError(f"case {case_id} is {case.status.value}; only open cases can be migrated")
        if to_version <= case.version:
            raise EngineError(f"case {case_id} is on version {case.version}; migrate it to a newer one")
        old = self.process_version(case.version_hash)
        new = self.process_version(self.store.version(case.process_key, to_version).hash)
        mapping = _node_mapping(old, new, {t.node for t in case.tokens}, dict(node_map))
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
        return case

    def correct_data(self, user: User, case_id: str, data: Mapping[str, Any]) -> Case:
        """Correct case data by hand (e.g. before retrying an incident); audited like any step."""
        require(user, UseCase.CORRECT_DATA)

        def correct(tx: Transaction) -> Case:
            case = tx.case(case_id)
            run = self.engine.run(tx, case)
            changes = run.set_data(validate_data(run.version, data))
            run.audit("data corrected", Phrase("Case data corrected by hand"), changes=changes)
            return case

        return self.step(user, correct)

    def retry(self, user: User, case_id: str, incident_id: str) -> Case:
        """Run the node where an incident stopped the case again (after the data was fixed)."""
        require(user, UseCase.RETRY)

        def retry(tx: Transaction) -> Case:
            case = tx.case(case_id)
            incident = next((i for i in case.incidents if i.id == incident_id), None)
            if incident is None:
                raise EngineError(Phrase("case {case} has no open incident {incident}", case=case_id,
                                         incident=incident_id))
            if incident.outbox_entry is not None:
                raise EngineError(Phrase("incident {incident} is a delivery that failed, not a stopped step: resend it "
                                         "({command})", incident=incident_id,
                                         command=f"flowdesk resend {case_id} {incident.outbox_entry}"))
            case.incidents.remove(incident)
            token = next(t for t in case.tokens if t.waiting_for == incident.id)
            self.engine.run(tx, case).audit("incident retried",
                                            Phrase("Retrying '{step}' after: {problem}", step=incident.node,
                                                   problem=kept_phrase(incident.said, incident.message)),
                                            node=incident.node)
            self.engine.resume(tx, case, token)
            return case

        return self.step(user, retry)

    # The scheduler ----------------------------------------------------------

    def fire_due_jobs(self, limit: int = 100, lease: timedelta = JOB_LEASE) -> int:
        """Fire up to `limit` due jobs, each once; returns how many fired. Safe to run in several places at
        once: each runtime claims its own jobs for `lease` (`Store.claim_due_jobs`)."""
        fired = 0
        for job in self.store.claim_due_jobs(self.clock.now(), lease_owner(self), lease, limit):
            try:
                fired += self.fire_job(job)
            except ConflictError:
                continue  # another worker fired it meanwhile; it shows as done on the next look
        return fired

    def fire_job(self, job: Job) -> bool:
        """Fire one job in its own step; False if it turned out to be no longer due or needed."""
        return self.step(SCHEDULER, lambda tx: self._fire(tx, job))

    def _fire(self, tx: Transaction, due: Job) -> bool:
        case = tx.case(due.case_id)  # the case before the job: a job fired meanwhile then shows as done
        job = tx.job(due.id)
        if job.done or job.due_at > tx.now:
            return False
        job.done = True
        if case.status is not CaseStatus.ACTIVE:
            return False
        run = self.engine.run(tx, case)
        if job.kind in (JobKind.SLA_WARNING, JobKind.SLA_BREACH):
            escalate(self.store, tx, run, job)
        else:
            token = next((t for t in case.tokens if job.id in (t.waiting_for, t.timeout_job)), None)
            if token is not None:
                timeout = job.kind is JobKind.MESSAGE_TIMEOUT
                token.timeout_job = None
                run.audit("timer fired", Phrase("Timeout expired") if timeout else Phrase("Waiting time is over"),
                          node=token.node,
                          details={"job": job.id})
                self.engine.resume(tx, case, token, run.only_way_out(token, timeout=timeout))
        return True

    # Reading ----------------------------------------------------------------

    def checkpoint(self) -> Checkpoint | None:
        """Anchor every audit trail that grew since the newest checkpoint (`runtime.anchors`); the worker calls this."""
        return self.anchoring.checkpoint(self.clock.now())

    def verify_audit(self, user: User, case_id: str | None = None, *, public: Ed25519PublicKey | None = None,
                     anchors: list[dict[str, Any]] | None = None) -> Verdict:
        """Verify every case's trail (or one case's) against its hash chain and the signed checkpoints; `public`
        is the installation's trusted key (by default the signing key's own), `anchors` an auditor's anchor file."""
        require(user, UseCase.READ_AUDIT)
        key = self.anchoring.key
        return verify_store(self.store, public=public or (key.public if key else None), anchors=anchors,
                            only=case_id)

    def now(self) -> datetime:
        return self.clock.now()

    # Helpers ----------------------------------------------------------------

    def _customer_values(self, customer_id: str) -> dict[str, Any] | None:
        try:
            return self.store.customer(customer_id).model_dump(mode="json")
        except NotFound:
            return None

    def _recall(self, result: Mapping[str, str]) -> Any:
        """The document a recorded answer names, as it is now."""
        readers: dict[str, Callable[[], Any]] = {
            "Case": lambda: self.store.case(result["id"]),
            "WorkItem": lambda: self.store.work_item(result["id"]),
            "Contact": lambda: self.store.contact(result["id"]),
            "Attachment": lambda: self.store.attachment(result["case_id"], result["id"]),
            "Version": lambda: self.store.version(result["process_key"], int(result["number"])),
            "nothing": lambda: None,
        }
        return readers[result["kind"]]()


def require_open(item: WorkItem, name_of: Callable[[str], str]) -> None:
    """Refuse (`ConflictError`) acting on a task that is no longer open, saying who finished it."""
    if item.status is not WorkItemStatus.OPEN:
        if item.completed_by:
            raise ConflictError(Phrase("task '{task}' was already {status} by {who}; nothing was changed",
                                       task=item.title, status=item.status, who=name_of(item.completed_by)))
        raise ConflictError(Phrase("task '{task}' was already {status}; nothing was changed", task=item.title,
                                   status=item.status))


def _remember(result: Any) -> dict[str, str]:
    """What an answered request records of its result, for `Runtime._recall`."""
    if isinstance(result, Version):
        return {"kind": "Version", "process_key": result.process_key, "number": str(result.number)}
    if isinstance(result, Attachment):
        return {"kind": "Attachment", "id": result.id, "case_id": result.case_id}
    if isinstance(result, (Case, WorkItem, Contact)):
        return {"kind": type(result).__name__, "id": result.id}
    if result is None:  # a step whose answer is what it recorded (e.g. an export's events)
        return {"kind": "nothing"}
    raise TypeError(f"a step answering {type(result).__name__} cannot be repeated by key")


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
    form = version.prepared_form(item.form)
    return None if form is None else set(form.variables)


def _require_checklist(version: ProcessVersion, item: WorkItem) -> None:
    """Refuse completing a task whose required checklist items are not all ticked."""
    node = version.nodes.get(item.node)
    missing = [Phrase("{entry} (id: {id})", entry=c.text, id=c.id) for c in getattr(node, "checklist", [])
               if c.required and c.id not in item.checklist_ticked]
    if missing:
        raise EngineError(Phrase("tick the checklist first: {missing}", missing=missing))
