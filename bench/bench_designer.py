"""How the designer feels: re-check and save time per edit, and opening a big process in the canvas.

Run: `.venv/bin/python bench/bench_designer.py [--no-browser]`. Prints medians over repeated runs:
- per edit (move a node, which re-validates the draft and re-runs every check) on each example and on
  block-structured models of ~1,000 nodes;
- per save of an edit (`runtime.drafts.Drafts.save`: the runtime validates the document again and commits
  it as the draft's next revision in a TinyDB store, with its fdatasync), on the same models;
- the time from navigating to a 200-node process in the editor (a real `flowdesk serve` in headless
  Chromium) until its canvas shows every node.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_checks import block_structured  # noqa: E402

from models.editing import Draft  # noqa: E402
from models.serialization import bundle_document  # noqa: E402
from runtime.access import system_user  # noqa: E402
from runtime.drafts import Drafts  # noqa: E402
from runtime.service import Runtime  # noqa: E402
from runtime.storage.tinydb_store import TinyDBStore  # noqa: E402

DESIGNER = system_user("bench")


def median_ms(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def recheck_per_edit(document: dict, repeats: int = 21) -> float:
    draft = Draft(document)
    node = draft.bundle.nodes[1].id
    moves = iter(range(10**9))

    def edit_and_check() -> None:
        draft.move_node(node, 100 + next(moves) % 7 * 20, 100)
        draft.findings()

    return median_ms(edit_and_check, repeats)


def save_per_edit(document: dict, repeats: int = 21) -> float:
    """An edit saved as the editor saves it: on the revision it was made on, in a durable store."""
    with tempfile.TemporaryDirectory() as folder, TinyDBStore.open(Path(folder) / "data") as store:
        drafts = Drafts(Runtime(store))
        stored = drafts.create_from(DESIGNER, document)
        draft = Draft(stored.document)
        node = draft.bundle.nodes[1].id
        moves = iter(range(10**9))

        def edit_and_save() -> None:
            nonlocal stored
            draft.move_node(node, 100 + next(moves) % 7 * 20, 100)
            stored = drafts.save(DESIGNER, draft.key, draft.document, stored.revision)

        return median_ms(edit_and_save, repeats)


def open_in_browser(nodes: int) -> float:
    from playwright.sync_api import sync_playwright

    from tests.designer.helpers import launch_chromium, served

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        bundle = block_structured(nodes)
        with TinyDBStore.open(data) as store:  # before the app holds the store
            Drafts(Runtime(store)).create_from(DESIGNER, bundle_document(bundle))
        with served(data) as url, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1500, "height": 950})
            page.goto(f"{url}/login")
            page.get_by_label("User name").fill("ann")
            page.get_by_label("Password").fill("ann-demo")
            page.keyboard.press("Enter")
            page.get_by_text("Processes").wait_for()
            times = []
            for _ in range(5):
                page.goto("about:blank")
                began = time.perf_counter()
                page.goto(f"{url}/design/{bundle.key}")
                page.wait_for_function(f"document.querySelectorAll('[data-node-id]').length >= {len(bundle.nodes)}",
                                       timeout=60_000)
                times.append(time.perf_counter() - began)
            browser.close()
            return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true", help="skip the browser measurement")
    args = parser.parse_args()
    print("re-check per edit (move a node; validate and run every check), median ms")
    for path in sorted((ROOT / "examples").glob("*.json")):
        document = json.loads(path.read_text())
        if "customers" in document:
            continue
        print(f"  {path.stem:<22} {len(document['nodes']):>6} nodes  {recheck_per_edit(document):8.2f} ms")
    for size in (200, 1_000):
        bundle = block_structured(size)
        print(f"  {'block-structured':<22} {len(bundle.nodes):>6} nodes  "
              f"{recheck_per_edit(bundle_document(bundle), 7):8.2f} ms")
    print("save per edit (move a node; the runtime validates and commits the draft's next revision), median ms")
    for path in sorted((ROOT / "examples").glob("*.json")):
        document = json.loads(path.read_text())
        if "customers" in document:
            continue
        print(f"  {path.stem:<22} {len(document['nodes']):>6} nodes  {save_per_edit(document):8.2f} ms")
    for size in (200, 1_000):
        bundle = block_structured(size)
        print(f"  {'block-structured':<22} {len(bundle.nodes):>6} nodes  "
              f"{save_per_edit(bundle_document(bundle), 7):8.2f} ms")
    if not args.no_browser:
        print("open a 200-node process in the editor until every node is drawn, median of 5")
        print(f"  {open_in_browser(200):8.0f} ms")


if __name__ == "__main__":
    main()
