"""The OpenAPI document and /docs, and the API tokens `flowdesk user token` makes."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest

from designer.cli import main as flowdesk
from runtime.accounts import Accounts, TokenRefused
from runtime.documents import User
from runtime.installation import open_runtime
from runtime.storage.base import Changes
from runtime.storage.tinydb_store import TinyDBStore
from tests.api.conftest import AGENT, Api, problem


def test_the_openapi_document_describes_the_v1_routes_only_their_bodies_problems_and_the_bearer_token(api: Api):
    with api.client(AGENT) as client:
        document = client.get("/openapi.json").json()
    assert document["info"]["title"] == "Flowdesk API"
    paths = document["paths"]
    assert all(path.startswith("/api/v1/") for path in paths)
    assert set(paths) >= {"/api/v1/processes", "/api/v1/processes/{key}/versions", "/api/v1/processes/{key}/cases",
                          "/api/v1/processes/{key}/start-schema", "/api/v1/cases", "/api/v1/cases/{case_id}",
                          "/api/v1/cases/{case_id}/messages", "/api/v1/cases/{case_id}/notes",
                          "/api/v1/cases/{case_id}/attachments", "/api/v1/cases/{case_id}/close",
                          "/api/v1/cases/{case_id}/attachments/{attachment_id}",
                          "/api/v1/cases/{case_id}/sent/{entry_id}/document", "/api/v1/work-items",
                          "/api/v1/work-items/{item_id}/claim", "/api/v1/work-items/{item_id}/release",
                          "/api/v1/work-items/{item_id}/reassign", "/api/v1/work-items/{item_id}/complete",
                          "/api/v1/contacts", "/api/v1/contacts/{contact_id}"}
    start = paths["/api/v1/processes/{key}/cases"]["post"]
    assert start["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/StartCase")
    assert {"201", "422", "401", "403", "404"} <= set(start["responses"])
    assert start["responses"]["422"]["content"]["application/problem+json"]["schema"]["$ref"].endswith("/Problem")
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method == "post":
                assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]], path
    assert "If-Match" in [p["name"] for p in paths["/api/v1/cases/{case_id}/close"]["post"]["parameters"]]
    assert "409" in paths["/api/v1/work-items/{item_id}/complete"]["post"]["responses"]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    schemas = document["components"]["schemas"]
    assert set(schemas["CaseDetail"]["properties"]) >= {"data", "timeline", "open_items", "attachments", "sent"}
    assert set(schemas["Problem"]["properties"]) == {"type", "title", "status", "detail", "errors"}
    assert schemas["NewContact"]["properties"]["reason"]["maxLength"] == 500


def test_docs_are_for_signed_in_users_only(api: Api):
    anonymous_docs = httpx.get(f"{api.url}/docs")
    anonymous_document = httpx.get(f"{api.url}/openapi.json")
    with httpx.Client(base_url=api.url) as browser:
        assert browser.post("/api/session", json={"user": "abe", "password": "abe-demo"}).status_code == 200
        docs = browser.get("/docs")
    assert anonymous_docs.status_code == anonymous_document.status_code == 303
    assert anonymous_docs.headers["location"] == "/login?redirect_to=%2Fdocs"
    assert docs.status_code == 200 and "swagger-ui" in docs.text


def test_a_session_works_for_the_api_as_in_the_web_app(api: Api):
    with httpx.Client(base_url=api.url) as browser:
        browser.post("/api/session", json={"user": "bob", "password": "bob-demo"})
        assert browser.get("/api/v1/work-items").status_code == 200
    with httpx.Client(base_url=api.url) as browser:
        browser.post("/api/session", json={"user": "ann", "password": "ann-demo"})
        refused = browser.get("/api/v1/work-items")
        assert problem(refused, 403)["detail"].startswith("not allowed: to see work items you need one of the roles")


def test_a_token_is_printed_once_only_its_hash_is_kept_and_a_new_one_replaces_it(tmp_path: Path):
    with TinyDBStore.open(tmp_path) as store:
        store.commit(Changes(users=[User(id="gateway", name="Mail gateway", roles=["agent"])]))
    first, second = io.StringIO(), io.StringIO()
    assert flowdesk(["user", "token", "gateway", "--data", str(tmp_path)], out=first) == 0
    assert flowdesk(["user", "token", "gateway", "--data", str(tmp_path)], out=second) == 0
    old, new = first.getvalue().strip(), second.getvalue().strip()
    assert old.startswith("gateway.") and new != old
    stored = "".join(path.read_text(errors="replace") for path in tmp_path.rglob("*") if path.is_file())
    assert old not in stored and new not in stored
    with open_runtime(tmp_path, read_only=True) as runtime:
        accounts = Accounts(runtime)
        assert accounts.token_user(new).id == "gateway"
        for refused in (old, new[:-1], "gateway"):
            with pytest.raises(TokenRefused):
                accounts.token_user(refused)


def test_a_token_for_an_unknown_user_is_refused(tmp_path: Path, capsys):
    assert flowdesk(["user", "token", "nobody", "--data", str(tmp_path)], out=io.StringIO()) == 1
    assert "there is no user 'nobody'" in capsys.readouterr().err
