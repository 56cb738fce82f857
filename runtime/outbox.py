"""Delivering the outbox: every entry reaches its channel once, or shows as failed.

Steps only *write* letters, e-mails, SMS and connector requests to the
outbox; this deliverer sends them afterwards. Before handing an entry to a
channel it records "sending"; after, "sent". If the process dies in between,
an idempotent channel (files named by entry id) simply delivers again, while
SMTP, which cannot take a message back, marks the entry failed with a
request to check by hand — so nothing is ever delivered twice. Failures are
retried with growing pauses, then shown as failed.

What an entry delivers is made by `sent_document` (PDF, .eml, .txt): the
sinks send it and the case's "sent items" offer it for download, so what a
person downloads is what went out.
"""

from __future__ import annotations

import logging
import os
import smtplib
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from codegen.email_message import email_message
from codegen.letters import LetterRenderError
from codegen.markup import letter_page
from codegen.pdf import letter_pdf
from models.letters import LetterChannel
from runtime.clock import Clock
from runtime.documents import OutboxEntry, OutboxStatus
from runtime.storage.base import Changes, Store, lease_owner

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=1)
#: How long a deliverer holds the entries it claimed, and how many it claims at once: ten sends that each
#: wait for the SMTP timeout still end well within the lease, so no other deliverer takes one over meanwhile.
OUTBOX_LEASE = timedelta(minutes=5)
CLAIM_BATCH = 10


class DeliveryError(Exception):
    """The channel did not take the entry this time (network down, server refused)."""


class Sink(Protocol):
    """Where one channel's entries go."""

    #: True when delivering the same entry twice has the effect of delivering it once.
    idempotent: bool

    def deliver(self, entry: OutboxEntry) -> None:
        """Hand the entry over, or raise DeliveryError."""
        ...


DEFAULT_SENDER = "Flowdesk <noreply@flowdesk.local>"


@dataclass(frozen=True)
class SentDocument:
    """What an outbox entry delivers, as a file: its name, media type and bytes."""

    filename: str
    media_type: str
    content: bytes


def email_of(entry: OutboxEntry, sender: str = DEFAULT_SENDER) -> EmailMessage:
    """The MIME message of an e-mail entry, the same every time it is made (for sending and for download)."""
    return email_message(sender=sender, recipient=entry.recipient, subject=entry.subject, html_body=entry.body,
                         text_body=entry.text_body, message_id=entry.id, date=entry.created_at,
                         headers={"X-Flowdesk-Case": entry.case_id})


def letter_page_of(entry: OutboxEntry) -> str:
    """A letter entry as a whole HTML page: the address block (the entry's recipient), subject, body."""
    return letter_page(entry.recipient.splitlines(), entry.subject, entry.body, title=entry.subject or entry.id)


def sent_document(entry: OutboxEntry, sender: str = DEFAULT_SENDER) -> SentDocument:
    """The rendered document of an entry: PDF for a letter, .eml for an e-mail, .txt for an SMS, .json for a
    connector request. Raises LetterRenderError if a letter cannot be laid out as PDF."""
    if entry.channel == LetterChannel.LETTER:
        pdf = letter_pdf(entry.recipient.splitlines(), entry.subject, entry.body, title=entry.subject or entry.id)
        return SentDocument(f"{entry.id}.pdf", "application/pdf", pdf)
    if entry.channel == LetterChannel.EMAIL:
        return SentDocument(f"{entry.id}.eml", "message/rfc822",
                            email_of(entry, sender).as_bytes(policy=policy.SMTP))
    header = f"To: {entry.recipient}\n" + (f"Subject: {entry.subject}\n" if entry.subject else "")
    text = f"{header}\n{entry.body}\n".encode()
    if entry.channel == LetterChannel.SMS:
        return SentDocument(f"{entry.id}.txt", "text/plain; charset=utf-8", text)
    return SentDocument(f"{entry.id}.json", "text/plain; charset=utf-8", text)


#: The channels of messages to a customer (connector requests go through the outbox too, but to systems).
CUSTOMER_CHANNELS = frozenset(channel.value for channel in LetterChannel)


def sent_to_customer(store: Store, case_id: str) -> list[OutboxEntry]:
    """The letters, e-mails and SMS of a case, queued or sent, oldest first (the store's order)."""
    return [entry for entry in store.outbox(case_id=case_id) if entry.channel in CUSTOMER_CHANNELS]


def sent_entry(store: Store, case_id: str, entry_id: str) -> OutboxEntry | None:
    """One letter, e-mail or SMS of a case, or None if the case has no such entry."""
    return next((entry for entry in sent_to_customer(store, case_id) if entry.id == entry_id), None)


@dataclass
class SmtpSink:
    """E-mail over SMTP: a multipart/alternative MIME message with a text and an HTML part."""

    host: str = "localhost"
    port: int = 25
    sender: str = DEFAULT_SENDER
    timeout: float = 10.0
    idempotent: bool = False

    def deliver(self, entry: OutboxEntry) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(self.message(entry))
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"SMTP server {self.host}:{self.port}: {error}") from error

    def message(self, entry: OutboxEntry) -> EmailMessage:
        return email_of(entry, self.sender)


@dataclass
class FileSink:
    """Entries as files in a folder, named by entry id: letters as PDF (and an HTML copy), SMS, requests."""

    folder: Path
    #: Also write a letter as HTML beside its PDF (for a print street that takes HTML).
    letter_html: bool = False
    idempotent: bool = True

    def deliver(self, entry: OutboxEntry) -> None:
        try:
            document = sent_document(entry)
        except LetterRenderError as error:
            raise DeliveryError(str(error)) from error
        files = [(document.filename, document.content)]
        if self.letter_html and entry.channel == LetterChannel.LETTER:
            files.append((f"{entry.id}.html", letter_page_of(entry).encode()))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for name, content in files:
                self._write(self.folder / name, content)
        except OSError as error:
            raise DeliveryError(f"cannot write to {self.folder}: {error.strerror}") from error

    def _write(self, target: Path, content: bytes) -> None:
        """Write atomically: a reader never sees half a file."""
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        with os.fdopen(handle, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)


def default_sinks(outbox_folder: Path, smtp_host: str = "localhost", smtp_port: int = 25) -> dict[str, Sink]:
    """E-mail by SMTP; letters (PDF and HTML), SMS and connector requests as files under `outbox_folder`."""
    return {
        "email": SmtpSink(smtp_host, smtp_port),
        "letter": FileSink(outbox_folder / "letters", letter_html=True),
        "sms": FileSink(outbox_folder / "sms"),
        "connector": FileSink(outbox_folder / "connectors"),
    }


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class Deliverer:
    """Sends what is due in the outbox through the sink of each entry's channel."""

    def __init__(self, store: Store, sinks: dict[str, Sink], clock: Clock, lease: timedelta = OUTBOX_LEASE) -> None:
        self.store = store
        self.sinks = sinks
        self.clock = clock
        self.lease = lease

    def deliver_due(self, limit: int = 100) -> DeliveryReport:
        """Deliver up to `limit` due entries, claimed a few at a time (`Store.claim_outbox`) so that each
        batch is sent well within its lease, even if every entry waits for a slow server's timeout."""
        report = DeliveryReport()
        delivered = 0
        while delivered < limit:
            batch = self.store.claim_outbox(self.clock.now(), lease_owner(self), self.lease,
                                            min(CLAIM_BATCH, limit - delivered))
            for entry in batch:
                self._deliver(entry, report)
            delivered += len(batch)
            if len(batch) < CLAIM_BATCH:
                break
        return report

    def _deliver(self, entry: OutboxEntry, report: DeliveryReport) -> None:
        sink = self.sinks.get(entry.channel)
        if sink is None:
            self._fail(entry, f"no way to deliver the channel '{entry.channel}' is configured", report)
            return
        if entry.status is OutboxStatus.SENDING and not sink.idempotent:
            self._fail(entry, "delivery was interrupted: it may or may not have arrived; check, then resend "
                       "by hand", report)
            return
        entry.status, entry.attempts = OutboxStatus.SENDING, entry.attempts + 1
        self._save(entry)
        try:
            sink.deliver(entry)
        except DeliveryError as error:
            if entry.attempts >= MAX_ATTEMPTS:
                self._fail(entry, f"{error} (gave up after {entry.attempts} attempts)", report)
            else:
                entry.status, entry.last_error = OutboxStatus.PENDING, str(error)
                entry.next_attempt_at = self.clock.now() + FIRST_RETRY * 2 ** (entry.attempts - 1)
                self._save(entry)
                report.retrying += 1
                report.errors.append(f"{entry.id}: {error}")
            return
        entry.status, entry.sent_at, entry.last_error = OutboxStatus.SENT, self.clock.now(), ""
        self._save(entry)
        report.sent += 1

    def _fail(self, entry: OutboxEntry, reason: str, report: DeliveryReport) -> None:
        entry.status, entry.last_error = OutboxStatus.FAILED, reason
        self._save(entry)
        report.failed += 1
        report.errors.append(f"{entry.id}: {reason}")
        log.warning("outbox entry %s of case %s failed: %s", entry.id, entry.case_id, reason)

    def _save(self, entry: OutboxEntry) -> None:
        self.store.commit(Changes(outbox=[entry]))
