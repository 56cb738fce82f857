"""Fixtures for the web app's tests: a seeded data folder, and NiceGUI's `user` simulation on it.

The `user` fixture runs a NiceGUI main file in NiceGUI's user simulation (no server, no
browser): by default `app_main.py` (the Flowdesk app on a copy of the seeded data folder);
a test marked `@pytest.mark.nicegui_main_file(path)` runs another main file instead.
Async tests run on anyio's pytest plugin (`pytest.mark.anyio`).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from runtime.service import Runtime
from runtime.storage.tinydb_store import TinyDBStore
from tests.people import person

if TYPE_CHECKING:
    from nicegui.testing import User

APP_MAIN = Path(__file__).with_name("app_main.py")
COMPLAINT = {"invoice_number": "F2026-104233", "invoice_date": "2026-02-01", "complaint_category": "charged_twice",
             "complaint_description": "Het bedrag is twee keer afgeschreven; de klant wil het terug.",
             "disputed_amount": "80.00"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "nicegui_main_file(path): the NiceGUI main file the `user` fixture runs")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def seeded_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder as `flowdesk serve` leaves it on first start, plus one open billing complaint."""
    from designer.app import create_demo_users, publish_examples

    folder = tmp_path_factory.mktemp("seeded") / "data"
    with TinyDBStore.open(folder) as store:
        runtime = Runtime(store)
        publish_examples(runtime)
        create_demo_users(runtime)
        runtime.start_case(person("bob"), "billing_complaint", COMPLAINT, customer_id="C-1001")
    return folder


@pytest.fixture
def data(seeded_data: Path, tmp_path: Path) -> Path:
    """A fresh copy of the seeded data folder for one test."""
    folder = tmp_path / "data"
    shutil.copytree(seeded_data, folder)
    return folder


@pytest.fixture
async def user(request: pytest.FixtureRequest, data: Path, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[User]:
    from nicegui.storage import Storage  # NiceGUI is imported only by the tests that simulate it
    from nicegui.testing import user_simulation

    marker = request.node.get_closest_marker("nicegui_main_file")
    main_file = Path(marker.args[0]) if marker else APP_MAIN
    monkeypatch.setenv("FLOWDESK_TEST_DATA", str(data))
    monkeypatch.setattr(Storage, "path", tmp_path / "nicegui-storage")
    from nicegui import app

    lifespan = app.router.lifespan_context  # each include_router wraps it once more; NiceGUI's reset keeps it
    try:
        async with user_simulation(main_file=main_file) as simulated:
            yield simulated
    finally:
        app.router.lifespan_context = lifespan
