"""A real `flowdesk serve` for the API tests, on the example processes and a small parallel one, with an API token
for every user.

The server is shared by the package's tests, so each test that changes something starts its own case. It takes
API bodies of up to `MAX_REQUEST_MB` (`serve --max-request-mb`), so the tests see that the option is applied.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from designer.cli import main as flowdesk
from models.phrases import Phrase
from runtime.deliveries import give_up
from runtime.documents import User
from runtime.outbox import sent_to_customer
from runtime.service import Runtime
from runtime.storage.base import Changes
from runtime.storage.tinydb_store import TinyDBStore
from tests.designer.conftest import COMPLAINT
from tests.designer.helpers import serving
from tests.people import person
from tests.runtime.builders import end, parallel, process, start, task

#: The demo users by role (see designer.app.DEMO_USERS).
AGENT, SUPERVISOR, DESIGNER, AUDITOR, ADMIN = "bob", "sue", "ann", "abe", "root"
#: An agent who works the back office queue only.
BACK_OFFICE_AGENT = "carol"
CHECKLIST = ["invoice_opened", "meter_reading_checked", "tariff_checked", "payments_checked", "dunning_paused"]
INVESTIGATION = {"disputed_amount": "80.00", "complaint_justified": True,
                 "investigation_findings": "Twee keer afgeschreven op 3 februari; terugboeking nodig."}
MANDATE = {"iban": "NL91ABNA0417164300", "account_holder": "J. de Vries", "collection_day": "15",
           "verbal_consent": True}
#: What the server is started with: `flowdesk serve --max-request-mb`.
MAX_REQUEST_MB = 2
#: A process whose two tasks are open at once, on the two branches of a parallel split.
PARALLEL = process("parallel_review", variables={"left_note": "text", "right_note": "text"},
                   nodes=[start(), parallel("split"), task("left"), task("right"), parallel("join"), end()],
                   flow="s>split split>left split>right left>join right>join join>e")


@dataclass(frozen=True)
class Api:
    url: str
    pid: int
    tokens: dict[str, str]
    users: dict[str, User]
    data: Path
    #: Complaints whose e-mail may have arrived (its delivery was interrupted), to check by hand: (case, e-mail)
    #: each, for the tests that settle one to take.
    unsure: list[tuple[str, str]]

    def client(self, name: str | None) -> httpx.Client:
        """A client sending `name`'s token; None sends none, "bad" a made-up one."""
        headers = {}
        if name == "bad":
            headers["Authorization"] = "Bearer bob.not-the-token"
        elif name is not None:
            headers["Authorization"] = f"Bearer {self.tokens[name]}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def call(self, name: str | None, method: str, path: str, **options: Any) -> httpx.Response:
        with self.client(name) as client:
            return client.request(method, path, **options)

    def start(self, key: str, data: dict, name: str = AGENT, **extra: object) -> dict:
        """A new case of `key` for C-1001, started by `name`."""
        response = self.call(name, "POST", f"/api/v1/processes/{key}/cases",
                             json={"data": data, "customer_id": "C-1001", **extra})
        assert response.status_code == 201, response.text
        return response.json()

    def start_complaint(self, **extra: object) -> dict:
        """A new billing complaint for C-1001, started by the agent; its first task waits in 'billing'."""
        return self.start("billing_complaint", COMPLAINT, **extra)

    def case(self, case_id: str) -> dict:
        """The case as the administrator reads it now."""
        response = self.call(ADMIN, "GET", f"/api/v1/cases/{case_id}")
        assert response.status_code == 200, response.text
        return response.json()


def make_token(data: Path, name: str) -> str:
    out = io.StringIO()
    assert flowdesk(["user", "token", name, "--data", str(data)], out=out) == 0
    return out.getvalue().strip()


#: How many e-mails to check by hand the server starts with.
UNSURE = 12


def interrupted_acknowledgement(runtime: Runtime) -> tuple[str, str]:
    """A new complaint whose acknowledgement the worker left to check by hand: it stopped while SMTP had it."""
    case = runtime.start_case(person("bob"), "billing_complaint", COMPLAINT, customer_id="C-1001")
    [email] = sent_to_customer(runtime.store, case.id)
    email.interrupted = True
    give_up(runtime, email, Phrase("delivery was interrupted: it may or may not have arrived; check by hand"))
    return case.id, email.id


@pytest.fixture(scope="package")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    from designer.app import create_demo_users, publish_examples

    data = tmp_path_factory.mktemp("api") / "data"
    with TinyDBStore.open(data) as store:
        runtime = Runtime(store)
        publish_examples(runtime)
        runtime.publish(person("owner"), PARALLEL)
        create_demo_users(runtime)
        store.commit(Changes(users=[User(id=BACK_OFFICE_AGENT, name="Carol", roles=["agent"], queues=["back_office"])]))
        users = {user.id: user for user in store.users()}
        unsure = [interrupted_acknowledgement(runtime) for _ in range(UNSURE)]
    tokens = {name: make_token(data, name) for name in users}
    with serving(data, options=["--max-request-mb", str(MAX_REQUEST_MB)]) as server:
        yield Api(server.url, server.pid, tokens, users, data, unsure)


def problem(response: httpx.Response, status: int) -> dict:
    """The RFC 9457 problem the response carries, after checking its status, media type and shape."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"].startswith("/problems/")
    assert body["title"] and body["detail"]
    return body


def field_errors(response: httpx.Response) -> dict[str, str]:
    """The fields a 422 problem names, with their messages."""
    body = problem(response, 422)
    assert body["type"] == "/problems/invalid", body
    return {error["field"]: error["message"] for error in body["errors"]}
