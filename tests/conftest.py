"""Fixtures every test folder may use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.local_servers import Inbox, smtp_server


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on localhost: what it received, and its port."""
    inbox = Inbox()
    with smtp_server(inbox) as port:
        yield inbox, port
