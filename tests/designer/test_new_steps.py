"""What the editor asks and fills in when something new is made: a step's name to type over, the letter a send step
sends, the queue of a first task, the labels of variables and queues."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from designer.elements.flow_canvas import FlowCanvas
from models.editing import Draft
from tests.designer.helpers import open_editor_tab, saved_draft, sign_in

pytestmark = pytest.mark.anyio


def canvas_node(user: User, node_id: str) -> dict:
    canvas = user.find(kind=FlowCanvas).elements.pop()
    return next(n for n in canvas.props["nodes"] if n["id"] == node_id)


def test_new_steps_are_named_by_their_kind_and_the_first_free_number():
    draft = Draft.new("p", "P")
    first = draft.add_node("decision", 0, 0)
    assert (first, draft.bundle.node(first).name) == ("decision_1", "Decision 1")
    draft.set_name("decision_1", "Decision 2")  # the owner's name keeps its number from being taken again
    second = draft.add_node("decision", 0, 0)
    assert (second, draft.bundle.node(second).name) == ("decision_3", "Decision 3")
    wait = draft.add_node("wait", 0, 0)
    assert draft.bundle.node(wait).name == "Wait 1"


async def test_a_new_steps_name_field_has_the_focus_with_its_text_selected(user: User):
    await open_editor_tab(user, "move_house")
    user.find(marker="canvas").trigger("node_added", {"kind": "decision", "x": 400, "y": 600})
    await user.should_see("Id: decision_1")
    name = user.find(marker="selected-name").elements.pop()
    assert name.value == "Decision 1" and canvas_node(user, "decision_1")["name"] == "Decision 1"
    assert name.props.get("autofocus") is True
    focus = [listener.js_handler for listener in name._event_listeners.values() if listener.type == "focus"]
    assert focus == ["(event) => event.target.select()"]  # typing replaces the name at once
    user.find(marker="selected-name").clear().type("Gas aanwezig?").trigger("keydown.enter")
    assert canvas_node(user, "decision_1")["name"] == "Gas aanwezig?"
    user.find(marker="canvas").trigger("selected", {"id": "start_intake"})
    await user.should_see("Id: start_intake")
    user.find(marker="canvas").trigger("selected", {"id": "decision_1"})  # shown again later: no focus taken
    await user.should_see("Id: decision_1")
    assert "autofocus" not in user.find(marker="selected-name").elements.pop().props


async def test_a_new_send_step_sends_a_letter_chosen_or_created_and_cancel_adds_nothing(user: User):
    await open_editor_tab(user, "move_house")
    canvas = user.find(marker="canvas")
    canvas.trigger("node_added", {"kind": "send", "x": 400, "y": 600})
    await user.should_see(marker="new-send-dialog")
    user.find(marker="new-step-cancel").click()
    assert saved_draft("move_house") is None  # nothing was added

    canvas.trigger("node_added", {"kind": "send", "x": 400, "y": 600})
    await user.should_see(marker="new-send-dialog")
    user.find(marker="new-send-letter").elements.pop().set_value("__new__")
    user.find(marker="new-step-add").click()
    await user.should_see("Name the letter")  # refused without a name; the dialog stays
    user.find(marker="send-letter-name").type("Meteropname herinnering")
    user.find(marker="send-letter-channel").elements.pop().set_value("letter")
    user.find(marker="new-step-add").click()
    await user.should_see("Id: send_1")
    saved = saved_draft("move_house")
    letter = next(item for item in saved["letters"] if item["id"] == "meteropname_herinnering")
    assert (letter["name"], letter["channel"]) == ("Meteropname herinnering", "letter")
    assert "Uw referentie: {{ case.reference }}" in letter["variants"][0]["body"]  # the process is in Dutch
    assert next(n for n in saved["nodes"] if n["id"] == "send_1")["letter"] == "meteropname_herinnering"
    await user.should_see(marker="edit-send-letter")

    canvas.trigger("node_added", {"kind": "send", "x": 600, "y": 600})
    await user.should_see(marker="new-send-dialog")
    user.find(marker="new-send-letter").elements.pop().set_value("meteropname_herinnering")
    user.find(marker="new-step-add").click()
    await user.should_see("Id: send_2")
    assert next(n for n in saved_draft("move_house")["nodes"] if n["id"] == "send_2")["letter"] == \
        "meteropname_herinnering"


async def test_the_first_task_of_a_new_process_asks_for_its_queue_by_name(user: User):
    await sign_in(user, "ann", "ann-demo", target="/design/new")
    await user.should_see("New process")
    user.find(marker="new-key").type("refund")
    user.find(marker="new-name").type("Terugbetaling")
    user.find(marker="new-create").click()
    await user.should_see(marker="canvas")
    user.find(marker="canvas").trigger("node_added", {"kind": "task", "x": 280, "y": 80})
    await user.should_see(marker="new-task-dialog")
    user.find(marker="new-queue-for-task").type("Klantenservice")
    user.find(marker="new-step-add").click()
    await user.should_see("Id: task_1")
    saved = saved_draft("refund")
    assert saved["queues"] == [{"id": "klantenservice", "name": "Klantenservice", "role": "agent"}]
    assert next(n for n in saved["nodes"] if n["id"] == "task_1")["queue"] == "klantenservice"
    user.find(marker="canvas").trigger("node_added", {"kind": "task", "x": 480, "y": 80})
    await user.should_see("Id: task_2")  # with a queue there, a task goes to it without asking
    await user.should_not_see(marker="new-task-dialog")


async def test_variables_and_queues_are_added_under_the_label_agents_read(user: User):
    await open_editor_tab(user, "billing_complaint", tab="data", shown="case-data-title")
    user.find(marker="new-variable-label").type("Bedrag goodwill")
    user.find(marker="new-variable-type").elements.pop().set_value("money")
    user.find(marker="add-variable").click()
    await user.should_see(marker="variable-bedrag_goodwill")
    await user.should_see(kind=ui.label, content="Bedrag goodwill")
    user.find(marker="new-queue-name").type("Klantbehoud")
    user.find(marker="add-queue").click()
    await user.should_see(marker="queue-klantbehoud")
    saved = saved_draft("billing_complaint")
    assert {"name": "bedrag_goodwill", "type": "money", "label": "Bedrag goodwill"} in saved["variables"]
    assert {"id": "klantbehoud", "name": "Klantbehoud", "role": "agent"} in saved["queues"]
    user.find(marker="add-variable").click()  # no label: asked for, nothing added
    await user.should_see("Give the variable a label")


async def test_root_causes_and_task_types_are_added_under_the_words_agents_read_with_queues_by_name(user: User):
    await open_editor_tab(user, "billing_complaint", tab="data", shown="root-causes-title")
    user.find(marker="add-root-cause").click()  # no label: asked for, nothing added
    await user.should_see("Give the root cause a label")
    user.find(marker="new-root-cause-label").type("Verkeerde meter gekoppeld")
    user.find(marker="add-root-cause").click()
    await user.should_see(marker="root_causes-verkeerde_meter_gekoppeld")

    await user.should_see(kind=ui.label, content="queue Debiteurenbeheer")  # 'Incasso pauzeren', not 'collections'
    queue = user.find(marker="new-task-type-queue").elements.pop()
    assert queue.options["billing_supervisors"] == "Leidinggevenden facturatie"
    queue.set_value("billing_supervisors")
    user.find(marker="new-task-type-name").type("Klant terugbellen")
    user.find(marker="add-task-type").click()
    await user.should_see(marker="adhoc_task_types-klant_terugbellen")
    await user.should_see(kind=ui.label, content="queue Leidinggevenden facturatie")
    saved = saved_draft("billing_complaint")
    assert {"id": "verkeerde_meter_gekoppeld", "label": "Verkeerde meter gekoppeld"} in saved["root_causes"]
    assert {"id": "klant_terugbellen", "name": "Klant terugbellen", "queue": "billing_supervisors"} in \
        saved["adhoc_task_types"]
