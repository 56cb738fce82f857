"""The process editor in headless Chromium against a real `flowdesk serve`: drawing and publishing a process."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.designer.helpers import ARTIFACTS, centre, drag, launch_chromium, require_browser, served, sign_in_page

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("editor") / "data") as url:
        yield url


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1500, "height": 950})
        yield page
        browser.close()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"editor_{name}.png"))


def node(node_id: str) -> str:
    return f".fc-node[data-node-id='{node_id}']"


def edge_count(page: Page) -> int:
    return page.locator(".fc-edge").count()


def test_a_designer_draws_and_publishes_a_new_process(page: Page, server: str):
    sign_in_page(page, server, "ann", "/design/new")
    page.get_by_label("Process key").fill("refund_request")
    page.get_by_label("Process name").fill("Refund request")
    page.get_by_role("button", name="Create").click()
    page.wait_for_selector(node("end"))
    page.wait_for_timeout(300)  # the first fit to screen
    expect(page.get_by_text("new process, not published yet")).to_be_visible()
    screenshot(page, "new")

    start, end = centre(page, f"{node('start')} circle"), centre(page, f"{node('end')} circle")
    drag(page, centre(page, ".fc-palette-item[data-kind=task]"), ((start[0] + end[0]) / 2, start[1] + 160))
    dialog = page.locator(".q-dialog")  # the process has no queue yet: the first task asks for one by name
    dialog.get_by_label("Queue").fill("Klantenservice")
    dialog.get_by_role("button", name="Add step").click()
    page.wait_for_selector(f"{node('task_1')} .fc-finding[data-severity=error]")
    expect(page.locator(f"{node('task_1')}")).to_contain_text("Task 1")
    page.keyboard.type("Check the refund")  # the new step's name has the focus, selected: typing replaces it
    page.keyboard.press("Enter")
    expect(page.locator(f"{node('task_1')}")).to_contain_text("Check the refund")
    expect(page.get_by_text("Problems (")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Publish"))).to_be_disabled()
    screenshot(page, "unconnected_task")

    drag(page, centre(page, f"{node('start')} .fc-handle"), centre(page, f"{node('task_1')} rect"))
    page.wait_for_function("document.querySelectorAll('.fc-edge').length === 1")
    drag(page, centre(page, f"{node('task_1')} .fc-handle"), centre(page, f"{node('end')} circle"))
    page.wait_for_function("document.querySelectorAll('.fc-edge').length === 2")
    page.wait_for_selector(f"{node('task_1')} .fc-finding", state="detached")
    expect(page.get_by_text("No problems found.")).to_be_visible()
    screenshot(page, "connected")

    page.get_by_role("button", name=re.compile("Undo")).click()
    page.wait_for_function("document.querySelectorAll('.fc-edge').length === 1")
    page.wait_for_selector(f"{node('end')} .fc-finding[data-severity=error]")
    page.get_by_role("button", name=re.compile("Redo")).click()
    page.wait_for_function("document.querySelectorAll('.fc-edge').length === 2")
    assert page.locator(".fc-finding").count() == 0

    before = page.locator(node("task_1")).get_attribute("transform")
    page.get_by_role("button", name=re.compile("Auto-layout")).click()
    page.wait_for_function(f"document.querySelector(\"{node('task_1')}\").getAttribute('transform') !== '{before}'")
    screenshot(page, "auto_layout")

    publish = page.get_by_role("button", name=re.compile("Publish"))
    expect(publish).to_be_enabled()
    publish.click()
    page.get_by_label("Note: what changed and why").fill("first version, drawn in the browser")
    page.locator(".q-dialog").get_by_role("button", name=re.compile("Publish")).click()
    expect(page.get_by_text("Published version 1 of Refund request.")).to_be_visible()
    expect(page.get_by_text("draft of published version 1")).to_be_visible()
    page.wait_for_selector(".q-dialog", state="detached")
    screenshot(page, "published")

    page.goto(f"{server}/design")
    card = page.get_by_text("Refund request (refund_request)")
    card.scroll_into_view_if_needed()
    expect(card).to_be_visible()
    expect(page.get_by_text("first version, drawn in the browser")).to_be_visible()
    screenshot(page, "process_list")
