"""Delivering the outbox: every entry reaches its channel once, or shows as failed.

Steps only *write* letters, e-mails, SMS and connector requests to the
outbox; this deliverer sends them afterwards. Before handing an entry to a
channel it records "sending"; after, "sent" (or "kept": an e-mail kept in the
data folder because no mail server is configured). If the process dies in
between, an idempotent channel (files named by entry id) simply delivers
again, while SMTP, which cannot take a message back, marks the entry failed
and interrupted, to be checked by hand — so nothing is ever delivered twice.
Failures are retried with growing pauses; then the entry fails, which is an
incident on its case until someone resends it (`runtime.deliveries`).

The deliverer asks for its sinks once per pass, so a mail server an
administrator saves meanwhile is used from the next pass on (`runtime.mail`).

What an entry delivers is made by `sent_document` (PDF, .eml, .txt): the
sinks send it and the case's "sent items" offer it for download, so what a
person downloads is what went out.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from codegen.email_message import email_message
from codegen.letters import LetterRenderError
from codegen.markup import letter_page
from codegen.pdf import letter_pdf
from models.letters import LetterChannel
from models.phrases import Phrase, phrase_of
from runtime.deliveries import KEPT_KIND, give_up, kept_record, phrase_data
from runtime.documents import OutboxEntry, OutboxStatus
from runtime.settings import MailServer
from runtime.storage.base import Changes, Store, lease_owner

if TYPE_CHECKING:
    from runtime.service import Runtime

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=1)
#: How long a deliverer holds the entries it claimed, and how many it claims at once: ten sends that each
#: wait for the SMTP timeout still end well within the lease, so no other deliverer takes one over meanwhile.
OUTBOX_LEASE = timedelta(minutes=5)
CLAIM_BATCH = 10


class DeliveryError(Exception):
    """The channel did not take the entry this time (network down, server refused); its argument says why."""

    @property
    def problem(self) -> Phrase | str:
        """Why, as the channel said it (a phrase, for readers of another language)."""
        return self.args[0]


class Sink(Protocol):
    """Where one channel's entries go."""

    #: True when delivering the same entry twice has the effect of delivering it once.
    idempotent: bool
    #: What a delivered entry is then: sent, or kept (in the data folder, for want of a mail server).
    outcome: OutboxStatus

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
    """E-mail over SMTP (with STARTTLS and sign-in if set): a multipart/alternative MIME message with a text and
    an HTML part."""

    host: str = "localhost"
    port: int = 25
    sender: str = DEFAULT_SENDER
    timeout: float = 10.0
    starttls: bool = False
    username: str = ""
    password: str = ""
    idempotent: bool = False
    outcome: OutboxStatus = OutboxStatus.SENT

    @classmethod
    def to(cls, server: MailServer) -> SmtpSink:
        """The sink sending through `server` as the installation settings describe it."""
        return cls(server.host, server.port, server.sender, starttls=server.starttls, username=server.username,
                   password=server.password)

    def deliver(self, entry: OutboxEntry) -> None:
        self.send(self.message(entry))

    def send(self, message: EmailMessage) -> None:
        """Hand `message` to the server, or raise DeliveryError saying what went wrong in words to act on."""
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(smtp_problem(error, f"{self.host}:{self.port}", self.timeout)) from error

    def message(self, entry: OutboxEntry) -> EmailMessage:
        return email_of(entry, self.sender)


def smtp_problem(error: OSError | smtplib.SMTPException, server: str, timeout: float) -> Phrase:
    """What went wrong talking to the mail server `server` (host:port), in words a business user understands, with
    the technical detail after it for whoever looks into it.

    >>> str(smtp_problem(ConnectionRefusedError(111, "Connection refused"), "localhost:25", 10))
    'the mail server localhost:25 refused the connection: is it running, and are its host and port right? \
(technical detail: [Errno 111] Connection refused)'
    >>> str(smtp_problem(smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"), "mail:587", 10))
    'the mail server mail:587 refused the user name or password (technical detail: 535 5.7.8 bad credentials)'
    """
    detail = str(error) or type(error).__name__
    if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):  # smtplib may wrap it
        return Phrase("the mail server {server} did not answer within {seconds} seconds (technical detail: "
                      "{detail})", server=server, seconds=f"{timeout:g}", detail=detail)
    match error:
        case ConnectionRefusedError():
            return Phrase("the mail server {server} refused the connection: is it running, and are its host and port "
                          "right? (technical detail: {detail})", server=server, detail=detail)
        case socket.gaierror():
            return Phrase("the mail server {server} cannot be found: no computer on the network has that name "
                          "(technical detail: {detail})", server=server, detail=detail)
        case ssl.SSLCertVerificationError():
            return Phrase("the connection to the mail server {server} could not be secured: its certificate is not "
                          "trusted (technical detail: {detail})", server=server, detail=detail)
        case ssl.SSLError():
            return Phrase("the connection to the mail server {server} could not be secured (technical detail: "
                          "{detail})", server=server, detail=detail)
        case smtplib.SMTPNotSupportedError() if "STARTTLS" in detail:
            return Phrase("the mail server {server} does not offer an encrypted connection: switch STARTTLS off (only "
                          "on a network you trust) or use the server's STARTTLS port, often 587 (technical detail: "
                          "{detail})", server=server, detail=detail)
        case smtplib.SMTPNotSupportedError() if "AUTH" in detail:
            return Phrase("the mail server {server} offers no sign-in on this connection: many offer it only over an "
                          "encrypted one, so switch STARTTLS on, or leave the user name empty (technical detail: "
                          "{detail})", server=server, detail=detail)
        case smtplib.SMTPAuthenticationError():
            return Phrase("the mail server {server} refused the user name or password (technical detail: {detail})",
                          server=server, detail=_reply(error))
        case smtplib.SMTPRecipientsRefused():
            return Phrase("the mail server {server} refused to deliver to {recipients} (technical detail: {detail})",
                          server=server, recipients=list(error.recipients),
                          detail="; ".join(_reply(reply) for reply in error.recipients.values()))
        case smtplib.SMTPSenderRefused():
            return Phrase("the mail server {server} refused the sender {sender} (technical detail: {detail})",
                          server=server, sender=error.sender, detail=_reply(error))
        case smtplib.SMTPResponseException():
            return Phrase("the mail server {server} refused the message (technical detail: {detail})", server=server,
                          detail=_reply(error))
        case smtplib.SMTPServerDisconnected():
            return Phrase("the mail server {server} broke off the connection unexpectedly (technical detail: "
                          "{detail})", server=server, detail=detail)
        case OSError():
            return Phrase("the mail server {server} cannot be reached (technical detail: {detail})", server=server,
                          detail=detail)
        case _:
            return Phrase("the mail server {server} failed (technical detail: {detail})", server=server, detail=detail)


def _reply(reply: smtplib.SMTPResponseException | tuple[int, bytes]) -> str:
    """An SMTP reply as the server gave it: "535 5.7.8 bad credentials"."""
    code, text = (reply.smtp_code, reply.smtp_error) if isinstance(reply, smtplib.SMTPResponseException) else reply
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"


@dataclass
class FileSink:
    """Entries as files in a folder, named by entry id: letters as PDF (and an HTML copy), SMS, requests."""

    folder: Path
    #: Also write a letter as HTML beside its PDF (for a print street that takes HTML).
    letter_html: bool = False
    idempotent: bool = True
    outcome: OutboxStatus = OutboxStatus.SENT

    def deliver(self, entry: OutboxEntry) -> None:
        try:
            document = sent_document(entry)
        except LetterRenderError as error:
            raise DeliveryError(phrase_of(error)) from error  # the letter's own words: its template's fault
        files = [(document.filename, document.content)]
        if self.letter_html and entry.channel == LetterChannel.LETTER:
            files.append((f"{entry.id}.html", letter_page_of(entry).encode()))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for name, content in files:
                self._write(self.folder / name, content)
        except OSError as error:
            raise DeliveryError(Phrase("cannot write to {folder} (technical detail: {detail})",
                                       folder=str(self.folder), detail=str(error))) from error

    def _write(self, target: Path, content: bytes) -> None:
        """Write atomically: a reader never sees half a file."""
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        with os.fdopen(handle, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)


def default_sinks(outbox_folder: Path, mail: MailServer | None) -> dict[str, Sink]:
    """E-mail through the mail server `mail`, or without one kept as .eml files under `outbox_folder`/mail; letters
    (PDF and HTML), SMS and connector requests as files under `outbox_folder`."""
    return {
        "email": SmtpSink.to(mail) if mail is not None else FileSink(outbox_folder / "mail",
                                                                     outcome=OutboxStatus.KEPT),
        "letter": FileSink(outbox_folder / "letters", letter_html=True),
        "sms": FileSink(outbox_folder / "sms"),
        "connector": FileSink(outbox_folder / "connectors"),
    }


@dataclass
class DeliveryReport:
    sent: int = 0
    kept: int = 0  # e-mails kept in the data folder for want of a mail server
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class Deliverer:
    """Sends what is due in the outbox through the sink of each entry's channel; `sinks` gives them as configured
    now, asked once per pass."""

    def __init__(self, runtime: Runtime, sinks: Callable[[], Mapping[str, Sink]],
                 lease: timedelta = OUTBOX_LEASE) -> None:
        self.runtime = runtime
        self.store: Store = runtime.store
        self.sinks = sinks
        self.lease = lease

    def deliver_due(self, limit: int = 100) -> DeliveryReport:
        """Deliver up to `limit` due entries, claimed a few at a time (`Store.claim_outbox`) so that each
        batch is sent well within its lease, even if every entry waits for a slow server's timeout."""
        report = DeliveryReport()
        sinks = self.sinks()
        delivered = 0
        while delivered < limit:
            batch = self.store.claim_outbox(self.runtime.now(), lease_owner(self), self.lease,
                                            min(CLAIM_BATCH, limit - delivered))
            for entry in batch:
                self._deliver(entry, sinks.get(entry.channel), report)
            delivered += len(batch)
            if len(batch) < CLAIM_BATCH:
                break
        return report

    def _deliver(self, entry: OutboxEntry, sink: Sink | None, report: DeliveryReport) -> None:
        if sink is None:
            self._fail(entry, Phrase("no way to deliver the channel '{channel}' is configured", channel=entry.channel),
                       report)
            return
        if entry.status is OutboxStatus.SENDING and not sink.idempotent:
            entry.interrupted = True
            self._fail(entry, Phrase("delivery was interrupted: it may or may not have arrived; check by hand"), report)
            return
        entry.status, entry.attempts = OutboxStatus.SENDING, entry.attempts + 1
        self._save(entry)
        self._hand_over(entry, sink, report)

    def deliver_held(self, entries: list[OutboxEntry]) -> DeliveryReport:
        """Deliver `entries`, which the caller marked "sending" (attempts counted) and holds from the deliverers
        by their next attempt being later than it takes to send them; one that fails is retried as any other."""
        report = DeliveryReport()
        sinks = self.sinks()
        for entry in entries:
            sink = sinks.get(entry.channel)
            if sink is None:
                self._fail(entry, Phrase("no way to deliver the channel '{channel}' is configured",
                                         channel=entry.channel), report)
            else:
                self._hand_over(entry, sink, report)
        return report

    def _hand_over(self, entry: OutboxEntry, sink: Sink, report: DeliveryReport) -> None:
        """Hand the entry, saved as "sending", to its sink; then it is sent (or kept), or retried, or failed."""
        try:
            sink.deliver(entry)
        except DeliveryError as error:
            if entry.attempts >= MAX_ATTEMPTS:
                self._fail(entry, Phrase("{problem} (gave up after {count} attempts)", problem=error.problem,
                                         count=entry.attempts), report)
            else:
                entry.status, entry.last_error = OutboxStatus.PENDING, str(error)
                entry.last_error_said = phrase_data(error.problem)
                entry.next_attempt_at = self.runtime.now() + FIRST_RETRY * 2 ** (entry.attempts - 1)
                self._save(entry)
                report.retrying += 1
                report.errors.append(f"{entry.id}: {error}")
            return
        entry.status, entry.sent_at, entry.last_error = sink.outcome, self.runtime.now(), ""
        entry.last_error_said = None
        if sink.outcome is OutboxStatus.KEPT:  # found again once a mail server is saved (`Deliveries.queue_kept`)
            self.store.commit(Changes(outbox=[entry], records=[
                kept_record(entry, self.store.record_revision(KEPT_KIND, entry.id))]))
            report.kept += 1
        else:
            self._save(entry)
            report.sent += 1

    def _fail(self, entry: OutboxEntry, reason: Phrase, report: DeliveryReport) -> None:
        """Give up on the entry: failed, and an incident on its case (`runtime.deliveries.give_up`)."""
        give_up(self.runtime, entry, reason)
        report.failed += 1
        report.errors.append(f"{entry.id}: {reason}")
        log.warning("outbox entry %s of case %s failed: %s", entry.id, entry.case_id, reason)

    def _save(self, entry: OutboxEntry) -> None:
        self.store.commit(Changes(outbox=[entry]))
