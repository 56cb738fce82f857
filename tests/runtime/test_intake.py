"""Intake: which processes fit a contact and why; cases started from a contact link both ways."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from models import Bundle, load_bundle
from models.customers import Customer, Segment
from models.nodes import Channel
from runtime.customers import CustomerNotFound, HttpCustomers
from runtime.documents import Contact
from runtime.errors import NotFound
from runtime.intake import CaseRequest, Intake, IntakeError, suggest_processes
from runtime.storage.base import Changes
from tests.people import person
from tests.runtime import back_office
from tests.runtime.builders import end, process, start, task
from tests.runtime.conftest import Harness

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SAMPLES = json.loads((EXAMPLES / "customers.json").read_text())["customers"]
PROCESSES = [load_bundle((EXAMPLES / f"{key}.json").read_text()) for key in
             ("billing_complaint", "card_activation", "change_of_address", "direct_debit_switch", "move_house")]


def customer(segment: Segment = Segment.CONSUMER) -> Customer:
    return Customer.model_validate(SAMPLES[0]).model_copy(update={"segment": segment})


def contact(reason: str, channel: Channel = Channel.PHONE, note: str = "") -> Contact:
    return Contact(id="contact-1", customer_id="C-1001", channel=channel, reason=reason, note=note, agent="ann",
                   at=datetime(2026, 3, 2, 9, tzinfo=UTC))


def suggested(reason: str, channel: Channel = Channel.PHONE, segment: Segment = Segment.CONSUMER,
              note: str = "") -> list[str]:
    return [s.process_key for s in suggest_processes(contact(reason, channel, note), customer(segment), PROCESSES)]


# Suggestions --------------------------------------------------------------------------------------


def test_the_process_whose_keywords_the_reason_mentions_comes_first_with_its_reasons():
    (first, *rest) = suggest_processes(contact("Ik ga verhuizen en wil mijn energiecontract meenemen"),
                                       customer(), PROCESSES)
    assert first.process_key == "move_house"
    assert tuple(map(str, first.reasons)) == ("the reason mentions 'verhuizen', 'energiecontract'", "taken on phone",
                             "for consumer customers")
    assert first.start_node == "start_intake"
    assert [s.process_key for s in rest] == []  # the other processes have keywords the reason does not mention


def test_keywords_match_the_start_of_words_whatever_their_case_or_accents():
    assert suggested("VERHUIS volgende maand") == ["move_house"]
    assert suggested("De jaarafrekening is véél te hoog") == ["billing_complaint"]
    assert suggested("klacht", note="over de factuur van maart") == ["billing_complaint"]
    assert suggested("gedoe met de verhuurder") == []  # 'verhuis' does not match inside another word


def test_more_matching_keywords_rank_higher():
    ranked = suggest_processes(contact("Nieuw adres na verhuizing, factuur klopt ook niet, te hoog bedrag"),
                               customer(), PROCESSES)
    assert [(s.process_key, s.score) for s in ranked] == [
        ("billing_complaint", 3 * 3 + 1), ("change_of_address", 3 * 2 + 2), ("move_house", 3 * 1 + 2)]


def test_a_process_is_only_suggested_on_its_channels():
    assert suggested("Graag automatische incasso", Channel.PHONE) == ["direct_debit_switch"]
    assert suggested("Graag automatische incasso", Channel.EMAIL) == []


def test_a_process_is_only_suggested_for_its_customer_segments():
    assert suggested("Graag automatische incasso", segment=Segment.PREMIUM) == ["direct_debit_switch"]
    assert suggested("Graag automatische incasso", segment=Segment.SMALL_BUSINESS) == []
    unknown_caller = contact("Graag automatische incasso")
    assert [s.process_key for s in suggest_processes(unknown_caller, None, PROCESSES)] == ["direct_debit_switch"]


def test_a_process_without_intake_rules_is_suggested_on_its_intake_channels_only():
    bare = process("callback", nodes=[start("s", trigger="intake", channels=["sms"]), end()], flow="s>e")
    manual = process("manual", nodes=[start("s"), end()], flow="s>e")
    found = suggest_processes(contact("wat dan ook", Channel.SMS), customer(), [bare, manual, *PROCESSES])
    assert [(s.process_key, tuple(map(str, s.reasons)), s.start_node) for s in found] == [
        ("callback", ("taken on sms",), "s")]


# Recording contacts and starting cases ------------------------------------------------------------


def two_processes(harness: Harness) -> Intake:
    runtime = harness.runtime
    runtime.store.commit(Changes(customers=[Customer.model_validate(c) for c in SAMPLES]))
    runtime.publish(person("owner"), process("complaint", nodes=[start("s", trigger="intake", channels=["phone",
                                                                                                        "email"]),
                                                task("review"), end()], flow="s>review review>e",
                            variables={"amount": "money"},
                            intake={"keywords": ["klacht"]}))
    runtime.publish(person("owner"), process("payment_plan", nodes=[start("s"), task("arrange"), end()],
                                             flow="s>arrange arrange>e",
                            intake={"keywords": ["betalingsregeling"]}))
    return Intake(runtime)


def test_two_cases_started_from_one_contact_link_both_ways(harness: Harness):
    intake = two_processes(harness)
    contact = intake.record_contact(person("ann"), customer_id="C-1001", channel="phone", direction="in",
                                    reason="Klacht over de factuur", note="Wil ook een betalingsregeling")
    assert [s.process_key for s in intake.suggestions(person("ann"), contact)] == ["complaint", "payment_plan"]
    cases = intake.start_cases(person("ann"), contact.id, [CaseRequest("complaint", {"amount": "120.50"}),
                                            CaseRequest("payment_plan")])
    store = harness.restart().store
    stored = store.contact(contact.id)
    assert stored.case_ids == [case.id for case in cases]
    assert (stored.reason, stored.note, stored.agent, stored.channel) == (
        "Klacht over de factuur", "Wil ook een betalingsregeling", "ann", Channel.PHONE)
    for case in cases:
        assert (store.case(case.id).contact_id, store.case(case.id).customer_id) == (contact.id, "C-1001")
    assert [c.id for c in store.contacts(customer_id="C-1001")] == [contact.id]
    assert store.case(cases[0].id).data["amount"] == "120.50"


def test_a_case_that_cannot_start_leaves_the_ones_before_it_and_says_so(harness: Harness):
    intake = two_processes(harness)
    contact = intake.record_contact(person("ann"), customer_id="C-1002", channel="email", reason="Klacht")
    with pytest.raises(IntakeError, match=r"cannot start 'nope' from contact .*no published version "
                                          r"\(already started: case-"):
        intake.start_cases(person("ann"), contact.id, [CaseRequest("complaint"), CaseRequest("nope")])
    assert len(harness.store.contact(contact.id).case_ids) == 1


def test_a_contact_needs_a_reason_a_known_channel_and_a_known_customer(harness: Harness):
    intake = two_processes(harness)
    with pytest.raises(IntakeError, match="the reason is empty"):
        intake.record_contact(person("ann"), customer_id="C-1001", channel="phone", reason="  ")
    with pytest.raises(IntakeError, match="'fax' is not a valid Channel; use a channel of phone, email"):
        intake.record_contact(person("ann"), customer_id="C-1001", channel="fax", reason="Klacht")
    with pytest.raises(IntakeError, match="the note has 20,001 characters; keep it to 20,000"):
        intake.record_contact(person("ann"), customer_id="C-1001", channel="phone", reason="Klacht", note="x" * 20_001)
    with pytest.raises(CustomerNotFound, match="C-9999"):
        intake.record_contact(person("ann"), customer_id="C-9999", channel="phone", reason="Klacht")
    assert harness.store.contacts() == []
    with pytest.raises(NotFound, match="no contact 'contact-x'"):
        intake.start_cases(person("ann"), "contact-x", [CaseRequest("complaint")])


def test_a_caller_who_stays_anonymous_can_still_get_a_case(harness: Harness):
    intake = two_processes(harness)
    contact = intake.record_contact(person("ann"), customer_id=None, channel="phone", reason="Klacht")
    (case,) = intake.start_cases(person("ann"), contact.id, [CaseRequest("complaint")])
    assert case.customer_id is None and harness.store.contact(contact.id).case_ids == [case.id]


def test_a_back_office_customer_is_copied_so_the_case_can_read_it(harness: Harness):
    intake = two_processes(harness)
    bundle: Bundle = intake.runtime.latest_process_version("complaint").bundle
    assert bundle.intake is not None
    with back_office.serve([SAMPLES[3] | {"id": "CRM-77"}]) as url:
        directory = HttpCustomers({"get": f"{url}/customers/{{id}}"}, timeout=2)
        intake = Intake(intake.runtime, directory)
        contact = intake.record_contact(person("ann"), customer_id="CRM-77", channel="phone", reason="Klacht")
        (case,) = intake.start_cases(person("ann"), contact.id, [CaseRequest("complaint")])
        directory.close()
    assert harness.store.customer("CRM-77").segment is Segment.SMALL_BUSINESS
    assert case.customer_id == "CRM-77"


# Start forms ------------------------------------------------------------------------------------------


def test_the_start_form_is_the_channels_start_form_reading_declared_defaults_and_the_customer(harness: Harness):
    runtime = harness.runtime
    runtime.store.commit(Changes(customers=[Customer.model_validate(c) for c in SAMPLES]))
    billing, activation = PROCESSES[0], PROCESSES[1]
    for bundle in (billing, activation):
        runtime.publish(person("owner"), bundle)
    intake = Intake(runtime)
    startable = intake.startable(person("ann"))
    assert [bundle.key for bundle in startable] == ["billing_complaint"]  # card activation: by message
    start_form = intake.start_form(person("ann"), "billing_complaint", Channel.PHONE, "C-1001")
    assert start_form is not None and start_form.form.id == "complaint_intake"
    assert start_form.values["complaint_justified"] is False  # the declared default
    assert start_form.values["customer"]["name"] == "Sanne de Vries"
    assert start_form.version.version.process_key == "billing_complaint"
    assert intake.start_form(person("ann"), "card_activation", Channel.PHONE, None) is None  # its start has no form
    assert intake.start_form(person("ann"), "nope", Channel.PHONE, None) is None
