"""The upload areas in headless Chromium against a real `flowdesk serve`: a dashed area saying what to drop and how
big it may be, never the uploader's raw "0.0B / 0.00%", and a file chosen there is attached to the case."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.designer.helpers import ARTIFACTS, launch_chromium, require_browser, served, sign_in_page
from tests.test_interchange_cli import CLAIM, TABLES

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


@pytest.fixture
def page(data: Path) -> Iterator[tuple[Page, str]]:
    with served(data) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser.new_page(viewport={"width": 1400, "height": 900}), url
        browser.close()


def test_the_case_page_attaches_a_file_chosen_in_its_drop_zone(page: tuple[Page, str], tmp_path: Path):
    page, url = page
    sign_in_page(page, url, "bob", "/work")
    page.locator(".q-table").get_by_role("link", name="Klacht onderzoeken").click()
    page.get_by_text("Add a note, a file or a task").click()
    zone = page.locator(".flowdesk-drop-zone")
    expect(zone.get_by_text("Attach a file: drop it here, or click to choose")).to_be_visible()
    expect(zone.get_by_text("At most 10 MB")).to_be_visible()
    expect(zone.locator(".q-uploader__list")).to_be_hidden()  # no empty file list under the area
    assert "0.0B" not in zone.inner_text() and "%" not in zone.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    zone.screenshot(path=str(ARTIFACTS / "drop-zone-case.png"))

    photo = tmp_path / "meterstand.txt"
    photo.write_text("stand 12345\n")
    zone.locator("input[type=file]").set_input_files(photo)
    expect(page.get_by_text("'meterstand.txt' attached.")).to_be_visible()
    expect(page.get_by_role("link", name="meterstand.txt")).to_be_visible()
    expect(zone.get_by_text("Attach a file: drop it here, or click to choose")).to_be_visible()  # ready again
    assert "meterstand.txt" not in zone.inner_text()


def test_the_process_list_imports_bpmn_and_dmn_through_its_drop_zone_after_the_report(page: tuple[Page, str],
                                                                                        tmp_path: Path):
    page, url = page
    sign_in_page(page, url, "ann", "/design")
    zone = page.locator(".flowdesk-drop-zone")
    what = "A process file: bundle (.json), BPMN (.bpmn) or DMN (.dmn): drop it here, or click to choose"
    expect(zone.get_by_text(what)).to_be_visible()
    expect(zone.get_by_text("At most 5 MB")).to_be_visible()
    offered = zone.locator("input[type=file]").get_attribute("accept").split(",")
    assert {".json", ".bpmn", ".dmn"} <= set(offered)  # the chooser offers bundles, BPMN and DMN
    assert "0.0B" not in zone.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    zone.screenshot(path=str(ARTIFACTS / "drop-zone-import.png"))

    (tmp_path / "claim.bpmn").write_bytes(CLAIM)
    (tmp_path / "route.dmn").write_bytes(TABLES)
    zone.locator("input[type=file]").set_input_files([tmp_path / "claim.bpmn", tmp_path / "route.dmn"])
    report = page.locator(".q-dialog")
    expect(report.get_by_text("Import report — nothing is created until you accept")).to_be_visible()
    expect(report.get_by_text("Flowdesk has no inclusive gateway").first).to_be_visible()
    expect(report.get_by_text("Checks on the draft 'claim'")).to_be_visible()
    page.wait_for_timeout(400)  # the dialog fades in
    page.screenshot(path=str(ARTIFACTS / "import-report.png"))
    report.get_by_role("button", name="Create 1 draft").click()
    page.wait_for_url(f"{url}/design/claim")
    expect(page.get_by_text("new process, not published yet")).to_be_visible()
