"""What every store checks before it commits a `Changes`, so both stores refuse alike.

A commit is refused as a whole, before anything is written, when:

- a case was read at a revision that is no longer the stored one
  (`ConflictError`: someone else changed it first; reload and retry), or
  a case read as new already exists;
- the same case appears twice in one commit;
- a contact was read at a revision that is no longer the stored one, or a
  new contact (revision 0) already exists (`ConflictError`);
- a work item, job, outbox entry, audit event or attachment belongs to a case that is
  neither stored nor part of the commit, or a work item or job changes case;
- an audit event with that id is already stored (the audit log is append-only);
- a process version number is already published with other content (`ConflictError`);
- an attachment's bytes were not put first (`Store.put_attachment_content`);
- a record was read at a revision that is no longer the stored one, or a new
  record (revision 0) already exists, or one record appears twice (`ConflictError`).

Other documents given twice in one commit: the last one wins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from pydantic import BaseModel
from pydantic_core import PydanticSerializationError

from runtime.documents import Record, SealedEvent, Version
from runtime.errors import ConflictError, StoreError
from runtime.storage.base import Changes, check_record_kind


class Stored(Protocol):
    """What the rules need to know about what is stored (the embedded stores ask their indexes and files,
    the PostgreSQL store what it read in the commit's transaction)."""

    def case_revision(self, case_id: str) -> int | None: ...

    def contact_revision(self, contact_id: str) -> int | None: ...

    def work_item_owner(self, item_id: str) -> str | None: ...

    def job_case(self, job_id: str) -> str | None: ...

    def has_audit_event(self, case_id: str, event_id: str) -> bool: ...

    def version_hash(self, process_key: str, number: int) -> str | None: ...

    def has_attachment_content(self, attachment_id: str) -> bool: ...

    def record_revision(self, kind: str, key: str) -> int:
        """The stored revision of a record (also of a removed one), 0 when there never was one."""
        ...


def check_changes(changes: Changes, stored: Stored) -> list[int]:
    """Refuse `changes` if they break a rule above; else the new revision of each case, in order."""
    revisions = _new_revisions(changes, stored)
    cases = {case.id for case, _ in changes.cases}
    for kind, docs in (("work item", changes.work_items), ("job", changes.jobs),
                       ("outbox entry", changes.outbox), ("audit event", changes.audit),
                       ("attachment", changes.attachments)):
        for doc in docs:
            if doc.case_id not in cases and stored.case_revision(doc.case_id) is None:
                raise StoreError(f"{kind} '{doc.id}' belongs to case '{doc.case_id}', which is not stored; "
                                 "commit the case first or with it")
    _check_contact_revisions(changes, stored)
    _check_owners_stay(changes, stored)
    _check_audit_append_only(changes, stored)
    _check_versions(changes, stored)
    _check_attachment_contents(changes, stored)
    _check_record_revisions(changes, stored)
    return revisions


def _new_revisions(changes: Changes, stored: Stored) -> list[int]:
    seen: set[str] = set()
    revisions = []
    for case, read_at in changes.cases:
        if case.id in seen:
            raise StoreError(f"case '{case.id}' appears twice in one commit; merge the changes into one case")
        seen.add(case.id)
        revision = stored.case_revision(case.id)
        if revision != read_at:
            raise ConflictError(case_conflict(case.id, read_at, revision))
        revisions.append((revision or 0) + 1)
    return revisions


def case_conflict(case_id: str, read_at: int | None, stored: int | None) -> str:
    """Why a case read at `read_at` cannot be committed over the `stored` revision (None: no such case)."""
    if read_at is None:
        return f"case '{case_id}' already exists; it cannot be started again with the same id"
    if stored is None:
        return f"case '{case_id}' is not stored, so it cannot be changed (it was read at revision {read_at})"
    return (f"case '{case_id}' was changed by someone else (read at revision {read_at}, now {stored}); "
            "reload the case and try again")


def contact_conflict(contact_id: str, read_at: int, stored: int) -> str:
    """Why a contact read at `read_at` cannot be committed over the `stored` revision (0: no such contact)."""
    return (f"contact '{contact_id}' was changed by someone else (read at revision {read_at}, now {stored}); "
            "reload the contact and try again")


def record_conflict(record: Record, stored: int) -> str:
    """Why a record read at its `revision` cannot be committed over the `stored` revision (0: there never was one)."""
    return (f"{record.kind} '{record.key}' was changed by someone else (read at revision {record.revision}, "
            f"now {stored}); reload it and try again")


def owner_conflict(kind: str, doc_id: str, owner: str, case_id: str) -> str:
    """Why a work item or job of case `owner` cannot be committed as one of `case_id`."""
    return f"{kind} '{doc_id}' belongs to case '{owner}', not to '{case_id}'"


def audit_conflict(event: SealedEvent) -> str:
    """Why an audit event cannot be committed again."""
    return f"audit event '{event.id}' of case '{event.case_id}' is already stored; the audit log is append-only"


def version_conflict(version: Version) -> str:
    """Why a version number cannot be published with this content."""
    return (f"process '{version.process_key}' version {version.number} is already published with other content; "
            "publish again to get the next number")


def _check_contact_revisions(changes: Changes, stored: Stored) -> None:
    for contact in changes.contacts:
        revision = stored.contact_revision(contact.id) or 0
        if revision != contact.revision:
            raise ConflictError(contact_conflict(contact.id, contact.revision, revision))


def _check_owners_stay(changes: Changes, stored: Stored) -> None:
    for kind, docs, owner_of in (("work item", changes.work_items, stored.work_item_owner),
                                 ("job", changes.jobs, stored.job_case)):
        for doc in docs:
            owner = owner_of(doc.id)
            if owner is not None and owner != doc.case_id:
                raise StoreError(owner_conflict(kind, doc.id, owner, doc.case_id))


def _check_audit_append_only(changes: Changes, stored: Stored) -> None:
    for event in changes.audit:
        if stored.has_audit_event(event.case_id, event.id):
            raise StoreError(audit_conflict(event))


def _check_versions(changes: Changes, stored: Stored) -> None:
    for version, _ in changes.versions:
        existing = stored.version_hash(version.process_key, version.number)
        if existing is not None and existing != version.hash:
            raise ConflictError(version_conflict(version))


def _check_attachment_contents(changes: Changes, stored: Stored) -> None:
    for attachment in changes.attachments:
        if not stored.has_attachment_content(attachment.id):
            raise StoreError(f"attachment '{attachment.id}' ({attachment.filename}) has no content; put its bytes "
                             "(put_attachment_content) before committing it")


def _check_record_revisions(changes: Changes, stored: Stored) -> None:
    seen: set[tuple[str, str]] = set()
    for record in changes.records:
        check_record_kind(record.kind)
        if (record.kind, record.key) in seen:
            raise StoreError(f"{record.kind} '{record.key}' appears twice in one commit")
        seen.add((record.kind, record.key))
        now = stored.record_revision(record.kind, record.key)
        if now != record.revision:
            raise ConflictError(record_conflict(record, now))


def describe(doc: BaseModel) -> str:
    """How an error names a document: its kind and id."""
    if isinstance(doc, Version):
        return f"version {doc.number} of process '{doc.process_key}'"
    return f"{type(doc).__name__} '{getattr(doc, 'id', '?')}'"


def document_text(dump: Callable[[], str | bytes], doc: BaseModel) -> bytes:
    """The JSON text `dump` makes of `doc` (or of what belongs to it), or a StoreError naming the document."""
    try:
        text = dump()
    except (PydanticSerializationError, ValueError, TypeError) as error:
        raise StoreError(f"{describe(doc)} cannot be stored: {error}") from error
    return text.encode() if isinstance(text, str) else text
