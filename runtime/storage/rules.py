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

from typing import Protocol

from pydantic import BaseModel

from runtime.documents import Version
from runtime.errors import ConflictError, StoreError
from runtime.storage.base import Changes, check_record_kind
from runtime.storage.indexes import Indexes


class Stored(Protocol):
    """What the rules need to know about stored documents that the indexes do not hold."""

    def has_audit_event(self, case_id: str, event_id: str) -> bool: ...

    def version_hash(self, process_key: str, number: int) -> str | None: ...

    def has_attachment_content(self, attachment_id: str) -> bool: ...

    def record_revision(self, kind: str, key: str) -> int:
        """The stored revision of a record (also of a removed one), 0 when there never was one."""
        ...


def check_changes(changes: Changes, indexes: Indexes, stored: Stored) -> list[int]:
    """Refuse `changes` if they break a rule above; else the new revision of each case, in order."""
    revisions = _new_revisions(changes, indexes)
    cases = {case.id for case, _ in changes.cases}
    for kind, docs in (("work item", changes.work_items), ("job", changes.jobs),
                       ("outbox entry", changes.outbox), ("audit event", changes.audit),
                       ("attachment", changes.attachments)):
        for doc in docs:
            if doc.case_id not in cases and indexes.cases.revision(doc.case_id) is None:
                raise StoreError(f"{kind} '{doc.id}' belongs to case '{doc.case_id}', which is not stored; "
                                 "commit the case first or with it")
    _check_contact_revisions(changes, indexes)
    _check_owners_stay(changes, indexes)
    _check_audit_append_only(changes, stored)
    _check_versions(changes, stored)
    _check_attachment_contents(changes, stored)
    _check_record_revisions(changes, stored)
    return revisions


def _new_revisions(changes: Changes, indexes: Indexes) -> list[int]:
    seen: set[str] = set()
    revisions = []
    for case, read_at in changes.cases:
        if case.id in seen:
            raise StoreError(f"case '{case.id}' appears twice in one commit; merge the changes into one case")
        seen.add(case.id)
        stored = indexes.cases.revision(case.id)
        if stored != read_at:
            raise ConflictError(_conflict_message(case.id, read_at, stored))
        revisions.append((stored or 0) + 1)
    return revisions


def _conflict_message(case_id: str, read_at: int | None, stored: int | None) -> str:
    if read_at is None:
        return f"case '{case_id}' already exists; it cannot be started again with the same id"
    if stored is None:
        return f"case '{case_id}' is not stored, so it cannot be changed (it was read at revision {read_at})"
    return (f"case '{case_id}' was changed by someone else (read at revision {read_at}, now {stored}); "
            "reload the case and try again")


def _check_contact_revisions(changes: Changes, indexes: Indexes) -> None:
    for contact in changes.contacts:
        stored = indexes.contacts.revision(contact.id) or 0
        if stored != contact.revision:
            raise ConflictError(f"contact '{contact.id}' was changed by someone else (read at revision "
                                f"{contact.revision}, now {stored}); reload the contact and try again")


def _check_owners_stay(changes: Changes, indexes: Indexes) -> None:
    for kind, docs, owner_of in (("work item", changes.work_items, indexes.work.case_of),
                                 ("job", changes.jobs, indexes.jobs.case_of)):
        for doc in docs:
            owner = owner_of(doc.id)
            if owner is not None and owner != doc.case_id:
                raise StoreError(f"{kind} '{doc.id}' belongs to case '{owner}', not to '{doc.case_id}'")


def _check_audit_append_only(changes: Changes, stored: Stored) -> None:
    for event in changes.audit:
        if stored.has_audit_event(event.case_id, event.id):
            raise StoreError(f"audit event '{event.id}' of case '{event.case_id}' is already stored; "
                             "the audit log is append-only")


def _check_versions(changes: Changes, stored: Stored) -> None:
    for version, _ in changes.versions:
        existing = stored.version_hash(version.process_key, version.number)
        if existing is not None and existing != version.hash:
            raise ConflictError(f"process '{version.process_key}' version {version.number} is already "
                                "published with other content; publish again to get the next number")


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
            raise ConflictError(f"{record.kind} '{record.key}' was changed by someone else (read at revision "
                                f"{record.revision}, now {now}); reload it and try again")


def describe(doc: BaseModel) -> str:
    """How an error names a document: its kind and id."""
    if isinstance(doc, Version):
        return f"version {doc.number} of process '{doc.process_key}'"
    return f"{type(doc).__name__} '{getattr(doc, 'id', '?')}'"
