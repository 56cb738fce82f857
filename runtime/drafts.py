"""Drafts, saved test-run scenarios and who has a draft open: kept behind the store as revisioned records.

A draft is a `Record` of kind "draft" keyed by process key: the bundle
document being edited, who saved it and when. Every save names the revision
it was made on; when someone else saved (published, discarded) the draft
since, the save is refused with `DraftChanged`, which says who and when and
carries the draft as it is now, so the editor can apply its change again on
top of theirs. Publishing publishes the stored draft at the revision the user
saw, and ends the draft in the same step: a save made meanwhile makes the
publish refused, never lost. A draft that ended (published, discarded) keeps
its record, without a document, so the next save still counts on from it and a
refusal can say who ended it.

Where four eyes apply (`Runtime.needs_approval`), a draft is not published
but submitted: a "submission" record holds the bundle as submitted, and a
second person approves it (published then, with who approved it in the version
record) or rejects it with a comment; each is written to the versions' log.

Saved scenarios of a process are one record of kind "scenarios" with the same
revision rule. Who has a draft open is a "presence" record per draft: each
open editor writes its last-seen time now and then, and anyone not seen for
`PRESENCE_TIMEOUT` is gone, so it works across app processes.

`take_over_files` reads the drafts/ and scenarios/ files an older Flowdesk
kept in the data folder into records, once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from models.bundle import Bundle
from models.checks import Severity, check
from models.editing import Document, EditRejected, check_key_and_name, copy_as, is_key, new_process, validate
from models.errors import BundleLoadError, FlowdeskError
from models.json_input import read_json
from models.phrases import Phrase
from models.serialization import MAX_BUNDLE_BYTES, bundle_document, bundle_from_document, load_bundle
from runtime import installation_log
from runtime.access import UseCase, may, moment_text, require, require_second_person, system_user
from runtime.documents import Record, User, Version
from runtime.errors import ConflictError, EngineError, NotFound
from runtime.installation_log import LogEntry
from runtime.service import Approval, PublishError, Runtime
from runtime.test_run import Scenario
from runtime.transaction import Transaction

log = logging.getLogger(__name__)

DRAFT, SCENARIOS, PRESENCE, SUBMISSION = "draft", "scenarios", "presence", "submission"
#: Keys the web app's own pages use (e.g. /design/new), so no process may have them.
RESERVED_KEYS = frozenset({"new"})
#: Someone whose editor was not seen for this long has left the draft.
PRESENCE_TIMEOUT = timedelta(seconds=30)
#: The most scenarios kept per process.
MAX_SCENARIOS = 100
#: Who is named as having saved the drafts and scenarios taken over from files.
TAKEOVER = system_user("takeover")


@dataclass(frozen=True)
class StoredDraft:
    """A draft as the store has it: the document, and the revision a save of a change to it must name.

    When no draft is saved (`saved` False) the document is the newest published version. `change` says who did
    what last and when: "Sue changed this draft at 10:12", "Sue published this draft as version 3 at 10:12".
    """

    key: str
    document: Document
    revision: int
    saved: bool
    saved_by: str  # display name of who saved (or ended) it last; "" for a draft never saved
    saved_at: datetime | None
    published: int | None  # the newest published version's number, None for a process never published
    change: Phrase | None = None

    @property
    def name(self) -> str:
        return str(self.document.get("name", self.key))


class DraftChanged(ConflictError):
    """The draft was saved, published or discarded since the revision the caller saw; nothing was changed.

    `change` says who and when ("Sue changed this draft at 10:12"); `current` is the draft as it is now (None:
    the draft of a process never published was discarded, so there is nothing left).
    """

    def __init__(self, change: Phrase, current: StoredDraft | None, what: Phrase) -> None:
        self.change = change
        self.current = current
        super().__init__(Phrase("{change}; {what} was not saved: open the draft again and repeat it", change=change,
                                what=what))


class BrokenDraft(FlowdeskError):
    """The saved draft cannot be read by this Flowdesk (e.g. a newer schema); `revision` lets one discard it."""

    def __init__(self, key: str, revision: int, problem: str) -> None:
        self.key, self.revision = key, revision
        super().__init__(f"the saved draft of '{key}' cannot be opened: {problem}; discard it to go back to the "
                         "published version")


@dataclass(frozen=True)
class Submission:
    """A version submitted for approval: the bundle as submitted, by whom, when, with what note."""

    key: str
    name: str
    document: Document
    submitted_by: str
    submitted_at: datetime
    note: str


def _submission(record: Record) -> Submission:
    document = record.data["document"]
    return Submission(record.key, str(document.get("name", record.key)), document, record.updated_by,
                      record.updated_at or datetime.min, record.data.get("note", ""))


@dataclass(frozen=True)
class SavedScenarios:
    """The scenarios saved for a process, and the revision a change to them must name."""

    key: str
    scenarios: list[Scenario]
    revision: int


class ScenariosChanged(ConflictError):
    """Someone else changed the process's scenarios since the caller read them; `current` is how they are now."""

    def __init__(self, message: str, current: SavedScenarios) -> None:
        self.current = current
        super().__init__(message)


@dataclass(frozen=True)
class Presence:
    """Someone with the draft open in an editor, last seen at `seen`."""

    user_id: str
    name: str
    seen: datetime


class Drafts:
    """The designer's use cases on drafts, scenarios and presence, for one runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.store = runtime.store

    # Reading drafts ---------------------------------------------------------------

    def open(self, user: User, key: str) -> StoredDraft:
        """The saved draft of `key`, else its newest published version (NotFound when there is neither)."""
        require(user, UseCase.EDIT_DRAFT)
        _check_key(key)
        revision = self.store.record_revision(DRAFT, key)  # first: a draft saved after this read conflicts later
        return self._stored(user, key, self._record(key), revision)

    def revision(self, user: User, key: str) -> int:
        """The stored revision of `key`'s draft: cheap, for an editor to notice that someone else saved."""
        require(user, UseCase.EDIT_DRAFT)
        return self.store.record_revision(DRAFT, key)

    def drafts(self, user: User) -> list[StoredDraft]:
        """Every saved draft, by key."""
        require(user, UseCase.EDIT_DRAFT)
        found = []
        for record in self.store.records(DRAFT):
            if "document" not in record.data:
                continue  # ended: published or discarded
            try:
                found.append(self._stored(user, record.key, record, record.revision))
            except BrokenDraft as error:
                found.append(StoredDraft(record.key, {"key": record.key, "name": record.key}, record.revision,
                                         True, self.runtime.display_name(record.updated_by), record.updated_at,
                                         None, str(error)))
        return found

    # Changing drafts --------------------------------------------------------------

    def save(self, user: User, key: str, document: Document, base_revision: int) -> StoredDraft:
        """Keep `document` as `key`'s draft, made on `base_revision`; `DraftChanged` when someone else saved
        (published, discarded) the draft since."""
        require(user, UseCase.EDIT_DRAFT)
        _check_key(key)
        checked = _checked(document, key)

        def save(tx: Transaction) -> Record:
            record = self._current(tx, user, key, base_revision, Phrase("your change"))
            return self._write(tx, record, key, {"document": checked})

        return self._stored(user, key, self.runtime.step(user, save), None, checked)

    def create(self, user: User, key: str, name: str) -> StoredDraft:
        """The draft of a new process (a start and an end) under a free key."""
        require(user, UseCase.EDIT_DRAFT)
        key, name = check_key_and_name(key, name)
        return self._create(user, new_process(key, name), fresh=True)

    def create_from(self, user: User, document: Document) -> StoredDraft:
        """Keep a whole bundle document (e.g. an imported file) as the draft of its process.

        A draft of that process must not exist yet: an import never overwrites unsaved work. The process may
        be published: the document then becomes the draft of its next version.
        """
        require(user, UseCase.EDIT_DRAFT)
        return self._create(user, document, fresh=False)

    def import_file(self, user: User, data: bytes, filename: str = "") -> StoredDraft:
        """An uploaded bundle file as the draft of its process (`create_from`); `BundleLoadError` lists every
        problem with its JSON path for a file the loader refuses."""
        require(user, UseCase.EDIT_DRAFT)
        return self.create_from(user, bundle_document(load_bundle(data, filename)))

    def duplicate(self, user: User, source_key: str, key: str, name: str) -> StoredDraft:
        """A draft of a copy of `source_key` (its draft, else its newest version) under a new, free key and name."""
        source = self.open(user, source_key)
        return self._create(user, copy_as(source.document, key, name), fresh=True)

    def discard(self, user: User, key: str, base_revision: int) -> StoredDraft | None:
        """End `key`'s draft unpublished: back to its newest published version (None for a process never
        published). `DraftChanged` when someone else saved the draft since `base_revision`."""
        require(user, UseCase.EDIT_DRAFT)
        _check_key(key)

        def discard(tx: Transaction) -> None:
            record = self._current(tx, user, key, base_revision, Phrase("the discard"))
            if record is not None and "document" in record.data:
                self._write(tx, record, key, {"ended": "discarded"})

        self.runtime.step(user, discard)
        try:
            return self.open(user, key)
        except NotFound:
            return None

    def publish(self, user: User, key: str, base_revision: int, note: str = "") -> Version:
        """Publish the saved draft of `key` as it was at `base_revision` and end the draft, in one step.

        `DraftChanged` when someone saved the draft since (nothing is published then); `PublishError` when it
        has errors.
        """
        require(user, UseCase.PUBLISH)
        _check_key(key)

        def publish(tx: Transaction) -> Version:
            record = self._current(tx, user, key, base_revision, Phrase("the publication"))
            if record is None or "document" not in record.data:
                latest = self.store.latest_version(key)
                since = f" since version {latest.number}" if latest else ""
                raise EngineError(f"nothing to publish: the draft of '{key}' has no changes{since}")
            bundle = self._bundle(key, record)
            version = self.runtime.publish_in(tx, bundle, note)
            self._write(tx, record, key, {"ended": "published", "version": version.number})
            return version

        return self.runtime.step(user, publish)

    # Four eyes: submitting, approving, rejecting -------------------------------------

    def submit(self, user: User, key: str, base_revision: int, note: str = "") -> Submission:
        """Submit the saved draft of `key` as it was at `base_revision` for a second person's approval; the draft
        stays open for editing. Refused when the draft has errors, or when another submission waits."""
        require(user, UseCase.PUBLISH)
        _check_key(key)

        def submit(tx: Transaction) -> Submission:
            record = self._current(tx, user, key, base_revision, Phrase("the submission"))
            if record is None or "document" not in record.data:
                raise EngineError(f"nothing to submit: the draft of '{key}' has no changes")
            bundle = self._bundle(key, record)
            errors = [f for f in check(bundle, known_processes=self._published(bundle))
                      if f.severity is Severity.ERROR]
            if errors:
                raise PublishError(errors)
            waiting = tx.record(SUBMISSION, key)
            if waiting is not None:
                raise ConflictError(f"{self.runtime.display_name(waiting.updated_by)} submitted '{bundle.name}' "
                                    f"at {moment_text(waiting.updated_at or tx.now)}; it waits for approval")
            data = {"document": bundle_document(bundle), "draft_revision": record.revision, "note": note.strip()}
            submitted = self._write(tx, None, key, data, SUBMISSION)
            installation_log.write(tx, installation_log.VERSIONS, "submitted", key,
                                   f"'{bundle.name}' submitted for approval by {user.name or user.id}"
                                   + (f": {note.strip()}" if note.strip() else ""))
            return _submission(submitted)

        return self.runtime.step(user, submit)

    def submissions(self, user: User) -> list[Submission]:
        """Every version waiting for approval, oldest first."""
        if not (may(user, UseCase.APPROVE_VERSION) or may(user, UseCase.PUBLISH)):
            require(user, UseCase.APPROVE_VERSION)
        return sorted((_submission(record) for record in self.store.records(SUBMISSION)),
                      key=lambda submission: submission.submitted_at)

    def submission(self, user: User, key: str) -> Submission:
        """The version of `key` waiting for approval, or NotFound."""
        found = next((s for s in self.submissions(user) if s.key == key), None)
        if found is None:
            raise NotFound(f"no version of '{key}' waits for approval")
        return found

    def approve(self, user: User, key: str, comment: str = "") -> Version:
        """Publish the submitted version of `key`, approved by `user` (never its author); the draft ends when it
        is still what was submitted."""
        require(user, UseCase.APPROVE_VERSION)

        def approve(tx: Transaction) -> Version:
            waiting = self._waiting(tx, key)
            require_second_person(user, waiting.updated_by, self.runtime.display_name)
            bundle = load_bundle(json.dumps(waiting.data["document"]), f"submission of '{key}'")
            version = self.runtime.publish_in(tx, bundle, waiting.data.get("note", ""),
                                              Approval(waiting.updated_by, comment.strip()))
            tx.put_record(waiting.model_copy(update={"removed": True}))
            draft = tx.record(DRAFT, key)
            if draft is not None and draft.revision == waiting.data["draft_revision"]:
                self._write(tx, draft, key, {"ended": "published", "version": version.number})
            installation_log.write(tx, installation_log.VERSIONS, "approved", key,
                                   f"Version {version.number} of '{bundle.name}' by "
                                   f"{self.runtime.display_name(waiting.updated_by)} approved by "
                                   f"{user.name or user.id}" + (f": {comment.strip()}" if comment.strip() else ""))
            return version

        return self.runtime.step(user, approve)

    def reject(self, user: User, key: str, comment: str) -> None:
        """Send the submitted version of `key` back with a comment saying why (its author may withdraw it)."""
        if not comment.strip():
            raise EngineError("say why the version is rejected: the comment goes to its author and into the log")

        def reject(tx: Transaction) -> None:
            waiting = self._waiting(tx, key)
            if user.id == waiting.updated_by:
                require(user, UseCase.PUBLISH)
            else:
                require(user, UseCase.APPROVE_VERSION)
            tx.put_record(waiting.model_copy(update={"removed": True}))
            what = "withdrawn" if user.id == waiting.updated_by else "rejected"
            installation_log.write(tx, installation_log.VERSIONS, what, key,
                                   f"Submission of '{key}' by {self.runtime.display_name(waiting.updated_by)} "
                                   f"{what} by {user.name or user.id}: {comment.strip()}")

        self.runtime.step(user, reject)

    def version_log(self, user: User, key: str | None = None, limit: int = 100) -> list[LogEntry]:
        """What happened to versions (submitted, approved, rejected), newest first; of one process if given."""
        if not (may(user, UseCase.APPROVE_VERSION) or may(user, UseCase.READ_DEFINITIONS)):
            require(user, UseCase.READ_DEFINITIONS)
        return installation_log.entries(self.store, installation_log.VERSIONS, limit, subject=key)

    def _waiting(self, tx: Transaction, key: str) -> Record:
        waiting = tx.record(SUBMISSION, key)
        if waiting is None:
            raise NotFound(f"no version of '{key}' waits for approval (it was approved or rejected meanwhile)")
        return waiting

    def _published(self, bundle: Bundle) -> dict[str, Bundle]:
        published = {v.process_key: self.runtime.bundle(v) for v in self.runtime.latest_versions()}
        return published | {bundle.key: bundle}

    # Scenarios --------------------------------------------------------------------

    def scenarios(self, user: User, key: str) -> SavedScenarios:
        """The test-run scenarios saved for `key`, oldest first."""
        require(user, UseCase.TEST_RUN)
        _check_key(key)
        revision = self.store.record_revision(SCENARIOS, key)
        try:
            record = self.store.record(SCENARIOS, key)
        except NotFound:
            return SavedScenarios(key, [], revision)
        return SavedScenarios(key, _scenarios(record), record.revision)

    def save_scenario(self, user: User, key: str, scenario: Scenario, base_revision: int) -> SavedScenarios:
        """Add `scenario` to `key`'s scenarios (replacing one of the same name); `ScenariosChanged` when someone
        else changed them since `base_revision`."""
        require(user, UseCase.TEST_RUN)
        _check_key(key)

        def save(kept: list[Scenario]) -> list[Scenario]:
            kept = [s for s in kept if s.name != scenario.name] + [scenario]
            if len(kept) > MAX_SCENARIOS:
                raise EngineError(f"a process keeps at most {MAX_SCENARIOS} scenarios; delete one first")
            return kept

        return self._change_scenarios(user, key, base_revision, save)

    def delete_scenario(self, user: User, key: str, name: str, base_revision: int) -> SavedScenarios:
        """Remove the scenario called `name` (gone already: nothing changes)."""
        require(user, UseCase.TEST_RUN)
        _check_key(key)
        return self._change_scenarios(user, key, base_revision, lambda kept: [s for s in kept if s.name != name])

    # Presence ---------------------------------------------------------------------

    def here(self, user: User, key: str) -> list[Presence]:
        """Note that `user` has `key`'s draft open now; the others who have it open."""
        require(user, UseCase.EDIT_DRAFT)
        _check_key(key)

        def visit(tx: Transaction) -> list[Presence]:
            record = tx.record(PRESENCE, key)
            present = self._present(record, tx.now) | {user.id: {"name": user.name or user.id,
                                                                 "seen": tx.now.isoformat()}}
            self._write(tx, record, key, present, kind=PRESENCE)
            return _others(present, user)

        return self.runtime.step(user, visit)

    def present(self, user: User, key: str) -> list[Presence]:
        """The others who have `key`'s draft open (read only: cheap enough to ask often)."""
        require(user, UseCase.EDIT_DRAFT)
        _check_key(key)
        try:
            record = self.store.record(PRESENCE, key)
        except NotFound:
            return []
        return _others(self._present(record, self.runtime.now()), user)

    def leave(self, user: User, key: str) -> None:
        """`user` closed the editor of `key`'s draft."""
        require(user, UseCase.EDIT_DRAFT)
        _check_key(key)

        def leave(tx: Transaction) -> None:
            record = tx.record(PRESENCE, key)
            if record is not None and user.id in record.data:
                self._write(tx, record, key, {k: v for k, v in self._present(record, tx.now).items()
                                              if k != user.id}, kind=PRESENCE)

        self.runtime.step(user, leave)

    # Helpers ----------------------------------------------------------------------

    def _record(self, key: str) -> Record | None:
        try:
            return self.store.record(DRAFT, key)
        except NotFound:
            return None

    def _stored(self, user: User, key: str, record: Record | None, revision: int | None,
                checked: Document | None = None) -> StoredDraft:
        """The draft `record` holds (revision: its own; `checked`: its document, when the caller just checked it),
        else the newest published version (at `revision`)."""
        latest = self.store.latest_version(key)
        number = latest.number if latest else None
        if record is not None and "document" in record.data:
            document = checked if checked is not None else bundle_document(self._bundle(key, record))
            return StoredDraft(key, document, record.revision, True, self.runtime.display_name(record.updated_by),
                               record.updated_at, number, change=self._change(user, record))
        if latest is None:
            raise NotFound(f"there is no process '{key}'; create it first")
        document = bundle_document(self.runtime.bundle(latest))
        if record is None:
            return StoredDraft(key, document, revision or 0, False, "", None, number)
        return StoredDraft(key, document, record.revision, False, self.runtime.display_name(record.updated_by),
                           record.updated_at, number, self._change(user, record))

    def _change(self, user: User, record: Record) -> Phrase:
        """ "Sue changed this draft at 10:12", "You, in another window, published this draft as version 3 at 10:12"."""
        ended, when = record.data.get("ended"), record.updated_at or self.runtime.now()
        published = "document" not in record.data and ended == "published"
        if record.updated_by == user.id:
            if published:
                return Phrase("You, in another window, published this draft as version {version} at {when}",
                              version=record.data.get("version"), when=when)
            if ended == "discarded":
                return Phrase("You, in another window, discarded this draft at {when}", when=when)
            return Phrase("You, in another window, changed this draft at {when}", when=when)
        who = self.runtime.display_name(record.updated_by)
        if published:
            return Phrase("{who} published this draft as version {version} at {when}", who=who,
                          version=record.data.get("version"), when=when)
        if ended == "discarded":
            return Phrase("{who} discarded this draft at {when}", who=who, when=when)
        return Phrase("{who} changed this draft at {when}", who=who, when=when)

    def _bundle(self, key: str, record: Record) -> Bundle:
        """The bundle a draft record holds (an older schema upgraded); BrokenDraft when it cannot be read."""
        try:
            return load_bundle(json.dumps(record.data["document"]), f"draft of '{key}'")
        except BundleLoadError as error:
            raise BrokenDraft(key, record.revision, "; ".join(map(str, error.problems))) from None

    def _current(self, tx: Transaction, user: User, key: str, base_revision: int, what: Phrase) -> Record | None:
        """The draft record as this step reads it, or DraftChanged when it is no longer at `base_revision`."""
        record = tx.record(DRAFT, key)
        revision = record.revision if record is not None else tx.store.record_revision(DRAFT, key)
        if revision == base_revision:
            return record
        if record is None:
            raise ConflictError(f"the draft of '{key}' is not at revision {base_revision}; open it again")
        try:
            current = self._stored(user, key, record, revision)
        except NotFound:
            current = None
        raise DraftChanged(self._change(user, record), current, what)

    def _write(self, tx: Transaction, record: Record | None, key: str, data: dict[str, Any],
               kind: str = DRAFT) -> Record:
        """Write a record of `kind` with `data` in this step: as read, or new."""
        return tx.write_record(record, kind, key, data)

    def _create(self, user: User, document: Document, *, fresh: bool) -> StoredDraft:
        """Keep `document` as a new draft of its process; `fresh`: its key must not be published either."""
        key = str(document.get("key", ""))
        if key in RESERVED_KEYS:
            raise EditRejected(f"'{key}' cannot be a process key; choose another one.")
        checked = _checked(document, key)

        def create(tx: Transaction) -> Record:
            record = tx.record(DRAFT, key)
            if record is not None and "document" in record.data:
                saved = (f"saved by {self.runtime.display_name(record.updated_by)} at "
                         f"{moment_text(record.updated_at or tx.now)}")
                if fresh:
                    raise ConflictError(f"a process '{key}' exists already (a draft, {saved}): open it from the "
                                        "process list or choose another key")
                raise ConflictError(f"there is a draft of '{key}' already ({saved}): open it and publish or "
                                    "discard it first; nothing was changed")
            if fresh and self.store.latest_version(key) is not None:
                raise ConflictError(f"a process '{key}' exists already: open it from the process list or choose "
                                    "another key")
            return self._write(tx, record, key, {"document": checked})

        return self._stored(user, key, self.runtime.step(user, create), None, checked)

    def _change_scenarios(self, user: User, key: str, base_revision: int,
                          change: Callable[[list[Scenario]], list[Scenario]]) -> SavedScenarios:
        def write(tx: Transaction) -> Record:
            record = tx.record(SCENARIOS, key)
            revision = record.revision if record is not None else tx.store.record_revision(SCENARIOS, key)
            if revision != base_revision:
                current = SavedScenarios(key, _scenarios(record) if record else [], revision)
                who = self.runtime.display_name(record.updated_by) if record else "someone"
                raise ScenariosChanged(f"{who} changed the scenarios of '{key}' at "
                                       f"{moment_text(record.updated_at if record and record.updated_at else tx.now)}"
                                       "; they were reloaded, try again", current)
            kept = change(_scenarios(record) if record else [])
            return self._write(tx, record, key, {"scenarios": [s.model_dump(mode="json") for s in kept]},
                               kind=SCENARIOS)

        record = self.runtime.step(user, write)
        return SavedScenarios(key, _scenarios(record), record.revision)

    @staticmethod
    def _present(record: Record | None, now: datetime) -> dict[str, Any]:
        """The entries of a presence record not yet expired at `now`."""
        if record is None:
            return {}
        fresh = {}
        for user_id, entry in record.data.items():
            try:
                seen = datetime.fromisoformat(entry["seen"])
            except (KeyError, TypeError, ValueError):
                continue
            if now - seen < PRESENCE_TIMEOUT:
                fresh[user_id] = entry
        return fresh


def _check_key(key: str) -> None:
    if not is_key(key):
        raise EditRejected(f"'{key}' is not a process key: use letters, digits, '_', '.' and '-'.")


def _checked(document: Document, key: str) -> Document:
    """`document` as the models accept it (EditRejected names the problems), no bigger than a bundle file may be,
    for process `key`."""
    _check_key(key)
    size = len(json.dumps(document, ensure_ascii=False).encode())
    if size > MAX_BUNDLE_BYTES:
        raise EditRejected(f"the process is {size:,} bytes as JSON; a process may be at most {MAX_BUNDLE_BYTES:,} "
                           "bytes")
    bundle = validate(document)
    if bundle.key != key:
        raise EditRejected(f"the document is of process '{bundle.key}', not of '{key}'")
    return bundle_document(bundle)


def _scenarios(record: Record) -> list[Scenario]:
    try:
        return [Scenario.model_validate(s) for s in record.data.get("scenarios", [])]
    except ValidationError as error:
        raise EngineError(f"the saved scenarios of '{record.key}' cannot be read: {error}") from None


def _others(present: dict[str, Any], user: User) -> list[Presence]:
    return sorted((Presence(user_id, entry.get("name", user_id), datetime.fromisoformat(entry["seen"]))
                   for user_id, entry in present.items() if user_id != user.id), key=lambda p: p.name)


# Taking over the files of an older Flowdesk ---------------------------------------------------


def take_over_files(runtime: Runtime, folder: Path) -> list[str]:
    """Read the drafts/<key>.json and scenarios/<key>.json files an older Flowdesk kept in the data `folder`
    into records (unless a record of that key exists already), then rename each file to `<name>.taken`, so it
    is read once. A file that cannot be read is renamed to `<name>.broken` and reported. Returns what was done,
    one line each."""
    done = []
    for kind, read in ((DRAFT, _draft_file), (SCENARIOS, _scenarios_file)):
        files = folder / ("drafts" if kind == DRAFT else "scenarios")
        for path in sorted(files.glob("*.json")) if files.is_dir() else []:
            if not is_key(path.stem):
                continue
            try:
                data = read(path)
            except (OSError, ValueError, KeyError, TypeError, FlowdeskError) as error:
                path.replace(path.with_name(path.name + ".broken"))
                done.append(f"{path}: not taken over ({error}); kept as {path.name}.broken")
                continue
            if runtime.store.record_revision(kind, path.stem) == 0:
                runtime.step(TAKEOVER, lambda tx, k=kind, key=path.stem, d=data: tx.new_record(k, key, d))
                done.append(f"{path}: taken over")
            else:
                done.append(f"{path}: not taken over, the store has a {kind} of '{path.stem}' already")
            path.replace(path.with_name(path.name + ".taken"))
    return done


def _draft_file(path: Path) -> dict[str, Any]:
    document = read_json(path.read_bytes(), source=str(path), max_bytes=MAX_BUNDLE_BYTES)["document"]
    bundle = bundle_from_document(document, str(path))
    if bundle.key != path.stem:
        raise ValueError(f"it holds process '{bundle.key}'")
    return {"document": bundle_document(bundle)}


def _scenarios_file(path: Path) -> dict[str, Any]:
    scenarios = read_json(path.read_bytes(), source=str(path), max_bytes=MAX_BUNDLE_BYTES)["scenarios"]
    return {"scenarios": [Scenario.model_validate(s).model_dump(mode="json") for s in scenarios]}
