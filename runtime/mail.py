"""Where an installation's e-mail goes, and a test e-mail to prove it.

The mail server is the one an administrator saved in the installation settings
(`runtime.settings`), else the one `flowdesk serve`/`flowdesk worker` were
started with (`--smtp-host`, `--smtp-port`: a default for as long as none is
saved), else none: e-mails are then kept as .eml files in the data folder
(status "kept") and the case's sent items say so. The worker asks again on
every pass (`Mail.sinks`), so a server saved while the app runs is used from
the next pass on; e-mails kept before stay kept.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from runtime.documents import User
from runtime.errors import DataError, EngineError
from runtime.outbox import DeliveryError, Sink, SmtpSink, default_sinks
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
            self._log(user, Phrase("Test e-mail to {address} through {server} failed: {problem}", address=to,
                                   server=mail_text(route.server), problem=str(error)))
            raise EngineError(Phrase("the test e-mail was not sent: {problem}", problem=str(error))) from None
        self._log(user, Phrase("Test e-mail sent to {address} through {server}", address=to,
                               server=mail_text(route.server)))
        return Phrase("A test e-mail went to {address} through {server} at {moment}.", address=to,
                      server=f"{route.server.host}:{route.server.port}", moment=now)

    def _log(self, user: User, summary: Phrase) -> None:
        self.runtime.step(user, lambda tx: installation_log.write(tx, installation_log.ACCOUNTS, "test e-mail",
                                                                  "mail", summary))


def _test_message(server: MailServer, to: str, now: datetime) -> EmailMessage:
    body = (f"<p>This e-mail was sent by Flowdesk through {server.host}:{server.port} to test the mail server "
            "settings. If it arrived, e-mails to customers will too.</p>")
    return email_message(sender=server.sender, recipient=to, subject="Flowdesk test e-mail", html_body=body,
                         message_id=new_id("test"), date=now)
