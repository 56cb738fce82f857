"""Checking and normalising case-data values against their declared type.

Used wherever values enter a case (start data, form input, API calls), so the
same rules hold everywhere. Money is an exact `Decimal` with two places.

Bounds: amounts and numbers lie strictly between -10^15 and 10^15 (a thousand
trillion; every whole number there is exact as a floating-point number too, so
JSON clients read back what was stored), written in at most `MAX_NUMBER_TEXT`
characters; dates lie in the years 1800 to 2999, far enough from the calendar's
ends that date arithmetic (SLA deadlines, `date + duration`) cannot overflow.
Anything else is refused with a `ValueError` that says what was wrong.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from models.data import DataType, Variable
from models.json_input import lone_surrogate
from models.phrases import Phrase

CENT = Decimal("0.01")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()-]{5,19}$")
IBAN_PATTERN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$")
MAX_TEXT = 10_000
MAX_RECORDS = 1_000
#: Amounts and numbers must be smaller than this, either way.
MAX_MAGNITUDE = Decimal("1e15")
_MAX_INT = int(MAX_MAGNITUDE)
#: The longest text read as an amount or number.
MAX_NUMBER_TEXT = 40
EARLIEST_DATE = date(1800, 1, 1)
LATEST_DATE = date(2999, 12, 31)
#: ISO dates from EARLIEST_DATE to LATEST_DATE (by their spelling), for JSON Schemas.
KEPT_DATE_PATTERN = r"^(1[89][0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"


def to_money(value: Any) -> Decimal:
    """An exact amount with two decimals; floats are taken by their shortest repr.

    >>> to_money("12.5")
    Decimal('12.50')
    >>> to_money(0.1)
    Decimal('0.10')
    >>> to_money("1e309")
    Traceback (most recent call last):
    ...
    ValueError: '1e309' is too large an amount; at most 999,999,999,999,999.99 either way
    """
    if isinstance(value, str):
        value = value.replace(" ", "")
    amount = _decimal(value, _AN_AMOUNT, "125.50")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_EVEN):
        raise ValueError(Phrase("{value} has more than two decimals", value=_quoted(value)))
    return amount.quantize(CENT)


def iban_is_valid(iban: str) -> bool:
    """ISO 13616 mod-97 check of an IBAN without spaces.

    >>> iban_is_valid("NL91ABNA0417164300")
    True
    >>> iban_is_valid("NL91ABNA0417164301")
    False
    """
    if not IBAN_PATTERN.match(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def normalise_value(variable: Variable, value: Any) -> Any:
    """The value in its canonical Python form, or ValueError saying what is wrong.

    None means "no value" and is always allowed here; requiredness is a form rule.
    """
    if value is None:
        return None
    match variable.type:
        case DataType.TEXT:
            return _text(value)
        case DataType.NUMBER:
            return _number(value)
        case DataType.MONEY:
            return to_money(value)
        case DataType.BOOLEAN:
            if not isinstance(value, bool):
                raise ValueError(Phrase("expected yes or no (true/false)"))
            return value
        case DataType.DATE:
            return _date(value)
        case DataType.DATETIME:
            return _datetime(value)
        case DataType.CHOICE:
            text = _text(value)
            if text not in variable.option_values():
                allowed = ", ".join(variable.option_values())
                raise ValueError(Phrase("{value} is not one of the options ({allowed})", value=_quoted(text),
                                        allowed=allowed))
            return text
        case DataType.EMAIL:
            text = _text(value).strip()
            if not EMAIL_PATTERN.match(text):
                raise ValueError(Phrase("{value} is not an e-mail address", value=_quoted(text)))
            return text
        case DataType.PHONE:
            text = _text(value).strip()
            if not PHONE_PATTERN.match(text):
                raise ValueError(Phrase("{value} is not a phone number; write e.g. {example}", value=_quoted(text),
                                        example="+31 20 123 4567"))
            return text
        case DataType.IBAN:
            text = _text(value).replace(" ", "").upper()
            if not iban_is_valid(text):
                raise ValueError(Phrase("{value} is not a valid IBAN (check the digits)", value=_quoted(value)))
            return text
        case DataType.RECORDS:
            return _records(variable, value)
    raise AssertionError(f"unhandled data type {variable.type}")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(Phrase("expected text"))
    if len(value) > MAX_TEXT:
        raise ValueError(Phrase("text longer than {limit} characters", limit=MAX_TEXT))
    if (problem := lone_surrogate(value)) is not None:
        raise ValueError(problem)
    return value


def _number(value: Any) -> int | float:
    if type(value) is int and -_MAX_INT < value < _MAX_INT:  # most values are: skip the trip via Decimal
        return value
    if type(value) is float and math.isfinite(value) and abs(value) < _MAX_INT:
        return int(value) if value.is_integer() else value
    number = _decimal(value, _A_NUMBER, "12.5")
    return int(number) if number == number.to_integral_value() else float(number)


_AN_AMOUNT, _A_NUMBER = Phrase("an amount"), Phrase("a number")


def _decimal(value: Any, what: Phrase, example: str) -> Decimal:
    """`value` as a finite Decimal within the bounds, or ValueError saying it is not `what` or too large."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError(Phrase("expected {what}, not yes/no", what=what) if isinstance(value, bool) else
                         Phrase("expected {what}, not a list or record", what=what))
    if isinstance(value, int) and abs(value) >= MAX_MAGNITUDE:  # before str(): huge ints are slow to print
        raise ValueError(_too_large(value, what))
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if len(text) > MAX_NUMBER_TEXT:
        raise ValueError(Phrase("{value} is not {what}: more than {limit} characters", value=_quoted(value),
                                what=what, limit=MAX_NUMBER_TEXT))
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if number.is_nan():
        raise ValueError(Phrase("{value} is not {what}; write e.g. {example}", value=_quoted(value), what=what,
                                example=example))
    if not number.is_finite() or number.copy_abs() >= MAX_MAGNITUDE:  # copy_abs cannot overflow
        raise ValueError(_too_large(value, what))
    return number


def _too_large(value: Any, what: Phrase) -> Phrase:
    largest = "999,999,999,999,999.99" if what is _AN_AMOUNT else "999,999,999,999,999"
    return Phrase("{value} is too large {what}; at most {largest} either way", value=_quoted(value), what=what,
                  largest=largest)


def _quoted(value: Any, limit: int = 40) -> Phrase | str:
    """`value` in quotes for a message, shortened when long (a message must not repeat a huge input)."""
    if isinstance(value, int) and value.bit_length() > 4 * limit:  # printing it could take long, or fail
        return Phrase("the whole number given")
    text = str(value)
    return f"'{text}'" if len(text) <= limit else Phrase("{start} ({count} characters)", start=f"'{text[:limit]}…'",
                                                         count=len(text))


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(_text(value))
        except ValueError:
            raise ValueError(Phrase("{value} is not a date; write {example}", value=_quoted(value),
                                    example="YYYY-MM-DD")) from None
    return _in_range(day, value)


def _datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(_text(value))
        except ValueError:
            raise ValueError(Phrase("{value} is not a date and time; write {example}", value=_quoted(value),
                                    example="YYYY-MM-DDTHH:MM")) from None
    _in_range(moment.date(), value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _in_range(day: date, value: Any) -> date:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(Phrase("{value} is not a date Flowdesk keeps: use a year from {earliest} to {latest}",
                                value=_quoted(value), earliest=str(EARLIEST_DATE.year), latest=str(LATEST_DATE.year)))
    return day


def _records(variable: Variable, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ValueError(Phrase("expected a list of records"))
    if len(value) > MAX_RECORDS:
        raise ValueError(Phrase("more than {limit} records", limit=MAX_RECORDS))
    fields = {f.name: f for f in variable.fields}
    records = []
    for index, record in enumerate(value, start=1):
        if not isinstance(record, dict):
            raise ValueError(Phrase("record {number} is not a record of fields", number=index))
        unknown = set(record) - set(fields)
        if unknown:
            raise ValueError(Phrase("record {number} has unknown field(s): {fields}", number=index,
                                    fields=sorted(unknown)))
        normalised = {}
        for name, field in fields.items():
            try:
                normalised[name] = normalise_value(field, record.get(name))
            except ValueError as error:
                raise ValueError(Phrase("record {number}, {field}: {problem}", number=index, field=field.display,
                                        problem=error.args[0])) from None
        records.append(normalised)
    return records


def to_json_value(value: Any) -> Any:
    """A canonical value as JSON data: money as "12.50", dates as ISO text.

    >>> to_json_value({"a": Decimal("1.50"), "b": [date(2026, 1, 2)]})
    {'a': '1.50', 'b': ['2026-01-02']}
    """
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json_value(v) for k, v in value.items()}
    return value
