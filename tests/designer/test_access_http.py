"""Who may open which route, over HTTP against a real `flowdesk serve` (examples and demo users on first start)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from runtime.storage.tinydb_store import TinyDBStore
from tests.designer.helpers import served

PASSWORDS = {"ann": "ann-demo", "vic": "vic-demo", "bob": "bob-demo", "sue": "sue-demo", "abe": "abe-demo",
             "root": "root-demo"}
PAGES = ("/design", "/approve", "/work", "/monitor", "/audit")
#: Which demo user may open which page; everyone else is sent to the "not allowed" page.
ALLOWED = {
    "ann": {"/design", "/approve"},
    "vic": {"/approve"},
    "bob": {"/work"},
    "sue": {"/work", "/monitor"},
    "abe": {"/audit"},
    "root": set(PAGES),
}
#: An API read for each kind of caller; the REST API's own access table is in tests/api/test_access.py.
API_READS = ("/api/v1/processes", "/api/v1/work-items", "/api/v1/cases")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("served") / "data"
    with served(data) as url:
        yield url
    # the app closed its store on shutdown: it opens again, with what the first start made
    with TinyDBStore.open(data, read_only=True) as store:
        assert [u.id for u in store.users()] == sorted(PASSWORDS)
    assert (data / "session_secret").stat().st_mode & 0o077 == 0
    assert "worker running" in (data.parent / "serve.log").read_text()


@contextmanager
def signed_in(url: str, name: str) -> Iterator[httpx.Client]:
    """An HTTP client holding the session cookie of the demo user `name`."""
    with httpx.Client(base_url=url, timeout=10) as client:
        response = client.post("/api/session", json={"user": name, "password": PASSWORDS[name]})
        assert response.status_code == 200, response.text
        yield client


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_requests_for_a_page_are_sent_to_sign_in_keeping_the_target(server: str, page: str):
    response = httpx.get(f"{server}{page}?queue=billing")
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?redirect_to={page.replace('/', '%2F')}%3Fqueue%3Dbilling"


@pytest.mark.parametrize("read", API_READS)
def test_anonymous_api_requests_are_refused_and_told_to_sign_in(server: str, read: str):
    response = httpx.get(f"{server}{read}")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["type"] == "/problems/sign-in"


def test_the_sign_in_page_and_static_files_are_open(server: str):
    page = httpx.get(f"{server}/login")
    assert page.status_code == 200
    script = next(part.split('"')[0] for part in page.text.split('src="')[1:] if part.startswith("/_nicegui/"))
    assert httpx.get(f"{server}{script}").status_code == 200
    polling = httpx.get(f"{server}/_nicegui_ws/socket.io/?EIO=4&transport=polling")  # the fallback transport
    assert polling.status_code == 200


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_each_role_opens_exactly_its_pages(server: str, name: str):
    with signed_in(server, name) as client:
        for page in PAGES:
            response = client.get(page)
            if page in ALLOWED[name]:
                assert response.status_code == 200, (name, page)
                assert response.headers.get("x-nicegui-content") == "page"
            else:
                assert response.status_code == 303, (name, page)
                assert response.headers["location"].startswith("/not-allowed?path="), (name, page)


def test_the_auditor_and_the_designer_cannot_complete_work(server: str):
    for name in ("abe", "ann"):
        with signed_in(server, name) as client:
            response = client.post("/api/v1/work-items/any-item/complete", json={})
            assert response.status_code == 403
            assert "not allowed" in response.json()["detail"]


def test_an_agent_may_use_the_complete_endpoint(server: str):
    with signed_in(server, "bob") as client:
        response = client.post("/api/v1/work-items/no-such-item/complete", json={})
        assert response.status_code == 404  # past the guard; the item does not exist


def test_a_wrong_password_gets_no_session(server: str):
    with httpx.Client(base_url=server) as client:
        assert client.post("/api/session", json={"user": "root", "password": "guess"}).status_code == 401
        assert client.get("/api/v1/work-items").status_code == 401


def test_signing_out_ends_the_api_session(server: str):
    with signed_in(server, "sue") as client:
        assert client.get("/api/v1/work-items").status_code == 200
        assert client.delete("/api/session").status_code == 200
        assert client.get("/api/v1/work-items").status_code == 401


def test_the_sign_in_target_cannot_lead_to_another_site():
    from designer.pages.session import safe_target

    assert safe_target("/work?queue=billing") == "/work?queue=billing"
    for outside in ("https://evil.example", "//evil.example/x", "/\\evil.example", "", None):
        assert safe_target(outside) == "/"
