"""The one table of what each kind of form field accepts, read by every generated form.

The pydantic validator (`validator.py`), the JSON Schema (`schema.py`) and the
NiceGUI form (`view.py`) all take a field's type, its canonical spelling, what
its min/max mean and whether its pattern applies from here, so the three
cannot drift apart. Values are normalised with `models.values`, the same code
that checks case data everywhere else; this table only adds what people type
into a form (amounts with a decimal comma or thousands separators).

>>> rules = field_rules(InputField(id="amount", kind="money", label="Amount", min=0.01), None)
>>> rules.kind.bounds, rules.minimum
(<Bounds.VALUE: 'value'>, Decimal('0.01'))
>>> rules.kind.parse("1.234,56"), rules.kind.parse("1234.56")
(Decimal('1234.56'), Decimal('1234.56'))
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from models.data import ChoiceOption, DataType, Variable
from models.forms import FieldKind, InputField
from models.phrases import Phrase, phrase_of
from models.values import (
    EMAIL_PATTERN,
    IBAN_PATTERN,
    KEPT_DATE_PATTERN,
    MAX_MAGNITUDE,
    MAX_TEXT,
    PHONE_PATTERN,
    normalise_value,
    to_money,
)

#: An amount as API clients send it: a decimal string with exactly two places.
MONEY_JSON_PATTERN = r"^-?(0|[1-9][0-9]{0,14})\.[0-9]{2}$"
#: A date as API clients send it (and as the date picker writes it).
DATE_JSON_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

_PLAIN_DECIMAL = re.compile(r"[+-]?[0-9]+([.,][0-9]+)?")
_DOTS_GROUP_THOUSANDS = re.compile(r"[+-]?[1-9][0-9]{0,2}((\.[0-9]{3})+,[0-9]+|(\.[0-9]{3}){2,})")
_COMMAS_GROUP_THOUSANDS = re.compile(r"[+-]?[1-9][0-9]{0,2}((,[0-9]{3})+\.[0-9]+|(,[0-9]{3}){2,})")
_ISO_DATE = re.compile(DATE_JSON_PATTERN)


class Bounds(StrEnum):
    """What a field's min and max limit."""

    NONE = "none"
    VALUE = "value"  # the number or amount itself
    LENGTH = "length"  # the number of characters


class Widget(StrEnum):
    """How the NiceGUI form lets an agent enter the value."""

    INPUT = "input"
    TEXTAREA = "textarea"
    DATE = "date"
    CHECKBOX = "checkbox"
    SELECT = "select"
    READ_ONLY = "read_only"


@dataclass(frozen=True)
class KindRule:
    """What one field kind accepts.

    `parse` turns a non-empty value (canonical, or as typed into the form) into
    its canonical Python value, or raises ValueError saying what is wrong.
    `json` is the JSON Schema of the canonical spelling API clients send.
    """

    parse: Callable[[Any], Any]
    json: dict[str, Any]
    bounds: Bounds
    takes_pattern: bool
    widget: Widget


def _as(data_type: DataType) -> Callable[[Any], Any]:
    variable = Variable(name="value", type=data_type)
    return lambda value: normalise_value(variable, value)


def _decimal_text(value: Any, what: Phrase) -> Any:
    """Typed amounts and numbers in plain decimal form: '1.234,56', '1,234.56' and '1234,56' become '1234.56'.

    Dots (or commas) separate thousands only where that cannot be misread: before
    a decimal comma (point), or repeated ('1.234.567'); a single dot or comma is
    the decimal point, so '1.234' is 1.234 and an amount refuses it (three
    decimals) rather than guessing 1234. Anything else is refused.
    """
    if not isinstance(value, str):
        return value
    text = value.strip().removeprefix("€").replace(" ", "").replace("\u00a0", "")
    if _DOTS_GROUP_THOUSANDS.fullmatch(text):
        return text.replace(".", "").replace(",", ".")
    if _COMMAS_GROUP_THOUSANDS.fullmatch(text):
        return text.replace(",", "")
    if _PLAIN_DECIMAL.fullmatch(text):
        return text.replace(",", ".")
    raise ValueError(Phrase("{value} is not {what}; write e.g. {example}", value=f"'{value}'", what=what,
                            example="1.234,56"))


def _money(value: Any) -> Decimal:
    return _in_own_words(value, to_money, _decimal_text(value, Phrase("an amount")))


def _number(value: Any) -> int | float:
    return _in_own_words(value, _as(DataType.NUMBER), _decimal_text(value, Phrase("a number")))


def _in_own_words(typed: Any, check: Callable[[Any], Any], plain: Any) -> Any:
    """`check(plain)`, with a refusal quoting what was typed rather than its plain spelling."""
    try:
        return check(plain)
    except ValueError as error:
        said = phrase_of(error)
        if isinstance(said, Phrase):
            raise ValueError(Phrase(said.template, **{name: f"'{typed}'" if value == f"'{plain}'" else value
                                                      for name, value in said.values.items()})) from None
        raise ValueError(str(said).replace(f"'{plain}'", f"'{typed}'", 1)) from None


def _date(value: Any) -> date:
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value.strip()):
        raise ValueError(Phrase("{value} is not a date; write {example}", value=f"'{value}'", example="YYYY-MM-DD"))
    return _as(DataType.DATE)(value.strip() if isinstance(value, str) else value)


def _date_only(value: Any) -> date:
    parsed = _date(value)
    return parsed.date() if isinstance(parsed, datetime) else parsed


_TEXT = {"type": "string", "maxLength": MAX_TEXT}

#: Field kind -> what it accepts. A case value is shown, never entered, so it has no rule to check.
KIND_RULES: dict[FieldKind, KindRule] = {
    FieldKind.TEXT: KindRule(_as(DataType.TEXT), _TEXT, Bounds.LENGTH, True, Widget.INPUT),
    FieldKind.LONG_TEXT: KindRule(_as(DataType.TEXT), _TEXT, Bounds.LENGTH, True, Widget.TEXTAREA),
    FieldKind.CUSTOMER_LOOKUP: KindRule(_as(DataType.TEXT), _TEXT, Bounds.LENGTH, True, Widget.INPUT),
    FieldKind.EMAIL: KindRule(_as(DataType.EMAIL), {**_TEXT, "format": "email", "pattern": EMAIL_PATTERN.pattern},
                              Bounds.LENGTH, True, Widget.INPUT),
    FieldKind.PHONE: KindRule(_as(DataType.PHONE), {**_TEXT, "pattern": PHONE_PATTERN.pattern},
                              Bounds.LENGTH, True, Widget.INPUT),
    FieldKind.IBAN: KindRule(_as(DataType.IBAN), {**_TEXT, "format": "iban", "pattern": IBAN_PATTERN.pattern},
                             Bounds.LENGTH, True, Widget.INPUT),
    FieldKind.NUMBER: KindRule(_number, {"type": "number", "exclusiveMinimum": -float(MAX_MAGNITUDE),
                                         "exclusiveMaximum": float(MAX_MAGNITUDE)}, Bounds.VALUE, False, Widget.INPUT),
    FieldKind.MONEY: KindRule(_money, {"type": "string", "pattern": MONEY_JSON_PATTERN},
                              Bounds.VALUE, False, Widget.INPUT),
    FieldKind.DATE: KindRule(_date_only, {"type": "string", "format": "date", "pattern": KEPT_DATE_PATTERN},
                             Bounds.NONE, False, Widget.DATE),
    FieldKind.BOOLEAN: KindRule(_as(DataType.BOOLEAN), {"type": "boolean"}, Bounds.NONE, False, Widget.CHECKBOX),
    FieldKind.CHOICE: KindRule(_as(DataType.TEXT), _TEXT, Bounds.NONE, False, Widget.SELECT),
}


def is_editable(field: InputField) -> bool:
    """Whether the agent enters this field's value (a case value is only shown)."""
    return field.variable is not None and field.kind is not FieldKind.CASE_VALUE


def is_empty(value: Any) -> bool:
    """No value: nothing entered, or an input left blank."""
    return value is None or value == "" or value == []


@dataclass(frozen=True)
class FieldRules:
    """Everything a value of one field must meet, apart from its validation expressions.

    `minimum`/`maximum` bound the value (numbers, money); `min_length`/
    `max_length` the characters (texts); `options` are the allowed choices.
    """

    field: InputField
    kind: KindRule
    minimum: Decimal | None
    maximum: Decimal | None
    min_length: int | None
    max_length: int | None
    pattern: str | None
    options: list[ChoiceOption] | None

    @property
    def label(self) -> str:
        return self.field.label or self.field.id


def field_rules(field: InputField, variable: Variable | None) -> FieldRules:
    """The rules of `field`, which writes `variable` (a choice without options of its own offers the variable's)."""
    kind = KIND_RULES[field.kind]
    value_bounds = kind.bounds is Bounds.VALUE
    length_bounds = kind.bounds is Bounds.LENGTH
    options = None
    if field.kind is FieldKind.CHOICE:
        options = field.options or (variable.options if variable else [])
    return FieldRules(
        field=field, kind=kind,
        minimum=_decimal(field.min) if value_bounds else None,
        maximum=_decimal(field.max) if value_bounds else None,
        min_length=max(0, math.ceil(field.min)) if length_bounds and field.min is not None else None,
        max_length=max(0, math.floor(field.max)) if length_bounds and field.max is not None else None,
        pattern=(field.pattern or None) if kind.takes_pattern else None,
        options=options,
    )


def _decimal(bound: float | None) -> Decimal | None:
    return None if bound is None else Decimal(repr(bound))


def exact(number: int | float | Decimal) -> Decimal:
    """A number as the exact decimal people read (a float by its shortest spelling)."""
    return Decimal(repr(number)) if isinstance(number, float) else Decimal(number)


def shown(number: Decimal) -> str:
    """A bound as people write it: 10 rather than 1E+1, 0.01 rather than 0.010."""
    return format(number.normalize(), "f")


def to_text(kind: FieldKind, value: Any, decimal_separator: str = ".") -> str:
    """A canonical value as the form's input shows it, with the reader's `decimal_separator` ("64,20" in Dutch) and
    no thousands separators, so that `parse` reads it back as it was.

    >>> to_text(FieldKind.MONEY, Decimal("64.2"), ","), to_text(FieldKind.NUMBER, 1.5, ","), to_text(FieldKind.TEXT, 3)
    ('64,20', '1,5', '3')
    """
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        text = f"{value:.2f}" if kind is FieldKind.MONEY else shown(exact(value))
        return text.replace(".", decimal_separator)
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return str(value)
