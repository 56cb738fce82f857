"""The intake page as an agent uses it: find the caller (or register a new customer), record the contact, start
the processes that fit through their start forms, and reach each new case from the one contact."""

from __future__ import annotations

import json

import pytest
from nicegui import app
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

from models import load_bundle
from models.customers import SearchField
from runtime.service import Runtime
from tests.designer.helpers import sign_in
from tests.people import person

pytestmark = pytest.mark.anyio

REASON = "dubbele afschrijving en verhuizing"
COMPLAINT_FORM = {"invoice_number": "F2026-104299", "invoice_date": "2026-03-01", "disputed_amount": "64.20",
                  "description": "Maart twee keer afgeschreven; wil het geld terug."}
ADDRESS_FORM = {"postcode": "3512 JE", "house_number": "8", "street": "Oudegracht", "city": "Utrecht",
                "move_date": "2026-04-01"}
NEW_CUSTOMER = {"name": "Noor de Boer", "email": "noor at example", "phone": "06 2468 1357",
                "address.street": "Kerkstraat", "address.house_number": "5", "address.postcode": "6811 DL",
                "address.city": "Arnhem"}


def runtime() -> Runtime:
    return app.state.runtime


async def open_intake(user: User, name: str = "bob") -> None:
    await sign_in(user, name, f"{name}-demo", target="/work")
    await user.open("/work/intake")


def choose(user: User, marker: str, option: str) -> None:
    """Open the select marked `marker` and click its option `option`, as a person does."""
    select = user.find(marker=marker).click()  # opens the options
    UserInteraction(user, select.elements, option).click()
    (element,) = select.elements
    assert element.options[element.value] == option


def type_into(user: User, marker: str, text: str) -> None:
    user.find(marker=marker).clear().type(text)


async def find_customer(user: User, search_by: str, text: str, house_number: str = "") -> None:
    choose(user, "search-by", search_by)
    type_into(user, "search-text", text)
    if house_number:
        type_into(user, "search-house", house_number)
    user.find(marker="search").click()


async def select_sanne(user: User) -> None:
    await find_customer(user, "Phone", "06-12345678")
    user.find(marker="select-C-1001").click()
    await user.should_see(marker="card-name", content="Sanne de Vries")


def fill(user: User, form_fields: dict[str, str]) -> None:
    for field, value in form_fields.items():
        type_into(user, f"field-{field}", value)


@pytest.mark.parametrize(("search_by", "typed", "house_number"), [
    ("Phone", "06-12345678", ""),
    ("Postcode + house number", "3511ax", "112"),
    ("E-mail", "Sanne.DeVries@EXAMPLE.nl", ""),
    ("Anything (guessed)", "3511 AX 112", ""),
])
async def test_the_agent_finds_the_caller_and_sees_a_short_customer_card(user: User, search_by: str, typed: str,
                                                                         house_number: str):
    await open_intake(user)
    await find_customer(user, search_by, typed, house_number)
    await user.should_see(marker="result-C-1001")
    user.find(marker="select-C-1001").click()
    with user.scope(marker="customer-card"):
        await user.should_see("Sanne de Vries")
        await user.should_see("301001186")
        await user.should_see("sanne.devries@example.nl")
        await user.should_see("3511 AX")
    await user.should_not_see(marker="result-C-1001")


async def test_a_search_that_finds_nobody_says_so_and_suggests_registering(user: User):
    await open_intake(user)
    await find_customer(user, "Phone", "06 0000 0000")
    await user.should_see(marker="no-results", content="No customer found for '06 0000 0000'")
    await user.should_not_see(marker="card-name")


async def test_a_new_customer_with_a_wrong_field_is_registered_once_corrected_nothing_else_retyped(user: User):
    await open_intake(user)
    user.find(marker="register").click()
    for path, value in NEW_CUSTOMER.items():
        type_into(user, f"new-{path}", value)
    user.find(marker="register-customer").click()
    await user.should_see(marker="new-error-email", content="'noor at example' is not an e-mail address")
    await user.should_not_see(marker="new-error-name")
    assert not runtime().store.find_customers(SearchField.NAME, "noor", 5)
    assert user.find(marker="new-address.city").elements.pop().value == "Arnhem"  # what was typed stays

    type_into(user, "new-email", "noor@example.nl")
    user.find(marker="register-customer").click()
    await user.should_see(marker="card-name", content="Noor de Boer")
    await user.should_not_see(marker="new-error-email")
    (registered,) = runtime().store.find_customers(SearchField.NAME, "noor", 5)
    assert (registered.email, registered.address.city) == ("noor@example.nl", "Arnhem")
    with user.scope(marker="customer-card"):
        await user.should_see(registered.number)


async def test_one_phone_contact_starts_a_billing_complaint_and_an_address_change_both_linked_to_it(user: User):
    await open_intake(user)
    await select_sanne(user)
    type_into(user, "reason", REASON)
    with user.scope(marker="suggested"):
        await user.should_see(marker="fits-billing_complaint",
                              content="the reason mentions 'afschrijving'; taken on phone")
        await user.should_see(marker="fits-move_house", content="the reason mentions 'verhuizing'")
        await user.should_not_see(marker="process-change_of_address")  # its keywords are 'adres', 'postcode', ...
    with user.scope(marker="others"):
        await user.should_see(marker="pick-change_of_address", content="Adreswijziging")  # any may be started
    user.find(marker="pick-billing_complaint").click()
    user.find(marker="pick-change_of_address").click()
    fill(user, COMPLAINT_FORM)
    choose(user, "field-category", "Twee keer gefactureerd of afgeschreven")
    fill(user, ADDRESS_FORM)
    user.find(marker="start-cases").click()

    await user.should_see(marker="contact-recorded")
    (contact,) = runtime().store.contacts(customer_id="C-1001")
    assert (contact.reason, contact.channel.value, contact.direction.value, contact.agent) == (
        REASON, "phone", "in", "bob")
    cases = [runtime().store.case(case_id) for case_id in contact.case_ids]
    assert sorted(case.process_key for case in cases) == ["billing_complaint", "change_of_address"]
    for case in cases:
        assert (case.contact_id, case.customer_id) == (contact.id, "C-1001")
        link = user.find(marker=f"case-link-{case.id}").elements.pop()
        assert link.props["href"] == f"/work/case/{case.id}"
        assert link.text.endswith(f" — case {case.reference}")  # what the agent reads out to the caller
    complaint = next(case for case in cases if case.process_key == "billing_complaint")
    assert (complaint.data["invoice_number"], complaint.data["disputed_amount"],
            complaint.data["complaint_category"]) == ("F2026-104299", "64.20", "charged_twice")
    assert next(case for case in cases if case.process_key == "change_of_address").data["new_city"] == "Utrecht"
    await user.should_see(marker="outcome-worklist")


async def test_a_wrong_start_form_starts_no_case_until_corrected_and_then_records_one_contact(user: User):
    await open_intake(user)
    await select_sanne(user)
    type_into(user, "reason", REASON)
    user.find(marker="pick-billing_complaint").click()
    user.find(marker="pick-change_of_address").click()
    fill(user, COMPLAINT_FORM | {"invoice_number": "12345"})
    choose(user, "field-category", "Twee keer gefactureerd of afgeschreven")
    fill(user, ADDRESS_FORM)
    user.find(marker="start-cases").click()
    await user.should_see(marker="start-problem",
                          content="No case was started: correct the form of 'Klacht over een factuur' first")
    await user.should_see(marker="error-invoice_number")
    await user.should_see(marker="start-error-billing_complaint", content="Correct the marked fields")
    await user.should_not_see(marker="start-error-change_of_address")
    assert runtime().store.contacts(customer_id="C-1001") == []

    type_into(user, "field-invoice_number", "F2026-104299")
    user.find(marker="start-cases").click()
    await user.should_see(marker="contact-recorded")
    (contact,) = runtime().store.contacts(customer_id="C-1001")
    assert len(contact.case_ids) == 2
    assert not user.find(marker="pick-billing_complaint").elements.pop().value  # started: not started twice


async def test_a_case_the_runtime_refuses_shows_why_while_the_other_starts_and_is_retried_on_the_same_contact(
        user: User):
    await open_intake(user)
    await select_sanne(user)
    type_into(user, "reason", REASON)
    user.find(marker="pick-billing_complaint").click()
    user.find(marker="pick-change_of_address").click()
    fill(user, COMPLAINT_FORM)
    choose(user, "field-category", "Twee keer gefactureerd of afgeschreven")
    fill(user, ADDRESS_FORM)
    publish_address_change_asking_the_previous_address()  # meanwhile, a business owner publishes a new version

    user.find(marker="start-cases").click()
    await user.should_see(marker="start-error-change_of_address", content="Vorig adres")
    await user.should_see(marker="start-problem", content="Not started: Adreswijziging")
    (contact,) = runtime().store.contacts(customer_id="C-1001")
    assert [runtime().store.case(c).process_key for c in contact.case_ids] == ["billing_complaint"]
    await user.should_see(marker=f"case-link-{contact.case_ids[0]}")
    assert user.find(marker="field-street").elements.pop().value == "Oudegracht"  # the new form keeps what was typed

    type_into(user, "field-previous", "Lange Nieuwstraat 3, Utrecht")
    user.find(marker="start-cases").click()
    await user.should_see(marker="contact-recorded")
    (contact,) = runtime().store.contacts(customer_id="C-1001")
    address_change = runtime().store.case(contact.case_ids[1])
    assert (address_change.process_key, address_change.version) == ("change_of_address", 2)
    assert (address_change.data["previous_address"], address_change.data["new_street"]) == (
        "Lange Nieuwstraat 3, Utrecht", "Oudegracht")
    for case_id in contact.case_ids:
        await user.should_see(marker=f"case-link-{case_id}")


def publish_address_change_asking_the_previous_address() -> None:
    document = runtime().latest_process_version("change_of_address").bundle.model_dump(mode="json")
    form = next(form for form in document["forms"] if form["id"] == "new_address")
    form["fields"].append({"id": "previous", "kind": "text", "label": "Vorig adres", "variable": "previous_address",
                           "required": True})
    runtime().publish(person("ann"), load_bundle(json.dumps(document)), note="ask the previous address")


async def test_starting_needs_a_ticked_process_and_an_identified_or_anonymous_caller(user: User):
    await open_intake(user)
    type_into(user, "reason", "Vraag over de factuur <b>F2026-1</b>")
    user.find(marker="start-cases").click()
    await user.should_see(marker="start-problem", content="Tick the process")
    user.find(marker="pick-billing_complaint").click()
    fill(user, COMPLAINT_FORM)
    choose(user, "field-category", "Anders")
    user.find(marker="start-cases").click()
    await user.should_see(marker="start-problem", content="Find or register the customer first")

    user.find(marker="anonymous").click()
    user.find(marker="start-cases").click()
    await user.should_see(marker="contact-recorded")
    await user.should_see(marker="contact-recorded", content="an unidentified caller — Vraag over de factuur "
                                                             "<b>F2026-1</b>")  # as typed: text, not HTML
    (contact,) = runtime().store.contacts()
    assert contact.customer_id is None and len(contact.case_ids) == 1


async def test_an_empty_reason_records_nothing_and_says_why(user: User):
    await open_intake(user)
    await select_sanne(user)
    user.find(marker="pick-change_of_address").click()
    fill(user, ADDRESS_FORM)
    user.find(marker="start-cases").click()
    await user.should_see(marker="contact-problem", content="the reason is empty")
    assert runtime().store.contacts() == []
    await user.should_see(marker="field-street")  # the form and what was typed stay


async def test_the_worklist_links_to_intake(user: User):
    await sign_in(user, "bob", "bob-demo", target="/work")
    await user.open("/work")
    user.find(marker="to-intake").click()
    await user.should_see(marker="search-text")


async def test_an_auditor_may_not_open_intake(user: User):
    await sign_in(user, "abe", "abe-demo", target="/audit")
    await user.open("/work/intake")
    await user.should_see(marker="not-allowed")
    await user.should_not_see(marker="search-text")


async def test_suggestions_follow_the_channel_and_the_reason_as_they_are_entered(user: User):
    await open_intake(user)
    await select_sanne(user)
    await user.should_see(marker="no-suggestion")
    choose(user, "channel", "E-mail")
    type_into(user, "reason", "Graag automatische incasso")
    await user.should_see(marker="no-suggestion")  # switching to direct debit is offered on the phone only
    with user.scope(marker="others"):
        await user.should_see(marker="pick-direct_debit_switch")
    choose(user, "channel", "Phone")
    with user.scope(marker="suggested"):
        await user.should_see(marker="fits-direct_debit_switch", content="the reason mentions 'incasso', "
                              "'automatische incasso'; taken on phone; for consumer customers")
    await user.should_not_see(marker="no-suggestion")
