"""Delivering the outbox: every entry reaches its channel once, or shows as failed.

Steps only *write* letters, e-mails, SMS and connector requests to the
outbox; this deliverer sends them afterwards. Before handing an entry to a
channel it records "sending"; after, "sent". If the process dies in between,
an idempotent channel (files named by entry id) simply delivers again, while
SMTP, which cannot take a message back, marks the entry failed with a
request to check by hand — so nothing is ever delivered twice. Failures are
retried with growing pauses, then shown as failed.
"""

from __future__ import annotations

import logging
import os
import smtplib
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Protocol

from runtime.clock import Clock
from runtime.documents import OutboxEntry, OutboxStatus
from runtime.storage.base import Changes, Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=1)


class DeliveryError(Exception):
    """The channel did not take the entry this time (network down, server refused)."""


class Sink(Protocol):
    """Where one channel's entries go."""

    #: True when delivering the same entry twice has the effect of delivering it once.
    idempotent: bool

    def deliver(self, entry: OutboxEntry) -> None:
        """Hand the entry over, or raise DeliveryError."""
        ...


@dataclass
class SmtpSink:
    """E-mail over SMTP: a MIME message with a plain-text part and, if there is one, an HTML part."""

    host: str = "localhost"
    port: int = 25
    sender: str = "Flowdesk <noreply@flowdesk.local>"
    timeout: float = 10.0
    idempotent: bool = False

    def deliver(self, entry: OutboxEntry) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(self.message(entry))
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"SMTP server {self.host}:{self.port}: {error}") from error

    def message(self, entry: OutboxEntry) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = entry.recipient
        message["Subject"] = entry.subject
        message["Message-ID"] = make_msgid(idstring=entry.id, domain="flowdesk.local")
        message["X-Flowdesk-Case"] = entry.case_id
        message.set_content(entry.text_body or entry.body)
        if entry.text_body and entry.body:
            message.add_alternative(entry.body, subtype="html")
        return message


@dataclass
class FileSink:
    """Entries as files in a folder, one per entry id (letters for the print street, SMS, requests)."""

    folder: Path
    suffix: str = ".txt"
    idempotent: bool = True

    def deliver(self, entry: OutboxEntry) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.folder / f"{entry.id}{self.suffix}"
            content = f"To: {entry.recipient}\nSubject: {entry.subject}\n\n{entry.body}\n" if entry.subject \
                else f"To: {entry.recipient}\n\n{entry.body}\n"
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except OSError as error:
            raise DeliveryError(f"cannot write to {self.folder}: {error.strerror}") from error


def default_sinks(outbox_folder: Path, smtp_host: str = "localhost", smtp_port: int = 25) -> dict[str, Sink]:
    """E-mail by SMTP; letters, SMS and connector requests as files under `outbox_folder`."""
    return {
        "email": SmtpSink(smtp_host, smtp_port),
        "letter": FileSink(outbox_folder / "letters", ".html"),
        "sms": FileSink(outbox_folder / "sms"),
        "connector": FileSink(outbox_folder / "connectors", ".json"),
    }


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class Deliverer:
    """Sends what is due in the outbox through the sink of each entry's channel."""

    def __init__(self, store: Store, sinks: dict[str, Sink], clock: Clock) -> None:
        self.store = store
        self.sinks = sinks
        self.clock = clock

    def deliver_due(self, limit: int = 100) -> DeliveryReport:
        report = DeliveryReport()
        for entry in self.store.outbox(due_before=self.clock.now())[:limit]:
            self._deliver(entry, report)
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
