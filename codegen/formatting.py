"""Money, dates and numbers written the way a letter's language writes them (CLDR data, through Babel).

The Dutch variant of a letter prints € 42,50 and 6 december 2026, its English variant €42.50 and
6 December 2026. Every formatting filter of the letter templates (`money`, `date`, `number`, see
`codegen.letters`) goes through `LetterFormats`, so these rules live here once.

A language is a code such as "nl", "en", "nl-BE" or "en_GB". A bare "en" is written as in Ireland, the
euro area's English: Babel's plain "en" is American English (December 6, 2026). Amounts are euros, the
currency of the money type, rounded half up to whole cents as everywhere in Flowdesk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property, lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_date
from babel.numbers import format_currency, format_decimal

__all__ = ["CURRENCY", "MAX_DIGITS", "LetterFormats", "letter_locale"]

#: The currency of every amount (the money type of case data).
CURRENCY = "EUR"
#: Numbers and amounts may have at most this many digits before the decimal point.
MAX_DIGITS = 15
#: Bare language codes written with a territory other than Babel's default one.
_TERRITORY = {"en": "IE"}
#: The no-break spaces Babel puts between € and an amount or in thousands (fr: 1 234,50 €).
_NO_BREAK_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})
_CENT = Decimal("0.01")


@lru_cache(maxsize=64)
def letter_locale(language: str) -> Locale:
    """The conventions a letter in `language` is written with.

    >>> letter_locale("nl"), letter_locale("en"), letter_locale("en-GB")
    (Locale('nl'), Locale('en', territory='IE'), Locale('en', territory='GB'))
    >>> letter_locale("klingon")
    Traceback (most recent call last):
    ValueError: the language 'klingon' is not one whose money and dates can be written; use a code such as nl or en
    """
    try:
        locale = Locale.parse(str(language).replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError(f"the language '{language}' is not one whose money and dates can be written; "
                         "use a code such as nl or en") from None
    if locale.territory is None and locale.language in _TERRITORY:
        return Locale(locale.language, _TERRITORY[locale.language])
    return locale


@dataclass(frozen=True)
class LetterFormats:
    """How one letter writes values: in its `language`, with `plain_spaces` for an SMS.

    An SMS gets ordinary spaces where Babel puts no-break ones: the GSM alphabet has none, and one
    such character would send the whole message as UCS-2 (70 characters per message instead of 160).

    >>> nl, en = LetterFormats("nl"), LetterFormats("en")
    >>> nl.money(Decimal("42.5")), en.money("42.50"), nl.money(-1234.5)
    ('€\\xa042,50', '€42.50', '€\\xa0-1.234,50')
    >>> nl.date(date(2026, 12, 6)), en.date("2026-12-06T09:30:00+01:00")
    ('6 december 2026', '6 December 2026')
    >>> nl.number(1234.5), en.number(3), LetterFormats("nl", plain_spaces=True).money(1)
    ('1.234,5', '3', '€ 1,00')
    """

    language: str
    plain_spaces: bool = False

    @cached_property
    def locale(self) -> Locale:
        # Looked up on first use, so a letter in a language Babel does not know renders as long as it formats nothing.
        return letter_locale(self.language)

    def money(self, value: Any) -> str:
        """An amount in euros, to the cent: € 42,50 (nl), €42.50 (en)."""
        amount = _decimal(value, "an amount").quantize(_CENT, rounding=ROUND_HALF_UP)
        return self._text(format_currency(amount, CURRENCY, locale=self.locale))

    def date(self, value: Any) -> str:
        """A date (a date and time prints its date): 6 december 2026 (nl), 6 December 2026 (en)."""
        return self._text(babel_date(_date(value), format="long", locale=self.locale))

    def number(self, value: Any) -> str:
        """A number with the language's separators, up to three decimals: 1.234,5 (nl), 1,234.5 (en)."""
        return self._text(format_decimal(_decimal(value, "a number"), locale=self.locale))

    def _text(self, formatted: str) -> str:
        return formatted.translate(_NO_BREAK_SPACES) if self.plain_spaces else formatted


def _decimal(value: Any, what: str) -> Decimal:
    """`value` as an exact Decimal, or a ValueError saying what it should have been."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError(f"expected {what}, got {_shown(value)}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"expected {what}, got {_shown(value)}") from None
    if not number.is_finite():
        raise ValueError(f"expected {what}, got {_shown(value)}")
    if number.adjusted() >= MAX_DIGITS:
        raise ValueError(f"{_shown(value)} is too large to print: at most {MAX_DIGITS} digits before the point")
    return number


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).date()
        except ValueError:
            pass
    raise ValueError(f"expected a date such as 2026-12-06, got {_shown(value)}")


def _shown(value: Any) -> str:
    """A value as an error message quotes it: short, never a whole document."""
    text = "nothing (no value)" if value is None else repr(value)
    return text if len(text) <= 40 else text[:39] + "…"
