"""The import report in headless Chromium against a real `flowdesk serve`, for a Dutch and an English designer: what
became of each element in their language, and the report's long table paged with Quasar's own words in it too
("Records per pagina:", "1-15 van 21"). Screenshots: test-artifacts/import-report-nl.png and import-report-en.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from designer.pages.design import REPORT_PAGE
from tests.designer.helpers import ARTIFACTS, launch_chromium, require_browser, served, sign_in_page

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

#: A process of 19 user tasks in a row: with its start, end and the queue they go to, 22 report rows.
TASKS = 19
LONG = ("""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="t">
  <process id="long" name="Long"><startEvent id="s"/><endEvent id="e"/>"""
        + "".join(f'<userTask id="t{n}" name="Step {n}"/>' for n in range(TASKS))
        + "".join(f'<sequenceFlow id="f{n}" sourceRef="{a}" targetRef="{b}"/>' for n, (a, b) in enumerate(zip(
            ["s", *(f"t{n}" for n in range(TASKS))], [*(f"t{n}" for n in range(TASKS)), "e"], strict=True)))
        + "</process></definitions>").encode()
ROWS = TASKS + 3


@pytest.fixture
def page(data: Path) -> Iterator[tuple[Page, str]]:
    with served(data) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser.new_page(viewport={"width": 1400, "height": 1000}), url
        browser.close()


def open_report(page: Page, url: str, file: Path) -> None:
    page.goto(f"{url}/design")
    page.locator(".flowdesk-drop-zone input[type=file]").set_input_files(file)


def test_a_dutch_designer_reads_the_import_report_and_its_paging_in_dutch(page: tuple[Page, str], tmp_path: Path):
    page, url = page
    ARTIFACTS.mkdir(exist_ok=True)
    (tmp_path / "long.bpmn").write_bytes(LONG)
    sign_in_page(page, url, "ann", "/design")
    expect(page.get_by_role("button", name="New process")).to_be_visible()

    open_report(page, url, tmp_path / "long.bpmn")
    report = page.locator(".q-dialog")
    expect(report.get_by_text("work for a person, in queue 'work'").first).to_be_visible()
    expect(report.get_by_text("Records per page:")).to_be_visible()
    expect(report.get_by_text(f"1-{REPORT_PAGE} of {ROWS}")).to_be_visible()
    page.wait_for_timeout(400)  # the dialog fades in
    page.screenshot(path=str(ARTIFACTS / "import-report-en.png"))
    report.get_by_role("button", name="Cancel").click()

    page.get_by_role("button", name="Nederlands").click()
    expect(page.get_by_role("button", name="Nieuw proces")).to_be_visible()
    open_report(page, url, tmp_path / "long.bpmn")
    expect(report.get_by_text("long.bpmn: proces 'long' — 21 geïmporteerd, 1 vertaald, 0 te herstellen, "
                              "0 niet geïmporteerd")).to_be_visible()
    expect(report.get_by_role("cell", name="gebruikerstaak").first).to_be_visible()
    expect(report.get_by_text("werk voor een persoon, in werkbak 'work'").first).to_be_visible()
    expect(report.get_by_text("Records per pagina:")).to_be_visible()  # Quasar's own words, in Dutch
    expect(report.get_by_text(f"1-{REPORT_PAGE} van {ROWS}")).to_be_visible()
    report.get_by_role("button", name="Volgende pagina").click()
    expect(report.get_by_text(f"{REPORT_PAGE + 1}-{ROWS} van {ROWS}")).to_be_visible()
    page.wait_for_timeout(400)
    page.screenshot(path=str(ARTIFACTS / "import-report-nl.png"))
    assert "Records per page" not in report.inner_text() and f" of {ROWS}" not in report.inner_text()
