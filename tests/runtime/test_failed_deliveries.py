"""Failed deliveries are not a dead end: after the last attempt an entry is an incident on its case, and agents and
supervisors resend it once the mail server is fixed — on the trail, and still delivered exactly once. Against a real
SMTP server that refuses first and accepts after."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.deliveries import Deliveries
from runtime.documents import OutboxEntry, OutboxStatus
from runtime.errors import AccessDenied, ConflictError, EngineError
from runtime.outbox import MAX_ATTEMPTS, Deliverer, default_sinks
from runtime.service import Request, Runtime
from runtime.settings import MailServer
from runtime.storage.base import Changes
from runtime.views.deliveries import failed_deliveries
from tests.local_servers import RefusingInbox, smtp_server
from tests.people import person
from tests.runtime.conftest import Harness
from tests.runtime.test_outbox import setup_case

AGENT, SUPERVISOR = person("amy", "agent"), person("sue", "supervisor")


@pytest.fixture
def gate() -> Iterator[tuple[RefusingInbox, int]]:
    """A real SMTP server that refuses every message until told to take them."""
    inbox = RefusingInbox()
    with smtp_server(inbox) as port:
        yield inbox, port


def deliverer(runtime: Runtime, port: int, folder: Path) -> Deliverer:
    return Deliverer(runtime, lambda: default_sinks(folder, MailServer(host="127.0.0.1", port=port)))


def deliver_until_done(harness: Harness, outbox: Deliverer) -> None:
    """Let the worker try the queued entries until each is sent or given up (the clock moves on to each retry)."""
    for _ in range(MAX_ATTEMPTS + 1):
        outbox.deliver_due()
        pending = harness.store.outbox()
        if not pending:
            return
        harness.clock.advance(max(entry.next_attempt_at for entry in pending) - harness.clock.now())
    assert not harness.store.outbox(), "still trying"


def the_email(harness: Harness, case_id: str) -> OutboxEntry:
    return next(entry for entry in harness.store.outbox(case_id=case_id) if entry.channel == "email")


def test_after_the_last_attempt_a_failed_email_is_an_incident_on_its_case_saying_why(
        harness: Harness, gate: tuple[RefusingInbox, int], tmp_path: Path):
    inbox, port = gate
    case_id = setup_case(harness, ["confirm"])
    deliver_until_done(harness, deliverer(harness.runtime, port, tmp_path))
    entry = the_email(harness, case_id)
    assert entry.status is OutboxStatus.FAILED and inbox.refused == MAX_ATTEMPTS
    [incident] = harness.store.case(case_id).incidents
    assert incident.outbox_entry == entry.id and incident.node == "send_confirm"
    assert incident.message == (f"The e-mail to sanne@example.nl could not be sent: the mail server 127.0.0.1:{port} "
                                "refused the message (technical detail: 451 4.3.0 mailbox store unavailable, try "
                                "again later) (gave up after 5 attempts)")
    last = harness.store.audit_events(case_id)[-1]
    assert (last.kind, last.actor, last.summary) == ("delivery failed", "outbox", incident.message)
    with pytest.raises(EngineError, match=rf"is a delivery that failed, not a stopped step: resend it \(flowdesk "
                                          rf"resend {case_id} {entry.id}\)"):
        harness.runtime.retry(SUPERVISOR, case_id, incident.id)


def test_an_agent_resends_it_after_the_server_is_fixed_and_it_goes_out_once(
        harness: Harness, gate: tuple[RefusingInbox, int], tmp_path: Path):
    inbox, port = gate
    case_id = setup_case(harness, ["confirm"])
    outbox = deliverer(harness.runtime, port, tmp_path)
    deliver_until_done(harness, outbox)
    inbox.refusing = False
    entry = the_email(harness, case_id)
    case = Deliveries(harness.runtime).resend(AGENT, case_id, entry.id)
    assert case.incidents == []
    queued = the_email(harness, case_id)
    assert (queued.status, queued.attempts, queued.last_error) == (OutboxStatus.PENDING, 0, "")
    resent = harness.store.audit_events(case_id)[-1]
    assert resent.kind == "delivery resent" and resent.actor == "amy"
    assert resent.summary.startswith("The e-mail to sanne@example.nl resent by amy (it failed: the mail server")
    assert outbox.deliver_due().sent == 1
    assert outbox.deliver_due().sent == 0
    with pytest.raises(ConflictError, match=r"the e-mail to sanne@example\.nl is sent, not failed; nothing was resent"):
        Deliveries(harness.runtime).resend(AGENT, case_id, entry.id)
    assert [recipients for recipients, _ in inbox.messages] == [["sanne@example.nl"]]


def test_the_second_of_two_resends_is_told_it_is_queued_and_a_repeated_request_is_done_once(
        harness: Harness, gate: tuple[RefusingInbox, int], tmp_path: Path):
    _, port = gate
    case_id = setup_case(harness, ["confirm"])
    deliver_until_done(harness, deliverer(harness.runtime, port, tmp_path))
    entry = the_email(harness, case_id)
    deliveries = Deliveries(harness.runtime)
    request = Request.of("resend-1", case_id, entry.id)
    first = deliveries.resend(AGENT, case_id, entry.id, request=request)
    again = deliveries.resend(AGENT, case_id, entry.id, request=request)
    assert again.revision == first.revision
    with pytest.raises(ConflictError, match="is pending, not failed"):
        deliveries.resend(SUPERVISOR, case_id, entry.id)
    assert [e.kind for e in harness.store.audit_events(case_id)].count("delivery resent") == 1


def test_an_email_interrupted_while_sending_is_left_to_check_by_hand_and_never_resent(
        harness: Harness, gate: tuple[RefusingInbox, int], tmp_path: Path):
    inbox, port = gate
    inbox.refusing = False
    case_id = setup_case(harness, ["confirm"])
    entry = the_email(harness, case_id)  # as if the worker died while the server had it
    harness.store.commit(Changes(outbox=[entry.model_copy(update={"status": OutboxStatus.SENDING, "attempts": 1})]))
    assert deliverer(harness.runtime, port, tmp_path).deliver_due().failed == 1
    failed = the_email(harness, case_id)
    assert failed.status is OutboxStatus.FAILED and failed.interrupted
    [incident] = harness.store.case(case_id).incidents
    assert incident.message.endswith("could not be sent: delivery was interrupted: it may or may not have arrived; "
                                     "check by hand")
    deliveries = Deliveries(harness.runtime)
    with pytest.raises(EngineError, match=r"may have arrived .*: check by hand; it is never resent"):
        deliveries.resend(SUPERVISOR, case_id, entry.id)
    with pytest.raises(EngineError, match=r"has no failed deliveries to resend .*may have arrived: check by hand"):
        deliveries.resend_case(SUPERVISOR, case_id)
    report = deliveries.resend_all(SUPERVISOR)
    assert report.resent == 0
    assert list(map(str, report.check_by_hand)) == [f"case {case_id}: the e-mail to sanne@example.nl"]
    assert deliverer(harness.runtime, port, tmp_path).deliver_due().sent == 0
    assert inbox.messages == [] and harness.store.case(case_id).incidents == [incident]


def test_a_supervisor_resends_every_failed_delivery_at_once_and_others_may_not(
        harness: Harness, gate: tuple[RefusingInbox, int], tmp_path: Path):
    inbox, port = gate
    cases = [setup_case(harness, ["confirm", "html_only"])]
    cases.append(harness.runtime.start_case(person("agent"), "p", {"amount": "5"}, customer_id="C-1").id)
    outbox = deliverer(harness.runtime, port, tmp_path)
    deliver_until_done(harness, outbox)
    assert [len(harness.store.case(case_id).incidents) for case_id in cases] == [2, 2]
    deliveries = Deliveries(harness.runtime)
    for someone in (AGENT, person("abe", "auditor"), person("ann", "designer")):
        with pytest.raises(AccessDenied, match="resend every failed delivery at once you need one of the roles "
                                               "supervisor, admin"):
            deliveries.resend_all(someone)
    with pytest.raises(AccessDenied):
        deliveries.resend(person("abe", "auditor"), cases[0], the_email(harness, cases[0]).id)
    inbox.refusing = False
    report = deliveries.resend_all(SUPERVISOR)
    assert (report.resent, report.cases, report.problems) == (4, 2, [])
    assert all(harness.store.case(case_id).incidents == [] for case_id in cases)
    assert outbox.deliver_due().sent == 4
    assert deliveries.resend_all(SUPERVISOR).resent == 0
    assert len(inbox.messages) == 4


def test_an_agent_resends_every_failed_entry_of_one_case(harness: Harness, gate: tuple[RefusingInbox, int],
                                                         tmp_path: Path):
    inbox, port = gate
    case_id = setup_case(harness, ["confirm", "html_only"])
    outbox = deliverer(harness.runtime, port, tmp_path)
    deliver_until_done(harness, outbox)
    inbox.refusing = False
    case = Deliveries(harness.runtime).resend_case(AGENT, case_id)
    assert case.incidents == []
    assert [e.kind for e in harness.store.audit_events(case_id)].count("delivery resent") == 2
    assert outbox.deliver_due().sent == 2
    with pytest.raises(EngineError, match=f"case {case_id} has no failed deliveries to resend$"):
        Deliveries(harness.runtime).resend_case(AGENT, case_id)


def test_supervisors_see_every_failed_delivery_newest_first_and_agents_do_not(
        harness: Harness, gate: tuple[RefusingInbox, int], tmp_path: Path):
    _, port = gate
    first = setup_case(harness, ["confirm"])
    outbox = deliverer(harness.runtime, port, tmp_path)
    deliver_until_done(harness, outbox)
    second = harness.runtime.start_case(person("agent"), "p", {"amount": "5"}, customer_id="C-1").id
    deliver_until_done(harness, outbox)
    found = failed_deliveries(harness.runtime, SUPERVISOR)
    assert [(f.case_id, str(f.text), f.resendable) for f in found] == [
        (second, "the e-mail to sanne@example.nl", True), (first, "the e-mail to sanne@example.nl", True)]
    assert found[0].failed_at > found[1].failed_at
    assert "refused the message (technical detail: 451" in str(found[0].reason)
    with pytest.raises(AccessDenied, match="to see the monitor"):
        failed_deliveries(harness.runtime, AGENT)
    Deliveries(harness.runtime).resend(AGENT, first, the_email(harness, first).id)
    assert [f.case_id for f in failed_deliveries(harness.runtime, SUPERVISOR)] == [second]


ACTIONS = st.lists(st.sampled_from(["deliver", "wait", "refuse", "accept", "resend", "resend case", "resend all"]),
                   max_size=25)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_whatever_people_and_the_worker_do_no_email_goes_out_twice_and_every_one_can_go_out(
        actions: list[str], tmp_path: Path):
    inbox = RefusingInbox()
    with smtp_server(inbox) as port:
        harness = Harness("memory", tmp_path)
        case_id = setup_case(harness, ["confirm", "html_only"])
        outbox, deliveries = deliverer(harness.runtime, port, tmp_path), Deliveries(harness.runtime)
        for action in actions:
            try:
                if action == "deliver":
                    outbox.deliver_due()
                elif action == "wait":
                    harness.clock.advance(max((e.next_attempt_at for e in harness.store.outbox()),
                                              default=harness.clock.now()) - harness.clock.now())
                elif action in ("refuse", "accept"):
                    inbox.refusing = action == "refuse"
                elif action == "resend":
                    deliveries.resend(AGENT, case_id, the_email(harness, case_id).id)
                elif action == "resend case":
                    deliveries.resend_case(AGENT, case_id)
                else:
                    deliveries.resend_all(SUPERVISOR)
            except (ConflictError, EngineError):
                pass  # nothing to resend now: refused, nothing changed
            assert_each_sent_at_most_once(inbox)
        inbox.refusing = False  # the mail server is fixed; a supervisor resends what failed
        deliveries.resend_all(SUPERVISOR)
        deliver_until_done(harness, outbox)
        assert_each_sent_at_most_once(inbox)
        entries = harness.store.outbox(case_id=case_id)
        assert {entry.status for entry in entries} == {OutboxStatus.SENT}
        assert len(inbox.messages) == len(entries) == 2
        assert harness.store.case(case_id).incidents == []
        harness.close()


def assert_each_sent_at_most_once(inbox: RefusingInbox) -> None:
    ids = [message["Message-ID"] for _, message in inbox.messages]
    assert len(ids) == len(set(ids))


def interrupted_email(harness: Harness, outbox: Deliverer) -> tuple[str, OutboxEntry]:
    """A case whose e-mail the worker left to check by hand: it died while the SMTP server had it."""
    case_id = setup_case(harness, ["confirm"])
    entry = the_email(harness, case_id)
    harness.store.commit(Changes(outbox=[entry.model_copy(update={"status": OutboxStatus.SENDING, "attempts": 1})]))
    outbox.deliver_due()
    return case_id, the_email(harness, case_id)


def test_an_email_checked_by_hand_and_found_arrived_counts_as_sent_and_never_goes_out_again(
        harness: Harness, gate: tuple[RefusingInbox, int], tmp_path: Path):
    inbox, port = gate
    inbox.refusing = False
    outbox = deliverer(harness.runtime, port, tmp_path)
    case_id, entry = interrupted_email(harness, outbox)
    Deliveries(harness.runtime).settle(AGENT, case_id, entry.id, arrived=True)
    settled = the_email(harness, case_id)
    assert settled.status is OutboxStatus.SENT and settled.sent_at == harness.clock.now()
    assert harness.store.case(case_id).incidents == [] and failed_deliveries(harness.runtime, SUPERVISOR) == []
    last = harness.store.audit_events(case_id)[-1]
    assert (last.kind, last.actor, last.summary) == (
        "delivery checked", "amy", "amy checked the e-mail to sanne@example.nl: it arrived, so it is not sent again")
    assert outbox.deliver_due().sent == 0 and inbox.messages == []
    with pytest.raises(ConflictError, match="is not waiting to be checked by hand \\(it is sent\\)"):
        Deliveries(harness.runtime).settle(AGENT, case_id, entry.id, arrived=False)


def test_an_email_checked_by_hand_and_found_missing_goes_out_once_more(
        harness: Harness, gate: tuple[RefusingInbox, int], tmp_path: Path):
    inbox, port = gate
    inbox.refusing = False
    outbox = deliverer(harness.runtime, port, tmp_path)
    case_id, entry = interrupted_email(harness, outbox)
    Deliveries(harness.runtime).settle(SUPERVISOR, case_id, entry.id, arrived=False)
    assert harness.store.case(case_id).incidents == []
    kinds = [event.kind for event in harness.store.audit_events(case_id)][-2:]
    assert kinds == ["delivery checked", "delivery resent"]
    assert outbox.deliver_due().sent == 1
    assert the_email(harness, case_id).status is OutboxStatus.SENT and len(inbox.messages) == 1


def test_only_a_delivery_left_to_check_by_hand_is_settled_and_only_by_who_works_cases(
        harness: Harness, gate: tuple[RefusingInbox, int], tmp_path: Path):
    _, port = gate
    case_id = setup_case(harness, ["confirm"])
    deliver_until_done(harness, deliverer(harness.runtime, port, tmp_path))  # failed for good, not interrupted
    entry = the_email(harness, case_id)
    deliveries = Deliveries(harness.runtime)
    with pytest.raises(ConflictError, match="is not waiting to be checked by hand \\(it is failed\\)"):
        deliveries.settle(AGENT, case_id, entry.id, arrived=True)
    with pytest.raises(AccessDenied):
        deliveries.settle(person("ada", "auditor"), case_id, entry.id, arrived=True)
    assert the_email(harness, case_id) == entry
