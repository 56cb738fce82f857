"""Letters without code (issue 16) and the letter finding (issue 11) in headless Chromium against `flowdesk serve`.

Ann writes a new paragraph into the complaint acknowledgement: shown only when the complaint is about being
charged twice, with the disputed amount as a chip, all by clicking and typing text (no brace is typed);
publishes; bob takes a call, starts a complaint about a double charge, and the e-mail the case sent says the
amount as Dutch writes it. Then ann puts the credit amount into the rejection letter: the value may be empty
when that letter is sent, which its chip shows; the fix its menu offers (show it only if it has a value)
makes the warning go. The screenshots are in test-artifacts/letters_*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.designer.helpers import ARTIFACTS, launch_chromium, require_browser, served, sign_in_page
from tests.designer.letter_pages import letters_tab, open_code

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright  # noqa: E402

COMPLAINT = "Klacht over een factuur"
CHARGED_TWICE = "Twee keer gefactureerd of afgeschreven"
CATEGORY = "Waar gaat de klacht over?"
NEW_PARAGRAPH = "We zien dat het bedrag van "
NEW_PARAGRAPH_END = " twee keer is afgeschreven."


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Browser, str, Path]]:
    """A fresh `flowdesk serve` (the examples published on first start) and Chromium."""
    data = tmp_path_factory.mktemp("letters") / "data"
    with served(data) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser, url, data
        browser.close()


def signed_in(browser: Browser, url: str, name: str, target: str) -> Page:
    page = browser.new_context(viewport={"width": 1600, "height": 1200}).new_page()
    sign_in_page(page, url, name, target)
    return page


def shoot(page: Page, name: str, showing: Locator) -> None:
    showing.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"letters_{name}.png"))


def pick(page: Page, letters: Locator, typed: str, option: str) -> None:
    """Choose a name in the picker by typing part of its label."""
    picker = letters.get_by_label("Case data, customer field or computed value")
    picker.click()
    picker.press_sequentially(typed)
    page.get_by_role("option", name=option, exact=True).click()


def test_a_designer_writes_a_chip_and_a_conditional_paragraph_without_a_brace_and_a_case_sends_them(
        app: tuple[Browser, str, Path]):
    browser, url, _ = app
    ann = signed_in(browser, url, "ann", "/design/billing_complaint")
    letters = letters_tab(ann)
    expect(letters.get_by_text("E-mail: Ontvangstbevestiging klacht")).to_be_visible()
    body = letters.get_by_role("textbox", name="Text", exact=True)
    expect(body.locator(".fd-chip").first).to_have_text("Customer name")  # placeholders are chips, by label

    # A new paragraph after the greeting, shown only for a double charge, holding the disputed amount.
    # The caret to the end of the first line, "Beste <Customer name>,", with the keyboard: a click there could land
    # on the chip (which opens its menu instead) while the page is still settling on a busy machine.
    body.focus()
    ann.keyboard.press("Control+Home")
    ann.keyboard.press("End")
    ann.keyboard.press("Enter")
    ann.keyboard.press("Enter")
    pick(ann, letters, "Waar gaat", f"Case data: {CATEGORY}")
    letters.get_by_role("button", name="Show only if…").click()
    ann.get_by_role("menu").get_by_text(f"'{CATEGORY}' is '{CHARGED_TWICE}'").click()
    expect(body.get_by_role("group", name=f"Only when '{CATEGORY}' is '{CHARGED_TWICE}'")).to_be_visible()
    ann.wait_for_function("() => !window.getSelection().isCollapsed")  # the passage's sample text is selected
    ann.keyboard.type(NEW_PARAGRAPH)  # over the passage's sample text
    pick(ann, letters, "Betwist", "Case data: Betwist bedrag")
    letters.get_by_role("button", name="Insert value").click()
    passage = body.locator("[data-fd=condition]").filter(has_text=NEW_PARAGRAPH.strip())
    expect(passage.locator(".fd-chip")).to_have_text(re.compile(r"^Betwist bedrag\s*amount$"))
    ann.keyboard.type(NEW_PARAGRAPH_END)  # after the chip
    expect(passage.locator(".fd-label")).to_have_text(f"Only when '{CATEGORY}' is '{CHARGED_TWICE}'")
    expect(passage.locator(".fd-branch")).to_have_text(re.compile(
        NEW_PARAGRAPH + r"Betwist bedrag\s*amount" + re.escape(NEW_PARAGRAPH_END)))
    preview = letters.frame_locator("iframe[srcdoc]")
    expect(preview.get_by_text("Beste Sanne de Vries,")).to_be_visible()
    expect(preview.get_by_text(NEW_PARAGRAPH.strip())).to_have_count(0)  # the sample's category is another one
    shoot(ann, "designer_wrote_a_paragraph", passage)

    # What is stored is the template it always was.
    open_code(letters)
    code = letters.get_by_role("textbox", name="Body", exact=True)
    expect(code).to_have_value(re.compile(
        r"^Beste \{\{ customer\.name \}\},\n\n\{% if complaint_category == \"charged_twice\" %\}"
        r"We zien dat het bedrag van \{\{ disputed_amount\|money \}\} twee keer is afgeschreven\.\{% endif %\}\n\n"
        r"Bedankt voor uw bericht"))

    ann.get_by_role("button", name="Publish").click()
    ann.get_by_label("Note: what changed and why").fill("Ontvangstbevestiging noemt een dubbele afschrijving")
    ann.get_by_role("dialog").get_by_role("button", name="Publish", exact=True).click()
    expect(ann.get_by_text("Published version 2 of Klacht over een factuur.")).to_be_visible()

    # Bob starts a complaint about a double charge; the acknowledgement it sent has the paragraph and the amount.
    bob = signed_in(browser, url, "bob", "/work/intake")
    bob.get_by_label("Name, number, phone, e-mail or postcode").fill("06-12345678")
    bob.get_by_role("button", name="Search").click()
    bob.get_by_role("button", name="Select").click()
    bob.get_by_label("Reason (why the customer got in touch)").fill("Factuur twee keer afgeschreven")
    complaint = bob.locator("div.border.rounded").filter(has=bob.get_by_role("checkbox", name=COMPLAINT, exact=True))
    complaint.get_by_role("checkbox", name=COMPLAINT).click()
    complaint.get_by_label("Factuurnummer").fill("F2026-104233")
    complaint.get_by_label("Factuurdatum").fill("2026-03-01")
    complaint.get_by_label("Betwist bedrag (incl. btw)").fill("64.20")
    complaint.get_by_label(CATEGORY).click()
    bob.get_by_role("option", name=CHARGED_TWICE).click()
    complaint.get_by_label("Omschrijving in de woorden van de klant").fill("Maart is twee keer afgeschreven.")
    bob.get_by_role("button", name="Start cases").click()
    bob.get_by_role("link", name=f"{COMPLAINT} — case").click()
    sent = bob.locator(".nicegui-row").filter(has=bob.get_by_text(re.compile("We hebben uw klacht over factuur"))) \
        .filter(has=bob.get_by_role("button", name="View")).filter(has_not=bob.locator(".nicegui-row"))
    sent.get_by_role("button", name="View").click()
    text = bob.locator(".q-dialog").get_by_text(re.compile(r"We zien dat het bedrag van € 64,20 twee keer is "
                                                          r"afgeschreven"))
    expect(text).to_be_visible(timeout=15_000)  # the dialog's document is fetched and drawn after it opens
    shoot(bob, "case_sent_the_paragraph", text)


def test_a_value_that_may_be_empty_shows_on_its_chip_and_the_offered_fix_removes_the_finding(
        app: tuple[Browser, str, Path]):
    browser, url, _ = app
    ann = signed_in(browser, url, "ann", "/design/billing_complaint")
    letters = letters_tab(ann)
    letters.get_by_text("Afwijzing klacht", exact=True).click()
    expect(letters.get_by_text("Letter: Afwijzing klacht")).to_be_visible()
    body = letters.get_by_role("textbox", name="Text", exact=True)
    body.click(position={"x": 4, "y": 12})
    ann.keyboard.press("End")
    ann.keyboard.type(" U kreeg al ")
    pick(ann, letters, "Te crediteren", "Case data: Te crediteren bedrag")  # set only on the way that credits
    letters.get_by_role("button", name="Insert value").click()
    chip = body.locator(".fd-chip").filter(has_text="Te crediteren bedrag")
    expect(chip).to_have_count(1)
    expect(chip).to_have_class(re.compile("fd-problem"))  # marked, with what is wrong in its title
    expect(chip).to_have_attribute("title", re.compile("'Te crediteren bedrag' may be empty when this letter is sent"))
    finding = letters.get_by_text(re.compile("the case may have no Te crediteren bedrag"))
    expect(finding).to_be_visible()
    shoot(ann, "maybe_empty_on_the_chip", chip)

    chip.click()
    menu = ann.locator(".q-dialog")
    expect(menu.get_by_text("'Te crediteren bedrag' may be empty when this letter is sent")).to_be_visible()
    shoot(ann, "chip_menu", menu)
    menu.get_by_role("button", name="Show it only if it has a value").click()
    passage = body.locator("[data-fd=condition]").filter(has=ann.locator(".fd-chip", has_text="Te crediteren bedrag"))
    expect(passage.locator(".fd-label")).to_have_text("Only when 'Te crediteren bedrag' has a value")
    expect(passage.locator(".fd-chip")).not_to_have_class(re.compile("fd-problem"))
    expect(finding).to_have_count(0)
    shoot(ann, "maybe_empty_fixed", passage)
