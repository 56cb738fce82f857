"""Issue 13 end to end in Chromium: version 2 with a changed letter sentence, a removed step and a new form field is
submitted by the designer, refused to its author, approved by a second person; the auditor sees the three changes
highlighted, opens a case's trail on version 1 and exports it as a file that verifies.

The designer's three edits are made through the runtime's draft use cases (the editor's own browser tests cover
editing); everything after — publishing, approving, auditing — is done in the browser by each person.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.drafts import Drafts
from runtime.exports import verify_export
from runtime.service import Runtime
from runtime.settings import change_settings
from runtime.storage.tinydb_store import TinyDBStore
from tests.designer.helpers import ARTIFACTS, launch_chromium, require_browser, served, sign_in_page
from tests.people import person

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

NEW_SENTENCE = "Wij nemen binnen drie werkdagen contact met u op."


def prepare_version_two(data: Path) -> tuple[str, str, str]:
    """Four eyes on; ann's draft of the billing complaint changes a sentence of its e-mail, removes a send step and
    adds a field to its first form. Returns the removed step and the open case (on version 1): its id and reference."""
    with TinyDBStore.open(data) as store:
        runtime = Runtime(store)
        change_settings(runtime, person("root", "admin"), four_eyes=True)
        drafts, ann = Drafts(runtime), store.user("ann")
        draft = drafts.open(ann, "billing_complaint")
        document = json.loads(json.dumps(draft.document))
        letter = next(letter for letter in document["letters"] if letter["channel"] == "email")
        letter["variants"][0]["body"] = letter["variants"][0]["body"].replace("\n\n", f"\n\n{NEW_SENTENCE} ", 1)
        document["forms"][0]["fields"].append({"id": "callback_phone", "kind": "text", "label": "Terugbelnummer",
                                               "variable": "callback_phone"})
        document["variables"].append({"name": "callback_phone", "type": "text", "label": "Terugbelnummer"})
        removed = _a_removable_step(document)
        drafts.save(ann, "billing_complaint", document, draft.revision)
        [case_id] = store.case_ids(process_key="billing_complaint")
        reference = store.case(case_id).reference
    return removed, case_id, reference


def _a_removable_step(document: dict) -> str:
    """Remove a send step whose one way in and one way out can be joined, keeping the flow sound."""
    nodes = {node["id"]: node for node in document["nodes"]}
    for node in document["nodes"]:
        ins = [e for e in document["edges"] if e["target"] == node["id"]]
        outs = [e for e in document["edges"] if e["source"] == node["id"]]
        if node["kind"] == "send" and len(ins) == 1 and len(outs) == 1 and not ins[0].get("condition"):
            ins[0]["target"] = outs[0]["target"]
            document["edges"].remove(outs[0])
            document["nodes"].remove(nodes[node["id"]])
            return node["id"]
    raise AssertionError("the billing complaint has no send step to remove")


@pytest.fixture
def app(data: Path) -> Iterator[tuple[Browser, str, str, str, str]]:
    removed, case_id, reference = prepare_version_two(data)
    with served(data) as url, sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium, url, removed, case_id, reference
        chromium.close()


def signed_in(browser: Browser, url: str, name: str, target: str) -> Page:
    page = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True).new_page()
    sign_in_page(page, url, name, target)
    return page


def test_a_second_person_approves_version_two_and_the_auditor_reviews_and_exports(app, data: Path):
    browser, url, removed, case_id, reference = app
    ARTIFACTS.mkdir(exist_ok=True)

    ann = signed_in(browser, url, "ann", "/design/billing_complaint")
    ann.get_by_role("button", name="Publish").click()
    dialog = ann.locator(".q-dialog")
    expect(dialog.get_by_text("goes live only after a second person approves it")).to_be_visible()
    ann.screenshot(path=str(ARTIFACTS / "publish_dialog.png"), full_page=True)
    expect(dialog.get_by_text("Terugbelnummer", exact=False).first).to_be_visible()  # what changes, before it goes
    expect(dialog.get_by_text("Letters, e-mails and SMS", exact=True)).to_be_visible()
    dialog.get_by_label("Note: what changed and why").fill("Zin over terugbellen, stap weg, terugbelnummer")
    dialog.get_by_role("button", name="Submit for approval").click()
    expect(ann.get_by_text("is submitted").first).to_be_visible()

    ann.goto(f"{url}/approve/billing_complaint")
    ann.get_by_role("button", name="Approve and publish").click()
    expect(ann.get_by_text("you submitted this version, so another person must approve it").first).to_be_visible()

    vic = signed_in(browser, url, "vic", "/approve/billing_complaint")
    expect(vic.get_by_text("Submitted by Ann Designer")).to_be_visible()
    vic.get_by_label("Comment (what you checked; for a rejection: why)").fill("Gecontroleerd")
    vic.get_by_role("button", name="Approve and publish").click()
    expect(vic.get_by_text("Nothing waits for approval.")).to_be_visible()

    abe = signed_in(browser, url, "abe", "/audit/process/billing_complaint")
    expect(abe.get_by_role("cell", name="vic", exact=True)).to_be_visible()  # who approved version 2
    abe.get_by_role("button", name="Show the changes").click()
    expect(abe.get_by_text(NEW_SENTENCE.split()[-1].rstrip("."), exact=False).first).to_be_visible()
    expect(abe.get_by_text(f"({removed})", exact=False).or_(abe.get_by_text(removed)).first).to_be_visible()
    expect(abe.get_by_text("Terugbelnummer", exact=False).first).to_be_visible()
    abe.screenshot(path=str(ARTIFACTS / "audit_version_diff.png"), full_page=True)

    abe.goto(f"{url}/audit/case/{case_id}")
    expect(abe.get_by_text("The trail verifies")).to_be_visible()
    expect(abe.get_by_text("version 1, content hash")).to_be_visible()
    abe.screenshot(path=str(ARTIFACTS / "audit_case_trail.png"), full_page=True)
    abe.goto(f"{url}/audit")
    expect(abe.get_by_role("link", name=reference)).to_be_visible()  # the cases found are listed
    chosen = abe.get_by_role("checkbox", name=f"Choose {reference}")
    chosen.click()
    expect(chosen).to_be_checked()  # the choice comes back from the server, later on a busy machine
    with abe.expect_download() as download:
        abe.get_by_role("button", name="Export selected (file that verifies)").click()
    exported = Path(download.value.path()).read_bytes()
    [case] = verify_export(exported).cases
    assert case.case_id == case_id
    for page in (ann, vic, abe):
        page.context.close()
