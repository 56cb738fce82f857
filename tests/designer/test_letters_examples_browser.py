"""Every example letter opens in the letter editor and is saved back unchanged (issue 16), in headless Chromium
against `flowdesk serve`.

Each text of each language version of each letter of the examples is opened in its editor (no template code
shown as locked code) and handed to the server the way the editor saves (it sends its document when the text is
left). After a reload, the template code of every text is still exactly what the example file says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from tests.designer.helpers import ROOT, launch_chromium, require_browser, served, sign_in_page
from tests.designer.letter_pages import letters_tab, open_code

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright  # noqa: E402

EXAMPLES = ROOT / "examples"
PROCESSES = sorted(path.stem for path in EXAMPLES.glob("*.json") if path.stem != "customers")
#: The texts of a letter's language version, in the order of their editors, and their names in the code view.
PARTS = {"subject": "Subject", "body": "Body", "text_body": "Text body"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Browser, str]]:
    """A fresh `flowdesk serve` (the examples published on first start) and Chromium."""
    data = tmp_path_factory.mktemp("letter-examples") / "data"
    with served(data) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser, url
        browser.close()


def example_letters(key: str) -> list[dict]:
    return json.loads((EXAMPLES / f"{key}.json").read_text())["letters"]


def texts_of(letter: dict, variant: dict) -> dict[str, str]:
    """The texts the editor shows for a language version: no subject for an SMS, a plain-text part for e-mail."""
    parts = ["body"] if letter["channel"] == "sms" else ["subject", "body"]
    parts += ["text_body"] if letter["channel"] == "email" else []
    return {part: variant.get(part) or "" for part in parts}


def open_version(page: Page, letters: Locator, letter: dict, language: str) -> None:
    """Choose the letter in the list (unless it is shown) and its language version; wait until both show."""
    title = letters.get_by_text(re.compile(rf": {re.escape(letter['name'])}$"))
    if not title.is_visible():
        letters.locator(".q-item").filter(has=page.get_by_text(letter["name"], exact=True)).click()
        expect(title).to_be_visible()
    tab = letters.get_by_role("tab", name=re.compile(rf"^{language}( \(default\))?$"))
    if tab.get_attribute("aria-selected") != "true":
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")


@pytest.mark.parametrize("key", PROCESSES)
def test_every_example_letter_opens_in_the_editor_and_is_saved_back_unchanged(app: tuple[Browser, str], key: str):
    browser, url = app
    page = browser.new_context(viewport={"width": 1600, "height": 1200}).new_page()
    sign_in_page(page, url, "ann", f"/design/{key}")
    letters = letters_tab(page)
    versions = [(letter, variant) for letter in example_letters(key) for variant in letter["variants"]]
    assert versions, f"the example {key} has letters"

    for letter, variant in versions:
        open_version(page, letters, letter, variant["language"])
        editors = letters.locator(".fd-host")
        expect(editors).to_have_count(len(texts_of(letter, variant)))
        expect(editors.locator(".fd-locked")).to_have_count(0)  # no template code: text, chips and blocks only
        for number in range(editors.count()):
            editors.nth(number).focus()
            editors.nth(number).blur()  # leaving a text sends its document to be saved
    first, its_variant = versions[0]
    open_version(page, letters, first, its_variant["language"])  # once it shows, the server has had every send
    expect(page.get_by_text(re.compile(r"draft of published version 1; no changes yet"))).to_be_visible()

    page.reload()
    letters = letters_tab(page)
    for letter, variant in versions:
        open_version(page, letters, letter, variant["language"])
        open_code(letters)
        code = letters.locator(".q-expansion-item").filter(has_text="Template code (for experts)")
        for part, source in texts_of(letter, variant).items():
            where = f"{letter['id']}/{variant['language']}/{part}"
            field = code.get_by_role("textbox", name=PARTS[part], exact=True)
            expect(field, f"{where} is saved back unchanged").to_have_value(source)
