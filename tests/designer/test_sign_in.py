"""Signing in through the web app's doors: the login page and /api/session are throttled and say why; API callers
are told how to authenticate (401 with `WWW-Authenticate: Bearer`)."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from nicegui import ui
from nicegui.testing import User

from designer.cli import main as flowdesk
from tests.designer.helpers import ROOT, served
from tests.people import person
from tests.runtime.builders import end, process, start, task


@dataclass(frozen=True)
class Served:
    url: str
    data: Path
    token: str  # the demo agent bob's API token


def demo_folder(folder: Path) -> Path:
    """A data folder with one published process and the demo users (so the app adds nothing on its first start)."""
    from designer.app import create_demo_users
    from runtime.installation import open_runtime

    with open_runtime(folder) as runtime:
        runtime.publish(person("ann"), process("p", nodes=[start(), task("t"), end()], flow="s>t t>e"))
        create_demo_users(runtime)
    return folder


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The data folder of the `user` fixture's app."""
    return demo_folder(tmp_path / "data")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = demo_folder(tmp_path_factory.mktemp("sign-in") / "data")
    out = io.StringIO()
    assert flowdesk(["user", "token", "bob", "--data", str(data)], out=out) == 0
    with served(data) as url:
        yield Served(url, data, out.getvalue().strip())


def test_an_api_caller_without_a_valid_token_is_told_to_send_a_bearer_token(server: Served):
    for headers in ({}, {"Authorization": "Bearer bob.not-the-token"}, {"Authorization": f"Bearer {server.token}x"}):
        response = httpx.get(f"{server.url}/api/me", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 401 and response.json()["detail"]
    me = httpx.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {server.token}"})
    assert me.status_code == 200 and me.json()["id"] == "bob" and me.json()["areas"] == ["/work"]


def test_a_wrong_password_is_401_and_too_many_lock_the_user_with_429_until_a_time(server: Served):
    with httpx.Client(base_url=server.url) as client:
        wrong = client.post("/api/session", json={"user": "abe", "password": "guess"})
        assert wrong.status_code == 401 and wrong.json()["detail"] == "wrong user name or password"
        answers = [client.post("/api/session", json={"user": "abe", "password": "guess"}) for _ in range(9)]
        assert [a.status_code for a in answers] == [401] * 3 + [429] * 6  # hurrying counts as failing
        right = client.post("/api/session", json={"user": "abe", "password": "abe-demo"})
        assert right.status_code == 429
        assert right.json()["detail"].startswith("too many attempts; try again at ")
        assert right.json()["detail"].endswith(" or ask an administrator")
        assert 14 * 60 < int(right.headers["retry-after"]) <= 15 * 60
        assert client.get("/api/me").status_code == 401  # no session was made

    # an administrator sees the lock, from the command line while the app runs
    locks = subprocess.run([sys.executable, "-m", "designer.cli", "user", "locks", "--data", str(server.data)],
                           capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert locks.returncode == 0, locks.stderr
    assert locks.stdout.startswith("user abe  locked until ") and "after 10 failed attempts" in locks.stdout


async def attempt(user: User, password: str) -> str:
    """Type `password` into the open login page, sign in, and wait for the answer shown under the fields."""
    user.find("Password").type(password)
    user.find(kind=ui.button, content="Sign in").click()
    for _ in range(200):  # the page clears the password once it has the answer
        await asyncio.sleep(0.05)
        [field] = user.find("Password").elements
        if field.value == "":
            [problem] = user.find(marker="sign-in-problem").elements
            return problem.text
    raise AssertionError("no answer to signing in")


@pytest.mark.anyio
async def test_the_login_page_shows_the_lock_and_refuses_the_right_password(user: User):
    await user.open("/login?redirect_to=/monitor")
    user.find("User name").type("sue")
    answers = [await attempt(user, "guess") for _ in range(10)]
    assert answers[:4] == ["Wrong user name or password."] * 4
    assert answers[9].startswith("Too many attempts; try again at ")
    assert answers[9].endswith(" or ask an administrator.")
    assert await attempt(user, "sue-demo") == answers[9]
    await user.should_see("Sign in to Flowdesk")
    await user.should_not_see(marker="who")
