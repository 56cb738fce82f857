"""E-mail on an installation: kept as .eml files without a mail server, sent through the one the settings (else the
command line) name from the worker's next pass on, and a test e-mail that says what went wrong — all against real
local SMTP servers."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from models.phrases import Phrase
from runtime.documents import OutboxStatus
from runtime.errors import AccessDenied, DataError, EngineError
from runtime.mail import Mail, MailSource
from runtime.outbox import CLAIM_BATCH, MAX_ATTEMPTS, Deliverer, DeliveryError, SmtpSink
from runtime.settings import MailServer, change_settings
from runtime.views.accounts import account_events
from runtime.views.deliveries import failed_deliveries
from tests.local_servers import Inbox, free_port, self_signed_tls, smtp_server
from tests.people import person
from tests.runtime.conftest import Harness
from tests.runtime.test_outbox import setup_case

ADMIN = person("root", "admin")
SECOND = timedelta(seconds=1)


def start_case(harness: Harness) -> str:
    """A case whose step queued the e-mail 'confirm' to sanne@example.nl (its process is published once)."""
    if harness.store.latest_version("p") is None:
        return setup_case(harness, ["confirm"])
    return harness.runtime.start_case(person("agent"), "p", {"amount": "12.50"}, customer_id="C-1").id


def local(port: int, **settings: object) -> dict[str, object]:
    return {"host": "127.0.0.1", "port": port} | settings


def test_without_a_mail_server_an_email_is_kept_as_eml_and_a_server_saved_later_sends_the_next_one(
        harness: Harness, smtp: tuple[Inbox, int], tmp_path: Path):
    inbox, port = smtp
    mail = Mail(harness.runtime, tmp_path)
    assert mail.read_route(ADMIN).source is MailSource.NONE
    deliverer = Deliverer(harness.runtime, mail.sinks)
    first = start_case(harness)
    report = deliverer.deliver_due()
    assert (report.kept, report.sent, report.retrying) == (1, 0, 0)
    [kept] = harness.store.outbox(case_id=first)
    assert kept.status is OutboxStatus.KEPT and kept.sent_at == harness.clock.now()
    message = message_from_bytes((tmp_path / "mail" / f"{kept.id}.eml").read_bytes(), policy=policy.default)
    assert message["To"] == "sanne@example.nl" and message["Subject"] == "Bevestiging voor Sanne de Vries"
    assert inbox.messages == []

    change_settings(harness.runtime, ADMIN, mail=local(port, sender="Klantenservice <ks@example.nl>"))
    second = start_case(harness)
    assert deliverer.deliver_due().sent == 1  # the same worker, its next pass: no restart
    [(recipients, sent)] = inbox.messages
    assert recipients == ["sanne@example.nl"] and sent["From"] == "Klantenservice <ks@example.nl>"
    assert harness.store.outbox(case_id=second)[0].status is OutboxStatus.SENT
    assert harness.store.outbox(case_id=first)[0].status is OutboxStatus.KEPT  # kept stays kept
    assert deliverer.deliver_due().sent == 0


def test_the_command_line_server_is_used_until_the_settings_name_one(harness: Harness, smtp: tuple[Inbox, int],
                                                                     tmp_path: Path):
    inbox, port = smtp
    mail = Mail(harness.runtime, tmp_path, fallback=MailServer(host="127.0.0.1", port=port))
    assert mail.read_route(ADMIN).source is MailSource.COMMAND_LINE
    deliverer = Deliverer(harness.runtime, mail.sinks)
    start_case(harness)
    assert deliverer.deliver_due().sent == 1 and len(inbox.messages) == 1

    nobody = free_port()
    change_settings(harness.runtime, ADMIN, mail=local(nobody))
    route = mail.read_route(ADMIN)
    assert route.source is MailSource.SETTINGS and f"127.0.0.1:{nobody}" in str(route.text)
    case_id = start_case(harness)
    assert deliverer.deliver_due().retrying == 1
    assert "refused the connection" in harness.store.outbox(case_id=case_id)[0].last_error
    assert len(inbox.messages) == 1


def test_a_test_email_goes_through_the_server_in_use_and_is_in_the_administration_log(
        harness: Harness, smtp: tuple[Inbox, int], tmp_path: Path):
    inbox, port = smtp
    change_settings(harness.runtime, ADMIN, mail=local(port))
    harness.clock.advance(SECOND)  # the log is ordered by time
    said = Mail(harness.runtime, tmp_path).send_test(ADMIN, " beheer@example.nl ")
    assert str(said).startswith(f"A test e-mail went to beheer@example.nl through 127.0.0.1:{port}")
    [(recipients, message)] = inbox.messages
    assert recipients == ["beheer@example.nl"] and message["Subject"] == "Flowdesk test e-mail"
    assert "to test the mail server settings" in message.get_body(("plain",)).get_content()
    newest = account_events(harness.runtime, ADMIN)[0]
    assert newest.kind == "test e-mail" and newest.summary.startswith("Test e-mail sent to beheer@example.nl")


def test_a_test_email_says_when_nothing_answers(harness: Harness, tmp_path: Path):
    nobody = free_port()
    change_settings(harness.runtime, ADMIN, mail=local(nobody))
    harness.clock.advance(SECOND)
    with pytest.raises(EngineError, match=rf"not sent: the mail server 127.0.0.1:{nobody} refused the connection: "
                                          r"is it running, and are its host and port right\? \(technical detail: "
                                          r"\[Errno 111\] Connection refused\)"):
        Mail(harness.runtime, tmp_path).send_test(ADMIN, "beheer@example.nl")
    assert "failed" in account_events(harness.runtime, ADMIN)[0].summary


def accept_desk(server, session, envelope, mechanism: str, auth_data: object) -> AuthResult:
    """Signs in user 'desk' with password 'right-password' only."""
    right = isinstance(auth_data, LoginPassword) and auth_data == (b"desk", b"right-password")
    return AuthResult(success=right, handled=False)  # not handled: aiosmtpd answers 535 itself


def test_a_test_email_says_when_the_password_is_wrong(harness: Harness, tmp_path: Path):
    inbox = Inbox()
    with smtp_server(inbox, authenticator=accept_desk, auth_require_tls=False) as port:
        change_settings(harness.runtime, ADMIN, mail=local(port, username="desk", password="wrong-password"))
        with pytest.raises(EngineError, match=rf"the mail server 127.0.0.1:{port} refused the user name or "
                                              r"password \(technical detail: 535 5.7.8 Authentication credentials "
                                              r"invalid\)"):
            Mail(harness.runtime, tmp_path).send_test(ADMIN, "beheer@example.nl")
        change_settings(harness.runtime, ADMIN, mail=local(port, username="desk", password="right-password"))
        Mail(harness.runtime, tmp_path).send_test(ADMIN, "beheer@example.nl")
    assert len(inbox.messages) == 1


def test_a_test_email_says_when_the_server_offers_no_starttls(harness: Harness, smtp: tuple[Inbox, int],
                                                              tmp_path: Path):
    _, port = smtp
    change_settings(harness.runtime, ADMIN, mail=local(port, starttls=True))
    with pytest.raises(EngineError, match=rf"127.0.0.1:{port} does not offer an encrypted connection: switch "
                                          r"STARTTLS off .* \(technical detail: .*STARTTLS"):
        Mail(harness.runtime, tmp_path).send_test(ADMIN, "beheer@example.nl")


def test_starttls_needs_a_certificate_the_machine_trusts_and_then_signs_in_over_it(
        harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    inbox = Inbox()
    context, certificate = self_signed_tls(tmp_path)
    with smtp_server(inbox, tls_context=context, require_starttls=True, authenticator=accept_desk) as port:
        change_settings(harness.runtime, ADMIN, mail=local(port, starttls=True, username="desk",
                                                           password="right-password"))
        with pytest.raises(EngineError, match=rf"the connection to the mail server 127.0.0.1:{port} could not be "
                                              r"secured: its certificate is not trusted \(technical detail: "
                                              r".*self.signed certificate"):
            Mail(harness.runtime, tmp_path).send_test(ADMIN, "beheer@example.nl")
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate))  # as if installed among the machine's trusted ones
        Mail(harness.runtime, tmp_path).send_test(ADMIN, "beheer@example.nl")
    assert [recipients for recipients, _ in inbox.messages] == [["beheer@example.nl"]]


def test_a_test_email_needs_a_server_an_address_and_an_administrator(harness: Harness, tmp_path: Path):
    mail = Mail(harness.runtime, tmp_path)
    with pytest.raises(EngineError, match="no mail server is configured"):
        mail.send_test(ADMIN, "beheer@example.nl")
    change_settings(harness.runtime, ADMIN, mail=local(free_port()))
    with pytest.raises(DataError, match="'beheer' is not an e-mail address"):
        mail.send_test(ADMIN, "beheer")
    with pytest.raises(AccessDenied):
        mail.send_test(person("sue", "supervisor"), "beheer@example.nl")
    with pytest.raises(AccessDenied):
        mail.read_route(person("sue", "supervisor"))


def test_saving_settings_is_logged_without_the_password_and_an_omitted_password_is_kept(harness: Harness):
    change_settings(harness.runtime, ADMIN, mail=local(587, username="desk", password="geheim-123"))
    harness.clock.advance(SECOND)
    change_settings(harness.runtime, ADMIN, four_eyes=True, mail=local(587, username="desk"))
    harness.clock.advance(SECOND)
    settings = change_settings(harness.runtime, ADMIN, default_language="en")
    assert settings.mail is not None and settings.mail.password == "geheim-123"
    summaries = [event.summary for event in account_events(harness.runtime, ADMIN) if event.kind == "settings changed"]
    assert summaries == [
        "Settings: four eyes on, default language en, mail server 127.0.0.1:587, signing in as desk",
        "Settings: four eyes on, default language nl, mail server 127.0.0.1:587, signing in as desk",
        "Settings: four eyes off, default language nl, mail server 127.0.0.1:587, signing in as desk; new mail "
        "password"]
    assert not any("geheim" in event.summary for event in account_events(harness.runtime, ADMIN))


def kept_emails(harness: Harness, worker: Deliverer, count: int) -> list[str]:
    """`count` cases whose e-mail the worker kept locally, as no mail server is configured."""
    cases = [start_case(harness) for _ in range(count)]
    assert worker.deliver_due().kept == count
    return cases


def test_kept_emails_go_out_once_a_mail_server_is_saved_each_once_and_their_eml_stays(
        harness: Harness, smtp: tuple[Inbox, int], tmp_path: Path):
    inbox, port = smtp
    mail = Mail(harness.runtime, tmp_path)
    worker = Deliverer(harness.runtime, mail.sinks)
    cases = kept_emails(harness, worker, CLAIM_BATCH + 2)  # more than one batch
    assert mail.kept(ADMIN) == CLAIM_BATCH + 2
    change_settings(harness.runtime, ADMIN, mail=local(port))
    report = mail.send_kept(person("sue", "supervisor"))
    assert (report.sent, report.not_sent) == (12, 0)
    assert str(report.lines[0]) == f"12 of the 12 e-mails kept locally went out through 127.0.0.1:{port}."
    assert sorted(recipients[0] for recipients, _ in inbox.messages) == ["sanne@example.nl"] * 12
    for case_id in cases:
        [entry] = harness.store.outbox(case_id=case_id)
        assert entry.status is OutboxStatus.SENT and (tmp_path / "mail" / f"{entry.id}.eml").exists()
        last = harness.store.audit_events(case_id)[-1]
        assert (last.kind, last.actor) == ("kept e-mail sent", "sue")
        assert last.summary == (f"The e-mail to sanne@example.nl, kept locally while no mail server was configured, "
                                f"goes out through 127.0.0.1:{port} (sue sent it)")
    assert mail.kept(ADMIN) == 0 and mail.send_kept(ADMIN).sent == 0
    assert worker.deliver_due().sent == 0 and len(inbox.messages) == 12
    newest = account_events(harness.runtime, ADMIN)[0]
    assert newest.kind == "kept e-mails sent" and "12 went out, 0 not yet" in newest.summary


def test_a_kept_email_the_server_refuses_is_retried_and_fails_like_any_other(harness: Harness, tmp_path: Path):
    mail = Mail(harness.runtime, tmp_path)
    worker = Deliverer(harness.runtime, mail.sinks)
    [case_id] = kept_emails(harness, worker, 1)
    nobody = free_port()
    change_settings(harness.runtime, ADMIN, mail=local(nobody))
    report = mail.send_kept(ADMIN)
    assert (report.sent, report.not_sent) == (0, 1)
    assert str(report.lines[1]).startswith(f"1 could not go out yet: the mail server 127.0.0.1:{nobody} refused the "
                                           "connection")
    [entry] = harness.store.outbox(case_id=case_id)
    assert entry.status is OutboxStatus.PENDING and entry.attempts == 1 and mail.kept(ADMIN) == 0
    for _ in range(MAX_ATTEMPTS - 1):  # the worker tries again when it is due, as any e-mail
        harness.clock.advance(entry.next_attempt_at - harness.clock.now())
        worker.deliver_due()
        [entry] = harness.store.outbox(case_id=case_id)
    assert entry.status is OutboxStatus.FAILED and entry.attempts == MAX_ATTEMPTS
    [failed] = failed_deliveries(harness.runtime, ADMIN)
    assert failed.case_id == case_id and failed.resendable


def test_kept_emails_need_a_mail_server_and_a_supervisor(harness: Harness, tmp_path: Path):
    mail = Mail(harness.runtime, tmp_path)
    [case_id] = kept_emails(harness, Deliverer(harness.runtime, mail.sinks), 1)
    with pytest.raises(EngineError, match="no mail server is configured, so the e-mails kept locally stay kept"):
        mail.send_kept(ADMIN)
    change_settings(harness.runtime, ADMIN, mail=local(free_port()))
    for someone in (person("amy", "agent"), person("ada", "auditor")):
        with pytest.raises(AccessDenied, match="to send the e-mails kept locally"):
            mail.send_kept(someone)
        with pytest.raises(AccessDenied):
            mail.kept(someone)
    assert harness.store.outbox(case_id=case_id)[0].status is OutboxStatus.KEPT and mail.kept(ADMIN) == 1


class RefusingRecipient(Inbox):
    """A server that knows no mailbox 'nobody'."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # aiosmtpd calls it by this name
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_what_went_wrong_is_said_in_plain_words_with_the_technical_detail_after_it(tmp_path: Path):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "ks@example.nl", "nobody@example.nl", "Test"
    message.set_content("test")
    with smtp_server(RefusingRecipient()) as port, pytest.raises(DeliveryError) as refused:
        SmtpSink("127.0.0.1", port).send(message)
    assert str(refused.value) == (f"the mail server 127.0.0.1:{port} refused to deliver to nobody@example.nl "
                                  "(technical detail: 550 5.1.1 no such mailbox)")
    with socket.socket() as silent:  # takes the connection, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        with pytest.raises(DeliveryError) as waited:
            SmtpSink("127.0.0.1", port, timeout=0.3).send(message)
    assert str(waited.value) == (f"the mail server 127.0.0.1:{port} did not answer within 0.3 seconds (technical "
                                 "detail: Connection unexpectedly closed: timed out)")
    nobody = free_port()
    with pytest.raises(DeliveryError) as unheard:
        SmtpSink("127.0.0.1", nobody).send(message)
    assert isinstance(unheard.value.problem, Phrase) and str(unheard.value).startswith(
        f"the mail server 127.0.0.1:{nobody} refused the connection: is it running, and are its host and port right? "
        "(technical detail: [Errno 111] Connection refused)")
