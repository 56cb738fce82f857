"""A letter never says "None": an empty value it needs holds it back with an incident, until the data is fixed."""

from __future__ import annotations

from models.checks import check
from models.customers import Customer
from runtime.documents import CaseStatus
from runtime.service import Runtime
from runtime.storage.base import Changes
from tests.people import person
from tests.runtime.builders import end, process, send, start

WELCOME = {"id": "welcome", "name": "Welcome", "channel": "letter", "variants": [
    {"language": "nl", "body": "<p>Dear {{ note }},</p><p>{% if ps %}{{ ps }}{% endif %}</p>"}]}


def welcome_process():
    return process("welcome", variables={"note": "text", "ps": "text"}, nodes=[start(), send("send", "welcome"), end()],
                   flow="s>send send>e", letters=[WELCOME])


def with_customer(runtime: Runtime) -> None:
    runtime.store.commit(Changes(customers=[Customer.model_validate({
        "id": "C-1", "number": "1", "name": "Sanne", "address": {"street": "Oudegracht", "house_number": "1",
                                                                 "postcode": "3511 AA", "city": "Utrecht"}})]))


def test_the_check_warns_before_publishing():
    [finding] = [f for f in check(welcome_process()) if f.code == "placeholder-maybe-empty"]
    assert (finding.element, finding.related, finding.severity.value) == ("welcome", ("send",), "warning")
    assert "{{ note }}" in finding.message and "{% if note %}" in finding.hint


def test_an_empty_value_in_a_letter_is_an_incident_and_nothing_is_sent(runtime: Runtime):
    with_customer(runtime)
    runtime.publish(person("ann"), welcome_process())
    case = runtime.start_case(person("bob"), "welcome", customer_id="C-1")
    [incident] = case.incidents
    assert incident.node == "send"
    assert incident.message == ("the letter was not sent: the text of 'Welcome' uses a placeholder with no value: "
                                "{{ note }} is empty in this case")
    assert runtime.store.outbox(case_id=case.id) == []
    assert case.status is CaseStatus.ACTIVE


def test_after_the_value_is_filled_in_the_retry_sends_the_letter(runtime: Runtime):
    with_customer(runtime)
    runtime.publish(person("ann"), welcome_process())
    case = runtime.start_case(person("bob"), "welcome", customer_id="C-1")
    runtime.correct_data(person("sue"), case.id, {"note": "Sanne"})
    case = runtime.retry(person("sue"), case.id, case.incidents[0].id)
    [entry] = runtime.store.outbox(case_id=case.id)
    assert "Dear Sanne," in entry.body and "None" not in entry.body
    assert case.status is CaseStatus.COMPLETED
