"""Every example process, driven to each of its outcomes through the `Runtime` API only.

Each row is a `runtime.test_run.Scenario` (the one scenario type the designer's
test-run and the engine bench use too): the customer, the start data, the
actions an agent or the outside world takes (complete a task, a message
arrives, time passes) and the end it must reach; beside it the letters,
e-mails, SMS and back-office requests that must be in the outbox afterwards. A
meta-test makes sure the table reaches every end node of every example.
"""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from models import load_bundle
from models.customers import Customer
from runtime.clock import ManualClock
from runtime.documents import CaseStatus, WorkItem, WorkItemStatus
from runtime.errors import DataError, EngineError
from runtime.service import Runtime
from runtime.storage.base import Changes, WorkQuery
from runtime.storage.memory import MemoryStore
from runtime.test_run import Action, Outcome, Scenario, ScenarioRun
from tests.people import AUDITOR, person
from tests.runtime.builders import decision, end, process, start, task
from tests.runtime.conftest import MONDAY_9_AMSTERDAM, Harness
from tests.runtime.test_metrics import facts_from_the_whole_trail

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: Called processes first: move_house calls change_of_address.
PUBLISH_ORDER = ["change_of_address", "move_house", "billing_complaint", "card_activation", "direct_debit_switch"]
AGENT = "agent-ann"


def bundle(key: str):
    return load_bundle((EXAMPLES / f"{key}.json").read_text(encoding="utf-8"))


def sample_customers() -> dict[str, Customer]:
    document = json.loads((EXAMPLES / "customers.json").read_text(encoding="utf-8"))
    return {c["id"]: Customer.model_validate(c) for c in document["customers"]}


# Rows ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """A scenario of an example process, and what it must leave behind besides reaching its end."""

    scenario: Scenario
    #: (channel, letter id) of each message to the customer; (connector, name) for back-office requests
    outbox: tuple[tuple[str, str], ...]
    child_end: str | None = None  # the end node a subprocess must reach
    body_contains: tuple[str, ...] = ()  # text that must appear in some letter/e-mail/SMS
    data: dict[str, Any] = field(default_factory=dict)  # case data the outcome must show

    @property
    def process(self) -> str:
        return self.scenario.actions[0].process

    @property
    def end(self) -> str:
        return self.scenario.expected.end

    @property
    def customer(self) -> str:
        return str(self.scenario.customer_id)


def example(name: str, process: str, customer: str, start: dict[str, Any], steps: tuple[Action, ...], *,
            end: str, outbox: tuple[tuple[str, str], ...], **expected: Any) -> Example:
    scenario = Scenario(name=name, customer=sample_customers()[customer].model_dump(mode="json"),
                        actions=[Action(kind="start", process=process, data=start), *steps],
                        expected=Outcome(status="ended", end=end))
    return Example(scenario, outbox, **expected)


def completed(node: str, data: dict[str, Any]) -> Action:
    """An agent completes the open task at `node` (in the case or a subprocess of it), ticking its whole checklist."""
    [(process, found)] = [(key, n) for key in PUBLISH_ORDER for n in bundle(key).nodes if n.id == node]
    return Action(kind="complete", process=process, node=node, data=data, checklist=[c.id for c in found.checklist])


def message(name: str) -> Action:
    """A message (e.g. the scanned mandate) arrives for the case."""
    return Action(kind="message", message=name)


def wait(days: int) -> Action:
    """Time passes; the scheduler fires what fell due."""
    return Action(kind="wait", wait=timedelta(days=days))


#: Bug: a variable's declared `default` is never applied, so `reminders_sent` (default 0) has no value when
#: the first 10-day timeout fires and `reminders_sent < 2` stops the case with an incident.


COMPLAINT = {"invoice_number": "F2026-104233", "invoice_date": "2026-02-01", "complaint_category": "charged_twice",
             "complaint_description": "Het bedrag is twee keer afgeschreven; de klant wil het terug."}
NEW_ADDRESS = {"new_street": "Lange Nieuwstraat", "new_house_number": "12A", "new_postcode": "3512 PH",
               "new_city": "Utrecht", "move_date": "2026-04-01"}
MOVE = NEW_ADDRESS | {"dwelling_type": "apartment", "household_size": 2, "has_gas": True,
                      "reading_old_normal": 40213, "reading_old_low": 31877, "reading_old_gas": 8123}
CONNECTION = {"grid_operator": "stedin", "ean_electricity": "871687120000000012", "has_gas": True,
              "ean_gas": "871687120000000029"}
CARD = {"card_last_digits": "4821", "card_type": "debit", "device_registered": True,
        "address_changed_recently": False, "failed_attempts": 0}
MANDATE = {"iban": "NL74INGB1662318049", "account_holder": "Emma Jansen", "collection_day": "15",
           "verbal_consent": True}
MANDATE_OK = {"signature_present": True, "iban_matches": True, "account_holder_matches": True}
MANDATE_UNSIGNED = {"signature_present": False, "iban_matches": True, "account_holder_matches": True,
                    "verification_notes": "De machtiging is niet ondertekend."}
VERIFIED = {"identity_method": "security_questions", "identity_verified": True,
            "identity_notes": "Geboortedatum en IBAN klopten"}
NOT_VERIFIED = {"identity_method": "not_possible", "identity_notes": "Kon de controlevragen niet beantwoorden"}

EXAMPLES_RUN = [
    # change_of_address --------------------------------------------------------------------------
    example("address changed", "change_of_address", "C-1001", NEW_ADDRESS,
             (completed("task_verify_identity", VERIFIED),), end="end_changed",
             outbox=(("connector", "crm.update_address"), ("letter", "address_confirmation")),
             data={"address_updated": True, "previous_address": "Oudegracht 112, 3511 AX Utrecht",
                   "address_updated_on": "2026-03-02"}),
    example("address not changed, proof requested", "change_of_address", "C-1005", NEW_ADDRESS,
             (completed("task_verify_identity", NOT_VERIFIED),), end="end_proof_requested",
             outbox=(("letter", "proof_of_identity_request"),)),
    # move_house (calls change_of_address) ----------------------------------------------------------
    example("moved", "move_house", "C-1006", MOVE,
             (completed("task_verify_identity", VERIFIED), completed("task_new_connection", CONNECTION)),
             end="end_moved", child_end="end_changed",
             outbox=(("connector", "crm.update_address"), ("letter", "address_confirmation"),
                     ("connector", "energy.end_supply"),
                     ("connector", "energy.start_supply"), ("connector", "billing.set_monthly_advance"),
                     ("letter", "move_confirmation")),
             data={"address_updated": True, "old_supply_ended": True, "new_supply_started": True,
                   "monthly_advance": "110.00"}),
    example("move on hold, identity not established", "move_house", "C-1008", MOVE,
             (completed("task_verify_identity", NOT_VERIFIED),), end="end_on_hold", child_end="end_proof_requested",
             outbox=(("letter", "proof_of_identity_request"),)),
    # billing_complaint ----------------------------------------------------------------------------
    example("small amount credited at once", "billing_complaint", "C-1001",
             COMPLAINT | {"disputed_amount": "30.00"},
             (completed("task_investigate", {"complaint_justified": True,
                                        "investigation_findings": "Incasso van februari staat er twee keer in."}),),
             end="end_credited",
             outbox=(("email", "complaint_received"), ("connector", "billing.book_credit_note"),
                     ("letter", "credit_note")),
             data={"handling": "auto_credit", "credit_amount": "30.00", "credit_booked_on": "2026-03-02"}),
    example("large amount credited after approval", "billing_complaint", "C-1005",
             COMPLAINT | {"disputed_amount": "400.00"},
             (completed("task_investigate", {"complaint_justified": True,
                                        "investigation_findings": "Meterstand was geschat en veel te hoog."}),
              completed("task_supervisor_approval", {"supervisor_approved": True, "credit_amount": "350.00",
                                                "supervisor_note": "Vastrecht was wel terecht."})),
             end="end_credited",
             outbox=(("email", "complaint_received"), ("connector", "billing.book_credit_note"),
                     ("letter", "credit_note")),
             data={"handling": "supervisor_approval", "credit_amount": "350.00"}),
    example("premium customer credited at once up to 250", "billing_complaint", "C-1002",
             COMPLAINT | {"disputed_amount": "200.00"},
             (completed("task_investigate", {"complaint_justified": True,
                                        "investigation_findings": "Verkeerd tarief toegepast in januari."}),),
             end="end_credited",
             outbox=(("email", "complaint_received"), ("connector", "billing.book_credit_note"),
                     ("letter", "credit_note")),
             data={"handling": "auto_credit"}),
    example("complaint not justified", "billing_complaint", "C-1003",
             COMPLAINT | {"disputed_amount": "80.00"},
             (completed("task_investigate", {
                 "complaint_justified": False, "investigation_findings": "Factuur klopt met de meterstanden.",
                 "rejection_reason": "Uw verbruik was hoger door de koude winter."}),),
             end="end_rejected",
             outbox=(("email", "complaint_received"), ("letter", "complaint_rejected")),
             body_contains=("Uw verbruik was hoger door de koude winter.",),
             data={"complaint_justified": False}),
    example("supervisor refuses the credit", "billing_complaint", "C-1004",
             COMPLAINT | {"disputed_amount": "900.00"},
             (completed("task_investigate", {"complaint_justified": True,
                                        "investigation_findings": "Mogelijk dubbel gefactureerd."}),
              completed("task_supervisor_approval", {
                  "supervisor_approved": False,
                  "rejection_reason": "De tweede factuur betreft een ander leveringsadres."})),
             end="end_rejected",
             outbox=(("email", "complaint_received"), ("letter", "complaint_rejected")),
             body_contains=("De tweede factuur betreft een ander leveringsadres.",),
             data={"handling": "supervisor_approval", "supervisor_approved": False}),
    # card_activation ------------------------------------------------------------------------------
    example("card activated automatically", "card_activation", "C-1002", CARD, (), end="end_activated",
             outbox=(("connector", "cards.activate"), ("connector", "cards.release_pin_in_app"),
                     ("sms", "sms_pin_ready"), ("sms", "sms_card_activated")),
             data={"auto_identity_passed": True, "card_activated": True, "pin_released": True}),
    example("card activated after a call back", "card_activation", "C-1007", CARD | {"device_registered": False},
             (completed("task_agent_identity", {"identity_verified": True,
                                           "verification_notes": "Teruggebeld, drie vragen goed."}),),
             end="end_activated",
             outbox=(("connector", "cards.activate"), ("connector", "cards.release_pin_in_app"),
                     ("sms", "sms_pin_ready"), ("sms", "sms_card_activated")),
             data={"auto_identity_passed": False, "identity_verified": True, "card_activated": True}),
    example("card blocked", "card_activation", "C-1010", CARD | {"failed_attempts": 4},
             (completed("task_agent_identity", {"identity_verified": False,
                                           "verification_notes": "Klant herkent de aanvraag niet."}),),
             end="end_blocked",
             outbox=(("connector", "cards.block"), ("sms", "sms_activation_failed")),
             data={"card_blocked": True,
                   "identity_check_reason": "Drie of meer mislukte activeringspogingen"}),
    # direct_debit_switch ------------------------------------------------------------------------------
    example("mandate returned signed", "direct_debit_switch", "C-1003", MANDATE,
             (wait(3), message("signed_mandate_received"), completed("task_verify_mandate", MANDATE_OK)),
             end="end_direct_debit_active",
             outbox=(("connector", "documents.create_sepa_mandate"), ("letter", "mandate_letter"),
                     ("connector", "billing.set_payment_method"), ("email", "direct_debit_confirmed")),
             data={"mandate_reference": "DN-991003138-01", "new_payment_method": "direct_debit",
                   "direct_debit_active_from": "2026-03-05"}),
    example("unsigned mandate, new one sent, then signed", "direct_debit_switch", "C-1012", MANDATE,
             (message("signed_mandate_received"), completed("task_verify_mandate", MANDATE_UNSIGNED),
              message("signed_mandate_received"), completed("task_verify_mandate", MANDATE_OK)),
             end="end_direct_debit_active",
             outbox=(("connector", "documents.create_sepa_mandate"), ("letter", "mandate_letter"),
                     ("letter", "mandate_invalid"), ("connector", "billing.set_payment_method"),
                     ("email", "direct_debit_confirmed")),
             body_contains=("De machtiging is niet ondertekend.",)),
    example("signed after one reminder", "direct_debit_switch", "C-1011", MANDATE,
             (wait(10), message("signed_mandate_received"), completed("task_verify_mandate", MANDATE_OK)),
             end="end_direct_debit_active",
             outbox=(("connector", "documents.create_sepa_mandate"), ("letter", "mandate_letter"),
                     ("letter", "mandate_reminder"), ("connector", "billing.set_payment_method"),
                     ("email", "direct_debit_confirmed")),
             data={"reminders_sent": 1}),
    example("no mandate after two reminders", "direct_debit_switch", "C-1009", MANDATE,
             (wait(9), wait(1), wait(10), wait(10)),
             end="end_not_received",
             outbox=(("connector", "documents.create_sepa_mandate"), ("letter", "mandate_letter"),
                     ("letter", "mandate_reminder"), ("letter", "mandate_reminder"),
                     ("letter", "direct_debit_not_arranged")),
             data={"reminders_sent": 2}),
]


# Driving ---------------------------------------------------------------------------------------


@pytest.fixture
def examples(harness: Harness) -> Runtime:
    return with_examples(harness.runtime)


def with_examples(rt: Runtime) -> Runtime:
    """`rt` with every example published and the sample customers stored."""
    for key in PUBLISH_ORDER:
        rt.publish(person("owner"), bundle(key), note="example")
    rt.store.commit(Changes(customers=list(sample_customers().values())))
    return rt


def family(rt: Runtime, case_id: str) -> list[str]:
    """The case and every subprocess case under it."""
    ids = [case_id]
    for case in rt.store.cases():
        if case.parent_case in ids:
            ids.append(case.id)
    return ids


def open_item(rt: Runtime, case_id: str, node: str):
    found = [item for cid in family(rt, case_id) for item in rt.store.work_items(WorkQuery(case_id=cid))
             if item.node == node]
    assert len(found) == 1, f"expected one open task '{node}', found {[i.node for i in found]}"
    return found[0]


def drive(rt: Runtime, row: Example) -> str:
    """Play the row's scenario as an agent; the case's id."""
    run = ScenarioRun(rt, person(AGENT))
    outcome = run.play(row.scenario)
    assert outcome.same_as(row.scenario.expected), outcome.describe()
    assert run.case_id is not None
    return run.case_id


def end_reached(rt: Runtime, case_id: str) -> list[str]:
    return [e.node for e in rt.store.audit_events(case_id) if e.kind == "end reached"]


def expected_recipient(customer: Customer, channel: str, name: str) -> str:
    if channel == "email":
        return customer.email
    if channel == "sms":
        return customer.phone
    if channel == "letter":  # to the postal address when the customer has one (C-1009 has a PO box)
        a = customer.postal_address or customer.address
        return f"{customer.name}\n{a.street} {a.house_number}\n{a.postcode} {a.city}"
    return name  # a connector request goes to the connector


@pytest.mark.parametrize("scenario", [pytest.param(row, id=row.scenario.name) for row in EXAMPLES_RUN])
def test_an_example_reaches_its_outcome_with_its_letters(examples: Runtime, scenario: Example):
    rt = examples
    case_id = drive(rt, scenario)
    case = rt.store.case(case_id)
    ends = {n.id: n for n in bundle(scenario.process).nodes if n.kind == "end"}

    assert case.status is CaseStatus.COMPLETED, f"still active: tokens {case.tokens}, incidents {case.incidents}"
    assert case.incidents == []
    assert case.outcome == ends[scenario.end].outcome
    assert end_reached(rt, case_id) == [scenario.end]
    assert rt.store.work_items(WorkQuery(case_id=case_id)) == []
    for name, value in scenario.data.items():
        assert case.data.get(name) == value, name

    children = [rt.store.case(cid) for cid in family(rt, case_id)[1:]]
    if scenario.child_end:
        [child] = children
        assert child.status is CaseStatus.COMPLETED and end_reached(rt, child.id) == [scenario.child_end]
        assert child.customer_id == scenario.customer
    else:
        assert children == []

    customer = sample_customers()[scenario.customer]
    entries = [e for cid in family(rt, case_id) for e in rt.store.outbox(case_id=cid)]
    sent = sorted((e.channel, e.letter or e.recipient) for e in entries)
    assert sent == sorted(scenario.outbox)
    for entry in entries:
        name = entry.letter or entry.recipient
        assert entry.recipient == expected_recipient(customer, entry.channel, name), name
        if entry.channel != "connector":
            assert entry.language == customer.language
            assert customer.name in entry.body or entry.channel == "sms"
    bodies = "\n".join(e.body + e.text_body for e in entries)
    for text in scenario.body_contains:
        assert text in bodies

    assert rt.verify_audit(AUDITOR).intact
    for closed in [case, *children]:  # counted as each case went, the same as derived from its whole trail
        assert closed.facts == facts_from_the_whole_trail(rt, closed.id)


def test_the_scenarios_reach_every_end_of_every_example():
    reached = {(s.process, s.end) for s in EXAMPLES_RUN} | {
        ("change_of_address", s.child_end) for s in EXAMPLES_RUN if s.child_end}
    every_end = {(key, node.id) for key in PUBLISH_ORDER for node in bundle(key).nodes if node.kind == "end"}
    assert every_end - reached == set()
    assert {path.stem for path in EXAMPLES.glob("*.json")} - {"customers"} == set(PUBLISH_ORDER)


def test_the_direct_debit_reminders_go_out_ten_days_apart_and_the_case_gives_up_after_the_second(
        examples: Runtime, harness: Harness):
    rt = examples
    case = rt.start_case(person(AGENT), "direct_debit_switch", MANDATE, customer_id="C-1003")
    started = harness.clock.now()
    for day in range(1, 31):
        harness.clock.advance(timedelta(days=1))
        rt.fire_due_jobs()
        letters = [(e.letter, e.created_at - started) for e in rt.store.outbox(case_id=case.id)
                   if e.channel == "letter"]
        if day < 30:
            assert rt.store.case(case.id).status is CaseStatus.ACTIVE, f"day {day}"
    assert letters == [("mandate_letter", timedelta(0)), ("mandate_reminder", timedelta(days=10)),
                       ("mandate_reminder", timedelta(days=20)), ("direct_debit_not_arranged", timedelta(days=30))]
    assert rt.store.case(case.id).status is CaseStatus.COMPLETED
    # a mandate arriving after the case gave up has nothing to wait for it
    with pytest.raises(EngineError, match="not waiting for message 'signed_mandate_received'"):
        rt.send_message(person("scan-street"), case.id, "signed_mandate_received")
    assert rt.verify_audit(AUDITOR).intact


def test_a_variables_declared_default_is_its_value_until_something_sets_it(runtime: Runtime):
    document = process("p", variables={"count": "number", "sent": "boolean"},
                       nodes=[start(), decision("d"), task("few"), task("many"), end()],
                       flow="""s>d
                               d>few: count < 2
                               d>many: default
                               few>e
                               many>e""").model_dump(mode="json")
    document["variables"][0]["default"] = 0
    document["variables"][1]["default"] = False
    runtime.publish(person("owner"), load_bundle(json.dumps(document)))
    case = runtime.start_case(person(AGENT), "p")
    assert case.incidents == []
    assert [i.node for i in runtime.store.work_items(WorkQuery(case_id=case.id))] == ["few"]
    assert case.data == {}  # the case holds what was set: nothing yet, so pages show "—" (the flow read 0)


def checklist_of(rt: Runtime, item: WorkItem) -> list[str]:
    """Every checklist item of the task's node: the agent ticks them all."""
    node = rt.process_version(rt.store.case(item.case_id).version_hash).nodes[item.node]
    return [c.id for c in node.checklist]


def test_a_task_with_a_required_checklist_is_not_completed_until_every_required_item_is_ticked(
        examples: Runtime):
    rt = examples
    case = rt.start_case(person(AGENT), "billing_complaint", COMPLAINT | {"disputed_amount": "80.00"},
                         customer_id="C-1001")
    item = open_item(rt, case.id, "task_investigate")
    data = {"complaint_justified": True, "investigation_findings": "Dubbele afschrijving bevestigd."}
    required = [c.id for c in rt.process_version(case.version_hash).nodes[item.node].checklist if c.required]
    assert required, "the example's investigation has a required checklist"
    with pytest.raises(EngineError, match="tick the checklist first"):
        rt.complete(person(AGENT), item.id, data, checklist=required[:-1])
    assert rt.store.work_item(item.id).status is WorkItemStatus.OPEN
    rt.complete(person(AGENT), item.id, data, checklist=required)
    assert rt.store.work_item(item.id).status is WorkItemStatus.COMPLETED


def test_a_completion_that_breaks_the_forms_validation_rules_is_refused(examples: Runtime):
    rt = examples
    case = rt.start_case(person(AGENT), "billing_complaint", COMPLAINT | {"disputed_amount": "80.00"},
                         customer_id="C-1001")
    item = open_item(rt, case.id, "task_investigate")
    with pytest.raises(DataError) as caught:
        rt.complete(person(AGENT), item.id, {"complaint_justified": False, "investigation_findings": "Klopt.",
                              "rejection_reason": "Nee."})  # the form asks for 20 characters or more
    assert "rejection_reason" in caught.value.errors
    assert rt.store.work_item(item.id).status is WorkItemStatus.OPEN
    assert [e.letter for e in rt.store.outbox(case_id=case.id)] == ["complaint_received"]


def test_a_value_typed_into_a_field_its_condition_hides_is_not_saved(examples: Runtime):
    rt = examples
    case = rt.start_case(person(AGENT), "billing_complaint", COMPLAINT | {"disputed_amount": "80.00"},
                         customer_id="C-1001")
    item = open_item(rt, case.id, "task_investigate")
    rt.complete(person(AGENT), item.id, {"complaint_justified": True,
                                         "investigation_findings": "Dubbele afschrijving bevestigd.",
                                         "rejection_reason": "Typed before the agent changed their mind."},
                checklist=checklist_of(rt, item))
    data = rt.store.case(case.id).data
    assert data["complaint_justified"] is True
    assert not data.get("rejection_reason")  # the field shows only when the complaint is not justified


@pytest.mark.parametrize("scenario", [pytest.param(row, id=row.scenario.name) for row in EXAMPLES_RUN])
def test_an_example_played_leaves_no_cyclic_garbage(scenario: Example):
    """Each step's transaction, case runs and form checks are freed as soon as the step ends: a step that left them
    in reference cycles made the garbage collector a fifth of a step's CPU. (In memory: a store's own connections
    and caches are not a step's.)"""
    rt = with_examples(Runtime(MemoryStore(), ManualClock(MONDAY_9_AMSTERDAM)))
    drive(rt, scenario)  # a first case fills the per-version caches
    gc.collect()
    gc.disable()
    try:
        drive(rt, scenario)
        assert gc.collect() == 0
    finally:
        gc.enable()
