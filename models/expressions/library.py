"""Python helpers the emitted CEL calls where CEL itself would be inexact or wrong.

CEL has no decimal type, so money travels as integer cents and everything that
could leave the cents grid (multiplying, dividing, reading text) is done here
with `Decimal` and rounded half-up to the cent. Number arithmetic is done here
too, on the shortest decimal form of each double, so `0.1 + 0.2 == 0.3` holds as
a business owner expects. `size()` of text counts characters, not UTF-8 bytes.

Helpers never raise: CEL logs a warning for every exception a Python function
raises. A helper that cannot give a result returns a *fault* object instead;
CEL then fails with "cannot convert ... of type FlowdeskFault_<code>", and the
evaluator turns `<code>` into a plain message (see `fault_code`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from models.phrases import Phrase
from models.values import to_money

#: Fault code -> plain reason, shown after "cannot evaluate `...`: ".
FAULT_MESSAGES = {
    "division_by_zero": Phrase("division by zero"),
    "too_large": Phrase("a number got too large"),
    "no_value": Phrase("a value is missing"),
    "not_a_number": Phrase("the text is not a number"),
    "not_an_amount": Phrase("the text is not an amount (write e.g. 125.50)"),
    "not_a_date": Phrase("the text is not a date (write YYYY-MM-DD)"),
    "not_a_datetime": Phrase("the text is not a date and time (write YYYY-MM-DDTHH:MM)"),
    "whole_days": Phrase("add_days needs a whole number of days for a date"),
}

_FAULTS = {code: type(f"FlowdeskFault_{code}", (), {"__slots__": ()})() for code in FAULT_MESSAGES}
_FAULT_PATTERN = re.compile(r"FlowdeskFault_(\w+)")

_DECIMAL = Context(prec=60, rounding=ROUND_HALF_UP, Emax=999_999, Emin=-999_999)
_CENT_LIMIT = 2**63
_ONE = Decimal(1)
#: Whole numbers below this are exact as floats, and so are their sums; `number_calc` adds, subtracts and
#: multiplies two of them (a counter, a quantity) without the decimal arithmetic when the result stays below it.
_EXACT = float(2**52)
_WHOLE_PAIRS = frozenset(("##+", "##-", "##*"))
_HUNDRED = Decimal(100)


def fault_code(message: str) -> str | None:
    """The fault code inside a CEL error message, if a helper gave up.

    >>> fault_code("Conversion Error: ... of type FlowdeskFault_division_by_zero to Value")
    'division_by_zero'
    """
    match = _FAULT_PATTERN.search(message)
    return match.group(1) if match else None


def _dec(value: float | int) -> Decimal:
    return Decimal(repr(value))


def _number_result(value: Decimal) -> object:
    result = float(value)
    return result if math.isfinite(result) else _FAULTS["too_large"]


def _cents_result(value: Decimal) -> object:
    try:
        cents = int(_DECIMAL.quantize(value, _ONE))
    except (InvalidOperation, ArithmeticError):
        return _FAULTS["too_large"]
    return cents if -_CENT_LIMIT < cents < _CENT_LIMIT else _FAULTS["too_large"]


def number_calc(program: str, *operands: object) -> object:
    """Number arithmetic in decimal: `program` is postfix, "#" takes the next operand.

    >>> number_calc("##+", 0.1, 0.2)
    0.3
    >>> number_calc("##*#+", 7.0, 1.5, 2.0)
    12.5
    """
    if len(operands) == 2 and program in _WHOLE_PAIRS:
        left, right = operands
        if type(left) is float and type(right) is float and left and right and -_EXACT < left < _EXACT \
                and -_EXACT < right < _EXACT and left.is_integer() and right.is_integer():
            result = left + right if program == "##+" else left - right if program == "##-" else left * right
            if result and -_EXACT < result < _EXACT:  # exact, as the decimal arithmetic would give it
                return result
    return _decimal_calc(program, operands)


def _decimal_calc(program: str, operands: tuple[object, ...]) -> object:
    if None in operands:
        return _FAULTS["no_value"]
    stack: list[Decimal] = []
    next_operand = 0
    try:
        for op in program:
            if op == "#":
                stack.append(_dec(operands[next_operand]))  # type: ignore[arg-type]
                next_operand += 1
                continue
            right = stack.pop()
            left = stack.pop()
            if op == "+":
                stack.append(_DECIMAL.add(left, right))
            elif op == "-":
                stack.append(_DECIMAL.subtract(left, right))
            elif op == "*":
                stack.append(_DECIMAL.multiply(left, right))
            elif not right:
                return _FAULTS["division_by_zero"]
            elif op == "/":
                stack.append(_DECIMAL.divide(left, right))
            else:
                stack.append(_DECIMAL.remainder(left, right))
    except ArithmeticError:
        return _FAULTS["too_large"]
    return _number_result(stack[0])


def money_times(cents: int | None, factor: float | None) -> object:
    """money * number, rounded half-up to the cent."""
    if cents is None or factor is None:
        return _FAULTS["no_value"]
    return _cents_result(_DECIMAL.multiply(Decimal(cents), _dec(factor)))


def money_divided(cents: int | None, divisor: float | None) -> object:
    """money / number, rounded half-up to the cent."""
    if cents is None or divisor is None:
        return _FAULTS["no_value"]
    if not divisor:
        return _FAULTS["division_by_zero"]
    return _cents_result(_DECIMAL.divide(Decimal(cents), _dec(divisor)))


def money_ratio(cents: int | None, other: int | None) -> object:
    """money / money: a plain number (e.g. 0.25 for a quarter)."""
    if cents is None or other is None:
        return _FAULTS["no_value"]
    if not other:
        return _FAULTS["division_by_zero"]
    return _number_result(_DECIMAL.divide(Decimal(cents), Decimal(other)))


def money_of_number(value: float | None) -> object:
    """An amount from a number of euros, rounded half-up to the cent."""
    if value is None:
        return _FAULTS["no_value"]
    return _cents_result(_DECIMAL.multiply(_dec(value), _HUNDRED))


def money_of_text(text: str | None) -> object:
    if text is None:
        return _FAULTS["no_value"]
    try:
        return int(to_money(text) * _HUNDRED)
    except ValueError:
        return _FAULTS["not_an_amount"]


def money_text(cents: int | None) -> object:
    """An amount as text with two decimals, e.g. "1250.50"."""
    if cents is None:
        return _FAULTS["no_value"]
    return str(Decimal(cents).scaleb(-2))


def number_text(value: float | None) -> object:
    """A number as text without a needless ".0": 3 -> "3", 2.5 -> "2.5"."""
    if value is None:
        return _FAULTS["no_value"]
    if float(value).is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(float(value))


def boolean_text(value: bool | None) -> object:
    """yes/no as text, "true" or "false" (the CEL library has no string(bool))."""
    if value is None:
        return _FAULTS["no_value"]
    return "true" if value else "false"


def text_length(text: str | None) -> object:
    """Characters in text (CEL's own size() counts UTF-8 bytes)."""
    return _FAULTS["no_value"] if text is None else float(len(text))


def lower_ascii(text: str | None) -> object:
    if text is None:
        return _FAULTS["no_value"]
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


def upper_ascii(text: str | None) -> object:
    if text is None:
        return _FAULTS["no_value"]
    return "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in text)


def sum_money(items: list | None) -> object:
    if items is None or any(x is None for x in items):
        return _FAULTS["no_value"]
    total = sum(items)
    return total if -_CENT_LIMIT < total < _CENT_LIMIT else _FAULTS["too_large"]


def sum_numbers(items: list | None) -> object:
    if items is None or any(x is None for x in items):
        return _FAULTS["no_value"]
    total = Decimal(0)
    for item in items:
        total = _DECIMAL.add(total, _dec(item))
    return _number_result(total)


def add_days(moment: datetime | None, days: float | None) -> object:
    if moment is None or days is None:
        return _FAULTS["no_value"]
    try:
        return moment + timedelta(days=days)
    except OverflowError:
        return _FAULTS["too_large"]


def add_days_to_date(moment: datetime | None, days: float | None) -> object:
    if days is not None and not float(days).is_integer():
        return _FAULTS["whole_days"]
    return add_days(moment, days)


def midnight(day: date) -> datetime:
    """How a date travels through CEL: a timestamp at midnight UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def date_of(moment: datetime | None) -> object:
    """The calendar date of a date and time (in its own time zone)."""
    return _FAULTS["no_value"] if moment is None else midnight(moment.date())


def parse_date(text: str | None) -> object:
    if text is None:
        return _FAULTS["no_value"]
    try:
        return midnight(date.fromisoformat(text.strip()))
    except ValueError:
        return _FAULTS["not_a_date"]


def parse_datetime(text: str | None) -> object:
    if text is None:
        return _FAULTS["no_value"]
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return _FAULTS["not_a_datetime"]
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def date_text(moment: datetime | None) -> object:
    return _FAULTS["no_value"] if moment is None else moment.date().isoformat()


def datetime_text(moment: datetime | None) -> object:
    return _FAULTS["no_value"] if moment is None else moment.isoformat()


#: CEL function name -> helper. Names start with '_' so no expression can call them directly.
FUNCTIONS: dict[str, Callable[..., object]] = {
    "_fd_calc": number_calc,
    "_fd_money_times": money_times,
    "_fd_money_divided": money_divided,
    "_fd_money_ratio": money_ratio,
    "_fd_money_of_number": money_of_number,
    "_fd_money_of_text": money_of_text,
    "_fd_money_text": money_text,
    "_fd_number_text": number_text,
    "_fd_boolean_text": boolean_text,
    "_fd_len": text_length,
    "_fd_lower_ascii": lower_ascii,
    "_fd_upper_ascii": upper_ascii,
    "_fd_sum_money": sum_money,
    "_fd_sum_numbers": sum_numbers,
    "_fd_add_days": add_days,
    "_fd_add_days_to_date": add_days_to_date,
    "_fd_date_of": date_of,
    "_fd_parse_date": parse_date,
    "_fd_parse_datetime": parse_datetime,
    "_fd_date_text": date_text,
    "_fd_datetime_text": datetime_text,
}
