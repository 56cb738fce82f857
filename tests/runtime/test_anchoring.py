"""Tampering by someone who can write the data folder is detected: the checkpoints anchor every trail store-wide.

The attacker here edits the embedded store's files with the store closed, and covers their tracks the way a
careful one would: every event they touch and every event after it is sealed again, and the case's recorded head
and count are set to match, so each trail on its own looks intact. Only the signed checkpoints (and the auditor's
anchor file) tell.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runtime.anchors import AnchorError, SigningKey, anchor_line, load_public_key, read_anchor_file
from runtime.audit import GENESIS, seal
from runtime.errors import AccessDenied
from runtime.service import Runtime
from runtime.storage.base import WorkQuery
from runtime.storage.tinydb_store import TinyDBStore
from tests.people import AUDITOR, person
from tests.runtime.builders import end, process, start, task

Tables = dict[str, Any]


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    folder = tmp_path / "keys"
    folder.mkdir()
    SigningKey.generate(folder / "anchor.pem", folder / "anchor.pub")
    return SigningKey.load(folder / "anchor.pem", tmp_path / "data")


class Installation:
    """An embedded store with a signing key outside it; `tamper` edits a case's file with the store closed."""

    def __init__(self, folder: Path, key: SigningKey) -> None:
        self.folder, self.key = folder, key
        self.runtime = self.open()

    def open(self) -> Runtime:
        return Runtime(TinyDBStore.open(self.folder), signing_key=self.key)

    def reopen(self) -> Runtime:
        self.runtime.store.close()
        self.runtime = self.open()
        return self.runtime

    def tamper(self, case_id: str, edit: Callable[[Tables], None]) -> Runtime:
        self.runtime.store.close()
        [path] = self.folder.rglob(f"{case_id}.json")
        tables = json.loads(path.read_text(encoding="utf-8"))
        edit(tables)
        path.write_text(json.dumps(tables), encoding="utf-8")
        (self.folder / "index.json").unlink()  # the indexes are rebuilt from the edited files
        self.runtime = self.open()
        return self.runtime


@pytest.fixture
def installation(tmp_path: Path, key: SigningKey) -> Installation:
    """Three cases of five events each, all anchored by a signed checkpoint; then one more event on each."""
    setup = Installation(tmp_path / "data", key)
    rt = setup.runtime
    rt.publish(person("owner"), process("p", variables={"note": "text"}, nodes=[start(), task("a"), task("b"), end()],
                                        flow="s>a a>b b>e"))
    for number in range(3):
        case = rt.start_case(person("agent"), "p", {"note": f"case {number}"})
        [item] = rt.store.work_items(WorkQuery(case_id=case.id))
        rt.complete(person("agent"), item.id, {"note": "checked"})
    assert rt.checkpoint() is not None
    for case_id in rt.store.case_ids():
        [item] = rt.store.work_items(WorkQuery(case_id=case_id))
        rt.complete(person("agent"), item.id, {"note": "done"})
    assert rt.checkpoint().seq == 2
    assert rt.verify_audit(AUDITOR).intact
    return setup


def events_of(tables: Tables) -> list[dict[str, Any]]:
    return sorted(tables["audit"].values(), key=lambda event: event["seq"])


def reseal(tables: Tables, events: list[dict[str, Any]]) -> None:
    """Write `events` back as the case's trail, every one sealed again, and the case's head and count to match."""
    previous = GENESIS
    for seq, event in enumerate(events, start=1):
        event["seq"], event["previous_hash"] = seq, previous
        event["hash"] = previous = seal(event, previous)
    tables["audit"] = {str(number): event for number, event in enumerate(events, start=1)}
    [case] = tables["case"].values()
    case["audit_count"], case["audit_head"] = len(events), previous


def forge_actor(tables: Tables) -> None:
    events = events_of(tables)
    events[2]["actor"] = "sue"
    reseal(tables, events)


def insert_event(tables: Tables) -> None:
    events = events_of(tables)
    reseal(tables, [*events[:3], dict(events[2], id="ev-inserted", summary="Customer agreed by phone"), *events[3:]])


def delete_event(tables: Tables) -> None:
    events = events_of(tables)
    reseal(tables, events[:2] + events[3:])


def reorder_events(tables: Tables) -> None:
    events = events_of(tables)
    events[1], events[2] = events[2], events[1]
    reseal(tables, events)


def truncate(tables: Tables) -> None:
    reseal(tables, events_of(tables)[:-2])


ATTACKS = [
    (forge_actor, "was changed, inserted or removed and the trail sealed again"),
    (insert_event, "was changed, inserted or removed and the trail sealed again"),
    (delete_event, "was changed, inserted or removed and the trail sealed again"),
    (reorder_events, "was changed, inserted or removed and the trail sealed again"),
    (truncate, "the last were removed"),
]


@pytest.mark.parametrize(("attack", "message"), ATTACKS, ids=[a.__name__ for a, _ in ATTACKS])
def test_a_resealed_trail_is_caught_by_its_checkpoint(installation: Installation, attack, message: str):
    victim = installation.runtime.store.case_ids()[1]
    rt = installation.tamper(victim, attack)
    verdict = rt.verify_audit(AUDITOR)
    [problem] = verdict.problems
    assert problem.case_id == victim
    assert message in problem.message


def test_a_change_is_placed_after_the_events_an_older_checkpoint_still_vouches_for(installation: Installation):
    victim = installation.runtime.store.case_ids()[0]

    def forge_last(tables: Tables) -> None:
        events = events_of(tables)
        events[-1]["actor"] = "mallory"
        reseal(tables, events)

    anchored_first = len(installation.runtime.store.audit_events(victim)) - 3  # completing 'b' added three events
    [problem] = installation.tamper(victim, forge_last).verify_audit(AUDITOR).problems
    assert f"events 1–{anchored_first} match earlier checkpoints" in problem.message
    assert problem.seq == anchored_first + 1


def test_a_removed_case_is_caught(installation: Installation):
    victim = installation.runtime.store.case_ids()[2]
    installation.runtime.store.close()
    [path] = installation.folder.rglob(f"{victim}.json")
    path.unlink()
    (installation.folder / "index.json").unlink()
    [problem] = installation.open().verify_audit(AUDITOR).problems
    assert problem.case_id == victim
    assert "the case was removed" in problem.message


def test_checkpoints_made_again_without_the_key_fail_their_signature(installation: Installation):
    victim = installation.runtime.store.case_ids()[0]
    installation.tamper(victim, forge_actor).store.close()
    for path in installation.folder.glob("records/checkpoint/*.json"):  # the attacker drops the true checkpoints
        path.unlink()
    forger = Runtime(TinyDBStore.open(installation.folder))  # and anchors the forged trails anew, without the key
    forger.checkpoint()
    forger.store.close()
    verdict = installation.open().verify_audit(AUDITOR)
    assert not verdict.intact
    assert any("is not signed by the installation's key" in p.message for p in verdict.problems)


def test_a_rolled_back_store_is_caught_by_the_auditors_anchor_file(installation: Installation, tmp_path: Path):
    backup = tmp_path / "backup"
    installation.runtime.store.close()
    shutil.copytree(installation.folder, backup)
    rt = installation.open()
    rt.start_case(person("agent"), "p", {"note": "started after the backup"})
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text(anchor_line(rt.checkpoint()) + "\n")
    rt.store.close()
    shutil.rmtree(installation.folder)
    shutil.copytree(backup, installation.folder)  # the store as it was before: the new case is gone
    verdict = installation.open().verify_audit(AUDITOR, anchors=read_anchor_file(anchors))
    [problem] = verdict.problems
    assert "checkpoint 3, which the anchor file holds, is missing" in problem.message


def test_verifying_needs_the_auditor_role_and_the_key_must_not_live_in_the_data_folder(installation: Installation,
                                                                                          tmp_path: Path):
    with pytest.raises(AccessDenied):
        installation.runtime.verify_audit(person("bob", "agent"))
    inside = installation.folder / "anchor.pem"
    SigningKey.generate(inside, installation.folder / "anchor.pub")
    with pytest.raises(AnchorError, match="lies in the data folder"):
        SigningKey.load(inside, installation.folder)
    assert load_public_key(tmp_path / "keys" / "anchor.pub")
