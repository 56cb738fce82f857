"""Checking and normalising case-data values against their declared type.

Used wherever values enter a case (start data, form input, API calls), so the
same rules hold everywhere. Money is an exact `Decimal` with two places.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from models.data import DataType, Variable

CENT = Decimal("0.01")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()-]{5,19}$")
IBAN_PATTERN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$")
MAX_TEXT = 10_000
MAX_RECORDS = 1_000


def to_money(value: Any) -> Decimal:
    """An exact amount with two decimals; floats are taken by their shortest repr.

    >>> to_money("12.5")
    Decimal('12.50')
    >>> to_money(0.1)
    Decimal('0.10')
    """
    if isinstance(value, bool):
        raise ValueError("expected an amount, got yes/no")
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(" ", ""))
    except InvalidOperation:
        raise ValueError(f"'{value}' is not an amount; write e.g. 125.50") from None
    if not amount.is_finite():
        raise ValueError(f"'{value}' is not an amount; write e.g. 125.50")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_EVEN):
        raise ValueError(f"'{value}' has more than two decimals")
    if abs(amount) >= Decimal("1e15"):
        raise ValueError(f"'{value}' is too large an amount")
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
                raise ValueError("expected yes or no (true/false)")
            return value
        case DataType.DATE:
            return _date(value)
        case DataType.DATETIME:
            return _datetime(value)
        case DataType.CHOICE:
            text = _text(value)
            if text not in variable.option_values():
                allowed = ", ".join(variable.option_values())
                raise ValueError(f"'{text}' is not one of the options ({allowed})")
            return text
        case DataType.EMAIL:
            text = _text(value).strip()
            if not EMAIL_PATTERN.match(text):
                raise ValueError(f"'{text}' is not an e-mail address")
            return text
        case DataType.PHONE:
            text = _text(value).strip()
            if not PHONE_PATTERN.match(text):
                raise ValueError(f"'{text}' is not a phone number; write e.g. +31 20 123 4567")
            return text
        case DataType.IBAN:
            text = _text(value).replace(" ", "").upper()
            if not iban_is_valid(text):
                raise ValueError(f"'{value}' is not a valid IBAN (check the digits)")
            return text
        case DataType.RECORDS:
            return _records(variable, value)
    raise AssertionError(f"unhandled data type {variable.type}")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    if len(value) > MAX_TEXT:
        raise ValueError(f"text longer than {MAX_TEXT} characters")
    return value


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise ValueError("expected a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"'{value}' is not a number") from None
    if not number.is_finite():
        raise ValueError(f"'{value}' is not a number")
    return int(number) if number == number.to_integral_value() else float(number)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        raise ValueError(f"'{value}' is not a date; write YYYY-MM-DD") from None


def _datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(_text(value))
        except ValueError:
            raise ValueError(f"'{value}' is not a date and time; write YYYY-MM-DDTHH:MM") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _records(variable: Variable, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ValueError("expected a list of records")
    if len(value) > MAX_RECORDS:
        raise ValueError(f"more than {MAX_RECORDS} records")
    fields = {f.name: f for f in variable.fields}
    records = []
    for index, record in enumerate(value, start=1):
        if not isinstance(record, dict):
            raise ValueError(f"record {index} is not a record of fields")
        unknown = set(record) - set(fields)
        if unknown:
            raise ValueError(f"record {index} has unknown field(s): {', '.join(sorted(unknown))}")
        normalised = {}
        for name, field in fields.items():
            try:
                normalised[name] = normalise_value(field, record.get(name))
            except ValueError as error:
                raise ValueError(f"record {index}, {field.display}: {error}") from None
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
