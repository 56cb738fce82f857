"""A case as the people reading it see it: the case page, the REST API's case, the CLI's `case`, the auditor's trail.

`case_view` gathers everything about one case in one read: its pinned
version, open tasks (each with whether the reader may work it, and why not),
the timeline (its audit events), attachments and what was sent. `task_view`
is the one task an agent works: its step in the flow, form, checklist and the
values the form's expressions read. `find_cases` lists cases by id or
reference, process, customer, status and start date, newest first, with a
total; `case_named` is the case a person names by its id or its reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from models.customers import Customer
from models.forms import Form
from models.nodes import NodeBase
from models.phrases import Phrase, kept_phrase
from runtime.access import UseCase, require, work_refusal
from runtime.case_values import Scope
from runtime.documents import Attachment, AuditEvent, Case, CaseStatus, Contact, Incident, OutboxEntry, User, WorkItem
from runtime.errors import NotFound
from runtime.outbox import sent_to_customer
from runtime.process_version import ProcessVersion
from runtime.references import case_of_reference
from runtime.storage.base import WorkQuery
from runtime.views.names import Names
from runtime.views.work import WorkRow, row

if TYPE_CHECKING:
    from runtime.service import Runtime

#: The most open tasks one case shows.
OPEN_TASK_LIMIT = 100


@dataclass(frozen=True)
class OpenTask:
    """An open task of the case, and why the reader may not work it (None: they may)."""

    row: WorkRow
    refusal: Phrase | None


@dataclass(frozen=True)
class CaseView:
    case: Case
    version: ProcessVersion
    open_tasks: list[OpenTask]
    events: list[AuditEvent]  # the timeline, oldest first
    attachments: list[Attachment]
    sent: list[OutboxEntry]  # letters, e-mails and SMS, oldest first
    names: Names

    @property
    def process_name(self) -> str:
        return self.version.bundle.name


def case_view(runtime: Runtime, user: User, case_id: str) -> CaseView:
    """Everything the case page, the API and the CLI show of one case."""
    require(user, UseCase.READ_CASE)
    case = runtime.store.case(case_id)
    names = Names(runtime)
    now = runtime.now()
    items = runtime.store.work_items(WorkQuery(case_id=case_id, limit=OPEN_TASK_LIMIT))
    version = runtime.process_version(case.version_hash)
    open_tasks = [OpenTask(row(item, now, names), _refusal(runtime, user, item, version)) for item in items]
    return CaseView(case, version, open_tasks, runtime.store.audit_events(case_id),
                    runtime.store.attachments(case_id), sent_to_customer(runtime.store, case_id), names)


@dataclass(frozen=True)
class Change:
    """One value an event changed: the variable's label, what it was, what it became."""

    label: str
    variable: str
    before: Any
    after: Any


def event_changes(version: ProcessVersion, event: AuditEvent) -> list[Change]:
    """The values an event changed, labelled; a variable that only started empty is no news and is left out."""
    changes = []
    for name, (before, after) in event.changes.items():
        if before is None and after in (None, "", False, []):
            continue
        variable = version.variables.get(name)
        changes.append(Change(variable.display if variable else name, name, before, after))
    return changes


@dataclass(frozen=True)
class TaskView:
    """One task as the agent works it."""

    item: WorkItem
    case: Case
    version: ProcessVersion
    node: NodeBase | None  # None for an ad-hoc task
    form: Form | None
    values: Scope  # what the form's expressions read: case data, customer, now, today
    refusal: Phrase | None  # why the reader may not work it; None when they may
    completed_by_name: str


def task_view(runtime: Runtime, user: User, item_id: str) -> TaskView:
    require(user, UseCase.READ_CASE)
    item = runtime.store.work_item(item_id)
    case = runtime.store.case(item.case_id)
    version = runtime.process_version(case.version_hash)
    customer = runtime.engine.services.customer
    values = Scope(version, case, runtime.now(), lambda: customer(case.customer_id) if case.customer_id else None)
    return TaskView(item, case, version, version.nodes.get(item.node), version.bundle.form(item.form)
                    if item.form else None, values, _refusal(runtime, user, item, version),
                    runtime.display_name(item.completed_by) if item.completed_by else "")


def event_phrase(event: AuditEvent) -> Phrase | str:
    """What happened, as the runtime said it when it happened: the phrase kept with the event (a door says it in
    its reader's language), else the recorded English summary (events from before phrases were kept, kinds that
    keep none)."""
    return kept_phrase(event.details.get("said"), event.summary)


def incident_phrase(incident: Incident) -> Phrase | str:
    """What an incident says, as the runtime said it (a door says it in its reader's language), else its message."""
    return kept_phrase(incident.said, incident.message)


def _refusal(runtime: Runtime, user: User, item: WorkItem, version: ProcessVersion) -> Phrase | None:
    refusal = work_refusal(user, item, UseCase.COMPLETE, runtime.display_name, runtime.kept_apart(version, item))
    return None if refusal is None else refusal.args[0]


@dataclass(frozen=True)
class CustomerSheet:
    """The case's customer beside it: details, other open cases (with their process names), contacts newest first."""

    customer_id: str | None
    customer: Customer | None  # None when gone from the directory
    other_cases: list[tuple[Case, str]]
    contacts: list[Contact]
    names: dict[str, str] = field(default_factory=dict)  # the contacts' cases (references) and agents, by id


def customer_sheet(runtime: Runtime, user: User, case: Case) -> CustomerSheet:
    require(user, UseCase.READ_CASE)
    if case.customer_id is None:
        return CustomerSheet(None, None, [], [])
    try:
        customer = runtime.store.customer(case.customer_id)
    except NotFound:
        return CustomerSheet(case.customer_id, None, [], [])
    others = [c for c in runtime.store.cases(customer_id=customer.id, active=True) if c.id != case.id]
    contacts = sorted(runtime.store.contacts(customer_id=customer.id), key=lambda c: c.at, reverse=True)
    names = Names(runtime)
    read = {contact.agent: names.user(contact.agent) for contact in contacts} | {
        linked: names.reference_of(linked) or linked for contact in contacts for linked in contact.case_ids}
    return CustomerSheet(customer.id, customer, [(c, runtime.process_version(c.version_hash).bundle.name)
                                                  for c in others], contacts, read)


def sent_items(runtime: Runtime, user: User, case_id: str) -> list[OutboxEntry]:
    """The letters, e-mails and SMS of a case, queued or sent, oldest first."""
    require(user, UseCase.READ_CASE)
    runtime.store.case(case_id)  # NotFound names the case
    return sent_to_customer(runtime.store, case_id)


def sent_entry(runtime: Runtime, user: User, case_id: str, entry_id: str) -> OutboxEntry:
    """One letter, e-mail or SMS of a case, or NotFound."""
    found = next((entry for entry in sent_items(runtime, user, case_id) if entry.id == entry_id), None)
    if found is None:
        raise NotFound(f"case '{case_id}' sent no '{entry_id}'")
    return found


def attachment_file(runtime: Runtime, user: User, case_id: str, attachment_id: str) -> tuple[Attachment, bytes]:
    """An attachment of the case and its bytes, or NotFound."""
    require(user, UseCase.READ_CASE)
    return (runtime.store.attachment(case_id, attachment_id),
            runtime.store.attachment_content(case_id, attachment_id))


def case_named(runtime: Runtime, user: User, named: str) -> Case:
    """The case `named` names: by its id, or by its reference such as BC-2026-00123 (in any letter case);
    NotFound when there is no such case."""
    require(user, UseCase.READ_CASE)
    return runtime.store.case(case_of_reference(runtime.store, named) or named.strip())  # NotFound names it


@dataclass(frozen=True)
class CaseFilter:
    """Which cases to list, newest first: by id or reference, process, customer, status and start date."""

    case_id: str | None = None
    reference: str | None = None
    process: str | None = None
    customer: str | None = None
    status: CaseStatus | None = None
    started_since: datetime | None = None
    started_until: datetime | None = None
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    total: int
    offset: int
    limit: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.cases) < self.total


def find_cases(runtime: Runtime, user: User, wanted: CaseFilter) -> CasePage:
    """A page of the cases matching `wanted`, newest first, with how many match in all."""
    require(user, UseCase.READ_CASE)
    active = None if wanted.status is None else wanted.status is CaseStatus.ACTIVE
    ids = runtime.store.case_ids(process_key=wanted.process, customer_id=wanted.customer, active=active,
                                 started_since=wanted.started_since, started_until=wanted.started_until)
    if wanted.case_id is not None:
        ids = [case_id for case_id in ids if case_id == wanted.case_id]
    if wanted.reference is not None:
        named = case_of_reference(runtime.store, wanted.reference)
        ids = [case_id for case_id in ids if case_id == named]
    newest_first = ids[::-1][wanted.offset:wanted.offset + wanted.limit]
    return CasePage([runtime.store.case(case_id) for case_id in newest_first], len(ids), wanted.offset, wanted.limit)
