"""Two agents in two browsers complete the same task: one wins, the other is told why, and nothing is lost.

Headless Chromium against a real `flowdesk serve` on a copy of the seeded data (one open billing complaint).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.documents import WorkItemStatus
from runtime.storage.base import WorkQuery
from runtime.storage.tinydb_store import TinyDBStore
from tests.designer.helpers import ARTIFACTS, launch_chromium, require_browser, served, sign_in_page

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

CHECKLIST = ("Factuur en verbruikshistorie bekeken", "Meterstand gecontroleerd (geschat of werkelijk)",
             "Tarief vergeleken met het contract op de factuurdatum",
             "Betalingen en incasso's van de laatste drie maanden bekeken",
             "Incasso van het betwiste bedrag gepauzeerd")


@pytest.fixture
def browser(data: Path) -> Iterator[tuple[Browser, str]]:
    with served(data) as url, sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium, url
        chromium.close()


def open_task(browser: Browser, url: str, name: str, case_id: str, item_id: str) -> Page:
    """A new browser context (its own session) signed in as `name`, on the case with the task open."""
    page = browser.new_context(viewport={"width": 1500, "height": 1100}).new_page()
    sign_in_page(page, url, name, f"/work/case/{case_id}%3Fitem%3D{item_id}")
    expect(page.get_by_text("Klacht onderzoeken").first).to_be_visible()
    return page


def fill_in(page: Page, findings: str) -> None:
    for text in CHECKLIST:
        page.get_by_role("checkbox", name=text).click()
    page.get_by_label("Bevindingen (intern)").fill(findings)
    page.get_by_role("checkbox", name="De klacht is terecht").click()
    expect(page.get_by_role("button", name="Complete")).to_be_enabled()


def test_two_agents_completing_the_same_task_one_wins_the_other_sees_why(browser: tuple[Browser, str],
                                                                           data: Path):
    browser, url = browser
    with TinyDBStore.open(data, read_only=True) as store:
        [case] = store.cases()
        [item] = store.work_items(WorkQuery(case_id=case.id))
    bob = open_task(browser, url, "bob", case.id, item.id)
    sue = open_task(browser, url, "sue", case.id, item.id)
    fill_in(bob, "Bob: dubbel afgeschreven op 3 februari.")
    fill_in(sue, "Sue: ook gezien.")

    bob.get_by_role("button", name="Complete").click()
    expect(bob.get_by_text("Task 'Klacht onderzoeken' completed").first).to_be_visible()
    expect(bob.get_by_text("Creditering beoordelen").first).to_be_visible()  # the case moved on

    sue.get_by_role("button", name="Complete").click()
    notice = sue.locator(".bg-amber-50")
    expect(notice).to_contain_text("was already completed by Bob Agent")
    expect(notice).to_contain_text("Nothing you entered for this step was saved")
    expect(sue.get_by_text("Creditering beoordelen").first).to_be_visible()  # the case as it is now
    ARTIFACTS.mkdir(exist_ok=True)
    sue.screenshot(path=str(ARTIFACTS / "case_conflict.png"), full_page=True)

    bob.context.close()
    sue.context.close()
    with TinyDBStore.open(data, read_only=True) as store:
        done = store.work_item(item.id)
        assert (done.status, done.completed_by) == (WorkItemStatus.COMPLETED, "bob")
        assert store.case(case.id).data["investigation_findings"] == "Bob: dubbel afgeschreven op 3 februari."
        completions = [e for e in store.audit_events(case.id)
                       if e.kind == "task completed" and e.details.get("work_item") == item.id]
        assert [e.actor for e in completions] == ["bob"]
