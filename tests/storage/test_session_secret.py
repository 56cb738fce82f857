"""The secret that signs session cookies lives in the store, so every app process on one database accepts the
others' cookies; a secret an older Flowdesk kept in the data folder is taken over once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from runtime.installation import SECRET_FILE, session_secret
from runtime.service import Runtime
from runtime.storage.base import Store
from tests.storage.conftest import Opened, Reopen


def test_the_secret_is_made_once_and_read_back_after_a_restart(store: Store, reopen: Reopen, tmp_path: Path):
    first = session_secret(Runtime(store), tmp_path)
    assert len(first) >= 40
    assert session_secret(Runtime(reopen(store)), tmp_path) == first
    assert not (tmp_path / SECRET_FILE).exists()  # nothing on this disk that another machine would lack


def test_a_secret_kept_in_the_data_folder_is_taken_over_once(store: Store, reopen: Reopen, tmp_path: Path):
    (tmp_path / SECRET_FILE).write_text("kept-by-an-older-flowdesk\n")
    assert session_secret(Runtime(store), tmp_path) == "kept-by-an-older-flowdesk"
    assert not (tmp_path / SECRET_FILE).exists()
    assert session_secret(Runtime(reopen(store)), tmp_path) == "kept-by-an-older-flowdesk"


def test_app_processes_starting_at_once_agree_on_one_secret(opened: Opened, tmp_path: Path):
    stores = [opened.open() for _ in range(4 if opened.kind == "postgres" else 1)]  # one writer per folder else
    folders = [tmp_path / f"app-{number}" for number in range(4)]
    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda n: session_secret(Runtime(stores[n % len(stores)]), folders[n]), range(4)))
    assert len(set(found)) == 1
