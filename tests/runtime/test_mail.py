"""E-mail on an installation: kept as .eml files without a mail server, sent through the one the settings (else the
command line) name from the worker's next pass on, and a test e-mail that says what went wrong — all against real
local SMTP servers."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from runtime.documents import OutboxStatus
from runtime.errors import AccessDenied, DataError, EngineError
from runtime.mail import Mail, MailSource
from runtime.outbox import Deliverer
from runtime.settings import MailServer, change_settings
from runtime.views.accounts import account_events
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
    assert route.source is MailSource.SETTINGS and f"127.0.0.1:{nobody}" in route.text
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
    assert said.startswith(f"A test e-mail went to beheer@example.nl through 127.0.0.1:{port}")
    [(recipients, message)] = inbox.messages
    assert recipients == ["beheer@example.nl"] and message["Subject"] == "Flowdesk test e-mail"
    assert "to test the mail server settings" in message.get_body(("plain",)).get_content()
    newest = account_events(harness.runtime, ADMIN)[0]
    assert newest.kind == "test e-mail" and newest.summary.startswith("Test e-mail sent to beheer@example.nl")


def test_a_test_email_says_when_nothing_answers(harness: Harness, tmp_path: Path):
    nobody = free_port()
    change_settings(harness.runtime, ADMIN, mail=local(nobody))
    harness.clock.advance(SECOND)
    with pytest.raises(EngineError, match=rf"not sent: the mail server 127.0.0.1:{nobody} refused the connection "
                                          r"\(is it running; are host and port right\?\)"):
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
                                              r"password \(535 5.7.8 Authentication credentials invalid\)"):
            Mail(harness.runtime, tmp_path).send_test(ADMIN, "beheer@example.nl")
        change_settings(harness.runtime, ADMIN, mail=local(port, username="desk", password="right-password"))
        Mail(harness.runtime, tmp_path).send_test(ADMIN, "beheer@example.nl")
    assert len(inbox.messages) == 1


def test_a_test_email_says_when_the_server_offers_no_starttls(harness: Harness, smtp: tuple[Inbox, int],
                                                              tmp_path: Path):
    _, port = smtp
    change_settings(harness.runtime, ADMIN, mail=local(port, starttls=True))
    with pytest.raises(EngineError, match=rf"127.0.0.1:{port} does not offer STARTTLS: switch STARTTLS off"):
        Mail(harness.runtime, tmp_path).send_test(ADMIN, "beheer@example.nl")


def test_starttls_needs_a_certificate_the_machine_trusts_and_then_signs_in_over_it(
        harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    inbox = Inbox()
    context, certificate = self_signed_tls(tmp_path)
    with smtp_server(inbox, tls_context=context, require_starttls=True, authenticator=accept_desk) as port:
        change_settings(harness.runtime, ADMIN, mail=local(port, starttls=True, username="desk",
                                                           password="right-password"))
        with pytest.raises(EngineError, match=rf"TLS with the mail server 127.0.0.1:{port} failed: its certificate "
                                              r"is not trusted \(self.signed certificate\)"):
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
