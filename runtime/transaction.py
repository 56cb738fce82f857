"""One step's unit of work: who acts, the documents it read and changes, and everything it writes.

A use case reads every document it decides on through its transaction (so it
checks status and access on what it will commit), engine code changes the
working copies of cases and records new work items, jobs, outbox entries and
audit events here, and `Runtime.step` commits it all with one `Store.commit`,
or nothing at all when anything fails.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from models.customers import Customer
from models.phrases import Phrase
from runtime.audit import GENESIS, seal_event
from runtime.case_facts import TrailMark, count_event, facts_of, tally_of
from runtime.documents import (
    Attachment,
    Case,
    CaseFacts,
    CaseTally,
    Contact,
    Job,
    OutboxEntry,
    Record,
    SealedEvent,
    User,
    Version,
    WorkItem,
    WorkItemStatus,
)
from runtime.errors import ChangedMeanwhile, NotFound, PreconditionFailed
from runtime.storage.base import Changes, Store, WorkQuery

_MOMENT = TypeAdapter(datetime)
#: A page size no case's list of work items reaches.
EVERY_ITEM = 1_000_000


def new_id(prefix: str) -> str:
    """A globally unique, readable id such as `case-3f2a...` (80 random bits); no per-process counters."""
    return f"{prefix}-{os.urandom(10).hex()}"


class Transaction:
    """The working state of one step by `user`; reads go to the store once per document."""

    def __init__(self, store: Store, user: User, now: datetime, timezone: str) -> None:
        self.store = store
        self.user = user
        self.actor = user.id
        self.now = now
        self.timezone = timezone  # the business calendar's: a closing case's local day
        self._now_json = _MOMENT.dump_python(now, mode="json")
        self._cases: dict[str, tuple[Case, int | None]] = {}
        self._expected: dict[str, int] = {}  # case id -> the revision the caller last saw
        self._work_items: dict[str, WorkItem] = {}
        self._jobs: dict[str, Job] = {}
        self._outbox: list[OutboxEntry] = []
        self._audit: list[SealedEvent] = []
        self._contacts: dict[str, Contact] = {}
        self._records: dict[tuple[str, str], Record] = {}
        self._attachments: list[Attachment] = []
        self._customers: list[Customer] = []
        self._users: dict[str, User] = {}
        self._versions: list[tuple[Version, dict[str, Any]]] = []
        self.advancing: set[str] = set()  # cases the engine is running now, so nested calls just mark tokens ready
        self.runs: dict[str, Any] = {}  # case id -> the engine's `CaseRun` of it in this step
        self._edges_taken: dict[str, list[str]] = {}  # case id -> edges followed since its last audit event

    # Cases ------------------------------------------------------------------

    def case(self, case_id: str) -> Case:
        """The working copy of a case, loaded on first use."""
        if case_id not in self._cases:
            stored = self.store.case(case_id)  # stores hand out fresh objects: safe to change
            expected = self._expected.get(case_id, stored.revision)
            if stored.revision != expected:
                raise PreconditionFailed(Phrase("case {case} changed since you read it (it is at revision {revision}, "
                                                "you expected {expected}); read it again", case=case_id,
                                                revision=stored.revision, expected=expected))
            self._cases[case_id] = (stored, stored.revision)
        return self._cases[case_id][0]

    def expect_revision(self, case_id: str, revision: int) -> None:
        """Refuse (`PreconditionFailed`) when this step reads the case at another revision than `revision`."""
        self._expected[case_id] = revision

    def add_case(self, case: Case) -> Case:
        self._cases[case.id] = (case, None)
        return case

    # Work items and jobs ----------------------------------------------------

    def item_and_case(self, item_id: str) -> tuple[WorkItem, Case]:
        """A work item and its case, the case read first: every change to an item changes its case's revision,
        so the commit's check of that revision also covers the item."""
        case = self.case(self.store.work_item_case(item_id))
        return self.work_item(item_id), case

    def work_item(self, item_id: str) -> WorkItem:
        """A work item of a case this step already read (see `item_and_case`)."""
        if item_id not in self._work_items:
            self._work_items[item_id] = self.store.work_item(item_id)
        return self._work_items[item_id]

    def put_work_item(self, item: WorkItem) -> WorkItem:
        self._work_items[item.id] = item
        return item

    def job(self, job_id: str) -> Job:
        if job_id not in self._jobs:
            self._jobs[job_id] = self.store.job(job_id)
        return self._jobs[job_id]

    def put_job(self, job: Job) -> Job:
        self._jobs[job.id] = job
        return job

    def add_outbox(self, entry: OutboxEntry) -> None:
        self._outbox.append(entry)

    # Contacts, records and attachments --------------------------------------

    def contact(self, contact_id: str) -> Contact:
        """The working copy of a contact, loaded on first use; committed with the step."""
        if contact_id not in self._contacts:
            self._contacts[contact_id] = self.store.contact(contact_id)
        return self._contacts[contact_id]

    def put_contact(self, contact: Contact) -> Contact:
        self._contacts[contact.id] = contact
        return contact

    def record(self, kind: str, key: str) -> Record | None:
        """The working copy of a record (None when there is none); put it back with `put_record` to change it."""
        if (kind, key) in self._records:
            return self._records[(kind, key)]
        try:
            return self.store.record(kind, key)
        except NotFound:
            return None

    def new_record(self, kind: str, key: str, data: dict[str, Any]) -> Record:
        """A record to create (or to write over a removed one), stamped with who and when.

        One that someone else created since this step found none is `ChangedMeanwhile` (`Runtime.step` runs the
        step again, which then finds it), never written over: two case starts that both
        found no counter must not both take number 1. The revision is read before the record itself, so one
        created in between is seen here or refused by the commit's check of that revision.
        """
        revision = self.store.record_revision(kind, key)
        if revision and self._stored_record_exists(kind, key):
            raise ChangedMeanwhile(Phrase("{kind} '{key}' was created by someone else meanwhile; try again",
                                          kind=kind, key=key))
        return self.put_record(Record(kind=kind, key=key, revision=revision, data=data, updated_by=self.actor,
                                      updated_at=self.now))

    def write_record(self, read: Record | None, kind: str, key: str, data: dict[str, Any]) -> Record:
        """Write `data` as the record of `kind` and `key` with the step: over `read`, the record as this step read
        it (a removed one comes back), or new (`new_record`) when the step found none."""
        if read is None:
            return self.new_record(kind, key, data)
        return self.put_record(read.model_copy(update={"data": data, "updated_by": self.actor, "updated_at": self.now,
                                                       "removed": False}))

    def _stored_record_exists(self, kind: str, key: str) -> bool:
        """Whether the store holds a record (not a removed one) of `kind` and `key`."""
        try:
            self.store.record(kind, key)
        except NotFound:
            return False
        return True

    def put_record(self, record: Record) -> Record:
        """Write `record` with the step (as read, or new with revision 0: the store checks it is still so)."""
        self._records[(record.kind, record.key)] = record
        return record

    def remove_record(self, record: Record) -> Record:
        """Remove `record` (as read) with the step; it is kept marked removed, so its revision keeps counting."""
        return self.put_record(record.model_copy(update={"removed": True, "updated_by": self.actor,
                                                         "updated_at": self.now}))

    def stored_user(self, user_id: str) -> User | None:
        """A stored user as this step sees it (None when there is none); change it through `put_user`."""
        if user_id in self._users:
            return self._users[user_id]
        try:
            return self.store.user(user_id)
        except NotFound:
            return None

    def put_user(self, user: User) -> User:
        """Write `user` (new, or replacing the stored one) with the step."""
        self._users[user.id] = user
        return user

    def put_customer(self, customer: Customer) -> None:
        self._customers.append(customer)

    def add_attachment(self, attachment: Attachment) -> None:
        self._attachments.append(attachment)

    def add_version(self, version: Version, document: dict[str, Any]) -> None:
        self._versions.append((version, document))

    # Audit ------------------------------------------------------------------

    def audit(self, case: Case, kind: str, summary: str | Phrase, *, node: str | None = None,
              changes: dict[str, list[Any]] | None = None, details: dict[str, Any] | None = None) -> None:
        """Append an event to the case's trail, sealed after its newest event (the case counts it and keeps its
        hash as the new head; the step commits the event with the case).

        A `summary` given as a `Phrase` is kept as its English text and, in `details["said"]`, as the phrase itself,
        so a reader of another language is told the same (`runtime.views.cases.event_phrase`).

        `changes` and `details` must already be JSON data (`CaseRun.set_data` returns
        changes that way): the event is sealed over exactly what its JSON form will be,
        so verifying a stored event recomputes the same hash. The edges the case's
        tokens followed since its previous event go into `details["edges"]`, so the
        trail tells which way the case went.
        """
        details = dict(details) if details else {}
        taken = self._edges_taken.pop(case.id, ())
        if taken:
            details["edges"] = taken
        if type(summary) is Phrase:
            summary, details["said"] = summary.english_and_data()
        sealed = seal_event({
            "id": new_id("ev"), "case_id": case.id, "seq": case.audit_count + 1, "at": self._now_json,
            "actor": self.actor, "kind": kind, "node": node, "version_hash": case.version_hash, "summary": summary,
            "changes": changes or {}, "details": details,
        }, case.audit_head or GENESIS)
        case.audit_head, case.audit_count = sealed.hash, sealed.seq
        self._audit.append(sealed)
        if case.facts is None:
            count_event(self._tally(case), kind, self.now, node, taken)

    def _tally(self, case: Case) -> CaseTally:
        """The case's tally; a case stored before tallies were kept is tallied from its stored trail first."""
        if case.tally is None:
            stored = self._cases[case.id][1] is not None
            case.tally = tally_of(map(TrailMark.of, self.store.audit_events(case.id))) if stored else CaseTally()
        return case.tally

    def _facts(self, case: Case, *, stored: bool) -> CaseFacts:
        """The facts of a case closed in this step, from its tally and its tasks: those stored, then this step's."""
        items = {item.id: item for item in self.store.work_items(WorkQuery(
            case_id=case.id, status=WorkItemStatus.COMPLETED, limit=EVERY_ITEM))} if stored else {}
        items |= {item.id: item for item in self._work_items.values() if item.case_id == case.id}
        return facts_of(case, self._tally(case), items.values(), self.timezone)

    def took_edge(self, case: Case, edge_id: str) -> None:
        """Note that a token of `case` followed `edge_id`; the case's next audit event records it."""
        self._edges_taken.setdefault(case.id, []).append(edge_id)

    # Commit -----------------------------------------------------------------

    def changes(self) -> Changes:
        """Everything the step writes; a case it closed gets its facts (`runtime.case_facts`)."""
        for case, read_at in self._cases.values():
            if case.closed_at is not None and case.facts is None:
                case.facts, case.tally = self._facts(case, stored=read_at is not None), None
        return Changes(
            cases=list(self._cases.values()),
            work_items=list(self._work_items.values()),
            jobs=list(self._jobs.values()),
            outbox=list(self._outbox),
            audit=list(self._audit),
            contacts=list(self._contacts.values()),
            records=list(self._records.values()),
            attachments=list(self._attachments),
            versions=list(self._versions),
            customers=list(self._customers),
            users=list(self._users.values()),
        )
