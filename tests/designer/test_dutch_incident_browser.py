"""Why a case stopped and why a letter has no preview, read in headless Chromium against a real `flowdesk serve`: a
case stopped at its e-mail step (the customer has no e-mail address) says why on the case page, and a letter whose
text uses a placeholder with no value says why it has no preview, in Dutch for a Dutch reader and in the same English
as before for an English one; screenshots go to test-artifacts/ (dutch-case-incident.png, english-case-incident.png,
dutch-letter-no-preview.png, english-letter-no-preview.png) for a person to read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.designer.conftest import COMPLAINT
from tests.designer.helpers import ARTIFACTS, launch_chromium, require_browser, served, sign_in_page
from tests.designer.letter_pages import letters_tab, open_code

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

DUTCH = ("Gestopt bij 'Ontvangstbevestiging e-mailen': er is geen e-mailadres om 'Ontvangstbevestiging klacht' "
         "naartoe te sturen")
ENGLISH = "Stopped at 'Ontvangstbevestiging e-mailen': there is no email address to send 'Ontvangstbevestiging " \
          "klacht' to"


def stopped_case(data: Path) -> str:
    """A billing complaint started in `data` for a customer without an e-mail address: it stops at its e-mail."""
    from runtime.service import Runtime
    from runtime.storage.base import Changes
    from runtime.storage.tinydb_store import TinyDBStore
    from tests.people import person
    from tests.runtime.test_test_run import customer

    unreachable = customer().model_copy(update={"id": "C-9001", "number": "9001", "email": ""})
    with TinyDBStore.open(data) as store:
        runtime = Runtime(store)
        store.commit(Changes(customers=[unreachable]))
        return runtime.start_case(person("ann"), "billing_complaint", COMPLAINT, customer_id=unreachable.id).id


@pytest.fixture
def page(data: Path) -> Iterator[tuple[Page, str, str]]:
    case_id = stopped_case(data)
    with served(data) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser.new_page(viewport={"width": 1500, "height": 1000}), url, case_id
        browser.close()


def test_a_dutch_agent_reads_why_the_case_stopped_in_dutch_and_an_english_one_in_english(page: tuple[Page, str, str]):
    page, url, case_id = page
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in_page(page, url, "root", f"/work/case/{case_id}")
    expect(page.get_by_text(ENGLISH, exact=True)).to_have_count(2)  # the incident, and the event on the timeline
    page.screenshot(path=str(ARTIFACTS / "english-case-incident.png"), full_page=True)

    page.get_by_role("button", name="Nederlands").click()
    expect(page.get_by_text(DUTCH, exact=True)).to_have_count(2)
    expect(page.get_by_text("there is no email address")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "dutch-case-incident.png"), full_page=True)


def test_a_dutch_designer_reads_why_a_letter_has_no_preview_in_dutch(page: tuple[Page, str, str]):
    page, url, _ = page
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in_page(page, url, "ann", "/design/billing_complaint")
    letters = letters_tab(page)
    expect(letters.get_by_text("E-mail: Ontvangstbevestiging klacht")).to_be_visible()
    open_code(letters)
    code = letters.locator("textarea").nth(1)  # the text, after the subject
    code.fill("Beste {{ nothing }}")
    code.blur()
    refusal = letters.get_by_text("No preview: the text of 'Ontvangstbevestiging klacht' uses a placeholder with no "
                                  "value: 'nothing' is undefined", exact=True)
    expect(refusal).to_be_visible()
    refusal.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "english-letter-no-preview.png"))

    page.get_by_role("button", name="Nederlands").click()
    page.get_by_role("tab", name="Brieven").click()
    refusal = page.get_by_text("Geen voorbeeld: de tekst van 'Ontvangstbevestiging klacht' gebruikt een invulveld "
                               "zonder waarde: 'nothing' bestaat niet", exact=True)
    expect(refusal).to_be_visible()
    refusal.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "dutch-letter-no-preview.png"))
