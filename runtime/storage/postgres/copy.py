"""Moving up: copy every document of a store (the embedded one) into an empty PostgreSQL database.

Documents are copied as they are, revisions and audit hashes included, so
the copy's audit trails verify exactly as the original's, and so are the
records (drafts, scenarios, settings, API tokens, checkpoints, ...; a
removed record is not copied). Cases go in batches, each case with everything that belongs to it (work items, jobs,
outbox entries, audit events, attachments and their bytes) in one
transaction, so an interrupted copy holds whole cases only; it is then
simplest to drop the database and copy again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from runtime.documents import Case, SealedEvent, WorkItemStatus
from runtime.errors import StoreError
from runtime.storage.base import Changes, Store, WorkQuery
from runtime.storage.postgres.store import PostgresStore

BATCH = 200
_ALL = 1_000_000  # every work item of one case


@dataclass(frozen=True)
class Copied:
    """How many documents of each kind were copied."""

    versions: int
    users: int
    customers: int
    contacts: int
    cases: int
    records: int


def copy_store(source: Store, target: PostgresStore,
               progress: Callable[[int, int], None] = lambda done, total: None) -> Copied:
    """Copy everything in `source` into `target`, which must hold nothing yet; `progress(cases copied, total)`
    is called after each batch."""
    if (target.versions() or target.users() or target.customers() or target.contacts() or target.case_ids()
            or target.record_kinds()):
        raise StoreError(f"the database {target.where} is not empty; copy into a new database (createdb), "
                         "upgraded with 'flowdesk db upgrade'")
    versions = source.versions()
    target.load(Changes(versions=[(version, source.bundle_document(version.hash)) for version in versions],
                        users=source.users(), customers=source.customers()))
    case_ids = source.case_ids()  # the cases themselves are read a batch at a time
    progress(0, len(case_ids))
    for start in range(0, len(case_ids), BATCH):
        batch = Changes()
        for case_id in case_ids[start:start + BATCH]:
            _add_case(source, target, source.case(case_id), batch)
        target.load(batch)
        progress(min(start + BATCH, len(case_ids)), len(case_ids))
    contacts = source.contacts()
    target.load(Changes(contacts=contacts))  # after their cases, which they list
    records = 0
    for kind in source.record_kinds():
        found = source.records(kind)
        for start in range(0, len(found), BATCH):
            target.load(Changes(records=found[start:start + BATCH]))
        records += len(found)
    return Copied(len(versions), len(source.users()), len(source.customers()), len(contacts), len(case_ids),
                  records)


def _add_case(source: Store, target: PostgresStore, case: Case, batch: Changes) -> None:
    """Add the case and everything of it to `batch`; attachments' bytes are put in the target at once."""
    batch.cases.append((case, case.revision))
    for status in WorkItemStatus:
        batch.work_items += source.work_items(WorkQuery(case_id=case.id, status=status, limit=_ALL))
    batch.jobs += source.case_jobs(case.id)
    batch.outbox += source.outbox(case_id=case.id)
    batch.audit += map(SealedEvent.of, source.audit_events(case.id))
    for attachment in source.attachments(case.id):
        target.put_attachment_content(attachment.id, source.attachment_content(case.id, attachment.id))
        batch.attachments.append(attachment)
