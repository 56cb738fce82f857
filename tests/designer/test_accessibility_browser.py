"""Issue 16 item 8: every page of the app passes axe-core with no serious or critical violation.

One served app for the module; each page is opened in Chromium as the person who uses it, and axe-core
(axe-playwright-python) checks the whole document once the page has drawn.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from runtime.service import Runtime
from runtime.storage.tinydb_store import TinyDBStore
from tests.designer.helpers import launch_chromium, require_browser, served

pytestmark = [pytest.mark.browser, pytest.mark.slow]
require_browser()

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Browser, sync_playwright  # noqa: E402

SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def app(seeded_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Browser, str, str]]:
    import shutil

    data = tmp_path_factory.mktemp("axe") / "data"
    shutil.copytree(seeded_data, data)
    with TinyDBStore.open(data, read_only=True) as store:
        [case_id] = Runtime(store).store.case_ids(process_key="billing_complaint")
    with served(data) as url, sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium, url, case_id
        chromium.close()


def pages(case_id: str) -> list[tuple[str, str, str]]:
    """(who, path, what shows the page has drawn) for every page of the app."""
    return [
        ("", "/login", "input"),
        ("bob", "/work", "main"),
        ("bob", "/work/intake", "main"),
        ("bob", f"/work/case/{case_id}", "main"),
        ("sue", "/monitor", "main"),
        ("ann", "/design", "main"),
        ("ann", "/design/billing_complaint", ".fc-root"),
        ("ann", "/design/new", "main"),
        ("ann", "/design/billing_complaint/migrate", "main"),
        ("vic", "/approve", "main"),
        ("abe", "/audit", "main"),
        ("abe", f"/audit/case/{case_id}", "main"),
        ("abe", "/audit/process/billing_complaint", "main"),
        ("bob", "/not-allowed", "main"),
        *[("root", f"/admin?tab={tab}", "main") for tab in ("users", "sign-in", "settings", "log")],
    ]


def described(node: dict) -> str:
    """Where a violation is and why, short enough to read in a failure: the element and axe's first reason."""
    reason = node.get("failureSummary", "").splitlines()
    return f"{node['html'][:140]} ({reason[1].strip() if len(reason) > 1 else ''})"


def test_every_page_has_no_serious_accessibility_violation(app: tuple[Browser, str, str]) -> None:
    browser, url, case_id = app
    axe = Axe()
    found: dict[str, list[str]] = {}
    for who, path, drawn in pages(case_id):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        if who:
            page.goto(f"{url}/login?redirect_to={quote(path)}")
            page.get_by_label("User name").fill(who)
            page.get_by_label("Password").fill(f"{who}-demo")
            page.keyboard.press("Enter")
            page.wait_for_url(f"{url}{path.split('?')[0]}**")
        else:
            page.goto(f"{url}{path}")
        page.wait_for_selector(drawn)
        page.wait_for_load_state("networkidle")
        violations = axe.run(page).response["violations"]
        serious = [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(described(n) for n in v["nodes"][:3])
                   for v in violations if v["impact"] in SERIOUS]
        if serious:
            found[path] = serious
        context.close()
    assert found == {}, "\n".join(f"{path}:\n  " + "\n  ".join(lines) for path, lines in found.items())
