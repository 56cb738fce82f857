"""Two people on one draft, in NiceGUI's user simulation: no edit is lost, each sees who changed what and who is
there, and typed text is saved without leaving the field. (Sue acts through the runtime, as her own editor would.)"""

from __future__ import annotations

import asyncio

import pytest
from nicegui.testing import User as SimulatedUser

from designer.elements.flow_canvas import FlowCanvas
from runtime.documents import User
from runtime.drafts import Drafts
from runtime.storage.base import Changes
from tests.designer.helpers import open_editor_tab, saved_draft

SUE = User(id="sue", name="Sue Supervisor", roles=["designer"])


def drafts() -> Drafts:
    from designer.frame import runtime

    return Drafts(runtime())


def sue_saves(change) -> None:
    """Sue opens the draft, changes its document with `change` and saves it."""
    opened = drafts().open(SUE, "move_house")
    document = opened.document
    change(document)
    drafts().save(SUE, "move_house", document, opened.revision)


def node_ids(user: SimulatedUser) -> set[str]:
    return {n["id"] for n in user.find(kind=FlowCanvas).elements.pop().props["nodes"]}


def add_decision(document: dict) -> None:
    document["nodes"].append({"id": "sues_decision", "kind": "decision", "name": "Sue's decision",
                              "position": {"x": 500, "y": 500}})


@pytest.fixture
def sue() -> None:
    from designer.frame import runtime

    runtime().store.commit(Changes(users=[SUE]))


@pytest.mark.anyio
async def test_an_edit_made_on_an_older_version_is_made_again_on_top_of_the_newer_one(user: SimulatedUser, sue: None):
    await open_editor_tab(user, "move_house")
    sue_saves(add_decision)  # before Ann's editor noticed
    user.find(marker="canvas").trigger("deleted", {"ids": ["dec_address_updated"]})
    await user.should_see("Sue Supervisor changed this draft at")
    await user.should_see("your change was made again on top of theirs")
    saved = {n["id"] for n in saved_draft("move_house")["nodes"]}
    assert "sues_decision" in saved and "dec_address_updated" not in saved  # both edits survive
    assert {"sues_decision"} <= node_ids(user) and "dec_address_updated" not in node_ids(user)


@pytest.mark.anyio
async def test_an_edit_that_no_longer_fits_asks_whose_version_to_keep(user: SimulatedUser, sue: None):
    await open_editor_tab(user, "move_house")
    user.find(marker="canvas").trigger("selected", {"id": "dec_address_updated"})
    await user.should_see("Id: dec_address_updated")
    sue_saves(lambda document: document.update(
        nodes=[n for n in document["nodes"] if n["id"] != "dec_address_updated"],
        edges=[e for e in document["edges"] if "dec_address_updated" not in (e["source"], e["target"])]))
    user.find(marker="selected-name").clear().type("Renamed by Ann").trigger("keydown.enter")
    await user.should_see(marker="edit-conflict")
    await user.should_see("Your change does not fit on their version")
    assert "dec_address_updated" not in {n["id"] for n in saved_draft("move_house")["nodes"]}  # nothing lost yet
    user.find(marker="keep-mine").click()
    await user.should_not_see(marker="edit-conflict")
    kept = next(n for n in saved_draft("move_house")["nodes"] if n["id"] == "dec_address_updated")
    assert kept["name"] == "Renamed by Ann"


@pytest.mark.anyio
async def test_an_open_editor_shows_someone_elses_save_and_who_else_is_there(user: SimulatedUser, sue: None):
    await open_editor_tab(user, "move_house")
    sue_saves(add_decision)
    drafts().here(SUE, "move_house")
    await user.should_see("Sue Supervisor changed this draft at", retries=40)
    await user.should_see("Also open by Sue Supervisor", retries=40)
    assert "sues_decision" in node_ids(user)
    drafts().leave(SUE, "move_house")
    await user.should_not_see("Also open by", retries=40)


@pytest.mark.anyio
async def test_text_typed_in_a_settings_field_is_saved_without_leaving_it(user: SimulatedUser):
    await open_editor_tab(user, "move_house")
    user.find(marker="canvas").trigger("selected", {"id": "start_intake"})
    await user.should_see("Id: start_intake")
    user.find(marker="selected-description").type("Typed, not yet left")  # no blur, no Enter
    for _ in range(40):
        await asyncio.sleep(0.1)  # the page's timer saves half a second after the last keystroke
        document = saved_draft("move_house")
        if document is not None:
            break
    assert document is not None, "the typed text was not saved"
    start = next(n for n in document["nodes"] if n["id"] == "start_intake")
    assert start["description"].endswith("Typed, not yet left")
