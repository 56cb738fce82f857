"""A real `flowdesk serve` for the API tests, on the example processes, with an API token for every demo user.

The server is shared by the package's tests, so each test that changes something starts its own case.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from designer.cli import main as flowdesk
from runtime.documents import User
from runtime.service import Runtime
from runtime.storage.base import Changes
from runtime.storage.tinydb_store import TinyDBStore
from tests.designer.conftest import COMPLAINT
from tests.designer.helpers import served

#: The demo users by role (see designer.app.DEMO_USERS).
AGENT, SUPERVISOR, DESIGNER, AUDITOR, ADMIN = "bob", "sue", "ann", "abe", "root"
#: An agent who works the back office queue only.
BACK_OFFICE_AGENT = "carol"
CHECKLIST = ["invoice_opened", "meter_reading_checked", "tariff_checked", "payments_checked", "dunning_paused"]
INVESTIGATION = {"disputed_amount": "80.00", "complaint_justified": True,
                 "investigation_findings": "Twee keer afgeschreven op 3 februari; terugboeking nodig."}


@dataclass(frozen=True)
class Api:
    url: str
    tokens: dict[str, str]
    data: Path

    def client(self, name: str | None) -> httpx.Client:
        """A client sending `name`'s token; None sends none, "bad" a made-up one."""
        headers = {}
        if name == "bad":
            headers["Authorization"] = "Bearer bob.not-the-token"
        elif name is not None:
            headers["Authorization"] = f"Bearer {self.tokens[name]}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=20)

    def start_complaint(self, **extra: object) -> dict:
        """A new billing complaint for C-1001, started by the agent; its first task waits in 'billing'."""
        with self.client(AGENT) as client:
            response = client.post("/api/v1/processes/billing_complaint/cases",
                                   json={"data": COMPLAINT, "customer_id": "C-1001", **extra})
        assert response.status_code == 201, response.text
        return response.json()


def make_token(data: Path, name: str) -> str:
    out = io.StringIO()
    assert flowdesk(["user", "token", name, "--data", str(data)], out=out) == 0
    return out.getvalue().strip()


@pytest.fixture(scope="package")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    from designer.app import create_demo_users, publish_examples

    data = tmp_path_factory.mktemp("api") / "data"
    with TinyDBStore.open(data) as store:
        runtime = Runtime(store)
        publish_examples(runtime)
        create_demo_users(runtime)
        store.commit(Changes(users=[User(id=BACK_OFFICE_AGENT, name="Carol", roles=["agent"], queues=["back_office"])]))
    tokens = {name: make_token(data, name) for name in (AGENT, SUPERVISOR, DESIGNER, AUDITOR, ADMIN, BACK_OFFICE_AGENT)}
    with served(data) as url:
        yield Api(url, tokens, data)
