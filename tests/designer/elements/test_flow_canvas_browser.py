"""The flow canvas in real headless Chromium: what a person does with the mouse and keys.

Starts tests/designer/elements/canvas_app.py on a free port; its page applies
the canvas events to an in-memory bundle and sends the model back.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.designer.helpers import ARTIFACTS, centre, drag, free_port, launch_chromium, require_browser

APP = Path(__file__).with_name("canvas_app.py")
XSS = "<img src=x onerror=alert(1)>"

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Page, sync_playwright  # noqa: E402


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    workdir = tmp_path_factory.mktemp("canvas_app")
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}  # else NiceGUI runs in test mode
    process = subprocess.Popen([sys.executable, str(APP), str(port)], cwd=workdir, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            get(f"{base}/state")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("the canvas test app did not start: " + process.stderr.read().decode()[-2000:])
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(server, browser):
    get(f"{server}/reset")
    page = browser.new_page(viewport={"width": 1200, "height": 700})
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(server)
    page.wait_for_selector(".fc-node[data-node-id=done]")
    page.wait_for_timeout(200)  # the first fit to screen
    yield page
    page.close()


def state(server: str) -> dict:
    return get(f"{server}/state")


def wait_for_event(server: str, name: str, timeout: float = 5) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in state(server)["events"] if e["event"] == name]
        if found:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"no {name} event; got {state(server)['events']}")


def node_position(page: Page, node_id: str) -> tuple[float, float]:
    transform = page.locator(f".fc-node[data-node-id='{node_id}']").get_attribute("transform")
    x, y = re.fullmatch(r"translate\(([-\d.e]+),([-\d.e]+)\)", transform).groups()
    return float(x), float(y)


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"flow_canvas_{name}.png"))


def test_the_flow_is_drawn_with_edge_labels_and_finding_markers(page, server):
    assert page.locator(".fc-node").count() == 6
    assert page.locator(".fc-edge").count() == 6
    assert page.locator(".fc-palette-item").count() == 9
    def label(edge_id: str) -> str:
        return page.locator(f".fc-edge[data-edge-id={edge_id}] .fc-edge-label").evaluate("e => e.firstChild.nodeValue")

    assert label("f3") == "complete"
    assert label("f4") == "default"
    error = page.locator(".fc-edge[data-edge-id=f4] .fc-finding[data-severity=error] title")
    assert "Default edge goes nowhere useful" in error.text_content()
    assert page.locator(".fc-node[data-node-id=reply] .fc-finding[data-severity=warning]").count() == 1
    screenshot(page, "initial")


def test_dragging_a_task_from_the_palette_adds_a_node_where_it_was_dropped(page, server):
    svg = page.locator(".fc-svg").bounding_box()
    drag(page, centre(page, ".fc-palette-item[data-kind=task]"), (svg["x"] + 300, svg["y"] + 480))
    event = wait_for_event(server, "node_added")
    assert event["kind"] == "task"
    assert event["x"] % 20 == 0 and event["y"] % 20 == 0
    page.wait_for_selector(".fc-node[data-node-id=task_2]")
    assert node_position(page, "task_2") == (event["x"], event["y"])
    screenshot(page, "node_added")


def test_dragging_from_a_handle_to_another_node_adds_an_edge(page, server):
    drag(page, centre(page, ".fc-node[data-node-id=start] .fc-handle"), centre(page, ".fc-node[data-node-id=done]"))
    event = wait_for_event(server, "edge_added")
    assert (event["source"], event["target"]) == ("start", "done")
    page.wait_for_function("document.querySelectorAll('.fc-edge').length === 7")
    screenshot(page, "edge_added")


def test_selecting_a_node_and_pressing_delete_removes_it_and_its_edges(page, server):
    page.locator(".fc-node[data-node-id=letter] rect").first.click()
    assert wait_for_event(server, "selected")["id"] == "letter"
    assert page.locator(".fc-node[data-node-id=letter] .fc-selection").count() == 1
    screenshot(page, "selected")
    page.keyboard.press("Delete")
    assert wait_for_event(server, "deleted")["ids"] == ["letter"]
    page.wait_for_selector(".fc-node[data-node-id=letter]", state="detached")
    assert page.locator(".fc-edge").count() == 4


def test_a_moved_node_snaps_to_the_grid_and_stays_after_a_re_render(page, server):
    before = node_position(page, "check")
    start = centre(page, ".fc-node[data-node-id=check] rect")
    drag(page, start, (start[0] + 90, start[1] + 130))
    event = wait_for_event(server, "node_moved")
    assert event["id"] == "check"
    assert event["x"] % 20 == 0 and event["y"] % 20 == 0
    assert event["y"] > before[1]
    page.wait_for_timeout(300)
    assert node_position(page, "check") == (event["x"], event["y"])
    # Another accepted edit re-renders the model: the node stays where it was dropped.
    page.locator(".fc-node[data-node-id=done] circle").first.click()
    page.keyboard.press("Delete")
    page.wait_for_selector(".fc-node[data-node-id=done]", state="detached")
    assert node_position(page, "check") == (event["x"], event["y"])
    page.reload()
    page.wait_for_selector(".fc-node[data-node-id=check]")
    assert node_position(page, "check") == (event["x"], event["y"])
    screenshot(page, "moved")


def test_ctrl_z_reports_undo_and_ctrl_shift_z_or_ctrl_y_redo(page, server):
    start = centre(page, ".fc-node[data-node-id=check] rect")
    drag(page, start, (start[0], start[1] + 200))
    moved = wait_for_event(server, "node_moved")
    page.wait_for_timeout(200)
    page.keyboard.press("Control+z")
    wait_for_event(server, "undo")
    page.wait_for_function("document.querySelector(\".fc-node[data-node-id='check']\")"
                           f".getAttribute('transform') !== 'translate({moved['x']:g},{moved['y']:g})'")
    page.keyboard.press("Control+Shift+z")
    page.keyboard.press("Control+y")
    time.sleep(0.3)
    names = [e["event"] for e in state(server)["events"]]
    assert names.count("undo") == 1 and names.count("redo") == 2


def test_authored_html_is_shown_as_text_and_never_runs(page, server):
    label = page.locator(".fc-node[data-node-id=letter]")
    assert label.locator(".fc-label tspan").evaluate_all("lines => lines.map(l => l.textContent).join(' ')") == XSS
    assert label.locator("title").first.text_content() == XSS
    warning = page.locator(".fc-node[data-node-id=reply] .fc-finding title").text_content()
    assert XSS in warning
    assert page.locator(".fc-root img").count() == 0
    page.locator(".fc-node[data-node-id=letter] rect").first.hover()
    page.wait_for_timeout(500)
    assert page.dialogs == []


def test_zoom_buttons_and_fit_to_screen_change_the_view(page, server):
    view = page.locator(".fc-svg > g")
    fitted = view.get_attribute("transform")
    page.locator(".fc-zoom-in").click()
    zoomed = view.get_attribute("transform")
    assert zoomed != fitted
    page.locator(".fc-fit").click()
    assert view.get_attribute("transform") == fitted
    svg = page.locator(".fc-svg").bounding_box()
    drag(page, (svg["x"] + 20, svg["y"] + 20), (svg["x"] + 120, svg["y"] + 60))  # pan the background
    assert view.get_attribute("transform") != fitted


def test_the_server_can_select_a_node_and_centre_the_view_on_it(page, server):
    page.locator(".select-done").click()
    page.wait_for_selector(".fc-node[data-node-id=done] .fc-selection")
    page.locator(".centre-done").click()
    svg = page.locator(".fc-svg").bounding_box()
    page.wait_for_timeout(300)
    x, y = centre(page, ".fc-node[data-node-id=done] .fc-selection")
    assert abs(x - (svg["x"] + svg["width"] / 2)) < 5
    assert abs(y - (svg["y"] + svg["height"] / 2)) < 5


def test_every_node_kind_has_its_own_shape(browser, server):
    page = browser.new_page(viewport={"width": 1200, "height": 640})
    page.goto(f"{server}/kinds")
    page.wait_for_selector(".fc-node[data-node-id=e]")
    page.wait_for_timeout(200)
    kinds = page.locator(".fc-node").evaluate_all("nodes => nodes.map(n => n.dataset.kind)")
    assert sorted(set(kinds)) == sorted(["start", "task", "automatic", "send", "decision", "parallel", "wait",
                                         "subprocess", "end"])
    assert page.locator(".fc-node[data-node-id=sub] .fc-finding[data-severity=error]").count() == 1
    screenshot(page, "kinds")
    page.close()


# The keyboard only ----------------------------------------------------------------------------------------

FOCUSED = """() => { const e = document.activeElement;
  return {node: e.dataset.nodeId || null, edge: e.dataset.edgeKey || null,
          palette: e.classList.contains('fc-palette-item') ? e.dataset.kind : null,
          root: e.classList.contains('fc-root'), role: e.getAttribute('role'),
          kind: e.getAttribute('aria-roledescription'), label: e.getAttribute('aria-label')}; }"""


def focused(page: Page) -> dict:
    return page.evaluate(FOCUSED)


def tab_until(page: Page, wanted, key: str = "Tab", limit: int = 40) -> dict:
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if wanted(now):
            return now
    raise AssertionError(f"{key} never reached it; the focus is on {focused(page)}")


def said(page: Page, words: str) -> None:
    page.wait_for_function(f"document.querySelector('.fc-live').textContent.includes({json.dumps(words)})")


def test_tab_reaches_every_step_then_every_connection_each_announced_by_its_label(page, server):
    first = tab_until(page, lambda f: f["node"])
    assert first == {"node": "start", "edge": None, "palette": None, "root": False, "role": "button",
                     "kind": "Start", "label": "Start: Customer calls"}
    steps = [first["node"]] + [tab_until(page, lambda f: True)["node"] for _ in range(5)]
    assert steps == ["start", "check", "ok", "letter", "reply", "done"]
    reply = page.locator(".fc-node[data-node-id=reply]").get_attribute("aria-label")
    assert reply == f"Wait: Customer reply. Warning: No timeout {XSS}"
    connections = [tab_until(page, lambda f: True) for _ in range(6)]
    assert [c["edge"] for c in connections] == ["f1", "f2", "f3", "f4", "f5", "f6"]
    assert connections[0]["label"] == "From Customer calls to Check the request"
    assert connections[2]["label"] == f"From Complete? to {XSS}, complete"
    assert connections[3]["label"].endswith(", default. Error: Default edge goes nowhere useful")
    assert page.dialogs == []


def test_enter_selects_a_step_arrows_move_it_and_escape_clears_the_selection(page, server):
    tab_until(page, lambda f: f["node"] == "check")
    assert page.locator(".fc-node[data-node-id=check] .fc-focus").count() == 1
    page.keyboard.press("Enter")
    assert wait_for_event(server, "selected")["id"] == "check"
    said(page, "Selected Task Check the request")
    before = node_position(page, "check")
    page.keyboard.press("ArrowRight")
    moved = wait_for_event(server, "node_moved")
    assert (moved["id"], moved["x"], moved["y"]) == ("check", before[0] + 20, before[1])
    said(page, "Check the request moved right")
    page.wait_for_timeout(300)
    page.keyboard.press("Shift+ArrowDown")
    page.wait_for_function("document.querySelector(\".fc-node[data-node-id='check']\").getAttribute('transform')"
                           f" === 'translate({before[0] + 20:g},{before[1] + 100:g})'")
    assert focused(page)["node"] == "check"  # the focus stays on the moved step
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelectorAll('.fc-selection').length === 0")
    assert [e["id"] for e in state(server)["events"] if e["event"] == "selected"] == ["check", None]
    screenshot(page, "keyboard_moved")


def test_delete_removes_the_connection_or_step_in_focus_and_says_so(page, server):
    tab_until(page, lambda f: f["edge"] == "f3")
    page.keyboard.press("Delete")
    assert wait_for_event(server, "deleted")["ids"] == ["f3"]
    page.wait_for_selector(".fc-edge[data-edge-id=f3]", state="detached")
    said(page, "deleted")
    assert focused(page)["root"]  # the focus is not lost to the page
    tab_until(page, lambda f: f["node"] == "reply")
    page.keyboard.press("Delete")
    page.wait_for_selector(".fc-node[data-node-id=reply]", state="detached")
    said(page, "Wait Customer reply deleted")
    assert [e["ids"] for e in state(server)["events"] if e["event"] == "deleted"] == [["f3"], ["reply"]]


def test_c_on_two_steps_connects_them_and_escape_cancels_a_connection(page, server):
    tab_until(page, lambda f: f["node"] == "reply")
    page.keyboard.press("c")
    page.wait_for_selector(".fc-node[data-node-id=reply] .fc-connecting")
    said(page, "Connecting from Wait Customer reply")
    page.keyboard.press("Escape")
    page.wait_for_selector(".fc-connecting", state="detached")
    said(page, "No connection made")
    page.keyboard.press("c")
    tab_until(page, lambda f: f["node"] == "check", key="Shift+Tab")
    page.keyboard.press("c")
    added = wait_for_event(server, "edge_added")
    assert (added["source"], added["target"]) == ("reply", "check")
    said(page, "Connected Wait Customer reply to Task Check the request")
    assert [e["event"] for e in state(server)["events"]] == ["edge_added"]


def test_a_palette_item_adds_its_step_with_enter_and_arrows_on_the_diagram_move_the_view(page, server):
    task = tab_until(page, lambda f: f["palette"] == "task")
    assert task["label"] == "Add: Task"
    page.keyboard.press("Enter")
    added = wait_for_event(server, "node_added")
    assert added["kind"] == "task" and added["x"] % 20 == 0 and added["y"] % 20 == 0
    page.wait_for_selector(".fc-node[data-node-id=task_2]")
    said(page, "Task added in the middle of the diagram")
    page.locator(".fc-root").focus()
    view = page.locator(".fc-svg > g")
    before = view.get_attribute("transform")
    page.keyboard.press("ArrowLeft")
    assert view.get_attribute("transform") != before
    assert [e["event"] for e in state(server)["events"]] == ["node_added"]  # panning is no edit


def test_the_canvas_has_no_serious_accessibility_violation(page, server):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=".fc-root")
    serious = [(v["id"], v["help"]) for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
