"""Live across processes, in headless Chromium: two `flowdesk serve --db URL --no-worker` processes (each with its
own data folder, as on two machines) and two `flowdesk worker --db URL` processes share one PostgreSQL database. A
case started through one app's API and completed through the other's appears on, and then leaves, the worklists
open in both apps without a reload; one of the workers sends its acknowledgement e-mail, once."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.designer.helpers import launch_chromium, require_browser
from tests.local_servers import Inbox, free_port
from tests.storage.test_shared_database import REPO, serve

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

COMPLAINT = {"invoice_number": "F2026-000001", "invoice_date": "2026-01-01", "disputed_amount": "30.00",
             "complaint_category": "amount_too_high", "complaint_description": "Het bedrag is te hoog."}
INVESTIGATED = {"data": {"complaint_justified": False, "investigation_findings": "De meterstand klopt."},
                "checklist": ["invoice_opened", "meter_reading_checked", "tariff_checked", "payments_checked",
                              "dunning_paused"]}
TASK = "Klacht onderzoeken"
NOTHING = "Er zijn geen vrije items in je werkbakken die hieraan voldoen."  # a real installation speaks Dutch
LIVE = 15_000  # ms a worklist may take to follow (it looks every 2 s; this machine may be busy)


@contextmanager
def running(*commands: tuple[list[str], Path]) -> Iterator[None]:
    """`flowdesk` commands (arguments, log file) running until the block ends."""
    started = []
    try:
        for arguments, log in commands:
            with log.open("w") as output:
                started.append(subprocess.Popen([sys.executable, "-m", "designer.cli", *arguments], cwd=REPO,
                                                stdout=output, stderr=subprocess.STDOUT))
        yield
    finally:
        for process in started:
            process.terminate()
            process.wait(30)


@contextmanager
def apps(url: str, folder: Path) -> Iterator[tuple[str, str]]:
    """Two app processes on the database at `url`, the first started (and publishing the examples) first."""
    ports = free_port(), free_port()
    started = [serve(url, folder / "first", ports[0])]
    try:
        started.append(serve(url, folder / "second", ports[1]))
        yield f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}"
    finally:
        for app in started:
            app.terminate()
            app.wait(30)


def worklist(browser: Browser, app: str, name: str) -> Page:
    """A page of `app` signed in as the demo user `name`, showing their worklist."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{app}/login?redirect_to=/work")
    page.get_by_label("Gebruikersnaam").fill(name)
    page.get_by_label("Wachtwoord").fill(f"{name}-demo")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text(NOTHING)).to_be_visible(timeout=LIVE)
    return page


@contextmanager
def api(app: str) -> Iterator[httpx.Client]:
    """An API client of `app`, signed in as the agent bob."""
    with httpx.Client(base_url=f"{app}/api/v1", timeout=30) as client:
        response = client.post(f"{app}/api/session", json={"user": "bob", "password": "bob-demo"})
        assert response.status_code == 200, response.text
        yield client


def test_worklists_in_two_app_processes_follow_a_case_started_in_one_and_completed_in_the_other(
        pg_url: str, tmp_path: Path, smtp: tuple[Inbox, int]):
    inbox, smtp_port = smtp
    workers = [(["worker", "--db", pg_url, "--data", str(tmp_path / f"worker-{n}"), "--interval", "0.5",
                 "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp_port)], tmp_path / f"worker-{n}.log")
               for n in (1, 2)]
    with apps(pg_url, tmp_path) as (first, second), running(*workers), sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        pages = [worklist(browser, first, "bob"), worklist(browser, second, "sue")]
        with api(first) as through_first, api(second) as through_second:
            started = through_first.post("/processes/billing_complaint/cases",
                                         json={"data": COMPLAINT, "customer_id": "C-1002"})
            assert started.status_code == 201, started.text
            [item] = started.json()["open_items"]
            assert item["title"] == TASK
            for page in pages:
                expect(page.locator(".q-table").get_by_text(TASK)).to_be_visible(timeout=LIVE)
                expect(page.get_by_text("Facturatie: 1")).to_be_visible()
            completed = through_second.post(f"/work-items/{item['id']}/complete", json=INVESTIGATED)
            assert completed.status_code == 200, completed.text
            for page in pages:
                expect(page.get_by_text(NOTHING)).to_be_visible(timeout=LIVE)
                expect(page.locator(".q-table").get_by_text(TASK)).to_have_count(0)
        browser.close()
        deadline = time.monotonic() + 30
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)  # a second copy would follow within the workers' next passes
    [(recipients, _)] = inbox.messages
    assert recipients == ["m.elamrani@example.nl"]
