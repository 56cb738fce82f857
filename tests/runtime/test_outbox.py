"""The outbox: send nodes write entries in the step, the deliverer sends each exactly once.

E-mail goes to a real SMTP server (aiosmtpd on localhost); letters, SMS and
connector requests become files.
"""

from __future__ import annotations

import io
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from pypdf import PdfReader

from models.customers import Customer
from runtime.documents import OutboxEntry, OutboxStatus
from runtime.outbox import Deliverer, DeliveryError, FileSink, SmtpSink, default_sinks, sent_document, sent_to_customer
from runtime.settings import MailServer
from runtime.storage.base import Changes
from tests.local_servers import Inbox, free_port
from tests.people import person
from tests.runtime.builders import auto, end, process, send, start
from tests.runtime.conftest import Harness

LETTERS = [
    {"id": "confirm", "name": "Confirmation", "channel": "email", "variants": [
        {"language": "nl", "subject": "Bevestiging voor {{ customer.name }}",
         "body": "<p>Beste {{ customer.name }}, we crediteren {{ amount|money }}.</p>",
         "text_body": "Beste {{ customer.name }}, we crediteren {{ amount|money }}."},
        {"language": "en", "subject": "Confirmation for {{ customer.name }}",
         "body": "<p>Dear {{ customer.name }}, we credit {{ amount|money }}.</p>",
         "text_body": "Dear {{ customer.name }}, we credit {{ amount|money }}."}]},
    {"id": "paper", "name": "Paper letter", "channel": "letter", "variants": [
        {"language": "nl", "subject": "Uw creditnota", "body": "<h1>Geachte {{ customer.name }}</h1>"
         "<p>Wij crediteren <b>{{ amount|money }}</b>.</p>"}]},
    {"id": "html_only", "name": "HTML only", "channel": "email", "variants": [
        {"language": "nl", "subject": "Overzicht", "body": "<h1>Beste {{ customer.name }}</h1>"
         "<ul><li>Bedrag: {{ amount|money }}</li><li>Status: verwerkt</li></ul>"}]},
    {"id": "text", "name": "SMS", "channel": "sms",
     "variants": [{"language": "nl", "body": "Hoi {{ customer.name }}"}]},
]


def customer(language: str = "nl", name: str = "Sanne de Vries") -> Customer:
    return Customer.model_validate({
        "id": "C-1", "number": "1", "name": name, "email": "sanne@example.nl", "phone": "+31 6 1234 5678",
        "language": language, "address": {"street": "Oudegracht", "house_number": "1", "postcode": "3511 AA",
                                          "city": "Utrecht"}})


def setup_case(harness: Harness, letters: list[str], who: Customer | None = None) -> str:
    rt = harness.runtime
    rt.store.commit(Changes(customers=[who or customer()]))
    nodes = [start(), *(send(f"send_{name}", name) for name in letters), end()]
    flow = " ".join(f"{a}>{b}" for a, b in zip(["s", *(f"send_{n}" for n in letters)],
                                                 [*(f"send_{n}" for n in letters), "e"], strict=True))
    rt.publish(person("ann"), process("p", variables={"amount": "money"}, nodes=nodes, flow=flow, letters=LETTERS))
    return rt.start_case(person("agent"), "p", {"amount": "1234.50"}, customer_id="C-1").id


def deliverer(harness: Harness, port: int, folder: Path) -> Deliverer:
    return Deliverer(harness.runtime, lambda: default_sinks(folder, MailServer(host="127.0.0.1", port=port)))


def test_an_email_reaches_a_real_smtp_server_once_with_subject_parts_and_recipient(
        harness: Harness, smtp: tuple[Inbox, int], tmp_path: Path):
    inbox, port = smtp
    case_id = setup_case(harness, ["confirm"])
    [entry] = harness.store.outbox(case_id=case_id)
    assert entry.status is OutboxStatus.PENDING  # written in the step, not yet sent
    outbox = deliverer(harness, port, tmp_path)
    assert outbox.deliver_due().sent == 1
    assert outbox.deliver_due().sent == 0
    [(recipients, message)] = inbox.messages
    assert recipients == ["sanne@example.nl"]
    assert message["Subject"] == "Bevestiging voor Sanne de Vries"
    assert message.get_body(("plain",)).get_content().strip() == "Beste Sanne de Vries, we crediteren €\xa01.234,50."
    assert "<p>Beste Sanne de Vries" in message.get_body(("html",)).get_content()
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["From"] == "Flowdesk <noreply@flowdesk.local>" and message["To"] == "sanne@example.nl"
    assert message["Date"] and message["Message-ID"].endswith(f".{entry.id}@flowdesk.local>")
    assert harness.store.outbox(case_id=case_id)[0].status is OutboxStatus.SENT


def test_an_email_without_a_text_version_gets_a_readable_plain_part_from_its_html(
        harness: Harness, smtp: tuple[Inbox, int], tmp_path: Path):
    inbox, port = smtp
    setup_case(harness, ["html_only"])
    assert deliverer(harness, port, tmp_path).deliver_due().sent == 1
    [(_, message)] = inbox.messages
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == (
        "Beste Sanne de Vries\n\n- Bedrag: € 1.234,50\n- Status: verwerkt\n")
    assert "<li>Bedrag: €&nbsp;1.234,50</li>" in message.get_body(("html",)).get_content()


def test_the_customers_language_picks_the_variant_and_data_is_never_template_code(
        harness: Harness, smtp: tuple[Inbox, int], tmp_path: Path):
    inbox, port = smtp
    setup_case(harness, ["confirm"], customer(language="en", name="{{7*7}} <b>"))
    deliverer(harness, port, tmp_path).deliver_due()
    [(_, message)] = inbox.messages
    assert message["Subject"] == "Confirmation for {{7*7}} <b>"
    assert "Dear {{7*7}} &lt;b&gt;" in message.get_body(("html",)).get_content()
    assert "we credit €1,234.50." in message.get_body(("plain",)).get_content()  # the amount as English writes it


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_letters_become_pdf_and_html_files_and_sms_text_files(harness: Harness, tmp_path: Path):
    case_id = setup_case(harness, ["paper", "text"])
    report = deliverer(harness, free_port(), tmp_path).deliver_due()
    assert report.sent == 2
    [pdf] = (tmp_path / "letters").glob("*.pdf")
    text = pdf_text(pdf.read_bytes())
    assert "Sanne de Vries\nOudegracht 1\n3511 AA Utrecht" in text
    assert "Uw creditnota" in text and "Geachte Sanne de Vries" in text and "Wij crediteren € 1.234,50." in text
    [letter] = (tmp_path / "letters").glob("*.html")
    assert letter.stem == pdf.stem
    assert "<h1>Geachte Sanne de Vries</h1>" in letter.read_text()
    assert "Oudegracht 1" in letter.read_text()
    [sms] = (tmp_path / "sms").glob("*.txt")
    assert "To: +31 6 1234 5678" in sms.read_text() and "Hoi Sanne de Vries" in sms.read_text()
    assert {e.status for e in harness.store.outbox(case_id=case_id)} == {OutboxStatus.SENT}


def test_connector_requests_go_through_the_outbox_too(harness: Harness, tmp_path: Path):
    rt = harness.runtime
    rt.publish(person("ann"), process("p", variables={"done": "boolean"}, nodes=[start(), auto("book",
                                                                                               connector="billing.book",
               done="true"), end()], flow="s>book book>e"))
    case = rt.start_case(person("agent"), "p")
    assert deliverer(harness, free_port(), tmp_path).deliver_due().sent == 1
    [request] = (tmp_path / "connectors").glob("*.json")
    assert "To: billing.book" in request.read_text() and case.id in request.read_text()


def test_a_failing_smtp_server_is_retried_with_backoff_then_shown_as_failed(harness: Harness, tmp_path: Path):
    case_id = setup_case(harness, ["confirm"])
    outbox = deliverer(harness, free_port(), tmp_path)  # nothing listens there
    pauses = []
    for _ in range(5):
        report = outbox.deliver_due()
        [entry] = harness.store.outbox(case_id=case_id)
        if entry.status is OutboxStatus.FAILED:
            break
        assert report.retrying == 1 and "refused the connection" in entry.last_error
        pauses.append(entry.next_attempt_at - harness.clock.now())
        assert outbox.deliver_due().retrying == 0  # not due yet
        harness.clock.advance(pauses[-1])
    assert pauses == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]
    [entry] = harness.store.outbox(case_id=case_id)
    assert entry.status is OutboxStatus.FAILED and entry.attempts == 5 and "gave up" in entry.last_error


def test_an_email_interrupted_while_sending_is_never_sent_twice(
        harness: Harness, smtp: tuple[Inbox, int], tmp_path: Path):
    inbox, port = smtp
    case_id = setup_case(harness, ["confirm", "paper"])
    for entry in harness.store.outbox(case_id=case_id):  # as if the process died during delivery
        harness.store.commit(Changes(outbox=[entry.model_copy(update={"status": OutboxStatus.SENDING})]))
    report = deliverer(harness, port, tmp_path).deliver_due()
    assert (report.sent, report.failed) == (1, 1)
    assert inbox.messages == []
    statuses = {e.channel: e for e in harness.store.outbox(case_id=case_id)}
    assert statuses["email"].status is OutboxStatus.FAILED and "check" in statuses["email"].last_error
    assert statuses["letter"].status is OutboxStatus.SENT  # a file can safely be written again
    assert len(list((tmp_path / "letters").glob("*.html"))) == 1


def test_the_smtp_message_carries_the_entry_id_for_tracing():
    from runtime.documents import OutboxEntry

    entry = OutboxEntry.model_validate({
        "id": "out-1", "case_id": "case-1", "node": "n", "channel": "email", "language": "nl",
        "recipient": "a@example.nl", "subject": "S", "body": "<p>B</p>", "text_body": "B",
        "next_attempt_at": "2026-01-01T00:00:00Z", "created_at": "2026-01-01T00:00:00Z"})
    message = SmtpSink().message(entry)
    assert "out-1" in message["Message-ID"] and message["X-Flowdesk-Case"] == "case-1"
    assert FileSink(Path("/nonexistent")).idempotent and not SmtpSink().idempotent


def test_each_entry_gives_the_document_that_went_out(harness: Harness, smtp: tuple[Inbox, int], tmp_path: Path):
    inbox, port = smtp
    case_id = setup_case(harness, ["confirm", "paper", "text"])
    deliverer(harness, port, tmp_path).deliver_due()
    documents = {entry.channel: sent_document(entry) for entry in sent_to_customer(harness.store, case_id)}
    letter, email, sms = documents["letter"], documents["email"], documents["sms"]
    assert letter.media_type == "application/pdf" and letter.filename.endswith(".pdf")
    assert "Geachte Sanne de Vries" in pdf_text(letter.content)
    assert email.media_type == "message/rfc822" and email.filename.endswith(".eml")
    [(_, delivered)] = inbox.messages
    downloaded = message_from_bytes(email.content, policy=policy.default)
    assert downloaded["Message-ID"] == delivered["Message-ID"] and downloaded["Subject"] == delivered["Subject"]
    assert downloaded.get_body(("plain",)).get_content() == delivered.get_body(("plain",)).get_content()
    assert sms.filename.endswith(".txt") and sms.content.decode() == "To: +31 6 1234 5678\n\nHoi Sanne de Vries\n"


def test_sent_to_customer_lists_letters_emails_and_sms_not_connector_requests(harness: Harness):
    rt = harness.runtime
    rt.store.commit(Changes(customers=[customer()]))
    rt.publish(person("ann"), process("p", variables={"amount": "money", "done": "boolean"}, nodes=[
        start(), send("send_text", "text"), auto("book", connector="billing.book", done="true"),
        send("send_paper", "paper"), end()], flow="s>send_text send_text>book book>send_paper send_paper>e",
        letters=LETTERS))
    case_id = rt.start_case(person("agent"), "p", {"amount": "5"}, customer_id="C-1").id
    assert sorted(e.channel for e in sent_to_customer(harness.store, case_id)) == ["letter", "sms"]
    assert len(harness.store.outbox(case_id=case_id)) == 3


def test_a_letter_that_cannot_be_laid_out_is_not_delivered_and_says_why(tmp_path: Path):
    entry = OutboxEntry.model_validate({
        "id": "out-1", "case_id": "case-1", "node": "n", "channel": "letter", "language": "nl",
        "recipient": "A\nB\nC", "subject": "Credit", "body": "<table><tr><td><table><tr><td>x</td></tr></table>"
        "</td></tr></table>", "next_attempt_at": "2026-01-01T00:00:00Z", "created_at": "2026-01-01T00:00:00Z"})
    with pytest.raises(DeliveryError, match=r"the letter 'Credit' cannot be laid out as a PDF: .*table inside a table"):
        FileSink(tmp_path).deliver(entry)
    assert list(tmp_path.iterdir()) == []
