"""What only the embedded store must show: recovery from its folder, repair, locking, clear errors.

A "crash image" is a copy of the data folder taken while the store is
open: the journal holds steps the partition files do not have yet, as
after a SIGKILL (the page cache the copy reads is what the disk would
hold once the journal was fsynced).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tinydb import TinyDB

from runtime.errors import NotFound, StoreError
from runtime.storage import files, tinydb_store
from runtime.storage.base import Changes, WorkQuery
from runtime.storage.tinydb_store import TinyDBStore
from tests.storage.storage_docs import bundle, case, new_case_changes, step_changes, user, version

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


def fill(store: TinyDBStore, cases: int = 3, steps: int = 2) -> None:
    for number in range(cases):
        store.commit(new_case_changes(f"c{number}"))
        for step in range(1, steps + 1):
            store.commit(step_changes(store.case(f"c{number}"), step))


def crash_image(store: TinyDBStore, destination: Path) -> Path:
    shutil.copytree(store.directory, destination)
    return destination


def summary(store: TinyDBStore) -> dict:
    """What the pages would show: enough to tell two stores apart."""
    return {
        "cases": [(c.id, c.revision, c.data) for c in store.cases()],
        "open": [w.id for w in store.work_items(WorkQuery(limit=1000))],
        "audit": {c.id: len(store.audit_events(c.id)) for c in store.cases()},
        "counts": store.count_open_work_items(),
    }


# Durability and recovery ------------------------------------------------------------------


def test_reopening_shows_everything_and_indexes_agree_with_a_rebuild(folder: Path):
    with TinyDBStore.open(folder) as store:
        fill(store)
        before = summary(store)
    with TinyDBStore.open(folder) as store:
        assert summary(store) == before
        assert store.verify_indexes()


def test_after_a_crash_the_journal_is_redone(folder: Path, tmp_path: Path):
    with TinyDBStore.open(folder) as store:
        fill(store)
        image = crash_image(store, tmp_path / "image")
        before = summary(store)
    assert (image / "journal.jsonl").stat().st_size > 0
    with TinyDBStore.open(image) as recovered:
        assert summary(recovered) == before
        assert recovered.verify_indexes()
        assert (image / "journal.jsonl").stat().st_size == 0  # checkpointed on open


def test_a_step_cut_off_by_a_crash_is_ignored_and_later_steps_survive(folder: Path, tmp_path: Path):
    with TinyDBStore.open(folder) as store:
        fill(store, cases=2, steps=1)
        image = crash_image(store, tmp_path / "image")
    journal = image / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    with TinyDBStore.open(image) as recovered:
        assert recovered.case("c1").revision == 1  # its step was the cut-off line
        assert recovered.case("c0").revision == 2
        recovered.commit(step_changes(recovered.case("c1"), 1))
    with TinyDBStore.open(image) as reopened:
        assert reopened.case("c1").revision == 2
        assert reopened.verify_indexes()


def test_damage_before_intact_journal_lines_is_refused_with_advice(folder: Path, tmp_path: Path):
    with TinyDBStore.open(folder) as store:
        fill(store, cases=2, steps=0)
        image = crash_image(store, tmp_path / "image")
    journal = image / "journal.jsonl"
    data = bytearray(journal.read_bytes())
    data[20] ^= 0x01
    journal.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"journal.jsonl is damaged at line 1 .*backup"):
        TinyDBStore.open(image)


def test_a_missing_or_damaged_index_snapshot_is_rebuilt_from_the_case_files(folder: Path):
    with TinyDBStore.open(folder) as store:
        fill(store)
        before = summary(store)
    (folder / "index.json").unlink()
    with TinyDBStore.open(folder) as store:
        assert summary(store) == before
    (folder / "index.json").write_bytes(b"0000 {not json")
    with TinyDBStore.open(folder) as store:
        assert summary(store) == before
        assert store.verify_indexes()


def test_a_normal_open_reads_no_case_file(folder: Path, monkeypatch: pytest.MonkeyPatch):
    with TinyDBStore.open(folder) as store:
        fill(store, cases=20, steps=1)
    read: list[Path] = []
    original = tinydb_store.load_partition
    monkeypatch.setattr(tinydb_store, "load_partition", lambda path: read.append(path) or original(path))
    with TinyDBStore.open(folder) as store:
        assert read == []
        assert store.count_open_work_items() == {"billing": 20}


def test_a_worklist_page_reads_only_the_case_files_on_it(folder: Path, monkeypatch: pytest.MonkeyPatch):
    with TinyDBStore.open(folder) as store:
        for number in range(120):
            store.commit(new_case_changes(f"c{number:03}", due=number))
    read: list[Path] = []
    original = tinydb_store.load_partition
    monkeypatch.setattr(tinydb_store, "load_partition", lambda path: read.append(path) or original(path))
    with TinyDBStore.open(folder) as store:
        page = store.work_items(WorkQuery(queues=("billing",), limit=10, offset=20))
        assert [item.case_id for item in page] == [f"c{number:03}" for number in range(20, 30)]
        assert len(read) == 10


def test_a_bundle_is_stored_once_by_hash(folder: Path):
    with TinyDBStore.open(folder) as store:
        store.commit(Changes(versions=[(version("complaint", 1, "h1"), bundle())]))
        store.commit(Changes(versions=[(version("complaint", 2, "h1"), bundle()), (version("move", 1, "m1"),
                                                                                 bundle("move"))]))
    assert sorted(path.name for path in (folder / "versions").iterdir()) == ["h1.json", "m1.json"]


def test_frequent_checkpoints_keep_the_journal_short(folder: Path):
    with TinyDBStore.open(folder, checkpoint_bytes=1) as store:
        fill(store)
        assert (folder / "journal.jsonl").stat().st_size == 0
        before = summary(store)
    with TinyDBStore.open(folder) as store:
        assert summary(store) == before


def test_partition_files_are_plain_tinydb_files(folder: Path):
    with TinyDBStore.open(folder) as store:
        fill(store, cases=1, steps=1)
    (path,) = (folder / "cases").glob("*/c0.json")
    with TinyDB(path, access_mode="r") as db:
        assert [doc["revision"] for doc in db.table("case").all()] == [2]
        assert sorted(doc["id"] for doc in db.table("work_items").all()) == ["c0-w1", "c0-w2"]


def test_odd_ids_get_safe_distinct_file_names(folder: Path):
    odd = ["../escape", "Case-1", "case-1", "a/b", "x" * 300]
    with TinyDBStore.open(folder) as store:
        store.commit(Changes(cases=[(case(case_id), None) for case_id in odd]))
    with TinyDBStore.open(folder) as store:
        assert sorted(c.id for c in store.cases()) == sorted(odd)
    assert not (folder.parent / "escape.json").exists()
    assert len(list((folder / "cases").glob("*/*.json"))) == len(odd)


# Failures ------------------------------------------------------------------------------------------


def disk_full(*args: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_failed_journal_write_leaves_nothing_behind(folder: Path, monkeypatch: pytest.MonkeyPatch):
    store = TinyDBStore.open(folder)
    store.commit(new_case_changes("c1"))
    monkeypatch.setattr(files, "_write_all", disk_full)
    with pytest.raises(StoreError, match="nothing of this step was saved; check free disk space"):
        store.commit(new_case_changes("c2"))
    monkeypatch.undo()
    with pytest.raises(NotFound):
        store.case("c2")
    store.commit(step_changes(store.case("c1"), 1))
    store.close()
    with TinyDBStore.open(folder) as reopened:
        assert [c.id for c in reopened.cases()] == ["c1"]
        assert reopened.case("c1").revision == 2


def test_a_failed_flush_stops_the_store_until_a_restart_recovers_it(folder: Path, monkeypatch: pytest.MonkeyPatch):
    store = TinyDBStore.open(folder)
    store.commit(new_case_changes("c1"))
    monkeypatch.setattr(files, "_sync_data", disk_full)
    with pytest.raises(StoreError, match=r"cannot flush .* to disk: No space left on device; .*restart Flowdesk"):
        store.commit(new_case_changes("c2"))  # not acknowledged: whether it was saved, the restart tells
    monkeypatch.undo()
    with pytest.raises(StoreError, match="stopped after an internal error"):
        store.case("c1")
    store.close()
    with TinyDBStore.open(folder) as reopened:
        assert {c.id for c in reopened.cases()} <= {"c1", "c2"} and reopened.case("c1").revision == 1
        assert reopened.verify_indexes()
        reopened.commit(step_changes(reopened.case("c1"), 1))


def test_a_damaged_case_file_names_the_file_and_what_to_do(folder: Path):
    with TinyDBStore.open(folder) as store:
        fill(store, cases=2, steps=0)
    (broken,) = (folder / "cases").glob("*/c0.json")
    broken.write_text('{"case": {"1": {"id": "c0"')
    (invalid,) = (folder / "cases").glob("*/c1.json")
    content = json.loads(invalid.read_text())
    content["case"]["1"]["revision"] = "many"
    invalid.write_text(json.dumps(content))
    with TinyDBStore.open(folder) as store:
        with pytest.raises(StoreError, match=r"c0.json is damaged .*restore it from a backup"):
            store.case("c0")
        with pytest.raises(StoreError, match=r"c1.json holds a damaged Case 'c1' \(revision: .*backup"):
            store.case("c1")
    (folder / "index.json").unlink()
    with pytest.raises(StoreError, match=r"c0\.json is damaged"):
        TinyDBStore.open(folder)


def test_a_folder_of_a_newer_format_is_refused(folder: Path):
    TinyDBStore.open(folder).close()
    (folder / "store.json").write_text('{"format": 99}')
    with pytest.raises(StoreError, match="format 99"):
        TinyDBStore.open(folder)


# Processes ------------------------------------------------------------------------------------------


def test_a_second_writer_is_refused_and_a_reader_is_allowed(folder: Path):
    with TinyDBStore.open(folder) as writer:
        writer.commit(Changes(users=[user()]))
        with pytest.raises(StoreError, match=rf"in use by another Flowdesk process \(pid {os.getpid()}\); stop it "
                                             "or use another --data folder"):
            TinyDBStore.open(folder)
        with TinyDBStore.open(folder, read_only=True) as reader:
            assert reader.user("u1").name == "Agent One"
            with pytest.raises(StoreError, match="read-only"):
                reader.commit(Changes(users=[user("u2")]))
    TinyDBStore.open(folder).close()  # free again once the writer closed


def test_a_writer_in_another_process_is_refused(folder: Path):
    script = ("import sys\nfrom runtime.storage.tinydb_store import TinyDBStore\nfrom runtime.storage.base import "
              "StoreError\ntry:\n    TinyDBStore.open(sys.argv[1])\nexcept StoreError as e:\n    print(e)\n")
    with TinyDBStore.open(folder):
        done = subprocess.run([sys.executable, "-c", script, str(folder)], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
    assert f"in use by another Flowdesk process (pid {os.getpid()})" in done.stdout, done.stderr


def test_read_only_needs_an_existing_store(folder: Path):
    with pytest.raises(StoreError, match="not a Flowdesk data folder"):
        TinyDBStore.open(folder, read_only=True)
