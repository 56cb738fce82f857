"""What the REST API takes and returns, as pydantic models, so the OpenAPI document describes every route.

Case data (`data`) stays a free object here: its shape is the process's own,
described by the JSON Schema of the start form (GET
/api/v1/processes/{key}/start-schema) and checked by the form's generated
validator on the server. Field errors come back as FastAPI's usual 422 body:
`detail` lists each problem with `loc` (e.g. ["body", "data", "iban"]) and `msg`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from models.customers import Customer
from models.nodes import Channel
from runtime.documents import AuditEvent, Case, CaseStatus, ContactDirection, SlaStatus, WorkItem
from runtime.intake import Suggestion


class Strict(BaseModel):
    """A request body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class StartCase(Strict):
    """A case to start on the newest published version of a process."""

    data: dict[str, Any] = Field(default_factory=dict, description="the start form's values by variable name")
    customer_id: str | None = Field(None, description="the customer the case is for (default: the contact's)")
    contact_id: str | None = Field(None, description="the contact the case is started from; the contact lists it")
    start: str | None = Field(None, description="the start node, for a process with several starts")


class CompleteWorkItem(Strict):
    """The data entered on the task's form, and the checklist items ticked now."""

    data: dict[str, Any] = Field(default_factory=dict, description="the task form's values by variable name")
    checklist: list[str] = Field(default_factory=list, description="ids of the checklist items ticked now")


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
    reason: str = Field(min_length=1, description="why the customer got in touch, in their words")
    note: str = ""


class WorkItemOut(BaseModel):
    id: str
    case_id: str
    process_key: str
    title: str
    queue: str
    form: str | None
    assignee: str | None
    priority: int
    created_at: datetime
    warning_at: datetime | None
    due_at: datetime | None
    sla: SlaStatus | None = Field(description="on track, at risk or breached; none without a service level")

    @classmethod
    def of(cls, item: WorkItem, now: datetime) -> WorkItemOut:
        return cls(**item.model_dump(include=set(cls.model_fields) - {"sla"}), sla=SlaStatus.of(item, now))


class WorkItemPage(BaseModel):
    """One page of work items, soonest deadline first (no deadline last), then priority, then age."""

    items: list[WorkItemOut]
    offset: int
    limit: int
    next_offset: int | None = Field(description="the offset of the next page, if there may be one")


class CaseOut(BaseModel):
    id: str
    process_key: str
    version: int
    status: CaseStatus
    revision: int
    customer_id: str | None
    contact_id: str | None
    started_at: datetime
    started_by: str
    due_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    root_cause: str | None
    open_items: list[WorkItemOut]

    @classmethod
    def of(cls, case: Case, open_items: list[WorkItem], now: datetime) -> CaseOut:
        fields = case.model_dump(include=set(cls.model_fields) - {"open_items"})
        return cls(**fields, open_items=[WorkItemOut.of(i, now) for i in open_items])


class Completed(BaseModel):
    """The completed work item and where its case stands now."""

    work_item: str
    case: CaseOut


class TimelineEntry(BaseModel):
    """One audit event of the case, in plain language."""

    at: datetime
    actor: str
    kind: str
    summary: str
    node: str | None
    changes: dict[str, list[Any]] = Field(description="variable -> [before, after]")

    @classmethod
    def of(cls, event: AuditEvent) -> TimelineEntry:
        return cls(**event.model_dump(include=set(cls.model_fields)))


class CaseDetail(CaseOut):
    """A case with its data and its timeline, oldest event first."""

    data: dict[str, Any]
    timeline: list[TimelineEntry]


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
                   reasons=list(suggestion.reasons), start=suggestion.start_node)


class ContactRecorded(BaseModel):
    """The contact as recorded, the customer it is linked to, and the processes that fit it, best first."""

    id: str
    customer: CustomerOut | None
    customer_matches: int = Field(description="how many customers the lookup found (linked only when exactly 1)")
    channel: Channel
    reason: str
    suggestions: list[SuggestionOut]
