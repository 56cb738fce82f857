"""The language the web app speaks to whoever reads a page: message catalogues (gettext, through Babel).

Every text of the pages is English in the code, wrapped where it is shown: `_("Open work")`,
`ngettext("{count} case", "{count} cases", n)` for counts, and `N_("…")` to mark a text kept in a table that
is translated where it is shown. The translations are the catalogues
`designer/locale/<language>/LC_MESSAGES/messages.po`, read at run time (no compiled .mo file to go stale).
Placeholders are named (`{title}`) and filled in after the lookup, so a translation can put them in another
order.

A page is built for one reader (`use_reader`: the frame sets the signed-in user's language, their own choice
or else the installation's default, and the time zone the business works in). `_` takes the reader of the
NiceGUI client the code runs for — a page being built, an event handler, a timer — so two people on one
server each read their own language. Outside a page (the command line, the REST API) the app speaks English.

Messages of the runtime (refusals, conflicts) are `models.phrases.Phrase`s: `designer.display.said(error)` looks
their English template up in the same catalogues and fills in their values the reader's way (moments in the
reader's zone).

After changing texts, update the catalogues (the settings are in pyproject.toml, `[tool.babel]`)::

    .venv/bin/pybabel extract && .venv/bin/pybabel update   # then translate the new entries in nl/…/messages.po

tests/designer/test_i18n.py extracts the texts again and fails while one has no Dutch translation.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from nicegui import context, ui

from codegen.bpmn.report import Outcome
from models.customers import Segment
from models.data import DataType
from models.durations import DurationUnit
from models.forms import FieldKind
from models.nodes import Channel
from runtime.access import UseCase
from runtime.business_calendar import BusinessCalendar
from runtime.documents import CaseStatus, OutboxStatus, SlaStatus, WorkItemStatus
from runtime.mail import MailSource
from runtime.settings import LANGUAGES

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "N_", "Reader", "_", "ngettext", "reader", "role_word", "use_reader",
           "word"]

LOCALE_FOLDER = Path(__file__).with_name("locale")
DOMAIN = "messages"
#: The language the texts are written in, in the code; spoken outside pages.
SOURCE_LANGUAGE = "en"
_READER_KEY = "flowdesk.reader"
#: The languages the app speaks, each named in itself (the language switch, the selects of a language).
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


@dataclass(frozen=True)
class Reader:
    """Who reads a page: the language the app speaks to them and the time zone their clock shows."""

    language: str
    timezone: str


#: The reader outside any page: the command line and the REST API speak English.
NO_PAGE = Reader(SOURCE_LANGUAGE, BusinessCalendar().timezone)


#: Quasar's language pack (bundled with NiceGUI) for each language whose words Quasar's components must speak
#: other than the English NiceGUI loads for every page: tables' "Records per page", "1-10 of 24", date pickers.
#: (A pack's name is its key in `Quasar.lang` too, for names without a hyphen.)
QUASAR_PACKS = {"nl": "nl"}

#: Loads Quasar's pack PACK next to the one NiceGUI loaded (same folder: same prefix and version) once the app is
#: mounted, and switches Quasar to it; Quasar's language is reactive, so what is drawn already follows.
_QUASAR_LANGUAGE = """<script>
document.addEventListener("DOMContentLoaded", () => {
  const loaded = document.querySelector('script[src*="/static/lang/"]');
  const pack = document.createElement("script");
  pack.src = loaded.src.replace(/[^/]+$/, "PACK.umd.prod.js");
  pack.onload = () => Quasar.lang.set(Quasar.lang["PACK"]);
  document.head.append(pack);
});
</script>"""


def use_reader(language: str, timezone: str) -> None:
    """Speak `language` and show times in `timezone` on the page being built (and in its event handlers), and say
    so in its `<html lang>` (for screen readers, spelling and hyphenation). NiceGUI would write `lang` only for a
    language fixed per page route; here the reader decides, so a line in the page's head sets it as it loads. Quasar's
    own words (a table's paging) follow too: its language pack for `language` is loaded on the page."""
    chosen = Reader(language if language in LANGUAGES else SOURCE_LANGUAGE, timezone)
    context.client.storage[_READER_KEY] = chosen
    ui.add_head_html(f'<script>document.documentElement.lang = "{chosen.language}";</script>')
    pack = QUASAR_PACKS.get(chosen.language)
    if pack is not None:
        ui.add_body_html(_QUASAR_LANGUAGE.replace("PACK", pack))


def reader() -> Reader:
    """The reader of the page this code runs for; `NO_PAGE` outside one."""
    try:
        client = context.client
    except RuntimeError:  # no page: a command, an API request, a thread of its own
        return NO_PAGE
    return client.storage.get(_READER_KEY, NO_PAGE)


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(language: str) -> gettext.NullTranslations:
    """The translations of `language`, read from its .po file once per process (fuzzy entries left out)."""
    path = LOCALE_FOLDER / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as file:
        entries = read_po(file, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, entries)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    """`message` in the reader's language."""
    return catalogue(reader().language).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a text for `count` things, in the reader's language (Dutch and English both have two)."""
    return catalogue(reader().language).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark `message` for the catalogues where it is defined (a table); `_` translates it where it is shown."""
    return message


# Runtime messages ----------------------------------------------------------------------------------------------

#: The pages' words for the runtime's values (enumeration members by class and value, roles by id), which
#: messages and lists show; every member of these enumerations has one (tests/designer/test_i18n.py).
WORDS: dict[tuple[str, str], str] = {
    **{("role", role): word for role, word in {
        "designer": N_("designer"), "approver": N_("approver"), "agent": N_("agent"),
        "supervisor": N_("supervisor"), "auditor": N_("auditor"), "admin": N_("admin"),
        "system": N_("system")}.items()},
    **{("CaseStatus", status): word for status, word in {
        CaseStatus.ACTIVE: N_("open"), CaseStatus.COMPLETED: N_("closed")}.items()},
    **{("WorkItemStatus", status): word for status, word in {
        WorkItemStatus.OPEN: N_("open"), WorkItemStatus.COMPLETED: N_("completed"),
        WorkItemStatus.CANCELLED: N_("cancelled")}.items()},
    **{("SlaStatus", status): word for status, word in {
        SlaStatus.ON_TRACK: N_("on track"), SlaStatus.AT_RISK: N_("at risk"),
        SlaStatus.BREACHED: N_("breached")}.items()},
    **{("Channel", channel): word for channel, word in {
        Channel.PHONE: N_("phone"), Channel.EMAIL: N_("e-mail"), Channel.SMS: N_("SMS"), Channel.WEB: N_("web"),
        Channel.LETTER: N_("letter")}.items()},
    **{("DataType", kind): word for kind, word in {
        DataType.TEXT: N_("text"), DataType.NUMBER: N_("number"), DataType.MONEY: N_("money"),
        DataType.DATE: N_("date"), DataType.DATETIME: N_("date and time"), DataType.BOOLEAN: N_("yes/no"),
        DataType.CHOICE: N_("choice"), DataType.EMAIL: N_("e-mail address"), DataType.PHONE: N_("phone number"),
        DataType.IBAN: N_("bank account (IBAN)"), DataType.RECORDS: N_("list of records")}.items()},
    **{("FieldKind", kind): word for kind, word in {
        FieldKind.TEXT: N_("text"), FieldKind.LONG_TEXT: N_("long text"), FieldKind.NUMBER: N_("number"),
        FieldKind.MONEY: N_("money"), FieldKind.DATE: N_("date"), FieldKind.BOOLEAN: N_("yes/no"),
        FieldKind.CHOICE: N_("choice"), FieldKind.EMAIL: N_("e-mail address"), FieldKind.PHONE: N_("phone number"),
        FieldKind.IBAN: N_("bank account (IBAN)"), FieldKind.CUSTOMER_LOOKUP: N_("customer lookup"),
        FieldKind.CASE_VALUE: N_("read-only case value")}.items()},
    **{("OutboxStatus", status): word for status, word in {
        OutboxStatus.PENDING: N_("queued"), OutboxStatus.SENDING: N_("sending"), OutboxStatus.SENT: N_("sent"),
        OutboxStatus.KEPT: N_("kept locally (no mail server configured)"), OutboxStatus.FAILED: N_("failed")}.items()},
    **{("Segment", segment): word for segment, word in {
        Segment.CONSUMER: N_("consumer"), Segment.SMALL_BUSINESS: N_("small business"),
        Segment.PREMIUM: N_("premium")}.items()},
    **{("DurationUnit", unit): word for unit, word in {
        DurationUnit.MINUTES: N_("minutes"), DurationUnit.HOURS: N_("hours"), DurationUnit.DAYS: N_("days"),
        DurationUnit.WEEKS: N_("weeks"), DurationUnit.WORKING_HOURS: N_("working hours"),
        DurationUnit.WORKING_DAYS: N_("working days")}.items()},
    **{("Outcome", outcome): word for outcome, word in {
        Outcome.IMPORTED: N_("imported"), Outcome.TRANSLATED: N_("translated"), Outcome.TO_FIX: N_("to fix"),
        Outcome.NOT_IMPORTED: N_("not imported")}.items()},
    **{("MailSource", source): word for source, word in {
        MailSource.SETTINGS: N_("the installation settings"),
        MailSource.COMMAND_LINE: N_("the command line that started the server (--smtp-host), as none is saved in the "
                                    "settings"),
        MailSource.NONE: N_("nowhere")}.items()},
    **{("UseCase", use): word for use, word in {
        UseCase.START_CASE: N_("start a case"),
        UseCase.SEE_WORK: N_("see work items"),
        UseCase.CLAIM: N_("claim a task"),
        UseCase.RELEASE: N_("release a task"),
        UseCase.REASSIGN: N_("reassign a task"),
        UseCase.TICK: N_("tick a checklist item"),
        UseCase.COMPLETE: N_("complete a task"),
        UseCase.ADD_NOTE: N_("add a note to a case"),
        UseCase.ATTACH: N_("attach a file to a case"),
        UseCase.ADD_TASK: N_("add a task to a case"),
        UseCase.CLOSE_CASE: N_("close a case"),
        UseCase.DELIVER_MESSAGE: N_("deliver a message to a case"),
        UseCase.RESEND: N_("resend a case's failed letters, e-mails and SMS"),
        UseCase.RESEND_ALL: N_("resend every failed delivery at once"),
        UseCase.CHECK_DELIVERY: N_("settle a delivery that may have arrived: mark it arrived, or send it again"),
        UseCase.SEND_KEPT: N_("send the e-mails kept locally through the mail server"),
        UseCase.READ_CASE: N_("read a case"),
        UseCase.CORRECT_DATA: N_("correct a case's data"),
        UseCase.RETRY: N_("retry a stopped case"),
        UseCase.MIGRATE: N_("move open cases to a newer version"),
        UseCase.RECORD_CONTACT: N_("record a customer contact"),
        UseCase.FIND_CUSTOMER: N_("find a customer"),
        UseCase.REGISTER_CUSTOMER: N_("register a customer"),
        UseCase.READ_PROCESSES: N_("read processes and their versions"),
        UseCase.READ_DEFINITIONS: N_("read whole process definitions (flow, forms, letters, tables) and compare "
                                     "versions"),
        UseCase.EDIT_DRAFT: N_("edit a draft"),
        UseCase.TEST_RUN: N_("test-run a draft"),
        UseCase.SAMPLE_REAL_DATA: N_("preview a draft with real customers and cases"),
        UseCase.PUBLISH: N_("publish a version"),
        UseCase.APPROVE_VERSION: N_("approve or reject a version someone else submitted"),
        UseCase.MONITOR: N_("see the monitor"),
        UseCase.READ_AUDIT: N_("read audit trails"),
        UseCase.ADMINISTER: N_("manage users and API tokens"),
        UseCase.OWN_TOKENS: N_("see and revoke one's own API tokens"),
        UseCase.OWN_LANGUAGE: N_("choose the language the app speaks to oneself"),
    }.items()},
}
#: The enumerations `WORDS` has a word for every member of.
SPOKEN_ENUMS: tuple[type[Enum], ...] = (CaseStatus, WorkItemStatus, SlaStatus, Channel, Segment, DurationUnit,
                                        Outcome, MailSource, UseCase, DataType, FieldKind, OutboxStatus)


def word(value: Enum) -> str:
    """An enumeration member of the runtime as the pages say it, in the reader's language."""
    found = WORDS.get((type(value).__name__, value.value))
    return _(found) if found else str(value.value)


def role_word(role: str) -> str:
    """A role as the pages say it, in the reader's language ("beheerder" for admin in Dutch)."""
    found = WORDS.get(("role", role))
    return _(found) if found else role
