"""The editor's test-run tab in NiceGUI's user simulation: run the draft, save scenarios, re-run them after edits."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from designer.elements.flow_canvas import FlowCanvas
from runtime.drafts import Drafts
from runtime.test_run import Scenario
from tests.designer.helpers import open_editor_tab
from tests.people import person

#: The start form's fields (marked `field-<id>` by the generated form) and what the owner types.
ADDRESS = {"postcode": "3512 JK", "house_number": "5", "street": "Lange Nieuwstraat", "city": "Utrecht",
           "move_date": "2026-04-01"}
IDENTITY_CHECKS = ["name_and_number", "security_questions", "postcode_checked", "no_fraud_signals"]


async def open_test_tab(user: User, key: str = "change_of_address") -> None:
    await open_editor_tab(user, key, "test", "test-run-title")


def choose(user: User, marker: str, value: object) -> None:
    """Pick `value` in the select or checkbox (in every copy the user simulation still holds after a redraw)."""
    for element in user.find(marker=marker).elements:
        element.set_value(value)


def saved_scenarios(key: str) -> list[Scenario]:
    from designer.frame import runtime

    return Drafts(runtime()).scenarios(person("ann"), key).scenarios


def run_canvas(user: User) -> FlowCanvas:
    return user.find(marker="test-canvas").elements.pop()


async def start_address_change(user: User) -> None:
    for name, value in ADDRESS.items():
        user.find(marker=f"field-{name}").type(value)
    user.find(marker="start-test-run").click()
    await user.should_see("Identiteit controleren")


async def verify_identity(user: User) -> None:
    choose(user, "field-method", "security_questions")
    choose(user, "field-verified", True)
    for check in IDENTITY_CHECKS:
        choose(user, f"check-task_verify_identity-{check}", True)
    user.find(marker="complete-task_verify_identity").click()



async def accept_only_an_id_document(user: User) -> None:
    """On the flow tab, narrow the connection 'identity checked' to an ID document, then back to the test-run tab."""
    user.find(marker="tab-flow").click()
    user.find(marker="canvas").trigger("selected", {"id": "f_identity_ok"})
    await user.should_see(marker="edge-condition")
    user.find(marker="edge-condition").clear().type('identity_verified && identity_method == "id_document"') \
        .trigger("blur")
    user.find(marker="tab-test").click()

@pytest.mark.anyio
async def test_a_test_run_shows_tokens_tasks_decisions_letters_and_the_outcome(user: User):
    await open_test_tab(user)
    await user.should_see("Not started")
    await start_address_change(user)
    assert run_canvas(user).highlighted == ["task_verify_identity"]
    assert run_canvas(user).props["readOnly"] is True
    await user.should_see("is waiting at 'Identiteit controleren'")

    user.find(marker="complete-task_verify_identity").click()  # nothing filled in: refused, nothing changes
    await user.should_see("is required")
    assert run_canvas(user).highlighted == ["task_verify_identity"]
    await verify_identity(user)
    await user.should_see("ended at 'Adres gewijzigd'")
    assert run_canvas(user).highlighted == []
    await user.should_see("Decision 'Identiteit vastgesteld?'")
    letter = user.find(marker="test-letter-html").elements.pop()
    assert letter.props["sandbox"] == "" and "Lange Nieuwstraat" in letter.props["srcdoc"]


@pytest.mark.anyio
async def test_skip_to_the_next_timer_moves_the_sandbox_clock(user: User):
    await open_test_tab(user, "direct_debit_switch")
    user.find(marker="field-iban").type("NL91ABNA0417164300")
    user.find(marker="field-account_holder").type("S. de Vries")
    choose(user, "field-collection_day", "1")
    choose(user, "field-consent", True)
    user.find(marker="start-test-run").click()
    await user.should_see(marker="message-signed_mandate_received")
    assert run_canvas(user).highlighted == ["wait_signed_mandate"]
    await user.should_see("Time-out of the wait at 'Wachten op ondertekende machtiging'")
    user.find(marker="skip-timer").click()
    await user.should_see("Skipped to")
    await user.should_see("Decisions taken (1)")  # ten days without a reply: send a reminder?
    assert len(user.find(marker="test-letter").elements) == 2  # the mandate and the reminder
    user.find(marker="message-signed_mandate_received").click()
    await user.should_see(marker="task-task_verify_mandate")
    assert run_canvas(user).highlighted == ["task_verify_mandate"]


@pytest.mark.anyio
async def test_a_saved_scenario_is_re_run_after_each_edit_and_shows_the_new_result(user: User):
    await open_test_tab(user)
    await start_address_change(user)
    await verify_identity(user)
    await user.should_see("ended at 'Adres gewijzigd'")
    user.find(marker="scenario-name").type("Identiteit vastgesteld")
    user.find(marker="save-scenario").click()
    await user.should_see("passed: ended at 'Adres gewijzigd'")
    assert [s.name for s in saved_scenarios("change_of_address")] == ["Identiteit vastgesteld"]

    await accept_only_an_id_document(user)
    await user.should_see("failed: ended at 'Bewijs opgevraagd' instead of 'Adres gewijzigd'")
    await user.should_see(marker="test-run-stale")  # the run shown is of the draft before the edit

    user.find(marker="undo").click()
    await user.should_see("passed: ended at 'Adres gewijzigd'")
    user.find(marker="delete-scenario").click()
    await user.should_see("None yet")
    assert saved_scenarios("change_of_address") == []


@pytest.mark.anyio
async def test_a_draft_with_errors_cannot_be_test_run(user: User):
    await open_test_tab(user)
    user.find(marker="tab-flow").click()
    user.find(marker="canvas").trigger("node_added", {"kind": "task", "x": 400, "y": 600})
    user.find(marker="tab-test").click()
    await user.should_see(marker="test-run-blocked")
    await user.should_not_see(marker="start-test-run")


@pytest.mark.anyio
async def test_typed_text_is_shown_as_text_never_as_html(user: User):
    await open_test_tab(user)
    await start_address_change(user)
    user.find(marker="scenario-name").type("<b>bold</b>")
    user.find(marker="save-scenario").click()
    await user.should_see("<b>bold</b>")
    assert not [e for e in user.current_layout.descendants() if isinstance(e, (ui.html, ui.markdown))]


@pytest.mark.anyio
async def test_refused_start_data_is_explained_and_what_was_typed_stays(user: User):
    await open_test_tab(user)
    for name, value in (ADDRESS | {"postcode": "Utrecht"}).items():
        user.find(marker=f"field-{name}").type(value)
    user.find(marker="start-test-run").click()
    await user.should_see(marker="error-postcode")
    assert user.find(marker="field-street").elements.pop().value == "Lange Nieuwstraat"
    user.find(marker="field-postcode").clear().type("3512 JK")
    user.find(marker="start-test-run").click()
    await user.should_see("Identiteit controleren")
