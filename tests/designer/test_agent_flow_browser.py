"""Issue 6's agent flow in headless Chromium, as a new user would do it, against `flowdesk serve` on an empty data
folder (the examples and demo users arrive on first start) with a real local SMTP server.

Bob takes a phone call from an example customer, records the contact and starts a billing complaint and an address
change from it (one start form wrong first), works the complaint's task through its generated form and checklist,
sees the acknowledgement e-mail and the rejection letter under the case's sent items (the e-mail also in the SMTP
server, the letter as a PDF in DATA/outbox) and records the root cause of the case its flow closed; then closes the
address change from the dialog while its task is open. Sue's monitor shows the closed count and the time to
resolution before any of it, after the complaint and after the address change.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.designer.helpers import ARTIFACTS, launch_chromium, require_browser, served, sign_in_page
from tests.local_servers import Inbox

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright  # noqa: E402

COMPLAINT = "Klacht over een factuur"
ADDRESS_CHANGE = "Adreswijziging"
CHECKLIST = ("Factuur en verbruikshistorie bekeken", "Meterstand gecontroleerd (geschat of werkelijk)",
             "Tarief vergeleken met het contract op de factuurdatum",
             "Betalingen en incasso's van de laatste drie maanden bekeken",
             "Incasso van het betwiste bedrag gepauzeerd")
#: The worker runs every 5 s inside the app; delivery is waited for at most this long.
DELIVERY_SECONDS = 30
ACKNOWLEDGEMENT = "We hebben uw klacht over factuur F2026-104233 ontvangen"
REJECTION = "Uw klacht over factuur F2026-104233"


@pytest.fixture
def browser(tmp_path: Path, smtp: tuple[Inbox, int]) -> Iterator[tuple[Browser, str, Path]]:
    data = tmp_path / "data"  # empty: the first start publishes the examples, as after the README's first command
    with served(data, smtp_port=smtp[1]) as url, sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium, url, data
        chromium.close()


def signed_in(browser: Browser, url: str, name: str, target: str) -> Page:
    """A new browser session of `name` (password <name>-demo) on `target`."""
    page = browser.new_context(viewport={"width": 1500, "height": 1100}).new_page()
    sign_in_page(page, url, name, target)
    return page


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"agent_flow_{name}.png"), full_page=True)


def process_box(page: Page, name: str) -> Locator:
    """The intake's box of one process: its tick box, why it fits and its start form."""
    return page.locator("div.border.rounded").filter(has=page.get_by_role("checkbox", name=name, exact=True))


def choose(page: Page, scope: Locator, label: str, option: str) -> None:
    scope.get_by_label(label).click()
    page.get_by_role("option", name=option).click()


def close_with_root_cause(page: Page, button: str, cause: str, confirm: str) -> None:
    """Open the case's actions, the closing dialog, choose `cause` and confirm."""
    page.get_by_text("Add a note, a file or a task; close the case").click()
    page.get_by_role("button", name=button).click()
    dialog = page.locator(".q-dialog")
    choose(page, dialog, "Root cause", cause)
    dialog.get_by_role("button", name=confirm, exact=True).click()


def monitor_figures(page: Page) -> tuple[str, str]:
    """The closed count and the time-to-resolution card, as sue reads them."""
    page.reload()
    count = page.get_by_text(re.compile(r"^\d+ cases? closed in this period$"))
    expect(count).to_be_visible()
    resolution = page.locator(".q-card").filter(has_text="Time to resolution")
    return count.inner_text(), resolution.inner_text()


def sent_row(page: Page, subject: str) -> Locator:
    """The case's sent-items row of the message with `subject`, once the worker has sent it (the open page shows
    that by itself)."""
    row = page.locator(".nicegui-row").filter(has=page.get_by_text(subject, exact=True)) \
        .filter(has=page.get_by_role("button", name="View")).filter(has_not=page.locator(".nicegui-row"))
    expect(row.get_by_text("sent", exact=True)).to_be_visible(timeout=DELIVERY_SECONDS * 1000)
    return row


def wait_for_email(inbox: Inbox) -> None:
    deadline = time.monotonic() + DELIVERY_SECONDS
    while not inbox.messages and time.monotonic() < deadline:
        time.sleep(0.5)


def test_an_agent_takes_a_call_works_the_complaint_and_the_supervisor_sees_it_closed(
        browser: tuple[Browser, str, Path], smtp: tuple[Inbox, int]):
    browser, url, data = browser
    inbox = smtp[0]
    sue = signed_in(browser, url, "sue", "/monitor")
    closed_before, resolution_before = monitor_figures(sue)
    assert closed_before.startswith("0 cases closed")
    assert "no cases" in resolution_before
    shot(sue, "monitor_before")

    # 1. Intake: the customer on the phone, one contact, two cases.
    bob = signed_in(browser, url, "bob", "/work/intake")
    bob.get_by_label("Name, number, phone, e-mail or postcode").fill("06-12345678")
    bob.get_by_role("button", name="Search").click()
    expect(bob.get_by_text("Sanne de Vries")).to_be_visible()
    bob.get_by_role("button", name="Select").click()
    expect(bob.get_by_text("sanne.devries@example.nl")).to_be_visible()  # the customer card
    bob.get_by_label("Reason (why the customer got in touch)").fill(
        "Dubbele afschrijving op de factuur; geeft ook een nieuw adres door")
    complaint = process_box(bob, COMPLAINT)
    expect(complaint.get_by_text("Fits:")).to_be_visible()
    complaint.get_by_role("checkbox", name=COMPLAINT).click()
    complaint.get_by_label("Factuurnummer").fill("104233")  # the number without its prefix: wrong
    complaint.get_by_label("Factuurdatum").fill("2026-03-01")
    complaint.get_by_label("Betwist bedrag (incl. btw)").fill("64.20")
    choose(bob, complaint, "Waar gaat de klacht over?", "Twee keer gefactureerd of afgeschreven")
    complaint.get_by_label("Omschrijving in de woorden van de klant").fill("Maart is twee keer afgeschreven.")
    address = process_box(bob, ADDRESS_CHANGE)
    address.get_by_role("checkbox", name=ADDRESS_CHANGE).click()
    for label, value in (("Postcode", "3512 JE"), ("Huisnummer en toevoeging", "8"), ("Straat", "Oudegracht"),
                         ("Woonplaats", "Utrecht"), ("Verhuisdatum", "2026-04-01")):
        address.get_by_label(label).fill(value)
    bob.get_by_role("button", name="Start cases").click()
    expect(bob.get_by_text(f"No case was started: correct the form of '{COMPLAINT}' first.")).to_be_visible()
    expect(complaint.get_by_text("Correct the marked fields of this form.")).to_be_visible()
    field_message = complaint.get_by_text("'Factuurnummer' is not in the expected form")
    expect(field_message).to_be_visible()
    shot(bob, "intake_error")
    complaint.get_by_label("Factuurnummer").fill("F2026-104233")
    expect(field_message).to_be_hidden()
    bob.get_by_role("button", name="Start cases").click()
    expect(bob.get_by_text("Contact recorded")).to_be_visible()
    complaint_link = bob.get_by_role("link", name=f"{COMPLAINT} — case")
    expect(complaint_link).to_be_visible()
    expect(bob.get_by_role("link", name=f"{ADDRESS_CHANGE} — case")).to_be_visible()
    shot(bob, "intake")

    # The acknowledgement e-mail goes out on start: the worker delivers it to the SMTP server.
    wait_for_email(inbox)
    [(recipients, email)] = inbox.messages
    assert recipients == ["sanne.devries@example.nl"]
    assert email["Subject"] == ACKNOWLEDGEMENT

    # 2. The complaint's task, through its checklist and generated form.
    complaint_link.click()
    expect(bob.get_by_text("Klacht onderzoeken").first).to_be_visible()
    complete = bob.get_by_role("button", name="Complete")
    expect(complete).to_be_disabled()
    shown_category = bob.get_by_text("Soort klacht", exact=True).locator("xpath=following-sibling::*[1]")
    expect(shown_category).to_have_text("Twee keer gefactureerd of afgeschreven")  # the form shows the label
    expect(bob.get_by_text("Tick the checklist first")).to_be_visible()
    for text in CHECKLIST[:-1]:
        bob.get_by_role("checkbox", name=text).click()
    expect(bob.get_by_text(f"Tick the checklist first: {CHECKLIST[-1]}")).to_be_visible()
    expect(complete).to_be_disabled()
    bob.get_by_role("checkbox", name=CHECKLIST[-1]).click()
    expect(complete).to_be_enabled()
    bob.get_by_label("Bevindingen (intern)").fill("Twee incasso's gezien; de tweede is op 5 maart teruggestort.")
    bob.get_by_label("Uitleg aan de klant waarom de klacht niet terecht is").fill(
        "De tweede afschrijving van maart is op 5 maart al teruggestort op uw rekening.")
    shot(bob, "case_task")
    complete.click()
    expect(bob.get_by_text("Task 'Klacht onderzoeken' completed.")).to_be_visible()
    expect(bob.get_by_text("The case is closed.")).to_be_visible()
    expect(bob.get_by_text("Klacht afgewezen").first).to_be_visible()

    # The e-mail and the rejection letter under the case's sent items, once the worker has sent them.
    expect(sent_row(bob, ACKNOWLEDGEMENT)).to_contain_text("sanne.devries@example.nl")
    expect(sent_row(bob, REJECTION)).to_contain_text("Letter")
    [pdf] = (data / "outbox").rglob("*.pdf")
    letter_text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "op 5 maart al teruggestort" in letter_text
    shot(bob, "case_sent")

    # 3. The complaint's flow has closed it; bob records its root cause.
    expect(bob.get_by_text("It has no root cause yet")).to_be_visible()
    close_with_root_cause(bob, "Record the root cause…", "Misverstand: de factuur klopt", "Record root cause")
    expect(bob.get_by_text("Root cause recorded.")).to_be_visible()
    expect(bob.get_by_text("Klacht afgewezen; root cause: Misverstand: de factuur klopt")).to_be_visible()
    shot(bob, "case_closed")

    # 4. Sue's figures count the closed complaint and its time to resolution.
    closed_now, resolution_now = monitor_figures(sue)
    assert closed_now.startswith("1 case closed")
    assert "median" in resolution_now and "no cases" not in resolution_now

    # The address change waits in the worklist; bob closes it from the dialog while its task is open.
    bob.goto(f"{url}/work")
    expect(bob.get_by_role("link", name="Identiteit controleren")).to_be_visible()
    expect(bob.get_by_role("link", name="Klacht onderzoeken")).to_have_count(0)
    shot(bob, "worklist")
    bob.get_by_role("link", name="Identiteit controleren").click()
    expect(bob.get_by_text("Adreswijziging — version 1")).to_be_visible()
    close_with_root_cause(bob, "Close case…", "Verhuizing", "Close case")
    expect(bob.get_by_text("Case closed.")).to_be_visible()
    expect(bob.get_by_text("closed by agent; root cause: Verhuizing")).to_be_visible()

    closed_after, resolution_after = monitor_figures(sue)
    assert closed_after.startswith("2 cases closed")
    assert "median" in resolution_after
    shot(sue, "monitor")
