"""The form designer in headless Chromium against a real `flowdesk serve`: dragging fields with the mouse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from models.editing import Draft
from tests.designer.helpers import ARTIFACTS, launch_chromium, require_browser, saved_draft, served, sign_in_page

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Locator, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("form_designer") / "data"


@pytest.fixture(scope="module")
def server(data: Path) -> Iterator[str]:
    with served(data) as url:
        yield url


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1700, "height": 1000})
        yield page
        browser.close()


def draft_fields(data: Path, form_id: str, container: str | None = None) -> list[str]:
    document = saved_draft("billing_complaint", data)
    assert document is not None, "no draft saved yet"
    form = Draft(json.loads(json.dumps(document))).bundle.form(form_id)
    holder = form if container is None else next(e for e in form.walk() if e.id == container)
    return [e.id for e in holder.fields]


def drag_until(source: Locator, target: Locator, result: Locator, attempts: int = 3) -> None:
    """Drag `source` onto `target` until `result` shows: a drag made while the page's connection to the server
    is still being set up (a busy machine) reaches nobody, as a user would find and simply do again."""
    for attempt in range(attempts):
        source.drag_to(target)
        try:
            expect(result).to_be_visible(timeout=5000)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise


def test_fields_are_dragged_from_the_palette_and_reordered_with_the_mouse(page: Page, server: str, data: Path):
    sign_in_page(page, server, "ann", "/design/billing_complaint")
    page.get_by_role("tab", name="Forms").click()
    on_form = page.locator("[draggable=true]", has_text="Factuurdatum")
    expect(on_form).to_be_visible()

    drag_until(page.locator(".q-item", has_text="Bank account (IBAN)"), on_form,
               page.get_by_text("Bank account (IBAN) · id iban_1"))
    assert draft_fields(data, "complaint_intake", "sec_invoice") == [
        "invoice_number", "iban_1", "invoice_date", "disputed_amount"]

    drag_until(page.locator("[draggable=true]", has_text="Factuurnummer"),
               page.get_by_text("Drop a field here to put it at the end of the form"),
               page.locator("[draggable=true]").last.filter(has_text="Factuurnummer"))  # now the form's last field
    expect(page.get_by_text("Text · id invoice_number")).to_be_visible()
    assert draft_fields(data, "complaint_intake") == ["sec_invoice", "sec_complaint", "invoice_number"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "form_designer_dragged.png"))
