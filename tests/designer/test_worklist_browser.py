"""The worklist in headless Chromium against a real `flowdesk serve`: the table's cell templates (badge, open link,
row buttons) render and their buttons reach the server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.designer.helpers import ARTIFACTS, launch_chromium, require_browser, served, sign_in_page

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


@pytest.fixture
def page(data: Path) -> Iterator[tuple[Page, str]]:
    with served(data) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser.new_page(viewport={"width": 1500, "height": 900}), url
        browser.close()


def test_an_agent_claims_from_the_table_and_finds_the_item_under_my_work(page: tuple[Page, str]):
    page, url = page
    sign_in_page(page, url, "bob", "/work")

    table = page.locator(".q-table")
    expect(table.locator(".q-badge", has_text="on track")).to_be_visible()
    link = table.get_by_role("link", name="Klacht onderzoeken")
    assert link.get_attribute("href").startswith("/work/case/case-")
    assert "?item=item-" in link.get_attribute("href")
    expect(table.get_by_text("Sanne de Vries")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "worklist.png"), full_page=True)

    table.get_by_role("button", name="Claim").click()
    expect(page.get_by_text("'Klacht onderzoeken' is yours now")).to_be_visible()
    expect(page.get_by_text("No unclaimed items in your queues match.")).to_be_visible()
    page.get_by_role("tab", name="My work").click()
    expect(table.get_by_text("Bob Agent")).to_be_visible()

    table.get_by_role("button", name="Reassign").click()
    dialog = page.locator(".q-dialog")
    dialog.get_by_label("To a person or queue").click()
    page.get_by_role("option", name="Queue Debiteurenbeheer").click()
    dialog.get_by_label("Reason (goes into the case's trail)").fill("Betalingsregeling gevraagd")
    dialog.get_by_role("button", name="Reassign").click()
    expect(page.get_by_text("reassigned to queue Debiteurenbeheer")).to_be_visible()
    expect(page.get_by_text("Debiteurenbeheer: 1")).to_be_visible()
