"""Nobody exhausts the server with a big request, signed in or not; no request body crashes a route.

A body over its limit is refused with a `too-large` problem before it is read: at once when its Content-Length
says so, and the moment a streamed (chunked) body passes the limit otherwise, so the server's memory stays as it
was. Sign-in and contact bodies are small; the rest of the API takes what `serve --max-request-mb` says.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.api.conftest import AGENT, MAX_REQUEST_MB, Api, field_errors, problem

MB = 1024 * 1024
HUGE = 300 * MB
#: How much the server may grow while refusing a 300 MB body (buffers, caches); the body itself must not fit in it.
GROWTH_LIMIT = 40 * MB


def resident(pid: int) -> int:
    """The server process's resident memory, in bytes."""
    line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def streamed(size: int, chunk: int = MB) -> Iterator[bytes]:
    """`size` bytes of a JSON-looking body, made as they are sent (chunked: no Content-Length)."""
    yield b'{"password": "'
    for _ in range(size // chunk):
        yield b"x" * chunk


def declared_only(api: Api, path: str, length: int) -> tuple[int, dict]:
    """Send only the headers of a request whose Content-Length is `length`; the server's status and problem."""
    address = urlsplit(api.url)
    with socket.create_connection((address.hostname, address.port), timeout=20) as connection:
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\nContent-Type: application/json\r\n"
                           f"Content-Length: {length}\r\n\r\n".encode())
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            received = connection.recv(65536)
            if not received:
                break
            answer += received
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


@pytest.mark.parametrize("path", ["/api/session", "/api/v1/contacts", "/api/v1/processes/billing_complaint/cases"])
def test_a_declared_length_over_the_limit_is_refused_before_any_of_the_body_is_sent(api: Api, path: str):
    status, body = declared_only(api, path, HUGE)
    assert (status, body["type"]) == (413, "/problems/too-large")
    assert f"this one has {HUGE:,} bytes" in body["detail"]


@pytest.mark.parametrize(("path", "name"), [("/api/session", None),
                                             ("/api/v1/processes/billing_complaint/cases", AGENT)])
def test_a_streamed_300_mb_body_is_refused_and_the_servers_memory_stays_bounded(api: Api, path: str,
                                                                                 name: str | None):
    before = resident(api.pid)
    response = api.call(name, "POST", path, content=streamed(HUGE), headers={"Content-Type": "application/json"})
    grown = resident(api.pid) - before
    assert grown < GROWTH_LIMIT, f"the server grew by {grown / MB:.0f} MB"
    assert problem(response, 413)["type"] == "/problems/too-large"


def test_sign_in_and_contacts_are_small_the_rest_of_the_api_takes_what_serve_was_told(api: Api):
    sign_in = api.call(None, "POST", "/api/session", json={"user": "bob", "password": "x" * 20_000})
    assert "a sign-in may have at most 16,384 bytes" in problem(sign_in, 413)["detail"]
    contact = api.call(AGENT, "POST", "/api/v1/contacts", json={"channel": "email", "reason": "x",
                                                                "note": "x" * 300_000})
    assert "a contact may have at most 262,144 bytes" in problem(contact, 413)["detail"]
    limit = MAX_REQUEST_MB * MB
    over = api.call(AGENT, "POST", "/api/v1/processes/billing_complaint/cases",
                    json={"data": {"complaint_description": "x" * limit}})
    assert f"an API request may have at most {limit:,} bytes" in problem(over, 413)["detail"]
    under = api.call(AGENT, "POST", "/api/v1/processes/billing_complaint/cases",
                     json={"data": {"complaint_description": "x" * (limit - MB)}})
    assert under.status_code == 422  # taken in, and refused for what it says


@pytest.mark.parametrize(("body", "field", "message"), [
    (b'{"channel": "email", "reason": "Factuur \\ud800 klopt niet"}', "reason", "lone surrogate \\ud800"),
    (b'{"channel": "email", "reason": "Factuur \xed\xa0\x80 klopt niet"}', "body", "not UTF-8"),
    (b'{"channel": "email", "reason": "Factuur \xff klopt niet"}', "body", "not UTF-8"),
    (b'{"channel": "email", "reason": "x", "customer": {"name": ["\\udfff"]}}', "customer.name[0]", "surrogate"),
    (b'{"channel": "email", "reason": "x", "note": 1e309}', "note", "too large"),
    (b'{"channel": "email", "reason": NaN}', "reason", "NaN"),
    (b'[' * 100_000, "body", "at most 40 are allowed"),
    (b'{"channel": "email", "reason": "x"', "body", "not valid JSON"),
])
def test_a_body_that_is_not_text_or_not_json_is_refused_naming_where(api: Api, body: bytes, field: str,
                                                                     message: str):
    response = api.call(AGENT, "POST", "/api/v1/contacts", content=body, headers={"Content-Type": "application/json"})
    errors = field_errors(response)
    assert message in errors[field], errors
