"""The test-run tab in headless Chromium against a real `flowdesk serve`: the token ring on a read-only canvas."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from models.serialization import load_bundle
from tests.designer.helpers import ARTIFACTS, launch_chromium, require_browser, served, sign_in_page

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: What the owner types into the start form's fields, by field id.
ADDRESS = {"postcode": "3512 JK", "house_number": "5", "street": "Lange Nieuwstraat", "city": "Utrecht",
           "move_date": "2026-04-01"}


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Page, str]]:
    with served(tmp_path_factory.mktemp("test_run") / "data") as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser.new_page(viewport={"width": 1500, "height": 1100}), url
        browser.close()


def test_the_test_run_canvas_rings_the_waiting_task_and_cannot_be_edited(page: tuple[Page, str]):
    page, url = page
    bundle = load_bundle((EXAMPLES / "change_of_address.json").read_text())
    sign_in_page(page, url, "ann", "/design/change_of_address")
    page.get_by_role("tab", name="Test-run").click()
    fields = {element.id: element for element in bundle.form("new_address").walk()}
    for field_id, value in ADDRESS.items():
        page.get_by_label(fields[field_id].label, exact=True).fill(value)
    page.get_by_role("button", name="Start test-run").click()

    canvas = page.locator(".fc-root").filter(has=page.locator(".fc-token"))
    ring = canvas.locator(".fc-node[data-node-id='task_verify_identity'] .fc-token")
    expect(ring).to_be_visible()
    assert canvas.locator(".fc-token").count() == 1
    assert canvas.locator(".fc-palette").count() == 0 and canvas.locator(".fc-handle").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "test_run_tokens.png"), full_page=True)

    canvas.locator(".fc-node[data-node-id='task_verify_identity']").click()
    page.keyboard.press("Delete")  # a read-only canvas reports no edits: the step stays in the draft
    page.wait_for_timeout(300)
    page.get_by_role("tab", name="Flow").click()
    expect(page.locator(".fc-node[data-node-id='task_verify_identity']").first).to_be_visible()
    expect(page.get_by_role("button", name="Undo")).to_be_disabled()
