"""What the REST API takes and returns, as pydantic models, so the OpenAPI document describes every route.

Request bodies refuse unknown fields. Case data (`data`) stays a free object
here: its shape is the process's own, described by the JSON Schema of the
start form (GET /api/v1/processes/{key}/start-schema) and checked by the
runtime. Responses are built from the runtime's read models (`runtime.views`)
by the `of` class methods; links (`href`) point at /api/v1 routes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from designer.api.common import path
from models.customers import Customer
from models.nodes import Channel
from runtime.casework import NOTE_LIMIT
from runtime.deliveries import may_resend
from runtime.documents import (
    Attachment,
    AuditEvent,
    Case,
    CaseStatus,
    ContactDirection,
    OutboxEntry,
    OutboxStatus,
    SlaStatus,
    Version,
)
from runtime.intake import MAX_NOTE, MAX_REASON, Suggestion
from runtime.views.cases import CaseView, OpenTask
from runtime.views.processes import ProcessSummary
from runtime.views.work import WorkRow

# -- what callers send ----------------------------------------------------------------------------


class Strict(BaseModel):
    """A request body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


#: Text that says something (not only spaces), at most as long as the runtime keeps: a note or a reason on a case,
#: and why a customer got in touch.
CaseText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NOTE_LIMIT)]
ContactReason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_REASON)]


class StartCase(Strict):
    """A case to start on the newest published version of a process."""

    data: dict[str, Any] = Field(default_factory=dict, description="the start form's values by variable name")
    customer_id: str | None = Field(None, description="the customer the case is for (default: the contact's)")
    contact_id: str | None = Field(None, description="the contact the case is started from; the contact lists it")
    start: str | None = Field(None, description="the start node, for a process with several starts (default: the "
                                                "one taking the contact's channel)")


class CompleteWorkItem(Strict):
    """The data entered on the task's form, and the checklist items ticked now."""

    data: dict[str, Any] = Field(default_factory=dict, description="the task form's values by variable name")
    checklist: list[str] = Field(default_factory=list, description="ids of the checklist items ticked now")


class Reassign(Strict):
    """Hand a task to a person or to another queue of its process, saying why."""

    reason: CaseText = Field(description="why; it goes into the case's trail")
    to_user: str | None = Field(None, description="the user id of the person to hand it to")
    to_queue: str | None = Field(None, description="the queue to put it in (give a person or a queue, not both)")


class DeliverMessage(Strict):
    """A message a waiting case expects, such as a customer's reply passed on by an e-mail gateway."""

    message: str = Field(description="the message's name, as the process's wait step expects it")
    data: dict[str, Any] = Field(default_factory=dict, description="case data the message brings, by variable")


class NewNote(Strict):
    text: CaseText = Field(description="the note, as it will show in the case's timeline")


class CloseCase(Strict):
    root_cause: str = Field(description="the id of one of the process's root causes")
    note: str = ""


class CheckedDelivery(Strict):
    """What someone found, checking with the customer whether a message whose delivery was interrupted arrived."""

    arrived: bool = Field(description="true: it arrived and is never sent again; false: it did not, send it again")


class CustomerLookup(Strict):
    """What a gateway knows about the sender; the contact is linked to the customer only if exactly one matches."""

    number: str | None = None
    email: str | None = None
    phone: str | None = None
    postcode: str | None = None
    house_number: str | None = Field(None, description="with postcode")
    name: str | None = None


class NewContact(Strict):
    """An inbound contact (e-mail, web form, ...) to record, with the customer by id or by lookup."""

    customer_id: str | None = None
    customer: CustomerLookup | None = None
    channel: Channel
    direction: ContactDirection = ContactDirection.INBOUND
    reason: ContactReason = Field(description="why the customer got in touch, in their words")
    note: str = Field("", max_length=MAX_NOTE)


# -- what the API answers ---------------------------------------------------------------------------


class WorkItemOut(BaseModel):
    """An open (or just finished) task, with the names a person reads beside the ids."""

    id: str
    case_id: str
    case_reference: str | None = Field(description="the case's reference, e.g. BC-2026-00123; none for a case "
                                                   "started before cases had references")
    process_key: str
    process_name: str
    node: str = Field(description="the step of the flow; empty for an ad-hoc task")
    title: str
    queue: str
    queue_name: str
    form: str | None
    customer: str = Field(description="the case's customer's name")
    assignee: str | None = Field(description="who claimed it or was handed it")
    assignee_name: str
    claimed_at: datetime | None
    priority: int
    created_at: datetime
    warning_at: datetime | None
    due_at: datetime | None
    sla: SlaStatus | None = Field(description="on track, at risk or breached; none without a service level")

    @classmethod
    def of(cls, row: WorkRow) -> WorkItemOut:
        item = row.item
        return cls(**item.model_dump(include=set(cls.model_fields)), case_reference=row.case_reference or None,
                   process_name=row.process_name, queue_name=row.queue_name, customer=row.customer,
                   assignee_name=row.assignee_name, sla=row.sla)


class OpenTaskOut(WorkItemOut):
    refusal: str | None = Field(description="why the caller may not work this task (e.g. claimed by someone else); "
                                            "none when they may")

    @classmethod
    def of_task(cls, task: OpenTask) -> OpenTaskOut:
        return cls(**WorkItemOut.of(task.row).model_dump(), refusal=None if task.refusal is None else str(task.refusal))


class WorkItemPage(BaseModel):
    """One page of open work items, in the order asked (default: soonest deadline first, then priority, age)."""

    items: list[WorkItemOut]
    total: int = Field(description="how many items match, on every page")
    next: str | None = Field(description="the cursor of the next page; none on the last")


class CaseSummary(BaseModel):
    id: str
    reference: str | None = Field(description="what people read and say, e.g. BC-2026-00123; none for a case "
                                              "started before cases had references")
    process_key: str
    version: int
    status: CaseStatus
    revision: int = Field(description="counts the case's changes; also its ETag")
    customer_id: str | None
    contact_id: str | None
    started_at: datetime
    started_by: str
    due_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    root_cause: str | None
    href: str

    @classmethod
    def of(cls, case: Case) -> CaseSummary:
        return cls(**case.model_dump(include=set(cls.model_fields)) | {"reference": case.reference or None},
                   href=path("cases", case.id))


class CasePage(BaseModel):
    """One page of cases, newest first."""

    items: list[CaseSummary]
    total: int = Field(description="how many cases match, on every page")
    next: str | None = Field(description="the cursor of the next page; none on the last")


class TimelineEntry(BaseModel):
    """One audit event of the case, in plain language."""

    seq: int
    at: datetime
    actor: str
    kind: str
    summary: str
    node: str | None
    changes: dict[str, list[Any]] = Field(description="variable -> [before, after]")
    details: dict[str, Any] = Field(description="what else the event records, e.g. a note's text or a reason")

    @classmethod
    def of(cls, event: AuditEvent) -> TimelineEntry:
        return cls(**event.model_dump(include=set(cls.model_fields)))


class AttachmentOut(BaseModel):
    id: str
    filename: str
    content_type: str
    size: int
    sha256: str
    added_by: str
    added_at: datetime
    href: str = Field(description="where its bytes are downloaded")

    @classmethod
    def of(cls, attachment: Attachment) -> AttachmentOut:
        return cls(**attachment.model_dump(include=set(cls.model_fields)),
                   href=path("cases", attachment.case_id, "attachments", attachment.id))


class SentOut(BaseModel):
    """A letter, e-mail or SMS of the case, queued or sent."""

    id: str
    channel: str
    recipient: str
    subject: str
    status: OutboxStatus
    created_at: datetime
    sent_at: datetime | None
    last_error: str
    document: str = Field(description="where the document that went out is downloaded: PDF, .eml or .txt "
                                      "(with ?view=html: a letter or e-mail as a sandboxed page)")
    resend: str | None = Field(None, description="where to POST to send it once more: only while it failed (and "
                                                 "may not have arrived)")
    checked: str | None = Field(None, description="where to POST what checking with the customer found: only while "
                                                  "it may have arrived (its delivery was interrupted)")

    @classmethod
    def of(cls, entry: OutboxEntry) -> SentOut:
        return cls(**entry.model_dump(include=set(cls.model_fields)),
                   document=path("cases", entry.case_id, "sent", entry.id, "document"),
                   resend=path("cases", entry.case_id, "sent", entry.id, "resend") if may_resend(entry) else None,
                   checked=path("cases", entry.case_id, "sent", entry.id, "checked")
                   if entry.status is OutboxStatus.FAILED and entry.interrupted else None)


class CaseDetail(CaseSummary):
    """A case with its data, open tasks, timeline (oldest event first), attachments and what was sent."""

    process_name: str
    data: dict[str, Any]
    labels: dict[str, str] = Field(description="what people read for each variable of the process (in `data` and "
                                               "the timeline's `changes`), by name")
    open_items: list[OpenTaskOut]
    timeline: list[TimelineEntry]
    attachments: list[AttachmentOut]
    sent: list[SentOut]

    @classmethod
    def of_view(cls, view: CaseView) -> CaseDetail:
        return cls(**CaseSummary.of(view.case).model_dump(), process_name=view.process_name, data=view.case.data,
                   labels={name: variable.display for name, variable in view.version.variables.items()},
                   open_items=[OpenTaskOut.of_task(task) for task in view.open_tasks],
                   timeline=[TimelineEntry.of(event) for event in view.events],
                   attachments=[AttachmentOut.of(a) for a in view.attachments], sent=[SentOut.of(e) for e in view.sent])


class Completed(BaseModel):
    """The completed work item and where its case stands now."""

    work_item: str
    case: CaseDetail


class VersionOut(BaseModel):
    process_key: str
    number: int
    hash: str = Field(description="the SHA-256 of the version's content")
    name: str
    author: str
    published_at: datetime
    note: str
    approved_by: str = Field(default="", description="who approved it (four eyes); empty when none was needed")
    approved_at: datetime | None = None
    approval_note: str = ""

    @classmethod
    def of(cls, version: Version) -> VersionOut:
        return cls(**version.model_dump(include=set(cls.model_fields)))


class ProcessOut(BaseModel):
    """A published process: its newest version and how many versions it has."""

    key: str
    name: str
    latest: VersionOut
    version_count: int

    @classmethod
    def of(cls, summary: ProcessSummary) -> ProcessOut:
        return cls(key=summary.key, name=summary.name, latest=VersionOut.of(summary.latest),
                   version_count=summary.version_count)


class CustomerOut(BaseModel):
    id: str
    number: str
    name: str

    @classmethod
    def of(cls, customer: Customer) -> CustomerOut:
        return cls(id=customer.id, number=customer.number, name=customer.name)


class SuggestionOut(BaseModel):
    """A process that fits the contact, and why."""

    process_key: str
    name: str
    score: int
    reasons: list[str]
    start: str | None = Field(description="the start node that takes contacts on this channel, if any")

    @classmethod
    def of(cls, suggestion: Suggestion) -> SuggestionOut:
        return cls(process_key=suggestion.process_key, name=suggestion.name, score=suggestion.score,
                   reasons=list(map(str, suggestion.reasons)), start=suggestion.start_node)


class ContactOut(BaseModel):
    """A recorded contact, the customer it is linked to, its cases and the processes that fit it, best first."""

    id: str
    customer: CustomerOut | None
    channel: Channel
    direction: ContactDirection
    reason: str
    note: str
    agent: str
    at: datetime
    case_ids: list[str]
    suggestions: list[SuggestionOut]


class ContactRecorded(ContactOut):
    customer_matches: int = Field(description="how many customers the lookup found (linked only when exactly 1)")
