"""What was sent for a case: the list with view and download, and who may fetch the documents."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from nicegui import app, ui
from nicegui.testing import User
from pypdf import PdfReader

from codegen.letters import address_lines
from runtime.documents import OutboxEntry, OutboxStatus
from runtime.storage.base import Changes
from runtime.storage.tinydb_store import TinyDBStore
from tests.designer.helpers import sign_in

pytestmark = pytest.mark.anyio

LETTER_ID, SMS_ID = "out-letter-1", "out-sms-1"


@pytest.fixture
def data(data: Path) -> Path:
    """The seeded data (one complaint case, whose confirmation e-mail is queued) plus a sent letter and a
    failed SMS for that case; the customer's name is typed like template code."""
    with TinyDBStore.open(data) as store:
        [case] = store.cases()
        customer = store.customer(case.customer_id).model_dump(mode="json")
        moment = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
        common = {"case_id": case.id, "node": "n", "language": "nl", "next_attempt_at": moment,
                  "created_at": moment}
        store.commit(Changes(outbox=[
            OutboxEntry(id=LETTER_ID, channel="letter", letter="credit_note", status=OutboxStatus.SENT,
                        recipient="\n".join(address_lines({**customer, "name": "{{7*7}} <b>Sanne</b>"})),
                        subject="Uw creditnota", sent_at=moment, attempts=1,
                        body="<h1>Geachte {{7*7}} &lt;b&gt;Sanne&lt;/b&gt;</h1><p>Wij crediteren € 80,00.</p>",
                        **common),
            OutboxEntry(id=SMS_ID, channel="sms", status=OutboxStatus.FAILED, recipient=customer["phone"],
                        body="Uw kaart is actief.", last_error="SMS gateway refused the number", attempts=5,
                        **common),
        ]))
    return data


def case_id() -> str:
    [case] = app.state.runtime.store.cases()
    return case.id


def document_url(entry_id: str, view: bool = False) -> str:
    return f"/api/v1/cases/{case_id()}/sent/{entry_id}/document" + ("?view=html" if view else "")


def email_id() -> str:
    return next(e.id for e in app.state.runtime.store.outbox(case_id=case_id()) if e.channel == "email")


async def test_the_case_lists_what_was_sent_when_on_which_channel_to_whom_and_its_status(user: User):
    await sign_in(user, "abe", "abe-demo", target="/audit")
    await user.open(f"/audit/case/{case_id()}")
    await user.should_see(marker="sent-items")
    with user.scope(marker=f"sent-{LETTER_ID}"):
        for shown in ("Letter", "{{7*7}} <b>Sanne</b>", "Uw creditnota", "sent"):
            await user.should_see(shown)
    with user.scope(marker=f"sent-{SMS_ID}"):
        await user.should_see("SMS")
        await user.should_see("failed: SMS gateway refused the number")
    with user.scope(marker=f"sent-{email_id()}"):
        await user.should_see("E-mail")
        await user.should_see("We hebben uw klacht over factuur F2026-104233 ontvangen")
        await user.should_see("queued")
    link = user.find(marker=f"download-{LETTER_ID}").elements.pop()
    assert link.props["href"] == document_url(LETTER_ID)


async def test_viewing_a_letter_shows_it_in_a_sandboxed_iframe_never_as_page_html(user: User):
    await sign_in(user, "abe", "abe-demo", target="/audit")
    await user.open(f"/audit/case/{case_id()}")
    user.find(marker=f"view-{LETTER_ID}").click()
    await user.should_see("Subject: Uw creditnota")
    frame = user.find(marker="view-html").elements.pop()
    assert frame.tag == "iframe"
    assert frame.props["sandbox"] == "" and frame.props["src"] == document_url(LETTER_ID, view=True)
    assert not [element for element in user.current_layout.descendants() if isinstance(element, ui.html)]


async def test_viewing_an_email_shows_its_text_part_as_text_and_an_sms_as_text_with_its_length(user: User):
    await sign_in(user, "abe", "abe-demo", target="/audit")
    await user.open(f"/audit/case/{case_id()}")
    user.find(marker=f"view-{email_id()}").click()
    await user.should_see("Subject: We hebben uw klacht over factuur F2026-104233 ontvangen")
    text = user.find(marker="view-text").elements.pop()
    assert text.text.startswith("Beste Sanne de Vries,\n\nBedankt voor uw bericht over factuur F2026-104233.")
    user.find("Close").click()
    user.find(marker=f"view-{SMS_ID}").click()
    await user.should_see("Uw kaart is actief.")
    await user.should_see("19 characters, 1 SMS")


async def test_an_agent_downloads_the_pdf_of_a_letter_with_the_customers_name(user: User):
    await sign_in(user, "bob", "bob-demo", target="/work")
    response = await user.http_client.get(document_url(LETTER_ID))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="{LETTER_ID}.pdf"'
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "{{7*7}} <b>Sanne</b>" in text and "Geachte {{7*7}} <b>Sanne</b>" in text


async def test_a_supervisor_downloads_an_email_as_eml_and_an_sms_as_text(user: User):
    await sign_in(user, "sue", "sue-demo", target="/work")
    eml = await user.http_client.get(document_url(email_id()))
    assert eml.status_code == 200 and eml.headers["content-type"] == "message/rfc822"
    message = message_from_bytes(eml.content, policy=policy.default)
    assert message["To"] == "sanne.devries@example.nl"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    sms = await user.http_client.get(document_url(SMS_ID))
    assert sms.status_code == 200 and "Uw kaart is actief." in sms.text


async def test_the_html_view_is_served_sandboxed_with_customer_data_as_text(user: User):
    await sign_in(user, "abe", "abe-demo", target="/audit")
    response = await user.http_client.get(document_url(LETTER_ID, view=True))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert "{{7*7}} &lt;b&gt;Sanne&lt;/b&gt;" in response.text and "<b>Sanne</b>" not in response.text


async def test_a_designer_may_not_fetch_what_was_sent(user: User):
    await sign_in(user, "ann", "ann-demo", target="/design")
    response = await user.http_client.get(document_url(LETTER_ID))
    assert response.status_code == 403
    assert "agent" in response.json()["detail"]


async def test_without_signing_in_the_document_is_refused(user: User):
    response = await user.http_client.get(document_url(LETTER_ID))
    assert response.status_code == 401


async def test_an_unknown_or_other_cases_message_is_not_found(user: User):
    await sign_in(user, "bob", "bob-demo", target="/work")
    assert (await user.http_client.get(document_url("out-nonexistent"))).status_code == 404
    other_case = await user.http_client.get(f"/api/v1/cases/case-other/sent/{LETTER_ID}/document")
    assert other_case.status_code == 404


async def test_a_case_without_messages_says_so_and_an_unknown_case_that_there_is_none(user: User):
    store = app.state.runtime.store
    quiet = store.case(case_id()).model_copy(update={"id": "case-without-messages"})
    store.commit(Changes(cases=[(quiet, None)]))
    await sign_in(user, "root", "root-demo", target="/audit")
    await user.open("/audit/case/case-without-messages")
    await user.should_see("Nothing has been sent for this case.")
    await user.open("/audit/case/case-nobody-started")
    await user.should_see("There is no case case-nobody-started.")


async def test_the_audit_case_list_links_each_case_to_its_trail_with_what_was_sent(user: User):
    await sign_in(user, "abe", "abe-demo", target="/audit")
    await user.should_see(marker="cases", retries=30)
    [table] = user.find(marker="cases").elements
    assert table.rows[0]["id"] == case_id()
    assert table.rows[0]["reference"] == app.state.runtime.store.case(case_id()).reference
    link = table.slots["body-cell-reference"].template
    assert ":href=\"`/audit/case/${encodeURIComponent(props.row.id)}`\"" in link
    assert "{{ props.value }}" in link  # the reference is shown as text, linking to the case's trail
    await user.open(f"/audit/case/{case_id()}")
    await user.should_see(marker="sent-items")
