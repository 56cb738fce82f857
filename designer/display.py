"""How the app shows values to people, shared by the pages and the command line: in the reader's language and
time zone (`designer.i18n.reader`; English and the business's zone outside a page).

Dates, amounts and numbers are written as the letters write them (`codegen.formatting`, CLDR data through
Babel): 6 december 2026 10:12 and € 42,50 in Dutch, 6 December 2026 10:12 and €42.50 in English. A time shown
in another zone than the reader's says which ("09:12 UTC"). The runtime's messages (`Phrase`s and errors) are
said here too (`said`): their templates through the catalogues, their values in these formats.

>>> from datetime import UTC, datetime
>>> local_time(datetime(2026, 12, 6, 9, 12, tzinfo=UTC))
'6 December 2026 10:12'
>>> local_time(datetime(2026, 12, 6, 9, 12, tzinfo=UTC), timezone="UTC")
'6 December 2026 09:12 UTC'
>>> money_text("1234.5"), number_text(2.5), percent_text(0.876), duration_text(216000)
('€1,234.50', '2.5', '88%', '2.5 days')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent, get_decimal_symbol

from codegen.formatting import LetterFormats, letter_locale
from codegen.forms.view import FormWords
from codegen.letter_names import LetterWords
from codegen.value_text import value_text
from designer.i18n import LANGUAGE_NAMES, N_, _, ngettext, reader, role_word, word
from models.data import DataType, Variable
from models.durations import Duration, DurationUnit
from models.phrases import Phrase
from models.values import to_json_value
from runtime.errors import DataError

#: A moment on a page: the day as a letter writes it, then the time (24 hours).
MOMENT_PATTERN = "d MMMM y HH:mm"
#: The words for a customer's segment and payment method.
SEGMENT_LABELS = {"consumer": N_("Consumer"), "small_business": N_("Small business"), "premium": N_("Premium")}
PAYMENT_LABELS = {"direct_debit": N_("Direct debit"), "invoice": N_("Invoice")}
#: The words for the usual states of a customer's product or contract (the customer system's own word otherwise).
PRODUCT_STATUS_LABELS = {"active": N_("active"), "ordered": N_("ordered"), "suspended": N_("suspended"),
                         "cancelled": N_("cancelled"), "ended": N_("ended")}
#: The labels of what letters read besides case data: the customer's fields and computed values, by path
#: (`codegen.letter_names`; tests/designer/test_i18n.py checks every one has a label here).
LETTER_NAME_LABELS = {
    "customer.id": N_("Customer id"), "customer.number": N_("Customer number"), "customer.name": N_("Customer name"),
    "customer.email": N_("Customer e-mail address"), "customer.phone": N_("Customer phone number"),
    "customer.language": N_("Customer language"), "customer.segment": N_("Customer segment"),
    "customer.payment_method": N_("Customer payment method"), "customer.iban": N_("Customer IBAN"),
    "customer.address.street": N_("Customer street"), "customer.address.house_number": N_("Customer house number"),
    "customer.address.postcode": N_("Customer postcode"), "customer.address.city": N_("Customer city"),
    "customer.address.country": N_("Customer country"),
    "customer.consents.email": N_("Customer agrees to e-mail"), "customer.consents.sms": N_("Customer agrees to SMS"),
    "customer.consents.marketing": N_("Customer agrees to marketing"),
    "today": N_("Today"), "now": N_("Now"), "case.id": N_("Case id"), "case.reference": N_("Case reference"),
    "case.process": N_("Case process"), "case.started": N_("Case started")}
#: The beginnings of those paths, to say a path no name has ("Klant nmae" for a mistyped customer.nmae).
LETTER_PATH_BEGINNINGS = {"customer": N_("Customer"), "customer.address": N_("Customer address"),
                          "customer.consents": N_("Customer agrees to"), "case": N_("Case")}


def _locale() -> Locale:
    return letter_locale(reader().language)


def local_time(moment: datetime, *, timezone: str | None = None, short: bool = False, seconds: bool = False) -> str:
    """A stored (UTC) moment as the reader reads it, to the minute: in their zone, or in `timezone` with the
    zone's name after it when that is another one. `short`: only the time when it is today there."""
    zone_name = timezone or reader().timezone
    zone = ZoneInfo(zone_name)
    local = moment.astimezone(zone)
    clock = "HH:mm:ss" if seconds else "HH:mm"
    pattern = clock if short and local.date() == datetime.now(zone).date() else MOMENT_PATTERN.replace("HH:mm", clock)
    text = format_datetime(local, pattern, tzinfo=zone, locale=_locale())
    return text if zone_name == reader().timezone else f"{text} {zone_name}"


def local_date(day: date | datetime | str) -> str:
    """A day as the reader's language writes it: 6 december 2026."""
    return LetterFormats(reader().language).date(day)


def short_date(day: date) -> str:
    """A day in few letters, for chart axes: 6 dec. (nl), 6 Dec (en)."""
    return format_date(day, "d MMM", locale=_locale())


def money_text(amount: Any) -> str:
    """An amount in euros, to the cent: € 42,50 (nl), €42.50 (en)."""
    return LetterFormats(reader().language).money(amount)


def number_text(number: Any) -> str:
    """A number with the reader's separators: 1.234,5 (nl), 1,234.5 (en)."""
    return LetterFormats(reader().language).number(number)


def percent_text(fraction: float | None) -> str:
    """A fraction as a whole percentage (88%); a dash when there is none."""
    return "–" if fraction is None else format_percent(fraction, locale=_locale())


def duration_text(seconds: float) -> str:
    """A duration as people say it: '45 min', '3 h 20 min', '2.5 days'; seconds under a minute."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return _("{seconds} s").format(seconds=max(0, round(seconds)))
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes)
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return (_("{hours} h {minutes} min") if rest else _("{hours} h")).format(hours=hours, minutes=rest)
    days = format_decimal(round(seconds / 86400, 1), format="#,##0.0", locale=_locale())
    return _("{days} days").format(days=days)


#: A duration of the model in each unit, as the reader writes it (`models.durations` reads it back, in either language).
MODEL_DURATION_TEXTS: dict[DurationUnit, Callable[[int], str]] = {
    DurationUnit.MINUTES: lambda amount: ngettext("{amount} minute", "{amount} minutes", amount),
    DurationUnit.HOURS: lambda amount: ngettext("{amount} hour", "{amount} hours", amount),
    DurationUnit.DAYS: lambda amount: ngettext("{amount} day", "{amount} days", amount),
    DurationUnit.WEEKS: lambda amount: ngettext("{amount} week", "{amount} weeks", amount),
    DurationUnit.WORKING_HOURS: lambda amount: ngettext("{amount} working hour", "{amount} working hours", amount),
    DurationUnit.WORKING_DAYS: lambda amount: ngettext("{amount} working day", "{amount} working days", amount),
}


def model_duration_text(duration: Duration | None) -> str:
    """A duration of the model (a service level, a wait) as the reader reads and types it: "5 werkdagen" in Dutch,
    "1 hour" in English; "" for none. The amount has no grouping, as it is typed.

    >>> model_duration_text(Duration.parse("5 working days")), model_duration_text(Duration.parse("1 hours"))
    ('5 working days', '1 hour')
    """
    if duration is None:
        return ""
    return MODEL_DURATION_TEXTS[duration.unit](duration.amount).format(amount=duration.amount)


def data_text(value: Any, data_type: DataType | None = None) -> str:
    """A single case value of `data_type` as the reader reads it: amounts in euros, numbers with their
    separators, dates and moments written out, yes/no; anything else (or a value that is not what its type
    says) as its JSON value."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    try:
        if data_type is DataType.MONEY:
            return money_text(value)
        if data_type is DataType.NUMBER or isinstance(value, Decimal | int | float):
            return number_text(value)
        if data_type is DataType.DATETIME or isinstance(value, datetime):
            return local_time(value if isinstance(value, datetime) else datetime.fromisoformat(str(value)))
        if data_type is DataType.DATE or isinstance(value, date):
            return local_date(value)
    except (TypeError, ValueError):
        pass
    return str(to_json_value(value))


def case_value_text(value: Any, variable: Variable | None = None) -> str:
    """A case value as the reader reads it: "—" when unset, a choice's label, records one per line
    (`codegen.value_text`), each single value written by `data_text`."""
    return value_text(value, variable, lambda one, of: data_text(one, of.type if of is not None else None))


def form_words() -> FormWords:
    """What a generated form says itself, in the reader's language: its buttons, its read-only values written
    by `data_text` (ja/nee, € 42,50), what is wrong with a field and the decimal comma of the amounts it shows."""
    return FormWords(add_row=_("Add row"), value=lambda one, of: data_text(one, of.type if of is not None else None),
                     problem=said, decimal_separator=get_decimal_symbol(_locale()))


def letter_words() -> LetterWords:
    """What the letter editor says itself, in the reader's language: the labels and groups of what a letter can
    read, conditions and repeated parts in words ("Alleen als 'Klacht terecht' is ja") and what is wrong on a
    chip."""
    return LetterWords(
        case_data=_("Case data"), customer=_("Customer"), computed=_("Computed"), record_fields=_("Each record"),
        labels={path: _(label) for path, label in LETTER_NAME_LABELS.items()},
        beginnings={path: _(label) for path, label in LETTER_PATH_BEGINNINGS.items()},
        values={value: _(label) for value, label in (SEGMENT_LABELS | PAYMENT_LABELS).items()},
        yes=_("yes"), no=_("no"), empty=_("empty"),
        has_value=_("{name} has a value"),
        negated=_("not ({condition})"),
        both=_("{left} and {right}"), either=_("{left} or {right}"),
        equal=_("{left} is {right}"), not_equal=_("{left} is not {right}"),
        less=_("{left} is less than {right}"), more=_("{left} is more than {right}"),
        at_most=_("{left} is at most {right}"), at_least=_("{left} is at least {right}"),
        one_of=_("{left} is one of {right}"), not_one_of=_("{left} is not one of {right}"),
        only_when=_("Only when {condition}"), otherwise_when=_("Otherwise, when {condition}"),
        otherwise=_("Otherwise"),
        for_each=_("For each record in {list}"), each_record=_("Each record of {list}"),
        maybe_empty=_("{name} may be empty when this letter is sent: show it only if it has a value, or give a "
                      "default text"),
        unknown=_("{name} is not case data, a customer field or a computed value"),
        needs_a_value=_("{names} may be empty when this letter is sent, and this condition needs a value: test that "
                        "it has one first"),
        need_a_value=_("{names} may be empty when this letter is sent, and this condition needs a value: test that "
                       "they have one first"))


def said(message: BaseException | Phrase | str) -> str:
    """A message of the runtime (an error or a `Phrase`) in the reader's language: a phrase's template is looked
    up in the catalogue and its values are filled in as the reader reads them; a message that is no phrase (yet)
    is shown as the runtime wrote it. Values named `roles` or ending in `_roles` are lists of role ids, a value
    named `language` a language's code (said by its name)."""
    if isinstance(message, DataError):
        return "; ".join(f"{name}: {said(problem)}" for name, problem in message.phrases.items())
    if isinstance(message, BaseException):
        message = message.args[0] if len(message.args) == 1 else str(message)
    if not isinstance(message, Phrase):
        return str(message)
    return _(message.template).format_map({
        name: _roles(value) if name == "roles" or name.endswith("_roles")
        else LANGUAGE_NAMES[value] if name == "language" and value in LANGUAGE_NAMES else _value(value)
        for name, value in message.values.items()})


def _roles(roles: Iterable[str]) -> str:
    return ", ".join(map(role_word, roles)) or _("none")


def _value(value: Any) -> str:
    if isinstance(value, Phrase):
        return said(value)
    if isinstance(value, datetime):
        return local_time(value, short=True)
    if isinstance(value, Enum):
        return word(value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return number_text(value)
    if isinstance(value, Mapping):
        return ", ".join(f"{name}: {_value(v)}" for name, v in value.items())
    if isinstance(value, Iterable) and not isinstance(value, str):
        return ", ".join(_value(v) for v in value) or _("none")
    return str(value)
