"""Two people on one draft in headless Chromium against a real `flowdesk serve`: a decision added in one browser and
a task deleted in the other both survive, each sees who else has the draft open, and text typed in a settings field
survives a reload made at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.designer.helpers import (
    ARTIFACTS,
    centre,
    drag,
    launch_chromium,
    require_browser,
    saved_draft,
    served,
    sign_in_page,
)

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

PASSWORDS = {"ann": "ann-demo", "root": "root-demo"}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("together") / "data"


@pytest.fixture(scope="module")
def server(data: Path) -> Iterator[str]:
    with served(data) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def editor(browser: Browser, server: str, name: str, key: str) -> Page:
    """A browser context of its own (own cookies: another person) with `name` in the editor of `key`."""
    page = browser.new_context(viewport={"width": 1500, "height": 950}).new_page()
    sign_in_page(page, server, name, f"/design/{key}", password=PASSWORDS[name])
    page.wait_for_selector(f"{CANVAS} .fc-node")
    page.wait_for_timeout(300)  # the first fit to screen
    return page


#: The editor's own canvas (the test-run tab draws a read-only one, without a palette).
CANVAS = ".fc-root:has(.fc-palette)"


def node(node_id: str) -> str:
    return f"{CANVAS} .fc-node[data-node-id='{node_id}']"


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"together_{name}.png"))


def test_a_decision_added_in_one_browser_and_a_task_deleted_in_the_other_both_survive(
        browser: Browser, server: str, data: Path):
    ann = editor(browser, server, "ann", "change_of_address")
    root = editor(browser, server, "root", "change_of_address")
    expect(ann.get_by_text("Also open by Root Admin")).to_be_visible(timeout=15_000)
    expect(root.get_by_text("Also open by Ann Designer")).to_be_visible(timeout=15_000)

    end = centre(ann, f"{node('end_changed')} circle")
    drag(ann, centre(ann, ".fc-palette-item[data-kind=decision]"), (end[0], end[1] + 200))  # Ann adds a decision
    root.locator(node("task_verify_identity")).click()  # and Root, at once, deletes a task
    root.keyboard.press("Delete")

    for page in (ann, root):  # each sees both edits: their own, and the other's once saved
        expect(page.locator(node("decision_1"))).to_be_visible(timeout=15_000)
        expect(page.locator(node("task_verify_identity"))).to_have_count(0, timeout=15_000)
    screenshot(ann, "ann")
    screenshot(root, "root")
    saved = {n["id"] for n in saved_draft("change_of_address", data)["nodes"]}
    assert "decision_1" in saved and "task_verify_identity" not in saved
    told = "changed this draft at"  # whoever saved second was told, and nothing was lost
    assert ann.get_by_text(told).count() + root.get_by_text(told).count() >= 1
    for page in (ann, root):
        page.context.close()


def test_text_typed_in_a_settings_field_survives_a_reload_made_at_once(browser: Browser, server: str, data: Path):
    ann = editor(browser, server, "ann", "card_activation")
    ann.locator(node("start_activation_request")).click()
    description = ann.get_by_label("Description")
    description.fill("")
    description.press_sequentially("Typed and reloaded at once", delay=20)
    ann.reload()  # at once: no blur, no Enter, no waiting for the half second
    ann.locator(node("start_activation_request")).click()
    expect(ann.get_by_label("Description")).to_have_value("Typed and reloaded at once", timeout=15_000)
    first = saved_draft("card_activation", data)["nodes"][0]
    assert first["description"] == "Typed and reloaded at once"
    ann.context.close()
