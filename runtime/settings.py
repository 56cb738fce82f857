"""The installation's settings, kept in the store so every app and worker process shares them.

Administrators change them in the app while it runs (nothing needs a
restart): whether a new process version needs a second person's approval
(four eyes; a process may override it), the language the app speaks to users
who chose none, and the mail server e-mails go out through. They are one
`Record` ("setting", "installation") with the usual revision, so two
administrators saving at once cannot overwrite each other unnoticed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.phrases import Phrase
from runtime import installation_log
from runtime.access import UseCase, require
from runtime.documents import User
from runtime.errors import DataError, NotFound
from runtime.transaction import Transaction

if TYPE_CHECKING:
    from runtime.service import Runtime

KIND, KEY = "setting", "installation"
LANGUAGES = ("nl", "en")


class MailServer(BaseModel):
    """Where e-mail goes out: an SMTP server."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, max_length=253)
    port: int = Field(default=25, ge=1, le=65535)
    sender: str = Field(default="Flowdesk <noreply@flowdesk.local>", max_length=320)
    starttls: bool = False
    username: str = Field(default="", max_length=320)
    password: str = Field(default="", max_length=1000)


class InstallationSettings(BaseModel):
    """Everything an administrator sets for the whole installation."""

    model_config = ConfigDict(extra="forbid")

    four_eyes: bool = False  # a new version goes live only after a second person approves it
    default_language: str = Field(default="nl", pattern="^(nl|en)$")
    mail: MailServer | None = None  # None: e-mails are kept as files in the data folder


def installation_settings(runtime: Runtime) -> InstallationSettings:
    """The settings now (the defaults until an administrator saved some); for the runtime's own use."""
    try:
        return InstallationSettings.model_validate(runtime.store.record(KIND, KEY).data)
    except NotFound:
        return InstallationSettings()


def language_for(runtime: Runtime, user: User | None) -> str:
    """The language the app speaks to `user`: the one they chose, else the installation's default (also for
    someone not signed in yet, `None`)."""
    if user is not None and user.language in LANGUAGES:
        return user.language
    return installation_settings(runtime).default_language


def read_settings(runtime: Runtime, user: User) -> InstallationSettings:
    """The settings, for the administration page."""
    require(user, UseCase.ADMINISTER)
    return installation_settings(runtime)


def change_settings(runtime: Runtime, user: User, **changes: Any) -> InstallationSettings:
    """Change some settings; DataError naming each setting that is wrong. Recorded with who and when, and in the
    administration's log. A mail server given without a password keeps the one saved (pages never show it)."""
    require(user, UseCase.ADMINISTER)

    def change(tx: Transaction) -> InstallationSettings:
        record = tx.record(KIND, KEY)
        before = installation_settings(runtime)
        current = before.model_dump()
        mail = changes.get("mail")
        if isinstance(mail, dict) and "password" not in mail and before.mail is not None:
            changes["mail"] = mail | {"password": before.mail.password}
        try:
            settings = InstallationSettings.model_validate(current | changes)
        except ValidationError as error:
            raise DataError({".".join(map(str, e["loc"])): e["msg"] for e in error.errors()}) from None
        data = settings.model_dump(mode="json")
        tx.write_record(record, KIND, KEY, data)
        if settings != before:
            installation_log.write(tx, installation_log.ACCOUNTS, "settings changed", "installation",
                                   settings_text(settings, new_password=_password(settings) != _password(before)))
        return settings

    return runtime.step(user, change)


def mail_text(server: MailServer | None) -> str:
    """A mail server as the log and pages name it (never its password).

    >>> mail_text(MailServer(host="smtp.example.nl", port=587, starttls=True, username="desk"))
    'smtp.example.nl:587 with STARTTLS, signing in as desk'
    """
    if server is None:
        return "none (e-mails are kept in the data folder)"
    tls = " with STARTTLS" if server.starttls else ""
    return f"{server.host}:{server.port}{tls}" + (f", signing in as {server.username}" if server.username else "")


def settings_text(settings: InstallationSettings, *, new_password: bool) -> Phrase:
    """The settings as the log says them (never the password: only that there is a new one)."""
    values = {"four_eyes": Phrase("on") if settings.four_eyes else Phrase("off"),
              "language": settings.default_language, "server": mail_text(settings.mail)}
    if new_password:
        return Phrase("Settings: four eyes {four_eyes}, default language {language}, mail server {server}; new mail "
                      "password", **values)
    return Phrase("Settings: four eyes {four_eyes}, default language {language}, mail server {server}", **values)


def _password(settings: InstallationSettings) -> str:
    return settings.mail.password if settings.mail is not None else ""
