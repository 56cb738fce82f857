"""The settings tab: the installation's four-eyes default, its default language and its mail server, with a test
e-mail, and the deliveries that failed (to resend once the mail server is fixed).

Saving is `runtime.settings.change_settings`; the worker reads the settings on
every pass, so a mail server saved here is used for the next e-mail, without a
restart. The saved password is never shown: a password left empty keeps it.
The test e-mail (`runtime.mail.Mail.send_test`) goes through the server in use
now and says what went wrong; it runs off the event loop, as a server that does
not answer takes seconds to say so. E-mails kept locally while no mail server
was set are offered to send once one is (`runtime.mail.Mail.send_kept`, off the
event loop too), and the page says how many went out and why others did not.
"""

from __future__ import annotations

from typing import Any

from nicegui import app, run, ui

from designer.display import said
from designer.frame import LANGUAGE_NAMES, runtime
from designer.i18n import _, ngettext
from designer.pages.admin.feedback import attempt, problem_label, problem_text
from designer.pages.failed_deliveries import failed_deliveries_block
from models.errors import FlowdeskError
from runtime.access import UseCase, may
from runtime.documents import User
from runtime.mail import Mail
from runtime.settings import LANGUAGES, MailServer, change_settings, mail_text, read_settings

#: How often the failed deliveries are looked at again while the tab is open, in seconds.
FAILED_CHECK_SECONDS = 10
KEEP, SMTP = "keep", "smtp"


def mail() -> Mail:
    """The running app's e-mail (set by `designer.app.build`)."""
    return app.state.mail


class SettingsPanel:
    """The installation's settings as the administrator `actor` changes them."""

    def __init__(self, actor: User) -> None:
        self.actor = actor
        settings = read_settings(runtime(), actor)
        server = settings.mail or MailServer(host="localhost")
        with ui.column().classes("w-full max-w-3xl gap-2"):
            ui.label(_("Processes")).classes("text-lg")
            self.four_eyes = ui.switch(_("A new process version needs a second person's approval (four eyes)"),
                                       value=settings.four_eyes).mark("four-eyes")
            self.language = ui.select({code: LANGUAGE_NAMES[code] for code in LANGUAGES}, label=_("Default language"),
                                      value=settings.default_language).classes("w-56").mark("default-language")
            ui.label(_("E-mail")).classes("text-lg")
            self.route = ui.label().classes("text-sm").mark("mail-route")
            fallback = mail().fallback  # from the command line that started the app, used while none is set here
            keep = _("None set here: use {server}, which the server was started with").format(
                server=mail_text(fallback)) if fallback else \
                _("No mail server: keep e-mails as files in the data folder")
            self.mode = ui.radio({KEEP: keep, SMTP: _("Send e-mails through this mail server (SMTP)")},
                                 value=SMTP if settings.mail else KEEP).mark("mail-mode")
            with ui.grid(columns=2).classes("w-full gap-x-4") as self.server_fields:
                self.host = ui.input(_("Host"), value=server.host if settings.mail else "").mark("mail-host")
                self.port = ui.number(_("Port"), value=server.port, min=1, max=65535, precision=0).mark("mail-port")
                self.sender = ui.input(_("Sender (From)"), value=server.sender).mark("mail-sender")
                self.starttls = ui.checkbox(_("STARTTLS (encrypt the connection)"), value=server.starttls) \
                    .mark("mail-starttls")
                self.username = ui.input(_("User name (empty: no sign-in)"), value=server.username) \
                    .mark("mail-username")
                self.password = ui.input(_("Password (empty: keep the saved one)"), password=True,
                                         password_toggle_button=True).mark("mail-password")
            self.server_fields.bind_visibility_from(self.mode, "value", value=SMTP)
            self.problem = problem_label()
            ui.button(_("Save settings"), icon="save", on_click=self.save).mark("save-settings")
            with ui.row().classes("items-center gap-2") as self.kept_offer:
                self.kept_text = ui.label().mark("kept-count")
                self.kept_button = ui.button(_("Send them now"), icon="forward_to_inbox", on_click=self.send_kept) \
                    .props("outline dense").mark("send-kept")
            self.kept_result = ui.label().classes("whitespace-pre-line").mark("kept-result")
            ui.label(_("Send a test e-mail")).classes("text-lg")
            with ui.row().classes("items-end gap-2"):
                self.test_to = ui.input(_("Send it to"), value=actor.email).classes("w-72").mark("test-to")
                self.test_button = ui.button(_("Send a test e-mail"), icon="outgoing_mail", on_click=self.send_test) \
                    .mark("send-test")
            self.test_result = ui.label().classes("whitespace-pre-line").mark("test-result")
            ui.label(_("Deliveries that failed")).classes("text-lg")
            ui.timer(FAILED_CHECK_SECONDS, failed_deliveries_block(actor))
        self.show_route()

    def show_route(self) -> None:
        route = mail().read_route(self.actor)
        self.route.set_text(said(route.text))
        kept = mail().kept(self.actor) if route.server is not None and may(self.actor, UseCase.SEND_KEPT) else 0
        self.kept_text.set_text(ngettext("{count} e-mail was kept locally while no mail server was configured.",
                                         "{count} e-mails were kept locally while no mail server was configured.",
                                         kept).format(count=kept))
        self.kept_offer.set_visibility(kept > 0)

    async def send_kept(self) -> None:
        self.kept_button.disable()
        self.kept_result.set_text(_("Sending…"))
        self.kept_result.classes(remove="text-red-700 text-green-800")
        try:
            report = await run.io_bound(mail().send_kept, self.actor)
        except FlowdeskError as error:
            self.kept_result.set_text(problem_text(error)).classes("text-red-700")
        else:
            self.kept_result.set_text("\n".join(map(said, report.lines))) \
                .classes("text-red-700" if report.not_sent else "text-green-800")
        finally:
            self.kept_button.enable()
            self.show_route()

    def save(self) -> None:
        changes: dict[str, Any] = {"four_eyes": bool(self.four_eyes.value), "default_language": self.language.value,
                                   "mail": None}
        if self.mode.value == SMTP:
            changes["mail"] = {"host": (self.host.value or "").strip(), "port": int(self.port.value or 0),
                               "starttls": bool(self.starttls.value), "username": (self.username.value or "").strip()}
            if (self.sender.value or "").strip():  # empty: the default sender
                changes["mail"]["sender"] = self.sender.value.strip()
            if self.password.value:  # empty: the saved one
                changes["mail"]["password"] = self.password.value
        if attempt(lambda: change_settings(runtime(), self.actor, **changes), self.problem):
            self.password.set_value("")
            ui.notify(_("Settings saved; the next e-mail goes out as they say."), type="positive")
        self.show_route()

    async def send_test(self) -> None:
        self.test_button.disable()
        self.test_result.set_text(_("Sending…"))
        self.test_result.classes(remove="text-red-700 text-green-800")
        try:
            sent = await run.io_bound(mail().send_test, self.actor, self.test_to.value or "")
        except FlowdeskError as error:
            self.test_result.set_text(problem_text(error)).classes("text-red-700")
        else:
            self.test_result.set_text(said(sent)).classes("text-green-800")
        finally:
            self.test_button.enable()
