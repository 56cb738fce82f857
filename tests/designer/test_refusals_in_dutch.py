"""What a designer or agent is refused, and the numbers around it, in the reader's language: a refused step setting
names the step and the setting in words, the bench's overlap under 'only one row' names the rows by number, the
registration form's field errors, form bounds and amounts with a decimal comma, the problems list's hint without
template code, and an unknown placeholder's label. Each in Dutch and, where the English changed, in English."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nicegui import app, ui
from nicegui.testing import User

from designer import display
from models.customers import SearchField
from models.editing import Draft, EditRejected, set_node_fields
from models.editing.node_settings import set_sla_times
from models.phrases import Phrase, together
from runtime.accounts import Accounts
from runtime.customers import CustomerError, validate_new_customer
from tests.designer.helpers import open_editor_tab, saved_draft, sign_in
from tests.designer.test_i18n import read_as
from tests.people import person

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def read_dutch(user_id: str) -> None:
    Accounts(app.state.runtime).set_language(person("ann"), user_id, "nl")


async def settle() -> None:
    """Let the panels show the draft again: after an edit NiceGUI refreshes them in a background task."""
    await asyncio.sleep(0.05)


async def enter(user: User, marker: str, text: str) -> None:
    user.find(marker=marker).clear().type(text).trigger("blur")
    await settle()


async def select_step(user: User, key: str, node_id: str) -> None:
    await open_editor_tab(user, key)
    user.find(marker="canvas").trigger("selected", {"id": node_id})
    await user.should_see(marker="sla-target" if node_id.startswith("task") else "wait-mode")


# A refused step setting ------------------------------------------------------------------------------------------


def billing() -> Draft:
    return Draft(json.loads((EXAMPLES / "billing_complaint.json").read_text()))


def refusal(edit, *args) -> EditRejected:
    with pytest.raises(EditRejected) as refused:
        billing().apply(edit, *args)
    return refused.value


def test_a_refused_setting_keeps_its_english_for_the_command_line_and_is_said_in_dutch(monkeypatch):
    priority = refusal(set_node_fields, "task_investigate", {"priority": 0})
    assert str(priority) == "Step 'Klacht onderzoeken', setting 'priority': must be at least 1"
    sla = refusal(set_sla_times, "task_investigate", "5 working days", "soon")
    assert str(sla) == ("Step 'Klacht onderzoeken', setting 'Warn after': 'soon' is not a duration; write an amount "
                        "and a unit, e.g. '5 working days', '4 hours', '10 days', '30 minutes'")
    read_as(monkeypatch, "nl")
    assert display.said(priority) == "Stap 'Klacht onderzoeken', instelling 'priority': moet minstens 1 zijn"
    assert display.said(sla).startswith("Stap 'Klacht onderzoeken', instelling 'Waarschuwen na': 'soon' is geen duur")


def test_rows_are_listed_with_the_readers_joining_word(monkeypatch):
    rows = together([1, 2, 3])
    assert str(Phrase("rows {rows} all match", rows=rows)) == "rows 1, 2 and 3 all match"
    read_as(monkeypatch, "nl")
    assert display.said(rows) == "1, 2 en 3"


def test_a_bound_is_said_with_the_readers_decimal_comma(monkeypatch):
    from codegen.forms.rules import exact

    phrase = Phrase("'{field}' must be at least {minimum}", field="Bedrag", minimum=exact(0.01))
    assert str(phrase) == "'Bedrag' must be at least 0.01"
    read_as(monkeypatch, "nl")
    assert display.said(phrase) == "'Bedrag' moet minstens 0,01 zijn"


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_whatever_is_typed_as_a_service_level_a_dutch_designer_reads_its_refusal_in_dutch(typed: str):
    draft = billing()
    try:
        draft.apply(set_sla_times, "task_investigate", typed, "")
    except EditRejected as refused:
        with pytest.MonkeyPatch.context() as monkeypatch:
            read_as(monkeypatch, "nl")
            said = display.said(refused)
        assert said.startswith("Stap 'Klacht onderzoeken', instelling 'SLA-norm': ")
        assert "is not" not in said and "write" not in said  # no English left
    else:  # a duration, or nothing: an empty target removes the service level
        assert (draft.bundle.node("task_investigate").sla is None) == (not typed.strip())


def test_a_registrations_field_errors_are_phrases_said_in_dutch(monkeypatch):
    with pytest.raises(CustomerError) as refused:
        validate_new_customer({"name": "Noor", "email": "noor at example"}, customer_id="c", number="1")
    fields = refused.value.fields
    assert str(fields["email"]) == "'noor at example' is not an e-mail address; write it as name@example.nl"
    assert str(refused.value).startswith("the customer cannot be registered: email: 'noor at example' is not an "
                                         "e-mail address")
    read_as(monkeypatch, "nl")
    assert display.said(fields["email"]) == "'noor at example' is geen e-mailadres; schrijf het als naam@voorbeeld.nl"
    assert display.said(fields["address"]) == "dit is verplicht maar ontbreekt"


@pytest.mark.anyio
@pytest.mark.parametrize(("language", "typed", "refusal"), [
    ("nl", "binnenkort", "Stap 'Klacht onderzoeken', instelling 'SLA-norm': 'binnenkort' is geen duur; schrijf een "
                         "aantal en een eenheid, bijv. '5 werkdagen', '4 uur', '10 dagen', '30 minuten'"),
    ("en", "soon", "Step 'Klacht onderzoeken', setting 'SLA target': 'soon' is not a duration; write an amount and a "
                   "unit, e.g. '5 working days', '4 hours', '10 days', '30 minutes'"),
])
async def test_a_refused_duration_names_the_step_and_setting_in_the_readers_language(user: User, language: str,
                                                                                      typed: str, refusal: str):
    if language == "nl":
        read_dutch("ann")
    await select_step(user, "billing_complaint", "task_investigate")
    await enter(user, "sla-target", typed)
    await user.should_see(refusal)
    assert saved_draft("billing_complaint") is None  # nothing changed


@pytest.mark.anyio
async def test_a_zero_wait_is_refused_in_dutch(user: User):
    read_dutch("ann")
    await select_step(user, "direct_debit_switch", "wait_signed_mandate")
    await enter(user, "wait-timeout", "0 dagen")
    await user.should_see("Stap 'Wachten op ondertekende machtiging', instelling 'Time-out (optioneel)': een duur "
                          "moet meer dan nul zijn")
    assert saved_draft("direct_debit_switch") is None


@pytest.mark.anyio
@pytest.mark.parametrize(("language", "refusal"), [
    ("nl", "Formulier 'Klacht vastleggen': veld 'Betwist bedrag (incl. btw)': het minimum (0,01) is groter dan het "
           "maximum (0)"),
    ("en", "Form 'Klacht vastleggen': field 'Betwist bedrag (incl. btw)': the minimum (0.01) is more than the "
           "maximum (0)"),
])
async def test_a_fields_bounds_that_cross_are_refused_with_numbers_in_the_readers_format(user: User, language: str,
                                                                                         refusal: str):
    if language == "nl":
        read_dutch("ann")
    await open_editor_tab(user, "billing_complaint", "forms", "forms-title")
    user.find(marker="layout-disputed_amount").click()
    await user.should_see(marker="prop-max")
    user.find(marker="prop-max").clear().type("0").trigger("blur")  # its minimum is 0.01
    await user.should_see(refusal)
    assert saved_draft("billing_complaint") is None


# The decision table bench ----------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(("language", "policy", "refusal"), [
    ("nl", "Hooguit één passende rij", "beslistabel 'Afhandeling creditering' staat maar één passende rij toe, "
                                        "maar de rijen 2 en 4 passen allemaal"),
    ("en", "Only one row may match", "decision table 'Afhandeling creditering' allows only one matching row, but "
                                     "rows 2 and 4 all match"),
])
async def test_the_bench_says_which_rows_overlap_by_number_in_the_readers_language(user: User, language: str,
                                                                                   policy: str, refusal: str):
    if language == "nl":
        read_dutch("ann")
    await sign_in(user, "ann", "ann-demo", target="/design/billing_complaint")
    await user.should_see(marker="tables-title")
    select = user.find(marker="hit-policy").elements.pop()
    select.value = "UNIQUE"
    assert select.options["UNIQUE"] == policy
    user.find(marker="sample-disputed_amount").type("80.00")
    user.find(marker="sample-customer.segment").type("premium")
    user.find(marker="bench-test").click()
    await user.should_see(marker="bench-error", content=refusal)


# The intake's registration form ----------------------------------------------------------------------------------


NEW_CUSTOMER = {"name": " ", "email": "noor at example", "phone": "bel me", "address.street": "Kerkstraat",
                "address.house_number": "5", "address.postcode": "6811 DL", "address.city": "Arnhem"}


@pytest.mark.anyio
@pytest.mark.parametrize(("language", "errors"), [
    ("nl", {"email": "'noor at example' is geen e-mailadres; schrijf het als naam@voorbeeld.nl",
            "phone": "'bel me' is geen telefoonnummer; schrijf cijfers en spaties, eventueel met een + vooraan, "
                     "bijv. +31 6 1234 5678",
            "name": "mag niet leeg zijn"}),
    ("en", {"email": "'noor at example' is not an e-mail address; write it as name@example.nl",
            "phone": "'bel me' is not a phone number; write digits, spaces and an optional leading +, "
                     "e.g. +31 6 1234 5678",
            "name": "must not be empty"}),
])
async def test_the_registration_forms_field_errors_are_in_the_agents_language(user: User, language: str,
                                                                              errors: dict[str, str]):
    if language == "nl":
        read_dutch("bob")
    await sign_in(user, "bob", "bob-demo", target="/work")
    await user.open("/work/intake")
    user.find(marker="register").click()
    for path, value in NEW_CUSTOMER.items():
        user.find(marker=f"new-{path}").clear().type(value)
    user.find(marker="register-customer").click()
    for path, error in errors.items():
        await user.should_see(marker=f"new-error-{path}", content=error)
        assert user.find(marker=f"new-error-{path}").elements.pop().text == error  # the whole message, no more
    await user.should_not_see(marker="new-error-address.city")
    assert not app.state.runtime.store.find_customers(SearchField.NAME, "noor", 5)


# A task form's amount --------------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(("language", "shown"), [("nl", "80,00"), ("en", "80.00")])
async def test_a_task_forms_amount_starts_with_the_readers_decimal_separator(user: User, language: str, shown: str):
    if language == "nl":
        read_dutch("bob")
    case = app.state.runtime.store.cases()[0]
    await sign_in(user, "bob", "bob-demo", target=f"/work/case/{case.id}")
    await user.should_see(marker="form-investigation")
    assert user.find(marker="field-disputed_amount").elements.pop().value == shown
    await user.should_not_see(marker="error-disputed_amount", content="80")  # read back as the amount it was


# The problems list and the letter's chips ------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(("language", "hint", "unknown"), [
    ("nl", "Klik hier om de brief te openen en klik daar op het gemarkeerde invulveld: toon het alleen als het een "
           "waarde heeft, of geef een standaardtekst.", "gebruikt 'Klantadres stret'"),
    ("en", "Click here to open the letter, then click its placeholder, which is marked: show it only if it has a "
           "value, or give a default text.", "uses 'Customer address stret'"),
])
async def test_the_problems_list_says_what_to_do_in_words_and_names_an_unknown_placeholder_in_the_readers_words(
        user: User, language: str, hint: str, unknown: str):
    if language == "nl":
        read_dutch("ann")
    await open_editor_tab(user, "billing_complaint", "letters", "letters-title")
    user.find(marker="letter-code-body").clear().type("Beste {{ customer.address.stret }}, {{ credit_amount }}") \
        .trigger("blur")
    await user.should_see(marker="problem-complaint_received")
    await user.should_see(marker="problem-hint", content=hint)
    shown = [label.text for item in user.find(marker="problem-complaint_received").elements
             for label in item.descendants() if isinstance(label, ui.label)]
    assert any(unknown in text for text in shown)
    assert not any("{%" in text or "{{" in text for text in shown)  # no template code
