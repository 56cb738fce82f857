"""E-mail on the pages: kept locally on a fresh install (shown so, readable and downloadable), and a failed one as an
incident on its case that agents resend from the sent items and supervisors from the monitor, all at once."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest
from nicegui import app, ui
from nicegui.testing import User

from models.phrases import Phrase
from runtime.deliveries import give_up
from runtime.documents import OutboxStatus
from runtime.mail import Mail
from runtime.outbox import Deliverer, sent_to_customer
from runtime.service import Runtime
from runtime.settings import MailServer, change_settings
from runtime.storage.tinydb_store import TinyDBStore
from tests.designer.helpers import sign_in
from tests.local_servers import Inbox, free_port, smtp_server
from tests.people import person

pytestmark = pytest.mark.anyio

REASON = "the mail server localhost:25 refused the connection"


def runtime() -> Runtime:
    return app.state.runtime


def the_case() -> str:
    [case] = runtime().store.cases()
    return case.id


def the_email() -> str:
    [email] = sent_to_customer(runtime().store, the_case())
    return email.id


@pytest.fixture
def failed(data: Path) -> Path:
    """The seeded data, where the worker gave up on the complaint's acknowledgement e-mail."""
    with TinyDBStore.open(data) as store:
        runtime = Runtime(store)
        [case] = store.cases()
        [email] = sent_to_customer(store, case.id)
        give_up(runtime, email, f"{REASON} (gave up after 5 attempts)")
    return data


async def test_on_a_fresh_install_an_email_is_kept_locally_and_reads_as_it_would_have_gone_out(
        user: User, tmp_path: Path):
    case_id, email_id = the_case(), the_email()
    report = Deliverer(runtime(), Mail(runtime(), tmp_path / "outbox").sinks).deliver_due()  # the app's worker
    assert report.kept == 1
    await sign_in(user, "bob", "bob-demo", target=f"/work/case/{case_id}")
    await user.should_see(marker=f"status-{email_id}", content="kept locally (no mail server configured)",
                          retries=50)
    await user.should_see(marker=f"view-{email_id}")
    download = await user.http_client.get(f"/api/v1/cases/{case_id}/sent/{email_id}/document")
    assert download.status_code == 200 and download.headers["content-type"] == "message/rfc822"
    message = message_from_bytes(download.content, policy=policy.default)
    assert message["To"] == "sanne.devries@example.nl"
    kept = (tmp_path / "outbox" / "mail" / f"{email_id}.eml").read_bytes()
    assert message_from_bytes(kept, policy=policy.default)["Message-ID"] == message["Message-ID"]


@pytest.mark.usefixtures("failed")
async def test_a_failed_email_is_an_incident_on_the_case_that_an_agent_resends(user: User):
    case_id, email_id = the_case(), the_email()
    await sign_in(user, "bob", "bob-demo", target=f"/work/case/{case_id}")
    await user.should_see(marker="incident", content="The e-mail to sanne.devries@example.nl could not be sent: "
                                                     "the mail server localhost:25 refused the connection")
    await user.should_see(marker=f"status-{email_id}", content="failed: the mail server localhost:25 refused")
    user.find(marker=f"resend-{email_id}").click()
    await user.should_see("Queued again: the e-mail to sanne.devries@example.nl.")
    await user.should_see(marker=f"status-{email_id}", content="queued")
    await user.should_not_see(marker="incident")
    await user.should_not_see(marker=f"resend-{email_id}")
    await user.should_see("The e-mail to sanne.devries@example.nl resent by Bob Agent (it failed: the mail server")
    [email] = sent_to_customer(runtime().store, case_id)
    assert email.status is OutboxStatus.PENDING and email.attempts == 0


@pytest.mark.usefixtures("failed")
async def test_an_auditor_sees_the_failure_but_cannot_resend(user: User):
    email_id = the_email()
    await sign_in(user, "abe", "abe-demo", target="/audit")
    await user.open(f"/audit/case/{the_case()}")
    await user.should_see(marker=f"status-{email_id}", content="failed")
    await user.should_not_see(marker=f"resend-{email_id}")


@pytest.mark.usefixtures("failed")
async def test_a_supervisor_sees_failed_deliveries_on_the_monitor_and_resends_them_all(user: User):
    case_id, email_id = the_case(), the_email()
    await sign_in(user, "sue", "sue-demo", target="/monitor")
    await user.should_see(marker="failed-count", content="1 delivery failed", retries=30)
    await user.should_see(marker=f"failed-{email_id}")
    await user.should_see(f"the e-mail to sanne.devries@example.nl: {REASON}")
    user.find(marker="resend-everything").click()
    await user.should_see("Queued again: 1 message of 1 case.")
    await user.should_see(marker="failed-none")
    assert runtime().store.case(case_id).incidents == []


async def test_the_monitor_shows_a_delivery_that_fails_while_it_is_open(user: User):
    await sign_in(user, "sue", "sue-demo", target="/monitor")
    await user.should_see(marker="failed-none", retries=30)
    [email] = sent_to_customer(runtime().store, the_case())
    give_up(runtime(), email, REASON)  # what the worker does after the last attempt
    await user.find(kind=ui.timer).elements.pop().callback()  # the page's refresh, every 10 seconds
    await user.should_see(marker="failed-count", content="1 delivery failed")


@pytest.mark.usefixtures("failed")
async def test_an_administrator_resends_everything_beside_the_mail_settings_and_an_agent_cannot(user: User):
    await sign_in(user, "root", "root-demo", target="/admin?tab=settings")
    await user.should_see(marker="failed-count", content="1 delivery failed", retries=30)
    await user.should_see(marker="resend-everything")  # an administrator may do everything
    await sign_in(user, "bob", "bob-demo", target="/monitor")
    await user.should_see(marker="not-allowed")


def interrupted() -> str:
    """The complaint's e-mail, left to check by hand: the worker stopped while the mail server had it."""
    [email] = sent_to_customer(runtime().store, the_case())
    email.interrupted = True
    give_up(runtime(), email, Phrase("delivery was interrupted: it may or may not have arrived; check by hand"))
    return email.id


async def test_an_agent_who_checked_with_the_customer_marks_an_email_that_may_have_arrived_as_arrived(user: User):
    case_id, email_id = the_case(), interrupted()
    await sign_in(user, "bob", "bob-demo", target=f"/work/case/{case_id}")
    await user.should_see(marker=f"check-{email_id}", retries=50)
    await user.should_see("It may have arrived. Checked with the customer?")
    await user.should_not_see(marker=f"resend-{email_id}")
    user.find(marker=f"arrived-{email_id}").click()
    await user.should_see("Marked as arrived: the e-mail to sanne.devries@example.nl; it is not sent again.")
    await user.should_see(marker=f"status-{email_id}", content="sent")
    await user.should_not_see(marker=f"check-{email_id}")
    await user.should_not_see(marker="incident")
    await user.should_see("Bob Agent checked the e-mail to sanne.devries@example.nl: it arrived, so it is not sent "
                          "again")
    [email] = sent_to_customer(runtime().store, case_id)
    assert email.status is OutboxStatus.SENT


async def test_an_email_that_did_not_arrive_is_sent_again_from_the_case_and_an_auditor_cannot(user: User):
    case_id, email_id = the_case(), interrupted()
    await sign_in(user, "abe", "abe-demo", target="/audit")
    await user.open(f"/audit/case/{case_id}")
    await user.should_see(marker=f"status-{email_id}", content="failed", retries=50)
    await user.should_not_see(marker=f"check-{email_id}")
    await sign_in(user, "sue", "sue-demo", target=f"/work/case/{case_id}")
    await user.should_see(marker=f"send-again-{email_id}", retries=50)
    user.find(marker=f"send-again-{email_id}").click()
    await user.should_see(marker=f"status-{email_id}", content="queued")
    [email] = sent_to_customer(runtime().store, case_id)
    assert email.status is OutboxStatus.PENDING and not email.interrupted


async def test_an_administrator_sends_the_emails_kept_locally_once_a_mail_server_is_saved(user: User):
    email_id = the_email()
    assert Deliverer(runtime(), app.state.mail.sinks).deliver_due().kept == 1  # the app's worker, no server yet
    inbox = Inbox()
    with smtp_server(inbox) as port:
        await sign_in(user, "root", "root-demo", target="/admin?tab=settings")
        await user.should_see(marker="admin-tabs", retries=30)
        await user.should_not_see(marker="send-kept")  # nothing to send them through yet
        user.find("Send e-mails through this mail server (SMTP)").click()
        user.find(marker="mail-host").type("127.0.0.1")
        user.find(marker="mail-port").elements.pop().value = port
        user.find(marker="save-settings").click()
        await user.should_see(marker="kept-count", content="1 e-mail was kept locally while no mail server was "
                                                           "configured.")
        user.find(marker="send-kept").click()
        await user.should_see(marker="kept-result", content=f"1 of the 1 e-mails kept locally went out through "
                                                            f"127.0.0.1:{port}.", retries=50)
        await user.should_not_see(marker="send-kept")
    [(recipients, _)] = inbox.messages
    assert recipients == ["sanne.devries@example.nl"]
    assert sent_to_customer(runtime().store, the_case())[0].status is OutboxStatus.SENT
    assert runtime().store.audit_events(the_case())[-1].details["outbox"] == email_id


async def test_kept_emails_a_server_refuses_are_said_so_and_tried_again(user: User):
    Deliverer(runtime(), app.state.mail.sinks).deliver_due()
    nobody = free_port()
    change_settings(runtime(), person("ann"), mail=MailServer(host="127.0.0.1", port=nobody).model_dump())
    await sign_in(user, "root", "root-demo", target="/admin?tab=settings")
    await user.should_see(marker="send-kept", retries=30)
    user.find(marker="send-kept").click()
    await user.should_see(marker="kept-result", content=f"0 of the 1 e-mails kept locally went out through "
                                                        f"127.0.0.1:{nobody}.\n1 could not go out yet: the mail server "
                                                        f"127.0.0.1:{nobody} refused the connection", retries=50)
    assert sent_to_customer(runtime().store, the_case())[0].status is OutboxStatus.PENDING
