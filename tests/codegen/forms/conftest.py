"""Fixtures for the generated-form tests: NiceGUI's `user` simulation on a small form app.

The `user` fixture runs the NiceGUI main file named by the test's
`@pytest.mark.nicegui_main_file(path)` marker (no server, no browser).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from nicegui.testing import User


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "nicegui_main_file(path): the NiceGUI main file the `user` fixture runs")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def user(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[User]:
    from nicegui.storage import Storage
    from nicegui.testing import user_simulation

    marker = request.node.get_closest_marker("nicegui_main_file")
    assert marker, "mark the test with @pytest.mark.nicegui_main_file(path)"
    monkeypatch.setattr(Storage, "path", tmp_path / "nicegui-storage")
    async with user_simulation(main_file=Path(marker.args[0])) as simulated:
        yield simulated
