"""A store that keeps everything in dicts: for tests, test-runs of drafts and engine benchmarks.

It has the embedded store's semantics without its files: the same rules
(`rules.check_changes`), the same indexes and orders (`indexes`), a commit
that is applied completely or not at all, and one lock so a scheduler
thread and web requests can share it.

Documents are kept as their JSON text, as the embedded store keeps them:
every read returns fresh objects that a caller may change freely without
touching the store, and a document reads back exactly as it would after a
trip through a file (JSON types, times with their offset). Serialising with
pydantic-core costs a few microseconds per document, far less than a deep copy.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import from_json, to_json

from models.customers import Customer, SearchField
from runtime.documents import (
    AWAITING_DELIVERY,
    Attachment,
    AuditEvent,
    Case,
    Contact,
    Job,
    OutboxEntry,
    Record,
    User,
    Version,
    WorkItem,
)
from runtime.errors import NotFound, StoreError
from runtime.storage.base import Changes, attachment_order, check_attachment
from runtime.storage.indexed_store import IndexedStore, Leases
from runtime.storage.indexes import (
    Indexes,
    audit_order,
    job_order,
    micros,
    outbox_order,
    version_order,
)
from runtime.storage.rules import check_changes, document_text

M = TypeVar("M", bound=BaseModel)


class _CaseDocs:
    """One case and everything that belongs to it, as JSON text by id."""

    __slots__ = ("attachments", "audit", "case", "jobs", "outbox", "work_items")

    def __init__(self) -> None:
        self.case = b""
        self.work_items: dict[str, bytes] = {}
        self.jobs: dict[str, bytes] = {}
        self.outbox: dict[str, bytes] = {}
        self.audit: dict[str, bytes] = {}
        self.attachments: dict[str, bytes] = {}


class MemoryStore(IndexedStore):
    """Everything in dicts; lost when the process ends."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._indexes = Indexes()
        self._leases = Leases()
        self._cases: dict[str, _CaseDocs] = {}
        self._versions: dict[tuple[str, int], bytes] = {}
        self._bundles: dict[str, bytes] = {}
        self._customers: dict[str, bytes] = {}
        self._contacts: dict[str, bytes] = {}
        self._users: dict[str, bytes] = {}
        self._attachment_contents: dict[str, bytes] = {}
        self._records: dict[tuple[str, str], bytes] = {}
        self._closed = False

    # Writing ------------------------------------------------------------------

    def commit(self, changes: Changes) -> None:
        """Apply `changes` as one step; each committed `Case` object gets its new revision."""
        with self._lock:
            self._check_ready()
            if changes.is_empty():
                return
            revisions = check_changes(changes, self)
            cases = [case.model_copy(update={"revision": revision})
                     for (case, _), revision in zip(changes.cases, revisions, strict=True)]
            contacts = [contact.model_copy(update={"revision": contact.revision + 1}) for contact in changes.contacts]
            records = [record.model_copy(update={"revision": record.revision + 1}) for record in changes.records]
            texts = _serialise(changes, cases, contacts, records)  # everything that can fail happens before any change
            self._apply(changes, cases, contacts, texts)
            for record in records:
                self._records[(record.kind, record.key)] = texts[id(record)]
            for (case, _), revision in zip(changes.cases, revisions, strict=True):
                case.revision = revision
            for contact in changes.contacts:
                contact.revision += 1
            for record in changes.records:
                record.revision += 1

    def _apply(self, changes: Changes, cases: list[Case], contacts: list[Contact], texts: dict[int, bytes]) -> None:
        for case in cases:
            self._cases.setdefault(case.id, _CaseDocs()).case = texts[id(case)]
            self._indexes.put("case", vars(case))
        for kind, docs in (("work_items", changes.work_items), ("jobs", changes.jobs),
                           ("outbox", changes.outbox)):
            for doc in docs:
                getattr(self._cases[doc.case_id], kind)[doc.id] = texts[id(doc)]
                self._indexes.put(kind, vars(doc))
        for event in changes.audit:  # not indexed: a case's trail is read whole
            self._cases[event.case_id].audit[event.id] = event.text
        for attachment in changes.attachments:
            self._cases[attachment.case_id].attachments[attachment.id] = texts[id(attachment)]
        for version, bundle in changes.versions:
            self._versions[(version.process_key, version.number)] = texts[id(version)]
            self._bundles.setdefault(version.hash, texts[id(bundle)])
        for customer in changes.customers:
            self._customers[customer.id] = texts[id(customer)]
            self._indexes.put("customers", from_json(texts[id(customer)]))
        for contact in contacts:
            self._contacts[contact.id] = texts[id(contact)]
            self._indexes.put("contacts", vars(contact))
        for user in changes.users:
            self._users[user.id] = texts[id(user)]

    # What the rules ask ---------------------------------------------------------

    def has_audit_event(self, case_id: str, event_id: str) -> bool:
        docs = self._cases.get(case_id)
        return docs is not None and event_id in docs.audit

    def has_attachment_content(self, attachment_id: str) -> bool:
        return attachment_id in self._attachment_contents

    def record_revision(self, kind: str, key: str) -> int:
        text = self._records.get((kind, key))
        return 0 if text is None else Record.model_validate_json(text).revision

    def version_hash(self, process_key: str, number: int) -> str | None:
        text = self._versions.get((process_key, number))
        return None if text is None else Version.model_validate_json(text).hash

    # Versions -----------------------------------------------------------------

    def versions(self, process_key: str | None = None) -> list[Version]:
        with self._lock:
            self._check_ready()
            found = [Version.model_validate_json(text) for (key, _), text in self._versions.items()
                     if process_key is None or key == process_key]
        return sorted(found, key=version_order)

    def bundle_document(self, version_hash: str) -> dict[str, Any]:
        with self._lock:
            self._check_ready()
            text = self._bundles.get(version_hash)
        if text is None:
            raise NotFound(f"no published version has the hash '{version_hash}'")
        return from_json(text)

    # Cases --------------------------------------------------------------------

    def case(self, case_id: str) -> Case:
        with self._lock:
            self._check_ready()
            docs = self._cases.get(case_id)
            if docs is None:
                raise NotFound(f"no case '{case_id}'")
            return Case.model_validate_json(docs.case)

    def cases(self, *, process_key: str | None = None, customer_id: str | None = None,
              active: bool | None = None) -> list[Case]:
        with self._lock:
            self._check_ready()
            ids = self._indexes.cases.ids(process_key, customer_id, active)
            return [Case.model_validate_json(self._cases[case_id].case) for case_id in ids]


    # Work items ---------------------------------------------------------------

    def work_item(self, item_id: str) -> WorkItem:
        with self._lock:
            self._check_ready()
            case_id = self._indexes.work.case_of(item_id)
            if case_id is None:
                raise NotFound(f"no work item '{item_id}'")
            return WorkItem.model_validate_json(self._cases[case_id].work_items[item_id])

    def _listed_work_item(self, case_id: str, item_id: str) -> WorkItem:
        return WorkItem.model_validate_json(self._cases[case_id].work_items[item_id])

    def _case_work_item_ids(self, case_id: str) -> list[str]:
        docs = self._cases.get(case_id)
        return [] if docs is None else list(docs.work_items)

    # Jobs and outbox -------------------------------------------------------------

    def due_jobs(self, now: datetime, limit: int = 100) -> list[Job]:
        with self._lock:
            self._check_ready()
            return [Job.model_validate_json(self._cases[e.case_id].jobs[e.id])
                    for e in self._indexes.jobs.due(now, limit)]

    def job(self, job_id: str) -> Job:
        with self._lock:
            self._check_ready()
            case_id = self._indexes.jobs.case_of(job_id)
            if case_id is None:
                raise NotFound(f"no job '{job_id}'")
            return Job.model_validate_json(self._cases[case_id].jobs[job_id])

    def case_jobs(self, case_id: str) -> list[Job]:
        return sorted(self._of_case(case_id, "jobs", Job), key=job_order)

    def outbox(self, *, case_id: str | None = None, due_before: datetime | None = None) -> list[OutboxEntry]:
        """Entries of a case (every status), or pending ones due by `due_before`; with neither, all pending."""
        if case_id is not None:
            found = self._of_case(case_id, "outbox", OutboxEntry)
            if due_before is not None:
                due = micros(due_before)
                found = [e for e in found if e.status in AWAITING_DELIVERY and micros(e.next_attempt_at) <= due]
            return sorted(found, key=outbox_order)
        with self._lock:
            self._check_ready()
            return [OutboxEntry.model_validate_json(self._cases[e.case_id].outbox[e.id])
                    for e in self._indexes.outbox.pending(due_before)]

    # Audit ---------------------------------------------------------------------------

    def audit_events(self, case_id: str) -> list[AuditEvent]:
        return sorted(self._of_case(case_id, "audit", AuditEvent), key=audit_order)

    # Attachments -----------------------------------------------------------------------

    def put_attachment_content(self, attachment_id: str, content: bytes) -> None:
        check_attachment(attachment_id, content)
        with self._lock:
            self._check_ready()
            self._attachment_contents[attachment_id] = bytes(content)

    def attachments(self, case_id: str) -> list[Attachment]:
        return sorted(self._of_case(case_id, "attachments", Attachment), key=attachment_order)

    def attachment_content(self, case_id: str, attachment_id: str) -> bytes:
        with self._lock:
            self._check_ready()
            docs = self._cases.get(case_id)
            if docs is None or attachment_id not in docs.attachments:
                raise NotFound(f"case '{case_id}' has no attachment '{attachment_id}'")
            return self._attachment_contents[attachment_id]

    # Customers and users ----------------------------------------------------------------

    def customer(self, customer_id: str) -> Customer:
        return self._one(self._customers, customer_id, Customer, "customer")

    def customers(self) -> list[Customer]:
        return self._all(self._customers, Customer)

    def find_customers(self, field: SearchField, key: str, limit: int = 50) -> list[Customer]:
        with self._lock:
            self._check_ready()
            return [Customer.model_validate_json(self._customers[customer_id])
                    for customer_id in self._indexes.customers.find(field, key, limit)]

    def contact(self, contact_id: str) -> Contact:
        return self._one(self._contacts, contact_id, Contact, "contact")

    def contacts(self, *, customer_id: str | None = None) -> list[Contact]:
        with self._lock:
            self._check_ready()
            return [Contact.model_validate_json(self._contacts[contact_id])
                    for contact_id in self._indexes.contacts.ids(customer_id)]

    def user(self, user_id: str) -> User:
        return self._one(self._users, user_id, User, "user")

    def users(self) -> list[User]:
        return self._all(self._users, User)

    def record(self, kind: str, key: str) -> Record:
        with self._lock:
            self._check_ready()
            text = self._records.get((kind, key))
        found = None if text is None else Record.model_validate_json(text)
        if found is None or found.removed:
            raise NotFound(f"no {kind} '{key}'")
        return found

    def record_kinds(self) -> list[str]:
        with self._lock:
            self._check_ready()
            return sorted({kind for kind, _ in self._records})

    def records(self, kind: str) -> list[Record]:
        with self._lock:
            self._check_ready()
            texts = [text for (k, _), text in sorted(self._records.items()) if k == kind]
        return [record for record in map(Record.model_validate_json, texts) if not record.removed]

    def close(self) -> None:
        with self._lock:
            self._closed = True

    # Helpers -------------------------------------------------------------------------

    def _check_ready(self) -> None:
        if self._closed:
            raise StoreError("the store is closed")

    def _of_case(self, case_id: str, kind: str, model: type[M]) -> list[M]:
        with self._lock:
            self._check_ready()
            docs = self._cases.get(case_id)
            texts: Iterable[bytes] = getattr(docs, kind).values() if docs is not None else ()
            return [model.model_validate_json(text) for text in texts]

    def _one(self, texts: dict[str, bytes], doc_id: str, model: type[M], kind: str) -> M:
        with self._lock:
            self._check_ready()
            text = texts.get(doc_id)
        if text is None:
            raise NotFound(f"no {kind} '{doc_id}'")
        return model.model_validate_json(text)

    def _all(self, texts: dict[str, bytes], model: type[M]) -> list[M]:
        with self._lock:
            self._check_ready()
            return [model.model_validate_json(texts[doc_id]) for doc_id in sorted(texts)]


def _serialise(changes: Changes, cases: list[Case], contacts: list[Contact],
               records: list[Record]) -> dict[int, bytes]:
    """JSON text of every document of the commit, by `id()` of the object."""
    texts: dict[int, bytes] = {}
    docs: list[BaseModel] = [*cases, *changes.work_items, *changes.jobs, *changes.outbox,
                             *changes.customers, *contacts, *changes.users, *changes.attachments, *records]
    for doc in docs:
        texts[id(doc)] = document_text(doc.model_dump_json, doc)
    for version, bundle in changes.versions:
        texts[id(version)] = document_text(version.model_dump_json, version)
        texts[id(bundle)] = document_text(lambda b=bundle: to_json(b), version)
    return texts
