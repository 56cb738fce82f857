"""What the runtime stores: versions, cases, work items, jobs, outbox entries, audit events, contacts, users, records.

These are plain pydantic documents with JSON-ready fields; the engine
changes them, the store persists them. A case pins its version by number and
content hash and holds node ids, never a copy of the model (the bundle is
stored once, by hash).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.nodes import Channel

Moment = TypeVar("Moment", datetime, int)


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Version(Document):
    """One published, immutable version of a process."""

    process_key: str
    number: int
    hash: str
    name: str
    author: str
    published_at: datetime
    note: str = ""
    approved_by: str = ""  # four eyes: who approved it (never its author), when and what they said
    approved_at: datetime | None = None
    approval_note: str = ""


class CaseStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"


class Token(Document):
    """A point of control in a case: at `node`, arrived over `edge`."""

    id: str
    node: str
    edge: str | None = None
    waiting_for: str | None = None  # what it waits on: a work item, job, message, child case, join, incident
    timeout_job: str | None = None  # the job that ends a message wait early


class Incident(Document):
    """A case cannot go on by itself (an operator fixes the data and retries), or something it sent could not be
    delivered (`outbox_entry`; someone resends it: `runtime.deliveries`)."""

    id: str
    token: str  # the token it stops; "" for a failed delivery, which stops nothing
    node: str
    message: str
    raised_at: datetime
    outbox_entry: str | None = None
    #: `message` as a `Phrase` (`Phrase.as_data`), for a reader of another language; None before phrases were kept.
    said: dict[str, Any] | None = None


class CaseFacts(Document):
    """What a closed case adds to the supervisor's figures, derived once from its trail and tasks in the step that
    closes it (`runtime.case_facts`); its times, case SLA and root cause are the case's own fields."""

    day: date  # the local day (the business calendar's timezone) it closed on
    first_response: float | None = None  # seconds from its start until a person first claimed or completed a task
    first_time_right: bool = True  # no edge followed twice and no task given work twice
    tasks_with_sla: int = 0
    tasks_on_time: int = 0
    waits: list[tuple[str, float]] = Field(default_factory=list)  # (node, seconds) per completed task, ended wait
    edges: dict[str, int] = Field(default_factory=dict)  # edge id -> times followed


class CaseTally(Document):
    """What a case's closing facts need from its trail, counted as its events are recorded (`runtime.case_facts`),
    so the step that closes it does not read the whole trail again."""

    first_response_at: datetime | None = None  # the first "task claimed" or "task completed" event
    edges: dict[str, int] = Field(default_factory=dict)  # edge id -> times followed
    tasks_created: dict[str, int] = Field(default_factory=dict)  # task node -> work items given
    waiting_since: dict[str, datetime] = Field(default_factory=dict)  # wait node -> when its wait began
    waits: list[tuple[str, float]] = Field(default_factory=list)  # (wait node, seconds) per ended wait


class Case(Document):
    id: str
    reference: str = ""  # what people read and say, e.g. BC-2026-00123 (runtime.references); empty on older cases
    process_key: str
    version: int
    version_hash: str
    status: CaseStatus = CaseStatus.ACTIVE
    revision: int = 0
    data: dict[str, Any] = Field(default_factory=dict)
    tokens: list[Token] = Field(default_factory=list)
    incidents: list[Incident] = Field(default_factory=list)
    customer_id: str | None = None
    contact_id: str | None = None
    parent_case: str | None = None
    parent_token: str | None = None
    depth: int = 0
    started_at: datetime
    started_by: str
    closed_at: datetime | None = None
    outcome: str | None = None
    root_cause: str | None = None
    due_at: datetime | None = None  # the case SLA's target, if the process has one
    sla_jobs: list[str] = Field(default_factory=list)  # case-level SLA jobs still pending
    audit_head: str = ""  # hash of the newest audit event of this case
    audit_count: int = 0
    tally: CaseTally | None = None  # kept up while it runs (from its first event); dropped once its facts are set
    facts: CaseFacts | None = None  # set in the step that closes it

    @property
    def display(self) -> str:
        """How a person reads the case: its reference, or its id when it has none."""
        return self.reference or self.id

    @model_validator(mode="before")
    @classmethod
    def _drop_completion_keys(cls, stored: Any) -> Any:
        """Cases stored before answered requests became records kept their completions' keys here."""
        if isinstance(stored, dict) and "completions" in stored:
            stored = {k: v for k, v in stored.items() if k != "completions"}
        return stored


class SlaStatus(StrEnum):
    """Where a work item stands against its service level; `at` is the one rule that decides it."""

    ON_TRACK = "on track"
    AT_RISK = "at risk"
    BREACHED = "breached"

    @classmethod
    def at(cls, now: Moment, due: Moment | None, warning: Moment | None = None) -> SlaStatus | None:
        """Breached from the due time on, at risk from the warning time on, else on track; None without a due
        time. Times may be datetimes or the stores' microsecond numbers, as long as all three are alike."""
        if due is None:
            return None
        if now >= due:
            return cls.BREACHED
        if warning is not None and now >= warning:
            return cls.AT_RISK
        return cls.ON_TRACK

    @classmethod
    def of(cls, item: WorkItem, now: datetime) -> SlaStatus | None:
        """Where `item` stands at `now`."""
        return cls.at(now, item.due_at, item.warning_at)


class WorkItemStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class WorkOrder(StrEnum):
    """How a worklist is sorted; age (oldest first) decides last in both."""

    DEADLINE = "deadline"  # soonest deadline first (none last), then highest priority
    PRIORITY = "priority"  # highest priority first, then soonest deadline (none last)


class WorkItem(Document):
    """A task for a person: in a queue, maybe claimed, with its SLA times."""

    id: str
    case_id: str
    process_key: str
    node: str
    token: str
    title: str
    queue: str
    form: str | None = None
    status: WorkItemStatus = WorkItemStatus.OPEN
    assignee: str | None = None
    priority: int = 3
    created_at: datetime
    warning_at: datetime | None = None
    due_at: datetime | None = None
    claimed_at: datetime | None = None  # when `assignee` took it (claimed or was handed it)
    completed_at: datetime | None = None
    completed_by: str | None = None
    sla_jobs: list[str] = Field(default_factory=list)  # its SLA warning/breach jobs
    checklist_ticked: list[str] = Field(default_factory=list)  # ids of the node's checklist items ticked
    adhoc: bool = False  # added by an agent to a running case; the flow does not wait for it


class JobKind(StrEnum):
    TIMER = "timer"
    MESSAGE_TIMEOUT = "message timeout"
    SLA_WARNING = "sla warning"
    SLA_BREACH = "sla breach"


class Job(Document):
    """Something to do at a due time; a scheduler claims and fires it once."""

    id: str
    case_id: str
    kind: JobKind
    due_at: datetime
    token: str | None = None
    work_item: str | None = None
    done: bool = False


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # handed to the channel; if the process dies now, the outcome is unknown
    SENT = "sent"
    KEPT = "kept"  # an e-mail kept as a file in the data folder: no mail server was configured
    FAILED = "failed"


#: Entries the deliverer still has to deal with.
AWAITING_DELIVERY = frozenset({OutboxStatus.PENDING, OutboxStatus.SENDING})


class OutboxEntry(Document):
    """A rendered letter, e-mail or SMS waiting to be delivered exactly once."""

    id: str
    case_id: str
    node: str
    channel: str  # letter, email, sms, or connector (a back-office request)
    letter: str = ""
    language: str
    recipient: str
    subject: str = ""
    body: str
    text_body: str = ""
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None = None  # when it was sent (or kept)
    last_error: str = ""
    #: `last_error` as a `Phrase` (`Phrase.as_data`), for a reader of another language; None without one.
    last_error_said: dict[str, Any] | None = None
    #: Delivery stopped while a channel that cannot take it back (SMTP) had it: it may have arrived, so it is
    #: never sent again by itself or by a resend; someone checks by hand.
    interrupted: bool = False

    @model_validator(mode="before")
    @classmethod
    def _interrupted_from_error(cls, stored: Any) -> Any:
        """Entries stored before `interrupted` existed said so in their last error only."""
        if isinstance(stored, dict) and "interrupted" not in stored and stored.get("status") == "failed":
            stored = stored | {"interrupted": str(stored.get("last_error", "")).startswith("delivery was interrupted")}
        return stored


class AuditEvent(Document):
    """One thing that happened to a case; `hash` covers it and its predecessor's hash."""

    id: str
    case_id: str
    seq: int
    at: datetime
    actor: str
    kind: str
    node: str | None = None
    version_hash: str
    summary: str
    changes: dict[str, list[Any]] = Field(default_factory=dict)  # variable -> [before, after]
    details: dict[str, Any] = Field(default_factory=dict)
    previous_hash: str
    hash: str
    seal: int = 1  # the canonical JSON `hash` covers (`runtime.audit`): 2 now, 1 for events written before


class SealedEvent(NamedTuple):
    """A new audit event as its step sealed it, on its way to a store: its JSON text (hash included). A step makes
    dozens of events; building and dumping an `AuditEvent` model for each, or keeping its data until the commit,
    cost more than the rest of their way to the store, so the model is made only when a reader asks (`event`)."""

    id: str
    case_id: str
    seq: int
    hash: str
    text: bytes

    @classmethod
    def of(cls, event: AuditEvent) -> SealedEvent:
        """A stored event on its way to another store (a copy, a test)."""
        return cls(event.id, event.case_id, event.seq, event.hash, event.model_dump_json().encode())

    def event(self) -> AuditEvent:
        return AuditEvent.model_validate_json(self.text)


#: The largest attachment a store keeps, in bytes.
ATTACHMENT_LIMIT = 10 * 1024 * 1024


class Attachment(Document):
    """A file an agent attached to a case; its bytes are kept by the store under `id` (`Store.attachment_content`)."""

    id: str
    case_id: str
    filename: str
    content_type: str = "application/octet-stream"
    size: int
    sha256: str
    added_by: str
    added_at: datetime


class ContactDirection(StrEnum):
    INBOUND = "in"  # the customer contacted us
    OUTBOUND = "out"  # we contacted the customer


class Contact(Document):
    """One conversation with a customer, as the agent recorded it at intake; cases started from it link back."""

    id: str
    customer_id: str | None = None  # None: the caller could not be identified
    channel: Channel
    direction: ContactDirection = ContactDirection.INBOUND
    reason: str
    note: str = ""
    agent: str
    at: datetime
    case_ids: list[str] = Field(default_factory=list)
    revision: int = 0  # as with cases: each commit adds one, and a commit of a stale contact is refused


class User(Document):
    id: str
    name: str
    email: str = ""
    roles: list[str] = Field(default_factory=list)
    queues: list[str] = Field(default_factory=list)
    password_hash: str = ""
    api_token_hash: str = ""
    language: str | None = None  # the app's language for them (runtime.settings.LANGUAGES); None: the installation's


class Record(Document):
    """A document of a kind kept beside the cases, found by `kind` and `key`: a process's draft, its saved
    test-run scenarios, an answered request (for idempotency), an installation setting.

    `revision` works as a case's: a record is committed as read (0 for a new one), the store refuses it when the
    stored revision moved meanwhile (`ConflictError`) and stores it with revision + 1. `removed` marks a removed
    record, kept so its revision keeps counting; stores never hand one out.
    """

    kind: str
    key: str
    revision: int = 0
    data: dict[str, Any] = Field(default_factory=dict)
    updated_by: str = ""
    updated_at: datetime | None = None
    removed: bool = False
