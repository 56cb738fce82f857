"""Each example opened in the editor, in headless Chromium: every label readable at the opening zoom, none cut.

A real `flowdesk serve` publishes the examples on its first start; the designer opens each one. The
screenshots (test-artifacts/examples_*.png) are for a person to look at.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.designer.helpers import ARTIFACTS, ROOT, launch_chromium, require_browser, served, sign_in_page

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

#: The smallest size a step's label may have on screen when a process opens, in CSS pixels.
MIN_LABEL_PX = 11
EXAMPLES = {path.stem: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted((ROOT / "examples").glob("*.json")) if path.stem != "customers"}

#: For every step on the canvas: its name, the lines of its label, the label's font size on screen, whether
#: the label lies inside its box (a task's box; under a round or diamond shape, the label's width) and
#: whether a line of it covers the kind's icon or marker.
LABELS = """
() => [...document.querySelectorAll('.fc-node')].map(node => {
  const label = node.querySelector('.fc-label');
  const text = label.getBBox();
  const kind = node.dataset.kind;
  const below = ['start', 'end', 'wait', 'decision', 'parallel'].includes(kind);
  const box = [...node.children].find(c => ['rect', 'circle', 'path'].includes(c.tagName)
                                           && !c.classList.length).getBBox();
  const inside = below
    ? text.y >= box.y + box.height && text.width <= 150 + 0.5
    : text.x >= box.x && text.x + text.width <= box.x + box.width
      && text.y >= box.y && text.y + text.height <= box.y + box.height;
  const icons = [...node.querySelectorAll('.fc-icon')].map(i => i.getBoundingClientRect())
    .filter(b => b.width && b.height);
  const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const onIcon = [...label.querySelectorAll('tspan')]
    .some(t => icons.some(i => overlap(t.getBoundingClientRect(), i)));
  return {
    id: node.dataset.nodeId,
    onIcon,
    lines: [...label.querySelectorAll('tspan')].map(t => t.textContent),
    px: parseFloat(label.getAttribute('font-size')) * label.getScreenCTM().a,
    inside,
    cut: label.dataset.cut === 'yes',
  };
})
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("examples") / "data") as url:
        yield url


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        sign_in_page(page, server, "ann", "/design")
        expect(page.get_by_text("New process")).to_be_visible()
        yield page
        browser.close()


def open_example(page: Page, server: str, key: str) -> None:
    page.goto(f"{server}/design/{key}")
    page.wait_for_selector(".fc-node")
    page.wait_for_timeout(400)  # the opening view follows the canvas's size


@pytest.mark.parametrize("key", EXAMPLES)
def test_every_label_of_an_example_is_readable_and_whole_when_it_opens(page: Page, server: str, key: str):
    open_example(page, server, key)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"examples_{key}.png"))
    labels = {label["id"]: label for label in page.evaluate(LABELS)}
    names = {node["id"]: node.get("name") or node["id"] for node in EXAMPLES[key]["nodes"]}
    assert set(labels) == set(names)
    for node_id, label in labels.items():
        assert label["px"] >= MIN_LABEL_PX - 0.01, f"{node_id}: label {label['px']:.1f} px on screen"
        assert not label["cut"] and " ".join(label["lines"]) == names[node_id], f"{node_id}: {label['lines']}"
        assert label["inside"], f"{node_id}: label {label['lines']} does not fit its box"
        assert not label["onIcon"], f"{node_id}: label {label['lines']} covers the step's icon"
        assert len(label["lines"]) <= 3


def test_a_process_too_wide_to_read_whole_opens_at_its_start_with_a_minimap(page: Page, server: str):
    open_example(page, server, "card_activation")
    svg = page.locator(".fc-svg").bounding_box()
    start = page.locator(".fc-node[data-kind=start]").first.bounding_box()
    assert svg["x"] <= start["x"] < svg["x"] + svg["width"] / 3  # the start is in view, at the left
    minimap = page.locator(".fc-minimap")
    expect(minimap).to_be_visible()
    view = page.locator(".fc-svg > g")
    before = view.get_attribute("transform")
    box = minimap.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 6, box["y"] + box["height"] / 2)  # the far right of the flow
    assert view.get_attribute("transform") != before
    rightmost = max(EXAMPLES["card_activation"]["nodes"], key=lambda n: n["position"]["x"])["id"]
    shown = page.locator(f".fc-node[data-node-id='{rightmost}']").bounding_box()
    assert svg["x"] <= shown["x"] and shown["x"] + shown["width"] <= svg["x"] + svg["width"]
    page.screenshot(path=str(ARTIFACTS / "examples_minimap_moved.png"))


def test_the_keyboard_opens_a_steps_settings_and_moves_it_in_the_editor(page: Page, server: str):
    open_example(page, server, "change_of_address")
    for _ in range(80):  # Tab from the top of the page until a step has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('fc-node')"):
            break
    first = page.evaluate("document.activeElement.dataset.nodeId")
    assert first == EXAMPLES["change_of_address"]["nodes"][0]["id"]
    page.keyboard.press("Tab")
    step = page.evaluate("document.activeElement.dataset.nodeId")
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Id: {step}")).to_be_visible()
    node = page.locator(f".fc-node[data-node-id='{step}']")
    before = node.get_attribute("transform")
    page.keyboard.press("ArrowDown")
    page.wait_for_function(f"document.querySelector(\".fc-node[data-node-id='{step}']\")"
                           f".getAttribute('transform') !== '{before}'")
    expect(page.locator(".fc-live")).to_contain_text("moved down")
    page.keyboard.press("Control+z")  # the draft is shared by the tests: put the step back
    page.wait_for_function(f"document.querySelector(\".fc-node[data-node-id='{step}']\")"
                           f".getAttribute('transform') === '{before}'")


def test_the_examples_are_drawn_with_no_connection_across_another_step(page: Page, server: str):
    for key in EXAMPLES:
        open_example(page, server, key)
        crossing = page.evaluate("""() => {
          const boxes = [...document.querySelectorAll('.fc-node')].map(n => ({id: n.dataset.nodeId,
            rect: [...n.children].find(c => ['rect', 'circle', 'path'].includes(c.tagName) && !c.classList.length)
                    .getBoundingClientRect()}));
          const found = [];
          for (const edge of document.querySelectorAll('.fc-edge')) {
            const path = edge.querySelectorAll('path')[1];
            const length = path.getTotalLength();
            const matrix = path.getScreenCTM();
            for (let at = 0; at <= length; at += 3) {
              const p = path.getPointAtLength(at).matrixTransform(matrix);
              for (const b of boxes) {
                const r = b.rect;
                if (p.x > r.left + 1 && p.x < r.right - 1 && p.y > r.top + 1 && p.y < r.bottom - 1) {
                  found.push(edge.dataset.edgeId + ' across ' + b.id);
                }
              }
            }
          }
          return [...new Set(found)];
        }""")
        own = {(e["id"], e["source"]) for e in EXAMPLES[key]["edges"]} | \
              {(e["id"], e["target"]) for e in EXAMPLES[key]["edges"]}
        across = [c for c in crossing if tuple(c.split(" across ")) not in own]
        assert across == [], f"{key}: {across}"
