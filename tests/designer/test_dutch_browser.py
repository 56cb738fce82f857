"""The app in Dutch in headless Chromium against a real `flowdesk serve`: a supervisor switches the header's
language to Nederlands and reads the worklist, a case, the designer and the administration in Dutch (the page's
`<html lang>` says so), and an agent reads what is wrong with a task form's fields in Dutch; screenshots of each go
to test-artifacts/ (dutch-worklist.png, dutch-case.png, dutch-designer.png, dutch-task-form-error.png) for a person
to read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.designer.helpers import ARTIFACTS, launch_chromium, require_browser, served, sign_in_page

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

#: The complaint task's required checklist (the example's own Dutch).
CHECKLIST = ("Factuur en verbruikshistorie bekeken", "Meterstand gecontroleerd (geschat of werkelijk)",
             "Tarief vergeleken met het contract op de factuurdatum",
             "Betalingen en incasso's van de laatste drie maanden bekeken",
             "Incasso van het betwiste bedrag gepauzeerd")
DUTCH_MOMENT = re.compile(r"\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|"
                          r"november|december) \d{4} \d{2}:\d{2}")


@pytest.fixture
def page(data: Path) -> Iterator[tuple[Page, str]]:
    with served(data) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser.new_page(viewport={"width": 1500, "height": 1000}), url
        browser.close()


def test_a_user_switches_to_dutch_and_reads_worklist_case_and_designer_in_dutch(page: tuple[Page, str]):
    page, url = page
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in_page(page, url, "root", "/work")
    expect(page.get_by_text("Open work", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the test installation's default

    page.get_by_role("button", name="Nederlands").click()
    expect(page.get_by_text("Openstaand werk", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "nl")  # screen readers read it as Dutch
    table = page.locator(".q-table")
    expect(table.get_by_role("columnheader", name="Uiterlijk")).to_be_visible()
    expect(table.locator(".q-badge", has_text="op schema")).to_be_visible()
    expect(table.get_by_text(DUTCH_MOMENT)).to_be_visible()
    expect(table.get_by_role("button", name="Oppakken")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "dutch-worklist.png"), full_page=True)

    table.get_by_role("link", name="Klacht onderzoeken").click()
    expect(page.get_by_text("Tijdlijn", exact=True)).to_be_visible()
    expect(page.get_by_text("€\u00a080,00", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^open sinds "))).to_be_visible()
    expect(page.get_by_role("button", name="Afronden")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "dutch-case.png"), full_page=True)

    page.goto(f"{url}/design/billing_complaint")  # the choice is kept with the user: every page speaks Dutch
    expect(page.get_by_role("tab", name="Stroom")).to_be_visible()
    expect(page.get_by_role("button", name="Publiceren")).to_be_visible()
    expect(page.get_by_text("Kies een stap of verbinding in het diagram om de instellingen te zien.")).to_be_visible()
    expect(page.get_by_text("Automatische stap")).to_be_visible()  # the canvas's palette
    page.screenshot(path=str(ARTIFACTS / "dutch-designer.png"), full_page=True)

    page.goto(f"{url}/admin?tab=settings")  # the administration too, where the installation's default is chosen
    expect(page.get_by_role("tab", name="Gebruikers")).to_be_visible()
    expect(page.get_by_label("Standaardtaal")).to_be_visible()
    expect(page.get_by_role("button", name="Instellingen opslaan")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "nl")


def test_a_dutch_agent_reads_under_a_task_forms_field_what_is_wrong_in_dutch(page: tuple[Page, str]):
    """Screenshot: test-artifacts/dutch-task-form-error.png."""
    page, url = page
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in_page(page, url, "root", "/work")
    page.get_by_role("button", name="Nederlands").click()
    page.locator(".q-table").get_by_role("link", name="Klacht onderzoeken").click()
    expect(page.get_by_role("button", name="Afronden")).to_be_visible()
    for item in CHECKLIST:
        page.get_by_role("checkbox", name=item).click()
    amount = page.get_by_label("Betwist bedrag (gecorrigeerd)")
    amount.fill("veel")
    page.get_by_role("button", name="Afronden").click()
    wrong = page.get_by_text("'veel' is niet een bedrag; schrijf bijv. 1.234,56", exact=True)
    expect(wrong).to_be_visible()
    expect(page.get_by_text("'Bevindingen (intern)' is verplicht", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile("is required|is not an amount"))).to_have_count(0)
    wrong.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "dutch-task-form-error.png"))
