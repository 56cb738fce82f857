"""The process list (/design): export, import, duplicate, and drafts of processes never published."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User

from codegen.interchange import EXPORT_FORMATS, read_files
from designer.api.processes import ExportFormatName
from designer.elements.flow_canvas import FlowCanvas
from models.editing import EditRejected, copy_as, new_process
from models.serialization import bundle_document, dump_bundle, load_bundle
from runtime.drafts import Drafts
from tests.designer.helpers import saved_draft, sign_in
from tests.people import person
from tests.test_interchange_cli import CLAIM, TABLES

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def published_text(key: str) -> str:
    """What export must give for a seeded example never republished: `dump_bundle` of that bundle."""
    return dump_bundle(load_bundle((EXAMPLES / f"{key}.json").read_text()))


async def upload(user: User, name: str, data: bytes, *more: tuple[str, bytes]) -> None:
    """Files dropped on the Import box together, as the browser sends them."""
    element = user.find(kind=ui.upload).elements.pop()
    await element.handle_uploads([SmallFileUpload(file, "application/octet-stream", content)
                                  for file, content in [(name, data), *more]])


# Without a page -------------------------------------------------------------------------------


def test_copy_as_changes_only_key_and_name_and_checks_them():
    original = new_process("refund", "Refund")
    copy = copy_as(original, "refund_b2b", "Refund B2B")
    assert copy == original | {"key": "refund_b2b", "name": "Refund B2B"}
    assert original["key"] == "refund"
    with pytest.raises(EditRejected):
        copy_as(original, "two words", "X")
    with pytest.raises(EditRejected):
        copy_as(original, "x", " ")


def drafts_saved() -> list[str]:
    from designer.frame import runtime

    return [draft.key for draft in Drafts(runtime()).drafts(person("ann"))]


# Export ---------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(("language", "words"), [
    ("en", ["A process file: bundle (.json), BPMN (.bpmn) or DMN (.dmn): drop it here, or click to choose",
            "At most 5 MB"]),
    ("nl", ["Een procesbestand: bundel (.json), BPMN (.bpmn) of DMN (.dmn): sleep het hierheen, of klik om te kiezen",
            "Hoogstens 5 MB"]),
])
async def test_the_import_area_says_what_to_drop_in_the_readers_language(user: User, language: str,
                                                                         words: list[str]):
    from nicegui import app

    from runtime.accounts import Accounts

    Accounts(app.state.runtime).set_language(person("ann"), "ann", language)
    await sign_in(user, "ann", "ann-demo", target="/design")
    await user.should_see(marker="import")
    header = user.find(marker="import").elements.pop().slots["header"].template
    assert [text for text in words if text not in header] == []


@pytest.mark.anyio
async def test_export_downloads_the_exact_bundle_text(user: User):
    await sign_in(user, "ann", "ann-demo", "/design")
    await user.should_see(marker="export-move_house-json")
    user.find(marker="export-move_house-json").click()
    response = await user.download.next()
    assert response.text == published_text("move_house")


@pytest.mark.anyio
async def test_the_bundle_api_returns_the_same_text_and_refuses_agents(user: User):
    client = user.http_client
    assert (await client.post("/api/session", json={"user": "ann", "password": "ann-demo"})).status_code == 200
    response = await client.get("/api/v1/processes/move_house/bundle")
    assert response.status_code == 200
    assert response.text == published_text("move_house")
    assert response.headers["content-type"].startswith("application/json")
    assert (await client.get("/api/v1/processes/no_such/bundle")).status_code == 404
    assert (await client.post("/api/session", json={"user": "bob", "password": "bob-demo"})).status_code == 200
    assert (await client.get("/api/v1/processes/move_house/bundle")).status_code == 403


@pytest.mark.anyio
async def test_export_offers_bpmn_that_imports_back_as_the_same_bundle(user: User):
    await sign_in(user, "ann", "ann-demo", "/design")
    await user.should_see(marker="export-billing_complaint-bpmn")
    user.find(marker="export-billing_complaint-bpmn").click()
    response = await user.download.next()
    [imported] = read_files([("billing_complaint.bpmn", response.content)], {}).drafts
    assert imported.document == bundle_document(load_bundle(published_text("billing_complaint")))
    user.find(marker="export-change_of_address-dmn").click()
    await user.should_see("Not exported: process 'change_of_address' has no decision tables to export")


@pytest.mark.anyio
async def test_the_export_api_writes_every_format_and_names_a_missing_one(user: User):
    client = user.http_client
    assert (await client.post("/api/session", json={"user": "ann", "password": "ann-demo"})).status_code == 200
    bpmn = await client.get("/api/v1/processes/billing_complaint/export", params={"format": "bpmn"})
    assert bpmn.status_code == 200
    assert 'filename="billing_complaint.bpmn"' in bpmn.headers["content-disposition"]
    assert (await client.get("/api/v1/processes/billing_complaint/export")).text == published_text("billing_complaint")
    assert (await client.get("/api/v1/processes/change_of_address/export", params={"format": "dmn"})).status_code == 404
    wrong = await client.get("/api/v1/processes/move_house/export", params={"format": "pdf"})
    assert wrong.status_code == 422
    assert "format" in wrong.text
    assert set(get_args(ExportFormatName)) == set(EXPORT_FORMATS)


# Import ---------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_bpmn_file_is_reported_before_its_draft_is_created(user: User):
    await sign_in(user, "ann", "ann-demo", "/design")
    await user.should_see(marker="import")
    await upload(user, "claim.bpmn", CLAIM, ("route.dmn", TABLES))
    await user.should_see(marker="import-report")
    await user.should_see("process 'claim' — ")
    rows = [row for table in user.find(marker="import-report-entries").elements for row in table.rows]
    odd = next(row for row in rows if row["element"] == "odd")
    assert (odd["outcome"], odd["name"]) == ("not imported", "Odd gateway")
    assert "inclusive gateway" in odd["detail"]
    assert any(row["outcome"] == "imported" and row["element"] == "route_claim" for row in rows)
    assert drafts_saved() == []  # nothing before the user accepts
    user.find(marker="import-accept").click()
    await user.should_see("new process, not published yet")
    assert [t["id"] for t in saved_draft("claim")["decision_tables"]] == ["route_claim", "total"]


@pytest.mark.anyio
async def test_an_unreadable_bpmn_file_is_named_and_nothing_can_be_accepted(user: User):
    await sign_in(user, "ann", "ann-demo", "/design")
    await user.should_see(marker="import")
    await upload(user, "bomb.bpmn", b'<!DOCTYPE d [<!ENTITY x "y">]><definitions>&x;</definitions>',
                 ("claim.bpmn", CLAIM))
    await user.should_see(marker="import-unread")
    assert "bomb.bpmn cannot be read" in user.find(marker="import-unread").elements.pop().text
    await user.should_not_see(marker="import-accept")
    user.find(marker="import-cancel").click()
    assert drafts_saved() == []




@pytest.mark.anyio
async def test_importing_a_broken_file_shows_every_problem_and_creates_nothing(user: User):
    await sign_in(user, "ann", "ann-demo", "/design")
    await user.should_see(marker="import", retries=30)  # signing in redirects; slower on a busy machine
    document = json.loads((EXAMPLES / "move_house.json").read_text()) | {"key": "imported"}
    document["nodes"][1]["kind"] = "teleport"
    document["nodes"][0]["<b>odd</b>"] = 1
    await upload(user, "imported.json", json.dumps(document).encode())
    await user.should_see(marker="import-problems")
    shown = [label.text for label in user.find(marker="import-problem").elements]
    assert any(s.startswith("nodes[1].kind: 'teleport' is not a kind Flowdesk knows") for s in shown)
    assert any(s.startswith('nodes[0]["<b>odd</b>"]: is not a setting') for s in shown)  # as text, not HTML
    assert all(isinstance(label, ui.label) for label in user.find(marker="import-problem").elements)
    await upload(user, "cut.json", b'{"key": "imported", "nodes": [')
    await user.should_see("the file seems to be cut off")
    assert drafts_saved() == []


@pytest.mark.anyio
async def test_importing_a_good_file_creates_its_draft_and_opens_the_editor(user: User):
    await sign_in(user, "ann", "ann-demo", "/design")
    await user.should_see(marker="import", retries=30)  # signing in redirects; slower on a busy machine
    document = json.loads((EXAMPLES / "move_house.json").read_text()) | {"key": "imported", "name": "Imported"}
    await upload(user, "imported.json", json.dumps(document).encode())
    await user.should_see("new process, not published yet")
    assert "start_intake" in {n["id"] for n in user.find(kind=FlowCanvas).elements.pop().props["nodes"]}
    assert saved_draft("imported")["name"] == "Imported"
    await user.open("/design")
    await user.should_see(marker="draft-imported")
    await upload(user, "imported.json", json.dumps(document | {"name": "Again"}).encode())
    await user.should_see("there is a draft of 'imported' already (saved by Ann Designer at")
    assert saved_draft("imported")["name"] == "Imported"


@pytest.mark.anyio
async def test_importing_a_published_process_makes_a_draft_of_its_next_version(user: User):
    await sign_in(user, "ann", "ann-demo", "/design")
    await user.should_see(marker="import", retries=30)  # signing in redirects; slower on a busy machine
    document = json.loads((EXAMPLES / "move_house.json").read_text()) | {"name": "Moving house, revised"}
    await upload(user, "move_house.json", json.dumps(document).encode())
    await user.should_see("draft of published version 1")
    assert saved_draft("move_house")["name"] == "Moving house, revised"


# Duplicate ------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_duplicate_creates_a_draft_of_the_copy_and_refuses_a_taken_key(user: User):
    await sign_in(user, "ann", "ann-demo", "/design")
    await user.should_see(marker="duplicate-move_house")
    user.find(marker="duplicate-move_house").click()
    await user.should_see(marker="duplicate-key")
    user.find(marker="duplicate-key").clear().type("billing_complaint")
    user.find(marker="duplicate-create").click()
    await user.should_see("exists already")
    user.find(marker="duplicate-key").clear().type("bad key")
    user.find(marker="duplicate-create").click()
    await user.should_see("The key may hold letters")
    assert drafts_saved() == []
    user.find(marker="duplicate-key").clear().type("move_office")
    user.find(marker="duplicate-name").clear().type("Moving office")
    user.find(marker="duplicate-create").click()
    await user.should_see("new process, not published yet")
    copy = saved_draft("move_office")
    original = bundle_document(load_bundle((EXAMPLES / "move_house.json").read_text()))
    assert (copy["key"], copy["name"]) == ("move_office", "Moving office")
    assert copy["nodes"] == original["nodes"]
    await user.open("/design")
    await user.should_see(marker="draft-move_office")
    user.find(marker="duplicate-move_house").click()
    user.find(marker="duplicate-key").clear().type("move_office")
    user.find(marker="duplicate-create").click()
    await user.should_see("exists already")


# Drafts of processes never published ---------------------------------------------------------


@pytest.mark.anyio
async def test_a_draft_only_process_is_listed_with_its_name_as_text(user: User):
    from designer.frame import runtime

    Drafts(runtime()).create_from(person("ann"), new_process("refund", "<i>Refund</i>"))
    await sign_in(user, "ann", "ann-demo", "/design")
    await user.should_see(marker="draft-refund")
    await user.should_see("<i>Refund</i> (refund)")
    await user.should_see("draft, not published")
    user.find(marker="edit-refund").click()
    await user.should_see("new process, not published yet")
    await user.should_see("Edit process <i>Refund</i>")  # the name the draft was given, as text, not its key


@pytest.mark.anyio
async def test_the_editor_of_a_published_process_is_titled_with_its_published_name(user: User):
    from designer.frame import runtime

    drafts = Drafts(runtime())
    renamed = drafts.open(person("ann"), "move_house").document | {"name": "Verhuizing (nieuw)"}
    drafts.create_from(person("ann"), renamed)  # a draft of the next version with another name
    await sign_in(user, "ann", "ann-demo", "/design/move_house")
    await user.should_see(marker="canvas", retries=50)
    await user.should_see("Edit process Verhuizing energiecontract")


@pytest.mark.anyio
async def test_an_agent_cannot_open_the_process_list(user: User):
    await sign_in(user, "bob", "bob-demo", target="/work")
    await user.should_see("Open work")
    await user.open("/design")
    await user.should_see(marker="not-allowed")
    await user.should_not_see(marker="import")
