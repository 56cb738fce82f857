"""Administration and e-mail of a fresh install in headless Chromium against a real `flowdesk serve` started without
a mail server: an admin creates a user and an API token while the app runs and that user signs in (and the token
works); the e-mail the seeded case sent is kept locally and readable in its sent items."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.designer.helpers import ARTIFACTS, launch_chromium, require_browser, served, sign_in_page

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


@pytest.fixture
def page(data: Path) -> Iterator[tuple[Page, str]]:
    with served(data, smtp_port=None) as url, sync_playwright() as playwright:  # a fresh install: no mail server
        browser = launch_chromium(playwright)
        yield browser.new_page(viewport={"width": 1500, "height": 900}), url
        browser.close()


def test_an_admin_creates_a_user_and_a_token_while_the_app_runs_and_that_user_signs_in(page: tuple[Page, str]):
    page, url = page
    sign_in_page(page, url, "root", "/admin", password="root-demo")
    page.get_by_role("button", name="Add user").click()
    dialog = page.locator(".q-dialog")
    dialog.get_by_label("User name (to sign in with)").fill("carol")
    dialog.get_by_label("Name shown in the app").fill("Carol Jansen")
    dialog.get_by_label("E-mail").fill("carol@example.nl")
    dialog.get_by_label("Password (at least 8 characters)").fill("carol-password")
    dialog.get_by_label("Roles").click()
    page.get_by_role("option", name="agent", exact=True).click()
    page.keyboard.press("Escape")
    dialog.get_by_label("Queues (none: every queue)").click()
    page.get_by_role("option", name="Facturatie", exact=True).click()
    page.keyboard.press("Escape")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("User carol saved.")).to_be_visible()
    expect(page.get_by_text("agent — queues Facturatie")).to_be_visible()

    page.get_by_role("button", name="API tokens of carol").click()
    tokens = page.locator(".q-dialog")
    tokens.get_by_label("Name (e.g. the system using it)").fill("crm")
    tokens.get_by_role("button", name="Make token").click()
    expect(tokens.get_by_text("it is shown only this once")).to_be_visible()
    token = tokens.get_by_label("The new token").input_value()
    assert token.startswith("carol.")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-token.png"), full_page=True)
    tokens.get_by_role("button", name="Close").click()

    answer = httpx.get(f"{url}/api/v1/work-items", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 200, answer.text

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{url}/login*")  # signed out; going on at once would cut that navigation off
    sign_in_page(page, url, "carol", "/work", password="carol-password")
    expect(page.get_by_text("Carol Jansen (agent)")).to_be_visible()
    expect(page.get_by_role("tab", name="My work")).to_be_visible()


def test_the_email_of_a_fresh_install_is_kept_locally_and_readable_in_the_sent_items(page: tuple[Page, str]):
    page, url = page
    sign_in_page(page, url, "bob", "/work", password="bob-demo")
    page.get_by_role("tab", name="My queues").click()
    page.locator(".q-table").get_by_role("link", name="Klacht onderzoeken").click()
    sent = page.get_by_text("kept locally (no mail server configured)")
    expect(sent).to_be_visible(timeout=20_000)  # the worker's pass (every 5 s) kept it; the page shows it itself
    page.get_by_role("button", name="View").click()
    expect(page.get_by_text("Subject: We hebben uw klacht over factuur F2026-104233 ontvangen")).to_be_visible()
    frame = page.frame_locator("iframe")
    expect(frame.get_by_text("Bedankt voor uw bericht over factuur F2026-104233")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "kept-email.png"), full_page=True)
