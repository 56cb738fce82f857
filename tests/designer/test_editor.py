"""The process editor: the draft (edits, history, repeating an edit on a newer version) and the editor page in
NiceGUI's user simulation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User

from codegen.layout import layout
from designer.elements.flow_canvas import FlowCanvas
from models.checks import Severity
from models.editing import HISTORY_LIMIT, Draft, EditRejected, place_nodes
from models.editing.edits import add_task_in_new_queue
from models.editing.letters import add_send_step
from models.editing.node_settings import set_sla_times
from tests.designer.helpers import open_editor_tab, saved_draft, sign_in

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(key: str) -> Draft:
    return Draft(json.loads((EXAMPLES / f"{key}.json").read_text()))


def errors_on(draft: Draft, element: str) -> list[str]:
    return [f.code for f in draft.findings() if f.element == element and f.severity is Severity.ERROR]


# The draft, without a page -----------------------------------------------------------------


def test_a_new_process_has_a_start_and_an_end_still_to_connect():
    draft = Draft.new("refund", "Refund")
    assert [(n.id, n.kind) for n in draft.bundle.nodes] == [("start", "start"), ("end", "end")]
    assert draft.errors()
    draft.add_edge("start", "end")
    assert draft.errors() == []


@pytest.mark.parametrize(("key", "name"), [("", "Refund"), ("two words", "Refund"), ("-x", "X"), ("refund", " ")])
def test_a_new_process_needs_a_usable_key_and_a_name(key, name):
    with pytest.raises(EditRejected):
        Draft.new(key, name)


def test_added_nodes_get_stable_unique_ids_and_their_required_settings():
    draft = example("move_house")
    first, second = draft.add_node("task", 100, 500), draft.add_node("task", 300, 500)
    assert (first, second) == ("task_1", "task_2")
    assert draft.bundle.node(first).queue == draft.bundle.queues[0].id
    assert draft.bundle.node(first).position.x == 100
    for kind in ("start", "automatic", "send", "decision", "parallel", "wait", "subprocess", "end"):
        node_id = draft.add_node(kind, 0, 0)
        assert draft.bundle.node(node_id).kind == kind


def test_a_task_or_send_step_is_only_added_with_a_queue_or_letter_that_exists():
    draft = Draft.new("p", "P")
    with pytest.raises(EditRejected, match="add a queue for it"):
        draft.add_node("task", 280, 80)  # no placeholder queue "q" that could get published
    with pytest.raises(EditRejected, match="create one for it"):
        draft.add_node("send", 280, 80)
    assert draft.bundle.queues == [] and draft.bundle.letters == [] and not draft.can_undo
    task = draft.apply(add_task_in_new_queue, 280, 80, "Klantenservice")
    send = draft.apply(add_send_step, 480, 80, "Bevestiging", "email", "nl")
    assert (draft.bundle.node(task).queue, draft.bundle.node(send).letter) == ("klantenservice", "bevestiging")
    assert [q.display for q in draft.bundle.queues] == ["Klantenservice"]
    assert "Beste {{ customer.name }}" in draft.bundle.letter("bevestiging").variants[0].body
    with pytest.raises(EditRejected, match="no letter 'gone'"):
        draft.add_node("send", 0, 0, letter="gone")
    assert "reference-missing" not in {f.code for f in draft.findings()}


def test_an_unconnected_task_is_an_error_until_it_is_connected():
    draft = example("move_house")
    assert draft.errors() == []
    task = draft.add_node("task", 400, 600)
    assert errors_on(draft, task)
    draft.add_edge("start_intake", task)
    end = next(n.id for n in draft.bundle.nodes if n.kind == "end")
    draft.add_edge(task, end)
    assert errors_on(draft, task) == []


def test_an_edit_the_model_refuses_changes_nothing_and_says_why():
    draft = example("move_house")
    before, revision = draft.document, draft.revision
    with pytest.raises(EditRejected, match="at most 200 characters"):
        draft.set_name("start_intake", "x" * 201)
    with pytest.raises(EditRejected, match="no node 'nope'"):
        draft.add_edge("start_intake", "nope")
    with pytest.raises(EditRejected, match="not a kind"):
        draft.add_node("teleport", 0, 0)
    with pytest.raises(EditRejected, match="only tasks have a queue"):
        draft.set_queue("start_intake", "customer_service")
    assert draft.document == before and draft.revision == revision and not draft.can_undo


def test_deleting_a_node_removes_its_edges_too():
    draft = example("move_house")
    touching = [e.id for e in draft.bundle.edges if "dec_address_updated" in (e.source, e.target)]
    draft.delete(["dec_address_updated"])
    assert draft.bundle.find_node("dec_address_updated") is None
    assert not {e.id for e in draft.bundle.edges} & set(touching)


def test_undo_and_redo_walk_the_history_and_a_new_edit_clears_redo():
    draft = example("move_house")
    original = draft.document
    draft.set_name("start_intake", "Contact")
    draft.move_node("start_intake", 0, 0)
    assert draft.undo() and draft.bundle.node("start_intake").position.x != 0
    assert draft.undo() and draft.document == original
    assert not draft.undo()
    assert draft.redo() and draft.bundle.node("start_intake").name == "Contact"
    draft.add_node("end", 0, 0)
    assert not draft.can_redo


def test_the_history_keeps_the_last_hundred_edits():
    draft = Draft.new("p", "P")
    for step in range(HISTORY_LIMIT + 5):
        draft.move_node("end", step * 20, 80)
    undone = 0
    while draft.undo():
        undone += 1
    assert undone == HISTORY_LIMIT
    assert draft.bundle.node("end").position.x == 4 * 20  # the oldest kept: before the 6th move


def test_findings_are_computed_once_per_revision():
    draft = example("move_house")
    assert draft.findings() is draft.findings()
    draft.add_node("task", 0, 0)
    assert any(f.element == "task_1" for f in draft.findings())


def test_the_layout_places_nodes_without_a_position_and_placing_them_is_undoable():
    document = json.loads((EXAMPLES / "move_house.json").read_text())
    for node in document["nodes"]:
        node.pop("position", None)
    draft = Draft(document)
    assert all(n.position is None for n in draft.bundle.nodes)
    draft.apply(place_nodes, layout(draft.bundle))
    assert all(n.position is not None for n in draft.bundle.nodes)
    assert draft.undo() and all(n.position is None for n in draft.bundle.nodes)


def test_the_last_edit_is_made_again_on_top_of_someone_elses_version():
    mine, theirs = example("move_house"), example("move_house")
    theirs.add_node("decision", 500, 500)
    mine.delete(["dec_address_updated"])
    mine.rebase(theirs.document)
    assert mine.bundle.find_node("decision_1") is not None  # their edit
    assert mine.bundle.find_node("dec_address_updated") is None  # and mine again on top
    assert mine.undo() and mine.document == theirs.document  # undo goes back to theirs, not further
    assert not mine.can_undo


def test_an_edit_that_no_longer_fits_on_their_version_leaves_theirs_and_says_why():
    mine, theirs = example("move_house"), example("move_house")
    theirs.delete(["dec_address_updated"])
    mine.set_name("dec_address_updated", "Changed?")
    with pytest.raises(EditRejected, match="no node 'dec_address_updated'"):
        mine.rebase(theirs.document)
    assert mine.document == theirs.document


def test_an_undo_is_not_repeated_on_top_of_another_version():
    mine, theirs = example("move_house"), example("move_house")
    mine.move_node("start_intake", 0, 0)
    mine.undo()
    theirs.add_node("end", 0, 0)
    with pytest.raises(EditRejected, match="undo or redo"):
        mine.rebase(theirs.document)
    assert mine.document == theirs.document and mine.last_edit is None


# The editor page ---------------------------------------------------------------------------


async def open_editor(user: User, key: str = "move_house") -> FlowCanvas:
    await open_editor_tab(user, key)
    return user.find(kind=FlowCanvas).elements.pop()


def canvas_node_ids(canvas: FlowCanvas) -> set[str]:
    return {n["id"] for n in canvas.props["nodes"]}


def error_elements(canvas: FlowCanvas) -> set[str]:
    return {f["element"] for f in canvas.props["findings"] if f["severity"] == "error"}


def publish_enabled(user: User) -> bool:
    return user.find(marker="publish").elements.pop().enabled


@pytest.mark.anyio
async def test_the_process_list_offers_to_create_a_new_process(user: User):
    await sign_in(user, "ann", "ann-demo", "/design")
    await user.should_see(marker="new-process")
    user.find(marker="new-process").click()
    await user.should_see(marker="new-key")


@pytest.mark.anyio
async def test_the_editor_shows_a_published_process_without_problems(user: User):
    canvas = await open_editor(user)
    assert "start_intake" in canvas_node_ids(canvas)
    await user.should_see("draft of published version 1; no changes yet")
    await user.should_see(marker="no-problems")
    assert not publish_enabled(user)  # nothing to publish until something changed
    user.find(marker="canvas").trigger("node_moved", {"id": "start_intake", "x": 40, "y": 260})
    await user.should_not_see("no changes yet")
    assert publish_enabled(user)


@pytest.mark.anyio
async def test_an_unconnected_task_shows_an_error_until_connected_and_blocks_publishing(user: User):
    canvas = await open_editor(user)
    user.find(marker="canvas").trigger("node_added", {"kind": "task", "x": 400, "y": 600})
    assert "task_1" in canvas_node_ids(canvas)
    await user.should_see(marker="problem-task_1")
    assert "task_1" in error_elements(canvas)
    assert not publish_enabled(user)
    await user.should_see("Task")  # the side panel shows the new, selected node
    user.find(marker="canvas").trigger("edge_added", {"source": "start_intake", "target": "task_1"})
    end = next(n["id"] for n in canvas.props["nodes"] if n["kind"] == "end")
    user.find(marker="canvas").trigger("edge_added", {"source": "task_1", "target": end})
    assert "task_1" not in error_elements(canvas)
    await user.should_not_see(marker="problem-task_1")
    user.find(marker="undo").click()
    assert "task_1" in error_elements(canvas)
    user.find(marker="redo").click()
    assert "task_1" not in error_elements(canvas)
    user.find(marker="canvas").trigger("undo")
    assert "task_1" in error_elements(canvas)
    user.find(marker="canvas").trigger("redo")
    assert "task_1" not in error_elements(canvas)


@pytest.mark.anyio
async def test_a_refused_edit_is_explained_and_changes_nothing(user: User):
    canvas = await open_editor(user)
    before = canvas.props["edges"]
    user.find(marker="canvas").trigger("edge_added", {"source": "start_intake", "target": "start_intake"})
    await user.should_see("cannot be connected to itself")
    assert canvas.props["edges"] == before


@pytest.mark.anyio
async def test_clicking_a_problem_selects_its_node_in_the_side_panel(user: User):
    await open_editor(user)
    user.find(marker="canvas").trigger("node_added", {"kind": "task", "x": 400, "y": 600})
    await user.should_see(marker="problem-task_1")
    user.find(marker="canvas").trigger("selected", {"id": None})
    await user.should_not_see(marker="selected-id")
    user.find(marker="problem-task_1").click()
    await user.should_see("Id: task_1")


@pytest.mark.anyio
async def test_renaming_a_node_in_the_side_panel_changes_the_canvas(user: User):
    canvas = await open_editor(user)
    user.find(marker="canvas").trigger("selected", {"id": "start_intake"})
    await user.should_see("Id: start_intake")
    user.find(marker="selected-name").clear().type("<b>Contact</b>").trigger("keydown.enter")
    assert next(n["name"] for n in canvas.props["nodes"] if n["id"] == "start_intake") == "<b>Contact</b>"


@pytest.mark.anyio
async def test_publishing_creates_version_2_listed_on_the_process_list(user: User):
    await open_editor(user)
    user.find(marker="canvas").trigger("node_moved", {"id": "start_intake", "x": 40, "y": 260})
    user.find(marker="publish").click()
    user.find(marker="publish-note").type("moved the start")
    user.find(marker="publish-confirm").click()
    await user.should_see("Published version 2")
    await user.should_see("draft of published version 2")
    await user.open("/design")
    table = next(t for t in user.find(kind=ui.table).elements
                 if any(r["note"] == "moved the start" for r in t.rows))
    assert table.rows[0]["number"] == 2 and table.rows[0]["author"] == "ann"


@pytest.mark.anyio
async def test_publish_does_nothing_while_errors_exist(user: User):
    await open_editor(user)
    user.find(marker="canvas").trigger("node_added", {"kind": "task", "x": 400, "y": 600})
    assert not publish_enabled(user)
    user.find(marker="publish").click()  # a disabled button in the browser; the handler refuses too
    await user.should_not_see(marker="publish-note")


@pytest.mark.anyio
async def test_the_draft_survives_a_reload_and_discard_returns_to_the_published_version(user: User):
    canvas = await open_editor(user)
    user.find(marker="canvas").trigger("node_added", {"kind": "task", "x": 400, "y": 600})
    assert saved_draft("move_house") is not None
    await user.open("/design/move_house")
    canvas = user.find(kind=FlowCanvas).elements.pop()
    assert "task_1" in canvas_node_ids(canvas)
    user.find(marker="discard").click()
    assert "task_1" not in canvas_node_ids(canvas)
    assert saved_draft("move_house") is None
    await user.open("/design/move_house")
    assert "task_1" not in canvas_node_ids(user.find(kind=FlowCanvas).elements.pop())


@pytest.mark.anyio
async def test_a_new_process_is_created_with_a_valid_key_and_opens_in_the_editor(user: User):
    await sign_in(user, "ann", "ann-demo", target="/design/new")
    await user.should_see("New process")
    user.find(marker="new-key").type("move_house")
    user.find(marker="new-name").type("Again")
    user.find(marker="new-create").click()
    await user.should_see("exists already")
    user.find(marker="new-key").clear().type("bad key")
    user.find(marker="new-create").click()
    await user.should_see("The key may hold letters")
    user.find(marker="new-key").clear().type("refund")
    user.find(marker="new-create").click()
    await user.should_see("new process, not published yet")
    canvas = user.find(kind=FlowCanvas).elements.pop()
    assert canvas_node_ids(canvas) == {"start", "end"}


@pytest.mark.anyio
async def test_discarding_the_draft_of_a_never_published_process_returns_to_the_list(user: User):
    await sign_in(user, "ann", "ann-demo", target="/design/new")
    await user.should_see(marker="new-key")
    user.find(marker="new-key").type("refund")
    user.find(marker="new-name").type("Refund")
    user.find(marker="new-create").click()
    await user.should_see("new process, not published yet")
    user.find(marker="discard").click()
    await user.should_see("Processes")
    await user.open("/design/refund")
    await user.should_see(marker="no-process")


@pytest.mark.anyio
async def test_auto_layout_places_every_node_and_can_be_undone(user: User):
    canvas = await open_editor(user)
    user.find(marker="canvas").trigger("node_moved", {"id": "start_intake", "x": 900, "y": 900})
    user.find(marker="auto-layout").click()
    start = next(n for n in canvas.props["nodes"] if n["id"] == "start_intake")
    assert (start["x"], start["y"]) != (900, 900)
    user.find(marker="undo").click()
    start = next(n for n in canvas.props["nodes"] if n["id"] == "start_intake")
    assert (start["x"], start["y"]) == (900, 900)


@pytest.mark.anyio
async def test_a_task_queue_is_chosen_from_the_process_queues(user: User):
    await open_editor(user)
    user.find(marker="canvas").trigger("node_added", {"kind": "task", "x": 400, "y": 600})
    await user.should_see(marker="selected-queue")
    queue = user.find(marker="selected-queue").elements.pop()
    assert set(queue.options) == {"customer_service", "energy_back_office", "team_leads"}
    queue.set_value("team_leads")
    saved = saved_draft("move_house")
    assert next(n for n in saved["nodes"] if n["id"] == "task_1")["queue"] == "team_leads"


@pytest.mark.anyio
async def test_an_unknown_process_says_so(user: User):
    await sign_in(user, "ann", "ann-demo", target="/design/no_such_process")
    await user.should_see(marker="no-process")


@pytest.mark.anyio
async def test_an_agent_cannot_open_the_editor(user: User):
    await sign_in(user, "bob", "bob-demo", target="/work")
    await user.should_see("Open work")
    await user.open("/design/move_house")
    await user.should_see(marker="not-allowed")
    await user.should_not_see(marker="canvas")


@pytest.mark.anyio
async def test_a_condition_is_edited_on_its_connection_and_checked_at_once(user: User):
    canvas = await open_editor(user, "billing_complaint")
    user.find(marker="canvas").trigger("selected", {"id": "f_justified"})
    await user.should_see(marker="edge-condition")
    await user.should_see(marker="name-customer.segment")  # the names a condition may use
    condition = user.find(marker="edge-condition")
    condition.clear().type("complaint_justifed").trigger("blur")
    await user.should_see(marker="problem-f_justified")
    assert "f_justified" in error_elements(canvas)
    await user.should_see("did you mean 'complaint_justified'?")
    user.find(marker="edge-condition").clear().type("complaint_justified && disputed_amount > 0").trigger("blur")
    await user.should_not_see(marker="problem-f_justified")
    saved = saved_draft("billing_complaint")
    edge = next(e for e in saved["edges"] if e["id"] == "f_justified")
    assert edge["condition"] == "complaint_justified && disputed_amount > 0"


def test_case_data_can_be_added_and_removed_and_the_checks_follow():
    draft = example("billing_complaint")
    draft.add_variable("goodwill", "money")
    assert draft.bundle.variable("goodwill").type.value == "money"
    with pytest.raises(EditRejected, match="already a variable 'goodwill'"):
        draft.add_variable("goodwill", "text")
    with pytest.raises(EditRejected, match="not a valid id or name"):
        draft.add_variable("Bad", "text", name="bad name")
    with pytest.raises(EditRejected, match="at least one option"):
        draft.add_variable("reason", "choice", [])
    assert draft.errors() == []
    draft.remove_entry("variables", "complaint_justified")  # still used by a condition and a form field
    assert {f.code for f in draft.errors()} >= {"expression-invalid", "variable-mismatch"}
    draft.undo()
    assert draft.errors() == []


@pytest.mark.anyio
async def test_the_case_data_panel_adds_a_choice_variable(user: User):
    await open_editor(user, "billing_complaint")
    user.find(marker="new-variable-label").type("Reden van contact")
    user.find(marker="new-variable").type("contact_reason")
    user.find(marker="new-variable-type").elements.pop().value = "choice"
    user.find(marker="new-variable-options").type("move, complaint")
    user.find(marker="add-variable").click()
    await user.should_see(marker="variable-contact_reason")
    user.find(marker="remove-variable-contact_reason").click()
    await user.should_not_see(marker="variable-contact_reason")


def test_queues_can_be_added_with_their_role_and_removed():
    draft = example("billing_complaint")
    draft.add_queue("retention", "Retention", "retention_team")
    assert {r.id for r in draft.bundle.roles} >= {"retention_team"}
    with pytest.raises(EditRejected, match="already a queue 'retention'"):
        draft.add_queue("retention", "Again", "agent")
    with pytest.raises(EditRejected):
        draft.add_queue("bad id!", "Bad", "agent")
    draft.remove_entry("queues", "billing")  # the investigation task still uses it
    assert "reference-missing" in {f.code for f in draft.errors()}


@pytest.mark.anyio
async def test_the_queues_panel_adds_and_removes_a_queue(user: User):
    await open_editor(user, "billing_complaint")
    user.find(marker="new-queue-name").type("Retention")
    user.find(marker="new-queue-role").clear().type("retention_team")
    user.find(marker="add-queue").click()
    await user.should_see(marker="queue-retention")
    user.find(marker="remove-queue-retention").click()
    await user.should_not_see(marker="queue-retention")


def test_a_tasks_service_level_is_set_as_people_say_it():
    draft = example("billing_complaint")
    draft.apply(set_sla_times, "task_investigate", "3 working days", "2 working days")
    sla = draft.bundle.find_node("task_investigate").sla
    assert (str(sla.target), str(sla.warning)) == ("3 working days", "2 working days")
    assert sla.escalations  # the escalations already set stay
    with pytest.raises(EditRejected, match="is not a duration"):
        draft.apply(set_sla_times, "task_investigate", "soon", "")
    draft.apply(set_sla_times, "task_investigate", "2 working days", "3 working days")
    assert "sla-invalid" in {f.code for f in draft.errors()}
    draft.apply(set_sla_times, "task_investigate", "", "")
    assert draft.bundle.find_node("task_investigate").sla is None


@pytest.mark.anyio
async def test_the_side_panel_sets_a_tasks_service_level(user: User):
    await open_editor(user, "billing_complaint")
    user.find(marker="canvas").trigger("selected", {"id": "task_investigate"})
    await user.should_see(marker="sla-target")
    user.find(marker="sla-target").clear().type("2 working days").trigger("blur")
    saved = saved_draft("billing_complaint")
    node = next(n for n in saved["nodes"] if n["id"] == "task_investigate")
    assert node["sla"]["target"] == "2 working days"


def test_root_causes_and_ad_hoc_task_types_are_added_and_removed():
    draft = example("billing_complaint")
    draft.add_entry("root_causes", {"id": "wrong_tariff_table", "label": "Wrong tariff table"})
    assert draft.bundle.root_causes[-1].label == "Wrong tariff table"
    with pytest.raises(EditRejected, match="already an entry 'wrong_tariff_table' in the root causes"):
        draft.add_entry("root_causes", {"id": "wrong_tariff_table", "label": "Again"})
    draft.add_entry("adhoc_task_types", {"id": "call_back", "name": "Call back", "queue": "nowhere"})
    assert "reference-missing" in {f.code for f in draft.errors()}  # the queue does not exist
    draft.remove_entry("adhoc_task_types", "call_back")
    assert draft.errors() == []
    with pytest.raises(EditRejected, match="no entry 'nope'"):
        draft.remove_entry("root_causes", "nope")


@pytest.mark.anyio
async def test_the_catalogue_panel_adds_a_root_cause(user: User):
    await open_editor(user, "billing_complaint")
    user.find(marker="new-root-cause").type("wrong_tariff_table")
    user.find(marker="new-root-cause-label").type("<b>Wrong</b> tariff table")
    user.find(marker="add-root-cause").click()
    await user.should_see(marker="root_causes-wrong_tariff_table")
    await user.should_see(kind=ui.label, content="<b>Wrong</b> tariff table")  # typed text stays text
    user.find(marker="remove-root_causes-wrong_tariff_table").click()
    await user.should_not_see(marker="root_causes-wrong_tariff_table")
