"""Where an installation's e-mail goes, and a test e-mail to prove it.

The mail server is the one an administrator saved in the installation settings
(`runtime.settings`), else the one `flowdesk serve`/`flowdesk worker` were
started with (`--smtp-host`, `--smtp-port`: a default for as long as none is
saved), else none: e-mails are then kept as .eml files in the data folder
(status "kept") and the case's sent items say so. The worker asks again on
every pass (`Mail.sinks`), so a server saved while the app runs is used from
the next pass on. E-mails kept before stay kept until someone sends them
(`Mail.send_kept`, offered when a mail server is saved): each goes out once,
through the same deliverer as any other, so one that then fails is retried and
becomes a failed delivery like any other; its .eml file stays for reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from codegen.email_message import email_message
from models.phrases import Phrase
from models.values import EMAIL_PATTERN
from runtime import installation_log
from runtime.access import UseCase, require
from runtime.deliveries import KEPT_KIND, Deliveries, last_problem
from runtime.documents import OutboxStatus, User
from runtime.errors import DataError, EngineError
from runtime.outbox import CLAIM_BATCH, OUTBOX_LEASE, Deliverer, DeliveryError, Sink, SmtpSink, default_sinks
from runtime.settings import MailServer, installation_settings, mail_text
from runtime.transaction import new_id

if TYPE_CHECKING:
    from runtime.service import Runtime


class MailSource(StrEnum):
    """Where the mail server in use is set."""

    SETTINGS = "the installation settings"
    COMMAND_LINE = "the command line that started the server (--smtp-host), as none is saved in the settings"
    NONE = "nowhere"


@dataclass(frozen=True)
class MailRoute:
    """How e-mail goes out now: through `server` (set in `source`), or kept as files in `kept_folder`."""

    server: MailServer | None
    source: MailSource
    kept_folder: Path

    @property
    def text(self) -> Phrase:
        """One sentence for the administration page."""
        if self.server is None:
            return Phrase("No mail server is configured: e-mails are kept as .eml files in {folder} and shown in each "
                          "case's sent items as kept locally.", folder=str(self.kept_folder))
        return Phrase("E-mails go out through {server}, set in {source}.", server=mail_text(self.server),
                      source=self.source)


@dataclass
class KeptReport:
    """What sending the e-mails kept locally did: how many went out through `server`, how many could not go out yet
    and why (they are tried again as any e-mail is)."""

    server: str
    sent: int = 0
    not_sent: int = 0
    problems: list[Phrase | str] = field(default_factory=list)

    @property
    def lines(self) -> list[Phrase]:
        """What happened, in a sentence or two for whoever sent them."""
        lines = [Phrase("{sent} of the {count} e-mails kept locally went out through {server}.", sent=self.sent,
                        count=self.sent + self.not_sent, server=self.server)]
        if self.not_sent:
            lines.append(Phrase("{count} could not go out yet: {problems}. They are tried again, and show as failed "
                                "deliveries if that keeps failing.", count=self.not_sent, problems=self.problems))
        return lines


class Mail:
    """The e-mail of an installation whose outbox files are under `outbox_folder`; `fallback` is the mail server
    the command line named, used while the settings name none."""

    def __init__(self, runtime: Runtime, outbox_folder: Path, fallback: MailServer | None = None) -> None:
        self.runtime = runtime
        self.outbox_folder = Path(outbox_folder)
        self.fallback = fallback

    def route(self) -> MailRoute:
        """How e-mail goes out now (for the worker; `read_route` for pages)."""
        saved = installation_settings(self.runtime).mail
        kept = self.outbox_folder / "mail"
        if saved is not None:
            return MailRoute(saved, MailSource.SETTINGS, kept)
        if self.fallback is not None:
            return MailRoute(self.fallback, MailSource.COMMAND_LINE, kept)
        return MailRoute(None, MailSource.NONE, kept)

    def read_route(self, user: User) -> MailRoute:
        """How e-mail goes out now, for the administration page."""
        require(user, UseCase.ADMINISTER)
        return self.route()

    def sinks(self) -> dict[str, Sink]:
        """The deliverer's sinks as configured now (asked once per pass)."""
        return default_sinks(self.outbox_folder, self.route().server)

    def kept(self, user: User) -> int:
        """How many e-mails are kept locally, for want of a mail server when they were due."""
        require(user, UseCase.SEND_KEPT)
        return len(self.runtime.store.records(KEPT_KIND))

    def send_kept(self, user: User) -> KeptReport:
        """Send the e-mails kept locally through the mail server in use now, each once (with an event on its case's
        trail); what happened, also in the administration's log."""
        require(user, UseCase.SEND_KEPT)
        server = self.route().server
        if server is None:
            raise EngineError(Phrase("no mail server is configured, so the e-mails kept locally stay kept: save a "
                                     "mail server first"))
        report = KeptReport(f"{server.host}:{server.port}")
        deliverer = Deliverer(self.runtime, self.sinks)
        while taken := Deliveries(self.runtime).take_kept(user, mail_text(server), OUTBOX_LEASE, CLAIM_BATCH):
            delivery = deliverer.deliver_held(taken)  # a batch is sent well within the hold, as a claimed one
            report.sent += delivery.sent
            report.not_sent += delivery.retrying + delivery.failed
            for entry in taken:  # as the deliverer left it
                if entry.status is not OutboxStatus.SENT and last_problem(entry) not in report.problems:
                    report.problems.append(last_problem(entry))
        if report.sent or report.not_sent:
            self._log(user, "kept e-mails sent", Phrase("E-mails kept locally sent through {server}: {sent} went out, "
                                                        "{not_sent} not yet", server=report.server, sent=report.sent,
                                                        not_sent=report.not_sent))
        return report

    def send_test(self, user: User, to: str) -> Phrase:
        """Send a short test e-mail to `to` through the mail server in use now, and say so; refused with what went
        wrong (connection refused, sign-in failed, TLS). Either way an entry in the administration's log."""
        require(user, UseCase.ADMINISTER)
        to = to.strip()
        if not EMAIL_PATTERN.fullmatch(to):
            raise DataError({"to": Phrase("'{address}' is not an e-mail address such as name@example.nl",
                                          address=to[:80])})
        route = self.route()
        if route.server is None:
            raise EngineError(Phrase("no mail server is configured, so there is nothing to test: e-mails are kept in "
                                     "the data folder; save a mail server first"))
        now = self.runtime.now()
        try:
            SmtpSink.to(route.server).send(_test_message(route.server, to, now))
        except DeliveryError as error:
            self._log(user, "test e-mail", Phrase("Test e-mail to {address} through {server} failed: {problem}",
                                                  address=to, server=mail_text(route.server), problem=error.problem))
            raise EngineError(Phrase("the test e-mail was not sent: {problem}", problem=error.problem)) from None
        self._log(user, "test e-mail", Phrase("Test e-mail sent to {address} through {server}", address=to,
                                              server=mail_text(route.server)))
        return Phrase("A test e-mail went to {address} through {server} at {moment}.", address=to,
                      server=f"{route.server.host}:{route.server.port}", moment=now)

    def _log(self, user: User, kind: str, summary: Phrase) -> None:
        self.runtime.step(user, lambda tx: installation_log.write(tx, installation_log.ACCOUNTS, kind, "mail",
                                                                  summary))


def _test_message(server: MailServer, to: str, now: datetime) -> EmailMessage:
    body = (f"<p>This e-mail was sent by Flowdesk through {server.host}:{server.port} to test the mail server "
            "settings. If it arrived, e-mails to customers will too.</p>")
    return email_message(sender=server.sender, recipient=to, subject="Flowdesk test e-mail", html_body=body,
                         message_id=new_id("test"), date=now)
