"""Issue 5 end to end in headless Chromium against a real `flowdesk serve`, clicked as a business owner would.

A yes/no field and a text field shown only when it is ticked are added to the start
form of change_of_address (each writing a new case variable made in the form
designer), the confirmation letter gets a paragraph with the new value as a chip from
the placeholder picker, the process is published with a note, and a test-run shows the
conditional field and a letter holding what was typed. Then a field label and a
choice option are set to script payloads, which must stay text everywhere they show.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from models.serialization import load_bundle
from tests.designer.helpers import ARTIFACTS, launch_chromium, require_browser, served, sign_in_page

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: What the owner types into the start form's fields, by field id.
ADDRESS = {"postcode": "3512 JK", "house_number": "5", "street": "Lange Nieuwstraat", "city": "Utrecht",
           "move_date": "2026-04-01"}
CALL_BACK = "Customer wants a call back"
BEST_TIME = "Best time to call"
TYPED_TIME = "weekdays after 18:00"
IMG_LABEL = '<img src=x onerror="window.__xss=1">'
SCRIPT_OPTION = "<script>window.__xss=2</script>"
NOTE = "Ask whether the customer wants a call back, and when"


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Page, str, list[str]]]:
    """Ann signed in, in the editor of change_of_address; the dialogs the page opened (none, we hope)."""
    with served(tmp_path_factory.mktemp("forms_letters") / "data") as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1800, "height": 1100})
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        sign_in_page(page, url, "ann", "/design/change_of_address")
        yield page, url, dialogs
        browser.close()


def shoot(page: Page, name: str, showing: Locator) -> None:
    """A screenshot of the window with `showing` scrolled into view."""
    showing.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def tab_panel(page: Page, title: str) -> Locator:
    """The editor tab's panel holding the text `title` (panels of tabs not shown stay in the page, hidden)."""
    return page.locator(".q-tab-panel").filter(has=page.get_by_text(title, exact=True))


def forms_tab(page: Page) -> Locator:
    return tab_panel(page, "Drag onto the form, or click to add after the selected field.")


def save_setting(forms: Locator, label: str, value: str) -> None:
    """Type a setting of the selected field and press Enter to save it."""
    box = forms.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")


def add_field(forms: Locator, kind: str, label: str, variable: str, options: str = "") -> None:
    """Click a palette entry (the field goes after the selected one), label it and make it write a new variable.

    Each setting is saved as the owner moves on to the next one (it loses focus), without pressing Enter.
    """
    forms.locator(".q-item").filter(has=forms.page.get_by_text(kind, exact=True)).click()
    expect(forms.get_by_text(f"{kind} · id ")).to_be_visible()
    forms.get_by_label("Label", exact=True).fill(label)
    if options:  # a choice field's new variable takes its options
        forms.get_by_label("Options", exact=True).fill(options)
    new_variable = forms.get_by_label("New variable", exact=True)
    new_variable.click()
    forms.page.keyboard.type(variable)
    expect(new_variable).to_have_value(variable)
    forms.get_by_role("button", name="Create").click()
    expect(forms.get_by_text(f"{kind} → {variable}", exact=True)).to_be_visible()
    expect(forms.locator(".cursor-pointer").filter(has_text=f"{kind} → {variable}")).to_contain_text(label)


def expect_hidden_until_ticked(area: Locator, field: Locator) -> None:
    """`field` is on the form but hidden; ticking the call-back box shows it."""
    expect(field).to_have_count(1)
    expect(field).to_be_hidden()
    area.get_by_role("checkbox", name=CALL_BACK).click()
    expect(field).to_be_visible()


def pick_option(select: Locator, option: str) -> None:
    select.click()
    select.page.get_by_role("option", name=option, exact=True).click()
    expect(select).to_have_value(option)


def assert_inert(page: Page, dialogs: list[str]) -> None:
    """No payload became markup, ran, or opened a dialog."""
    expect(page.locator("img[src='x']")).to_have_count(0)
    expect(page.locator("script", has_text="__xss")).to_have_count(0)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert dialogs == []


def test_a_conditional_field_and_a_letter_paragraph_are_designed_published_and_test_run(
        browser_page: tuple[Page, str, list[str]]):
    page, url, dialogs = browser_page
    bundle = load_bundle((EXAMPLES / "change_of_address.json").read_text())
    address_labels = {e.id: e.label for e in bundle.form("new_address").walk()}
    expect(page.get_by_text("draft of published version 1")).to_be_visible()

    # 1. The start form gets a yes/no and a text field shown only when it is ticked.
    page.get_by_role("tab", name="Forms").click()
    forms = forms_tab(page)
    expect(forms.get_by_label("Form name")).to_have_value(bundle.form("new_address").name)
    add_field(forms, "Yes/no", CALL_BACK, "call_back")
    add_field(forms, "Text", BEST_TIME, "best_time_to_call")
    save_setting(forms, "Show only when (expression)", "call_back")
    best_time = forms.get_by_label(BEST_TIME, exact=True)
    expect_hidden_until_ticked(forms, best_time)  # in the live preview
    shoot(page, "forms_letters_form_designer.png", best_time)

    # 2. The confirmation letter gets a paragraph with the new value, from the placeholder picker.
    page.get_by_role("tab", name="Letters").click()
    letters = tab_panel(page, f"Letters ({len(bundle.letters)})")
    letter = bundle.letters[0]
    expect(letters.get_by_text(f"Letter: {letter.name}")).to_be_visible()
    text = letter.variant("nl").body
    body = letters.get_by_role("textbox", name="Text", exact=True)
    body.click()
    page.keyboard.press("Control+End")  # after the signature
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("We will call you back: ")
    picker = letters.get_by_label("Case data, customer field or computed value")
    picker.click()
    picker.press_sequentially("best time")
    page.get_by_role("option", name="Case data: best time to call").click()
    letters.get_by_role("button", name="Insert value").click()
    expect(body.locator(".fd-chip").last).to_have_text(BEST_TIME)  # the label the field gave its variable
    letters.get_by_text("Template code (for experts)").click()
    expect(letters.get_by_role("textbox", name="Body", exact=True)).to_have_value(
        text + "\n\nWe will call you back: {{ best_time_to_call }}")
    paragraph = letters.frame_locator("iframe[srcdoc]").get_by_text(
        "We will call you back: voorbeeld best time to call")  # the sample text of a Dutch letter
    expect(paragraph).to_be_visible()
    # the field may be left empty (it shows only after the tick), so the letter editor warns about the placeholder
    expect(letters.get_by_text("the case may have no best time to call")).to_be_visible()
    letters.locator("iframe[srcdoc]").scroll_into_view_if_needed()  # the warning pushed the preview down
    shoot(page, "forms_letters_letter_designer.png", paragraph)

    # 3. Published with a note: the status and the process list show version 2.
    page.get_by_role("button", name="Publish").click()
    page.get_by_label("Note: what changed and why").fill(NOTE)
    page.get_by_role("dialog").get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Published version 2 of Adreswijziging.")).to_be_visible()
    expect(page.get_by_text("draft of published version 2")).to_be_visible()
    page.get_by_role("link", name="Design", exact=True).click()  # the process list has the version and its note
    expect(page.get_by_role("row").filter(has_text=NOTE).get_by_role("cell").first).to_have_text("2")
    agent_sees_the_new_fields_at_intake(page.context.browser, url)
    page.locator(".q-card").filter(has_text="(change_of_address)").get_by_role("link", name="Edit").click()

    # 4. A test-run: the conditional field shows after the tick, and the letter holds what was typed.
    page.get_by_role("tab", name="Test-run").click()
    test_run = tab_panel(page, "Test-run")
    for field_id, value in ADDRESS.items():
        test_run.get_by_label(address_labels[field_id], exact=True).fill(value)
    best_time = test_run.get_by_label(BEST_TIME, exact=True)
    expect_hidden_until_ticked(test_run, best_time)
    best_time.fill(TYPED_TIME)
    test_run.get_by_role("button", name="Start test-run").click()

    identity = {e.id: e for e in bundle.form("identity_check").walk()}
    pick_option(test_run.get_by_label(identity["method"].label, exact=True), identity["method"].options[0].display)
    test_run.get_by_role("checkbox", name=identity["verified"].label, exact=True).click()
    for check in (c for c in bundle.find_node("task_verify_identity").checklist if c.required):
        test_run.get_by_role("checkbox", name=check.text, exact=True).click()
    test_run.get_by_role("button", name="Complete").click()
    expect(test_run.get_by_text("ended at")).to_be_visible()
    test_run.get_by_text(f"letter: {letter.variant('nl').subject}").click()
    typed = test_run.frame_locator("iframe[srcdoc]").get_by_text(f"We will call you back: {TYPED_TIME}")
    expect(typed).to_be_visible()
    shoot(page, "forms_letters_test_run.png", typed)
    assert_inert(page, dialogs)


def agent_sees_the_new_fields_at_intake(browser: Browser, url: str) -> None:
    """The next case an agent starts gets the published start form: the call-back question and its follow-up."""
    agent = browser.new_page(viewport={"width": 1400, "height": 1000})
    sign_in_page(agent, url, "bob", "/work/intake")
    agent.get_by_role("checkbox", name="Adreswijziging", exact=True).click()
    page = agent.locator("body")
    expect_hidden_until_ticked(page, page.get_by_label(BEST_TIME, exact=True))
    agent.close()


def test_script_in_a_label_and_an_option_stays_text_in_the_designer_preview_and_test_run(
        browser_page: tuple[Page, str, list[str]]):
    page, _, dialogs = browser_page
    page.get_by_role("tab", name="Forms").click()
    forms = forms_tab(page)
    add_field(forms, "Choice", "Contact by", "contact_by", f"phone = Phone, script = {SCRIPT_OPTION}")
    save_setting(forms, "Label", IMG_LABEL)
    expect(forms.get_by_text(IMG_LABEL, exact=True)).to_have_count(2)  # on the form's layout and in the preview
    preview_field = forms.get_by_label(IMG_LABEL, exact=True)
    pick_option(preview_field, SCRIPT_OPTION)  # in the live preview
    shoot(page, "forms_letters_xss_designer.png", preview_field)
    assert_inert(page, dialogs)

    page.get_by_role("tab", name="Test-run").click()
    start_field = tab_panel(page, "Test-run").get_by_label(IMG_LABEL, exact=True)
    pick_option(start_field, SCRIPT_OPTION)
    shoot(page, "forms_letters_xss_test_run.png", start_field)
    assert_inert(page, dialogs)

    page.reload()  # the saved draft, drawn from scratch
    page.get_by_role("tab", name="Forms").click()
    expect(forms_tab(page).get_by_text(IMG_LABEL, exact=True)).to_have_count(2)
    assert_inert(page, dialogs)
