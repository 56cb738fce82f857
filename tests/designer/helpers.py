"""What the designer tests share: a real `flowdesk serve` to talk to, Chromium, and signing in."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.local_servers import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]


def require_browser() -> None:
    """Skip the calling test module where no Chromium exists; in CI never skip (a missing browser fails)."""
    if os.environ.get("CI"):
        return
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's /usr/bin/chromium", allow_module_level=True)
    pytest.importorskip("playwright")


def launch_chromium(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@dataclass(frozen=True)
class Server:
    """A running `flowdesk serve`: its base URL and process id."""

    url: str
    pid: int


@contextmanager
def served(data: Path, smtp_port: int | None = 1) -> Iterator[str]:
    """`flowdesk serve` on a free port with its data in `data`; yields the base URL, stops it afterwards.

    E-mail goes to the SMTP server on 127.0.0.1:`smtp_port`; the default port 1 has none, so e-mail stays queued.
    With `smtp_port` None the server is started without one, as on a fresh install: e-mail is kept in `data`.
    """
    with serving(data, smtp_port) as server:
        yield server.url


@contextmanager
def serving(data: Path, smtp_port: int | None = 1, options: Sequence[str] = ()) -> Iterator[Server]:
    """As `served`, with more `flowdesk serve` options, yielding the server's URL and process id. The pages speak
    English (`english_installation`), as the tests read them."""
    english_installation(data)
    port = free_port()
    log_path = data.parent / "serve.log"
    smtp = ["--smtp-host", "127.0.0.1", "--smtp-port", str(smtp_port)] if smtp_port is not None else []
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "designer.cli", "serve", "--port", str(port), "--data", str(data), *smtp,
             *options],
            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
            env={**{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},  # a real server
                 "NICEGUI_STORAGE_PATH": str(data.parent / "nicegui")})
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, process, log_path)
            yield Server(url, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)


def english_installation(data: Path) -> None:
    """Make English the language of the installation in `data` (a real one speaks Dutch unless its administrator
    chooses otherwise); a new data folder still gets the examples and demo users on its first start."""
    from runtime.service import Runtime
    from runtime.settings import change_settings
    from runtime.storage.tinydb_store import TinyDBStore
    from tests.people import person

    with TinyDBStore.open(data) as store:
        change_settings(Runtime(store), person("ann"), default_language="en")


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("flowdesk serve did not start:\n" + log_path.read_text())
        time.sleep(0.3)


async def sign_in(user: Any, name: str, password: str, target: str = "/") -> None:
    """Sign in through the login form of NiceGUI's simulated `user`."""
    from nicegui import ui

    await user.open(f"/login?redirect_to={target}")
    user.find("User name").type(name)
    user.find("Password").type(password)
    user.find(kind=ui.button, content="Sign in").click()


def sign_in_page(page: Any, url: str, name: str, target: str = "/", password: str | None = None) -> Any:
    """Sign a Chromium `page` in through the sign-in form as `name` (password `<name>-demo` unless given) and wait
    until the app has led it away from the sign-in page to `target`, so a test's next reload or navigation does not
    cut the sign-in off. Returns the page."""
    page.goto(f"{url}/login?redirect_to={target}")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password if password is not None else f"{name}-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda address: "/login" not in address)
    return page


def centre(page: Any, selector: str) -> tuple[float, float]:
    """The middle of the first element matching `selector`, in page coordinates."""
    box = page.locator(selector).first.bounding_box()
    assert box, selector
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag(page: Any, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Drag with the mouse in small steps, as a person does."""
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=5)
    page.mouse.move(*end, steps=5)
    page.mouse.up()


async def open_editor_tab(user: Any, key: str, tab: str = "flow", shown: str = "canvas") -> None:
    """Sign in as the designer, open process `key` in the editor and its `tab`; wait until `shown` is there.

    The editor builds many panels, and on a busy machine that takes a while: wait up to about 5 seconds.
    """
    await sign_in(user, "ann", "ann-demo", target=f"/design/{key}")
    await user.should_see(marker="canvas", retries=50)
    if tab != "flow":
        user.find(marker=f"tab-{tab}").click()
    await user.should_see(marker=shown, retries=50)



def saved_draft(key: str, data: Path | None = None) -> dict[str, Any] | None:
    """The document of `key`'s saved draft (None when none is saved): in the running app of NiceGUI's user
    simulation, or, given `data`, in the data folder of a served app (read only, while it runs)."""
    from runtime.drafts import Drafts
    from runtime.service import Runtime
    from runtime.storage.tinydb_store import TinyDBStore
    from tests.people import person

    if data is None:
        from designer.frame import runtime

        stored = Drafts(runtime()).open(person("ann"), key)
    else:
        with TinyDBStore.open(data, read_only=True) as store:
            stored = Drafts(Runtime(store)).open(person("ann"), key)
    return stored.document if stored.saved else None
