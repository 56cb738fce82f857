"""POST /api/v1/cases/{id}/sent/{entry}/resend against a real `flowdesk serve` whose worker sends through a real SMTP
server that refused the e-mail five times (before the app started) and takes it now."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.api.conftest import ADMIN, AGENT, AUDITOR, SUPERVISOR, Api, make_token, problem
from tests.designer.helpers import serving
from tests.failed_mail import failed_acknowledgements
from tests.local_servers import RefusingInbox, smtp_server

CASES = 3


@dataclass(frozen=True)
class Served:
    url: str
    tokens: dict[str, str]
    inbox: RefusingInbox
    failed: list[tuple[str, str]]  # (case, its acknowledgement e-mail) that failed

    def call(self, name: str, method: str, path: str, **options: object) -> httpx.Response:
        with httpx.Client(base_url=self.url, timeout=60,
                          headers={"Authorization": f"Bearer {self.tokens[name]}"}) as client:
            return client.request(method, path, **options)

    def case(self, case_id: str) -> dict:
        response = self.call(ADMIN, "GET", f"/api/v1/cases/{case_id}")
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("resend") / "data"
    inbox = RefusingInbox()
    with smtp_server(inbox) as port:
        failed = failed_acknowledgements(data, port, CASES)
        tokens = {name: make_token(data, name) for name in (AGENT, SUPERVISOR, AUDITOR, ADMIN)}
        inbox.refusing = False  # the mail server is fixed
        with serving(data, smtp_port=port) as server:
            yield Served(server.url, tokens, inbox, failed)


def wait_until_sent(served: Served, case_id: str, entry_id: str) -> dict:
    """The case once the app's worker (every 5 s) sent the entry."""
    for _ in range(100):
        case = served.case(case_id)
        if next(s for s in case["sent"] if s["id"] == entry_id)["status"] == "sent":
            return case
        time.sleep(0.2)
    raise AssertionError(f"{entry_id} was not sent")


def test_a_failed_email_shows_where_to_resend_it_and_an_agent_does_and_it_goes_out_once(served: Served):
    case_id, entry_id = served.failed[0]
    case = served.case(case_id)
    [sent] = case["sent"]
    assert sent["status"] == "failed" and "refused the message (technical detail: 451" in sent["last_error"]
    assert sent["resend"] == f"/api/v1/cases/{case_id}/sent/{entry_id}/resend"
    assert [e["kind"] for e in case["timeline"]][-1] == "delivery failed"

    key = {"Idempotency-Key": "resend-once", "If-Match": f'"{case["revision"]}"'}
    first = served.call(AGENT, "POST", sent["resend"], headers=key)
    again = served.call(AGENT, "POST", sent["resend"], headers=key)
    assert first.status_code == 200, first.text
    assert (again.status_code, again.json()) == (200, first.json())
    assert first.headers["etag"] == f'"{first.json()["revision"]}"'
    resent = first.json()
    assert resent["sent"][0]["status"] == "pending" and resent["sent"][0]["resend"] is None
    assert resent["timeline"][-1]["kind"] == "delivery resent" and resent["timeline"][-1]["actor"] == AGENT

    conflict = problem(served.call(SUPERVISOR, "POST", sent["resend"]), 409)
    assert "is pending, not failed; nothing was resent" in conflict["detail"]
    wait_until_sent(served, case_id, entry_id)
    assert sum(entry_id in message["Message-ID"] for _, message in served.inbox.messages) == 1


def test_a_resend_with_an_old_etag_is_refused_and_changes_nothing(served: Served):
    case_id, entry_id = served.failed[1]
    revision = served.case(case_id)["revision"]
    stale = problem(served.call(SUPERVISOR, "POST", f"/api/v1/cases/{case_id}/sent/{entry_id}/resend",
                                headers={"If-Match": f'"{revision - 1}"'}), 412)
    assert stale["type"] == "/problems/precondition-failed"
    assert served.case(case_id)["sent"][0]["status"] == "failed"
    done = served.call(SUPERVISOR, "POST", f"/api/v1/cases/{case_id}/sent/{entry_id}/resend")
    assert done.status_code == 200, done.text
    wait_until_sent(served, case_id, entry_id)


def test_an_auditor_may_not_resend_and_an_unknown_message_is_not_found(served: Served):
    case_id, entry_id = served.failed[2]
    refused = problem(served.call(AUDITOR, "POST", f"/api/v1/cases/{case_id}/sent/{entry_id}/resend"), 403)
    assert refused["type"] == "/problems/not-allowed"
    assert "resend a case's failed letters, e-mails and SMS you need one of the roles agent, supervisor, admin" \
        in refused["detail"]
    missing = problem(served.call(AGENT, "POST", f"/api/v1/cases/{case_id}/sent/out-nothing/resend"), 404)
    assert "sent no 'out-nothing'" in missing["detail"]
    assert served.case(case_id)["sent"][0]["status"] == "failed"


def test_the_resend_route_is_documented(served: Served):
    document = served.call(ADMIN, "GET", "/openapi.json").json()
    route = document["paths"]["/api/v1/cases/{case_id}/sent/{entry_id}/resend"]["post"]
    assert {"200", "403", "404", "409", "412"} <= set(route["responses"])
    assert any(parameter["name"] == "Idempotency-Key" for parameter in route["parameters"])


def test_an_email_that_may_have_arrived_shows_where_to_say_what_a_check_found_and_is_settled_once(api: Api):
    case_id, entry_id = api.unsure.pop()
    [sent] = api.case(case_id)["sent"]
    assert sent["checked"] == f"/api/v1/cases/{case_id}/sent/{entry_id}/checked" and sent["resend"] is None
    settled = api.call(AGENT, "POST", sent["checked"], json={"arrived": True})
    assert settled.status_code == 200, settled.text
    assert settled.json()["sent"][0]["status"] == "sent" and settled.json()["sent"][0]["checked"] is None
    assert settled.json()["timeline"][-1]["kind"] == "delivery checked"
    conflict = problem(api.call(AGENT, "POST", sent["checked"], json={"arrived": False}), 409)
    assert "is not waiting to be checked by hand (it is sent); nothing was changed" in conflict["detail"]
    unclear = problem(api.call(AGENT, "POST", sent["checked"], json={}), 422)
    assert "arrived" in str(unclear)
