"""Tampering by someone who can write the data is detected: the checkpoints anchor every trail store-wide.

The attacker here edits the embedded store's files with the store closed, or the PostgreSQL database's rows in
SQL as its owner (past the audit table's append-only trigger, `sql_tamper`), and covers their tracks the way a
careful one would: every event they touch and every event after it is sealed again, and the case's recorded head
and count are set to match, so each trail on its own looks intact. Only the signed checkpoints (and the auditor's
anchor file) tell.
"""

from __future__ import annotations

import json
import shutil
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from runtime.anchors import AnchorError, SigningKey, anchor_line, load_public_key, read_anchor_file
from runtime.audit import GENESIS, seal
from runtime.errors import AccessDenied
from runtime.service import Runtime
from runtime.storage.base import Store, WorkQuery
from runtime.storage.postgres import PostgresStore
from runtime.storage.tinydb_store import TinyDBStore
from tests.people import AUDITOR, person
from tests.runtime.builders import end, process, start, task
from tests.storage.sql_tamper import remove_case, remove_records, rewrite_case

Tables = dict[str, Any]


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    folder = tmp_path / "keys"
    folder.mkdir()
    SigningKey.generate(folder / "anchor.pem", folder / "anchor.pub")
    return SigningKey.load(folder / "anchor.pem", tmp_path / "data")


class Installation(ABC):
    """A store with a signing key outside it (`runtime`), and what an attacker who can write its data does with
    the store closed: `tamper` edits a case's tables (TinyDB's layout: table -> doc id -> document) and opens it
    again, `remove_case`, `drop_checkpoints`, and `backup` and `restore` the whole store."""

    def __init__(self, key: SigningKey) -> None:
        self.key = key
        self.runtime = Runtime(self.store(), signing_key=key)

    @abstractmethod
    def store(self) -> Store:
        """The store, opened."""

    def reopen(self) -> Runtime:
        self.runtime.store.close()
        self.runtime = Runtime(self.store(), signing_key=self.key)
        return self.runtime

    def tamper(self, case_id: str, edit: Callable[[Tables], None]) -> Runtime:
        self.runtime.store.close()
        self.edit_case(case_id, edit)
        return self.reopen()

    @abstractmethod
    def edit_case(self, case_id: str, edit: Callable[[Tables], None]) -> None:
        """Change the case's tables with `edit`."""

    @abstractmethod
    def remove_case(self, case_id: str) -> None:
        """Delete the case and everything of it."""

    @abstractmethod
    def drop_checkpoints(self) -> None:
        """Delete every checkpoint."""

    @abstractmethod
    def backup(self) -> None:
        """Keep a copy of the whole store aside."""

    @abstractmethod
    def restore(self) -> None:
        """Put the copy `backup` kept back in place of the store."""


class FolderInstallation(Installation):
    """The embedded store in a data folder, whose files the attacker edits."""

    def __init__(self, folder: Path, key: SigningKey) -> None:
        self.folder = folder
        self.copy = folder.with_name("backup")
        super().__init__(key)

    def store(self) -> Store:
        return TinyDBStore.open(self.folder)

    def edit_case(self, case_id: str, edit: Callable[[Tables], None]) -> None:
        [path] = self.folder.rglob(f"{case_id}.json")
        tables = json.loads(path.read_text(encoding="utf-8"))
        edit(tables)
        path.write_text(json.dumps(tables), encoding="utf-8")
        (self.folder / "index.json").unlink()  # the indexes are rebuilt from the edited files

    def remove_case(self, case_id: str) -> None:
        [path] = self.folder.rglob(f"{case_id}.json")
        path.unlink()
        (self.folder / "index.json").unlink()

    def drop_checkpoints(self) -> None:
        for path in self.folder.glob("records/checkpoint/*.json"):
            path.unlink()

    def backup(self) -> None:
        shutil.copytree(self.folder, self.copy)

    def restore(self) -> None:
        shutil.rmtree(self.folder)
        shutil.copytree(self.copy, self.folder)


class DatabaseInstallation(Installation):
    """A PostgreSQL database, whose rows the attacker rewrites in SQL as its owner."""

    def __init__(self, server: str, url: str, key: SigningKey) -> None:
        self.server, self.url = server, url
        self.name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
        super().__init__(key)

    def store(self) -> Store:
        return PostgresStore.open(self.url, pool_size=4)

    def edit_case(self, case_id: str, edit: Callable[[Tables], None]) -> None:
        """The case's row and events put in TinyDB's layout for `edit`, then written back in SQL."""
        def in_tables(case: dict[str, Any], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
            tables = {"case": {"1": case}, "audit": {str(n): event for n, event in enumerate(events, start=1)}}
            edit(tables)
            return events_of(tables)

        rewrite_case(self.url, case_id, in_tables)

    def remove_case(self, case_id: str) -> None:
        remove_case(self.url, case_id)

    def drop_checkpoints(self) -> None:
        remove_records(self.url, "checkpoint")

    def backup(self) -> None:
        with psycopg.connect(self.server, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {self.name}_backup TEMPLATE {self.name}")

    def restore(self) -> None:
        with psycopg.connect(self.server, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE {self.name} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {self.name} TEMPLATE {self.name}_backup")
            connection.execute(f"DROP DATABASE {self.name}_backup")


@pytest.fixture(params=["tinydb", "postgres"])
def installation(request: pytest.FixtureRequest, tmp_path: Path, key: SigningKey) -> Iterator[Installation]:
    """Three cases of five events each, all anchored by a signed checkpoint; then one more event on each."""
    if request.param == "postgres":
        server = request.getfixturevalue("pg_server")
        setup: Installation = DatabaseInstallation(server, request.getfixturevalue("pg_url"), key)
    else:
        setup = FolderInstallation(tmp_path / "data", key)
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
    yield setup
    setup.runtime.store.close()


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
    installation.remove_case(victim)
    [problem] = installation.reopen().verify_audit(AUDITOR).problems
    assert problem.case_id == victim
    assert "the case was removed" in problem.message


def test_checkpoints_made_again_without_the_key_fail_their_signature(installation: Installation):
    victim = installation.runtime.store.case_ids()[0]
    installation.tamper(victim, forge_actor).store.close()
    installation.drop_checkpoints()  # the attacker drops the true checkpoints
    forger = Runtime(installation.store())  # and anchors the forged trails anew, without the key
    forger.checkpoint()
    forger.store.close()
    verdict = installation.reopen().verify_audit(AUDITOR)
    assert not verdict.intact
    assert any("is not signed by the installation's key" in p.message for p in verdict.problems)


def test_a_rolled_back_store_is_caught_by_the_auditors_anchor_file(installation: Installation, tmp_path: Path):
    installation.runtime.store.close()
    installation.backup()
    rt = installation.reopen()
    rt.start_case(person("agent"), "p", {"note": "started after the backup"})
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text(anchor_line(rt.checkpoint()) + "\n")
    rt.store.close()
    installation.restore()  # the store as it was before: the new case is gone
    verdict = installation.reopen().verify_audit(AUDITOR, anchors=read_anchor_file(anchors))
    [problem] = verdict.problems
    assert "checkpoint 3, which the anchor file holds, is missing" in problem.message


def test_verifying_needs_the_auditor_role(installation: Installation):
    with pytest.raises(AccessDenied):
        installation.runtime.verify_audit(person("bob", "agent"))


def test_the_key_must_not_live_in_the_data_folder(key: SigningKey, tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    SigningKey.generate(data / "anchor.pem", data / "anchor.pub")
    with pytest.raises(AnchorError, match="lies in the data folder"):
        SigningKey.load(data / "anchor.pem", data)
    assert load_public_key(tmp_path / "keys" / "anchor.pub")
