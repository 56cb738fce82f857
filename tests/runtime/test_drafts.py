"""Drafts, saved scenarios and presence behind the store (runtime.drafts), on every store.

A save names the revision it was made on: someone else's save in between makes
it refused with who and when, never lost. Publishing publishes the revision the
user saw, or is refused.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.editing import EditRejected
from models.errors import BundleLoadError
from models.serialization import bundle_document, load_bundle
from runtime.documents import User
from runtime.drafts import (
    DRAFT,
    BrokenDraft,
    DraftChanged,
    Drafts,
    ScenariosChanged,
    take_over_files,
)
from runtime.errors import AccessDenied, ConflictError, EngineError, NotFound
from runtime.service import PublishError, Runtime
from runtime.storage.base import Changes
from runtime.storage.memory import MemoryStore
from runtime.test_run import Action, Outcome, Scenario
from tests.people import person
from tests.runtime.conftest import Harness

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KEY = "change_of_address"
ANN = User(id="ann", name="Ann", roles=["designer"])
SUE = User(id="sue", name="Sue", roles=["designer"])


def published(runtime: Runtime) -> Drafts:
    """The runtime with Ann and Sue as users and the example process published."""
    runtime.store.commit(Changes(users=[ANN, SUE]))
    runtime.publish(person("owner"), load_bundle((EXAMPLES / f"{KEY}.json").read_text()))
    return Drafts(runtime)


@pytest.fixture
def drafts(runtime: Runtime) -> Drafts:
    return published(runtime)


def renamed(document: dict, name: str) -> dict:
    return document | {"name": name}


def scenario(name: str) -> Scenario:
    return Scenario(name=name, actions=[Action(kind="start", process=KEY)], expected=Outcome(status="waiting"))


# Opening and saving -----------------------------------------------------------------------------


def test_a_process_without_a_draft_opens_at_its_newest_version(drafts: Drafts):
    opened = drafts.open(ANN, KEY)
    assert (opened.saved, opened.revision, opened.published, opened.saved_by) == (False, 0, 1, "")
    assert opened.document["key"] == KEY
    with pytest.raises(NotFound, match="no process 'nope'"):
        drafts.open(ANN, "nope")
    for who in (person("bob", "agent"), person("abe", "auditor")):
        with pytest.raises(AccessDenied, match="edit a draft"):
            drafts.open(who, KEY)


def test_a_saved_draft_opens_again_with_who_saved_it(drafts: Drafts):
    opened = drafts.open(ANN, KEY)
    saved = drafts.save(SUE, KEY, renamed(opened.document, "Adres"), opened.revision)
    again = drafts.open(ANN, KEY)
    assert (again.saved, again.revision, again.saved_by, again.name) == (True, saved.revision, "Sue", "Adres")
    assert again.revision == opened.revision + 1
    assert [d.key for d in drafts.drafts(ANN)] == [KEY]


def test_a_save_made_on_an_older_revision_is_refused_naming_who_changed_it_and_when(drafts: Drafts):
    opened = drafts.open(ANN, KEY)
    drafts.save(SUE, KEY, renamed(opened.document, "Sue's"), opened.revision)
    refusal = r"^Sue changed this draft at [\d: -]+; your change was not saved"
    with pytest.raises(DraftChanged, match=refusal) as refused:
        drafts.save(ANN, KEY, renamed(opened.document, "Ann's"), opened.revision)
    assert str(refused.value.change).startswith("Sue changed this draft at")
    assert refused.value.current.name == "Sue's"  # the draft as it is now, to repeat the change on
    assert drafts.open(ANN, KEY).name == "Sue's"
    drafts.save(ANN, KEY, renamed(refused.value.current.document, "Ann's"), refused.value.current.revision)
    assert drafts.open(ANN, KEY).name == "Ann's"


def test_ones_own_save_in_another_window_is_named_so(drafts: Drafts):
    opened = drafts.open(ANN, KEY)
    drafts.save(ANN, KEY, renamed(opened.document, "first window"), opened.revision)
    with pytest.raises(DraftChanged, match="You, in another window, changed this draft"):
        drafts.save(ANN, KEY, renamed(opened.document, "second window"), opened.revision)


def test_a_document_the_models_refuse_or_of_another_process_is_not_saved(drafts: Drafts):
    opened = drafts.open(ANN, KEY)
    with pytest.raises(EditRejected, match="nodes"):
        drafts.save(ANN, KEY, opened.document | {"nodes": "not a list"}, opened.revision)
    with pytest.raises(EditRejected, match="of process 'other', not of"):
        drafts.save(ANN, KEY, opened.document | {"key": "other"}, opened.revision)
    with pytest.raises(EditRejected, match="may be at most 5,000,000 bytes"):
        drafts.save(ANN, KEY, opened.document | {"description": "x" * 6_000_000}, opened.revision)
    assert drafts.open(ANN, KEY).saved is False


# Publishing ----------------------------------------------------------------------------------


def test_publishing_publishes_the_revision_seen_and_ends_the_draft(drafts: Drafts, runtime: Runtime):
    opened = drafts.open(ANN, KEY)
    saved = drafts.save(ANN, KEY, renamed(opened.document, "Adres v2"), opened.revision)
    version = drafts.publish(ANN, KEY, saved.revision, "renamed")
    assert (version.number, version.name, version.author, version.note) == (2, "Adres v2", "ann", "renamed")
    after = drafts.open(SUE, KEY)
    assert (after.saved, after.published, after.name) == (False, 2, "Adres v2")
    assert str(after.change).startswith("Ann published this draft as version 2 at")
    assert drafts.drafts(ANN) == []
    with pytest.raises(DraftChanged, match="published this draft as version 2"):  # a save on the old draft
        drafts.save(SUE, KEY, renamed(saved.document, "late"), saved.revision)


def test_a_publish_after_someone_elses_save_is_refused_and_publishes_nothing(drafts: Drafts, runtime: Runtime):
    opened = drafts.open(ANN, KEY)
    seen = drafts.save(ANN, KEY, renamed(opened.document, "Ann's"), opened.revision)
    drafts.save(SUE, KEY, renamed(seen.document, "Sue's"), seen.revision)
    with pytest.raises(DraftChanged, match="Sue changed this draft"):
        drafts.publish(ANN, KEY, seen.revision)
    assert [v.number for v in runtime.store.versions(KEY)] == [1]
    assert drafts.open(ANN, KEY).name == "Sue's"


def test_nothing_to_publish_without_a_saved_draft_and_errors_are_refused(drafts: Drafts, runtime: Runtime):
    opened = drafts.open(ANN, KEY)
    with pytest.raises(EngineError, match="nothing to publish: the draft of 'change_of_address' has no changes "
                                          "since version 1"):
        drafts.publish(ANN, KEY, opened.revision)
    broken = opened.document | {"edges": []}
    saved = drafts.save(ANN, KEY, broken, opened.revision)
    with pytest.raises(PublishError):
        drafts.publish(ANN, KEY, saved.revision)
    assert drafts.open(ANN, KEY).saved  # the draft is still there
    with pytest.raises(AccessDenied, match="publish"):
        drafts.publish(person("bob", "agent"), KEY, saved.revision)


def test_a_publish_racing_saves_from_the_same_revision_lets_exactly_one_of_them_through(harness: Harness):
    runtime = harness.runtime
    drafts = published(runtime)
    opened = drafts.open(ANN, KEY)
    seen = drafts.save(ANN, KEY, renamed(opened.document, "seen"), opened.revision)
    outcomes: list[str] = []
    start = threading.Barrier(5)

    def publish() -> None:
        start.wait()
        try:
            drafts.publish(ANN, KEY, seen.revision)
            outcomes.append("published")
        except DraftChanged:
            outcomes.append("refused")

    def save(number: int) -> None:
        start.wait()
        try:
            drafts.save(SUE, KEY, renamed(seen.document, f"save {number}"), seen.revision)
            outcomes.append(f"saved {number}")
        except DraftChanged:
            outcomes.append("refused")

    threads = [threading.Thread(target=publish), *(threading.Thread(target=save, args=(n,)) for n in range(4))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [o for o in outcomes if o != "refused"]
    assert len(outcomes) == 5 and len(winners) == 1
    versions = runtime.store.versions(KEY)
    if winners == ["published"]:  # what was published is exactly what the publisher saw
        assert [v.name for v in versions] == [opened.name, "seen"]
    else:
        assert len(versions) == 1 and drafts.open(ANN, KEY).name == winners[0].replace("saved", "save")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["ann", "sue"]), st.integers(min_value=0, max_value=2)), max_size=12))
def test_a_save_is_kept_exactly_when_it_names_the_stored_revision(saves: list[tuple[str, int]]):
    drafts = published(Runtime(MemoryStore()))
    current = drafts.open(ANN, KEY)
    for number, (who, behind) in enumerate(saves):
        base = current.revision - behind
        try:
            saved = drafts.save(ANN if who == "ann" else SUE, KEY, renamed(current.document, f"save {number}"), base)
        except (DraftChanged, ConflictError):
            assert behind > 0 and base != current.revision
        else:
            assert behind == 0 and saved.revision == current.revision + 1
            current = saved
        assert drafts.open(ANN, KEY).name == current.name  # nothing but the kept saves ever lands


# Creating, importing, duplicating, discarding -------------------------------------------------


def test_a_new_process_needs_a_free_key(drafts: Drafts):
    created = drafts.create(ANN, "refund", "Refund")
    assert (created.saved, created.published, [n["kind"] for n in created.document["nodes"]]) == (
        True, None, ["start", "end"])
    with pytest.raises(ConflictError, match=r"a process 'refund' exists already \(a draft, saved by Ann at"):
        drafts.create(SUE, "refund", "Again")
    with pytest.raises(ConflictError, match="a process 'change_of_address' exists already"):
        drafts.create(ANN, KEY, "Again")
    with pytest.raises(EditRejected, match="cannot be a process key"):
        drafts.create(ANN, "new", "New")
    with pytest.raises(EditRejected, match="key"):
        drafts.create(ANN, "two words", "Two")


def test_an_import_becomes_the_draft_of_its_process_but_never_over_a_draft(drafts: Drafts):
    text = (EXAMPLES / f"{KEY}.json").read_bytes()
    imported = drafts.import_file(ANN, text, f"{KEY}.json")
    assert (imported.saved, imported.published) == (True, 1)
    with pytest.raises(ConflictError, match="there is a draft of 'change_of_address' already"):
        drafts.import_file(SUE, text, f"{KEY}.json")
    with pytest.raises(BundleLoadError):
        drafts.import_file(ANN, b"{not json", "broken.json")
    created = drafts.create_from(ANN, bundle_document(load_bundle((EXAMPLES / "billing_complaint.json")
                                                                   .read_text())))
    assert created.key == "billing_complaint" and created.published is None


def test_a_duplicate_copies_the_draft_under_a_new_key(drafts: Drafts):
    opened = drafts.open(ANN, KEY)
    drafts.save(ANN, KEY, renamed(opened.document, "Adres (bewerkt)"), opened.revision)
    copy = drafts.duplicate(SUE, KEY, "address_copy", "Copy")
    assert (copy.key, copy.name, copy.saved) == ("address_copy", "Copy", True)
    assert len(copy.document["nodes"]) == len(opened.document["nodes"])
    with pytest.raises(ConflictError):
        drafts.duplicate(SUE, KEY, KEY, "Same key")


def test_discarding_goes_back_to_the_published_version_unless_someone_saved_since(drafts: Drafts):
    opened = drafts.open(ANN, KEY)
    saved = drafts.save(ANN, KEY, renamed(opened.document, "Ann's"), opened.revision)
    later = drafts.save(SUE, KEY, renamed(saved.document, "Sue's"), saved.revision)
    with pytest.raises(DraftChanged, match="Sue changed this draft"):
        drafts.discard(ANN, KEY, saved.revision)
    assert drafts.open(ANN, KEY).name == "Sue's"
    back = drafts.discard(ANN, KEY, later.revision)
    assert back is not None and (back.saved, back.name) == (False, opened.name)
    assert str(back.change).startswith("You, in another window, discarded this draft at")
    created = drafts.create(ANN, "refund", "Refund")
    assert drafts.discard(ANN, "refund", created.revision) is None
    with pytest.raises(NotFound):
        drafts.open(ANN, "refund")


def test_a_draft_the_models_no_longer_read_is_reported_and_can_be_discarded(drafts: Drafts, runtime: Runtime):
    runtime.step(ANN, lambda tx: tx.new_record(DRAFT, KEY, {"document": {"key": KEY, "nodes": "not a list"}}))
    with pytest.raises(BrokenDraft, match="cannot be opened") as broken:
        drafts.open(ANN, KEY)
    assert drafts.discard(ANN, KEY, broken.value.revision).saved is False


# Scenarios and presence ----------------------------------------------------------------------


def test_scenarios_are_saved_replaced_by_name_and_deleted_with_revisions(drafts: Drafts):
    empty = drafts.scenarios(ANN, KEY)
    assert (empty.scenarios, empty.revision) == ([], 0)
    first = drafts.save_scenario(ANN, KEY, scenario("a"), empty.revision)
    second = drafts.save_scenario(ANN, KEY, scenario("b"), first.revision)
    third = drafts.save_scenario(ANN, KEY, scenario("a"), second.revision)
    assert [s.name for s in third.scenarios] == ["b", "a"]
    with pytest.raises(ScenariosChanged, match="Ann changed the scenarios of 'change_of_address'") as refused:
        drafts.delete_scenario(ANN, KEY, "b", second.revision)
    assert refused.value.current.revision == third.revision
    kept = drafts.delete_scenario(ANN, KEY, "b", third.revision)
    assert [s.name for s in kept.scenarios] == ["a"] == [s.name for s in drafts.scenarios(SUE, KEY).scenarios]
    with pytest.raises(AccessDenied, match="test-run"):
        drafts.scenarios(person("bob", "agent"), KEY)


def test_who_has_a_draft_open_is_known_until_they_leave_or_are_not_seen_for_30_seconds(harness: Harness):
    drafts = published(harness.runtime)
    assert drafts.here(ANN, KEY) == []
    assert [p.name for p in drafts.here(SUE, KEY)] == ["Ann"]
    assert [p.name for p in drafts.present(ANN, KEY)] == ["Sue"]
    harness.clock.advance(timedelta(seconds=20))
    drafts.here(ANN, KEY)
    harness.clock.advance(timedelta(seconds=15))
    assert drafts.present(ANN, KEY) == []  # Sue was last seen 35 s ago
    assert [p.name for p in drafts.present(SUE, KEY)] == ["Ann"]
    drafts.leave(ANN, KEY)
    assert drafts.present(SUE, KEY) == []


# Files of an older Flowdesk --------------------------------------------------------------------


def test_draft_and_scenario_files_are_taken_over_once(harness: Harness, tmp_path: Path):
    runtime = harness.runtime
    drafts = published(runtime)
    folder = tmp_path / "old"
    (folder / "drafts").mkdir(parents=True)
    (folder / "scenarios").mkdir()
    document = renamed(json.loads((EXAMPLES / f"{KEY}.json").read_text()), "from a file")
    (folder / "drafts" / f"{KEY}.json").write_text(json.dumps({"document": document}))
    (folder / "drafts" / "broken.json").write_text("{not json")
    (folder / "scenarios" / f"{KEY}.json").write_text(json.dumps(
        {"scenarios": [scenario("kept").model_dump(mode="json")]}))
    done = take_over_files(runtime, folder)
    assert sum("taken over" in line and "not" not in line for line in done) == 2
    assert any("broken.json: not taken over" in line for line in done)
    assert drafts.open(ANN, KEY).name == "from a file"
    assert [s.name for s in drafts.scenarios(ANN, KEY).scenarios] == ["kept"]
    assert sorted(p.name for p in (folder / "drafts").iterdir()) == ["broken.json.broken", f"{KEY}.json.taken"]
    assert take_over_files(runtime, folder) == []  # once
    (folder / "drafts" / f"{KEY}.json").write_text(json.dumps({"document": renamed(document, "again")}))
    assert take_over_files(runtime, folder) == [
        f"{folder / 'drafts' / KEY}.json: not taken over, the store has a draft of '{KEY}' already"]
    assert drafts.open(ANN, KEY).name == "from a file"
