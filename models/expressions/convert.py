"""Carrying values into CEL and back, decided once per static type.

Case data arrives in canonical Python form (`models.values.normalise_value`):
Decimal money, int-or-float numbers, dates, aware datetimes. CEL would turn
Decimal into float and refuses dates, so each type gets a converter built at
compile time: money <-> integer cents, number -> double (and back to int when
whole), date <-> midnight-UTC timestamp. `None` (no value) passes through as
CEL null everywhere. Converters raise `ValueError` naming the expected kind
when a value does not fit its declared type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from models.expressions.library import midnight
from models.expressions.types import ExprType, describe
from models.values import to_money

Converter = Callable[[Any], Any]


class WrongKind(ValueError):
    """A value does not have the kind its declared type promises."""

    def __init__(self, expected: ExprType, value: Any, detail: str | None = None) -> None:
        self.expected = expected
        super().__init__(detail or f"should be {describe(expected)} but holds {_kind_of(value)}")


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, Decimal):
        return "money"
    if isinstance(value, datetime):
        return "a date and time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a record"
    return f"a {type(value).__name__}"


# -- into CEL -----------------------------------------------------------------

def to_cel(t: ExprType, keep: Mapping[ExprType, set[str]] | None = None) -> Converter | None:
    """A function turning a (non-None) canonical value of type `t` into its CEL form; None = as is.

    With `keep` (record type -> fields the expression reads), records carry only
    those fields: CEL's conversion of a map costs about a microsecond per field.
    """
    kind = t.kind
    if kind == "text":
        return _text_in
    if kind == "number":
        return _number_in
    if kind == "money":
        return _money_in
    if kind == "boolean":
        return _boolean_in
    if kind == "date":
        return _date_in
    if kind == "datetime":
        return _datetime_in
    if kind == "duration":
        return _duration_in
    if kind == "list":
        assert t.element is not None
        return _list_in(t, to_cel(t.element, keep))
    if kind == "record":
        wanted = t.fields.keys() if keep is None else keep.get(t, set())
        return _record_in(t, {name: to_cel(ft, keep) for name, ft in t.fields.items() if name in wanted})
    return _any_in


def path_to_cel(fields: tuple[str, ...], leaf: ExprType,
                keep: Mapping[ExprType, set[str]] | None = None) -> Converter:
    """A function reading `record.f1.f2` (None when any step has no value) in CEL form."""
    convert = to_cel(leaf, keep)

    def read(record: Any) -> Any:
        value = record
        for field in fields:
            value = value.get(field) if isinstance(value, Mapping) else getattr(value, field, None)
            if value is None:
                return None
        return value if convert is None else convert(value)
    return read


def _text_in(value: Any) -> str:
    if type(value) is str:
        return value
    if isinstance(value, str):  # a StrEnum such as Segment.CONSUMER
        return str.__str__(value)
    raise WrongKind(ExprType.TEXT, value)


def _number_in(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise WrongKind(ExprType.NUMBER, value)
    return float(value)


def _money_in(value: Any) -> int:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise WrongKind(ExprType.MONEY, value)
        cents = value.scaleb(2)
        if cents != cents.to_integral_value():
            raise WrongKind(ExprType.MONEY, value, f"is an amount with more than two decimals ({value})")
        return int(cents)
    if isinstance(value, bool):
        raise WrongKind(ExprType.MONEY, value)
    if isinstance(value, int):
        return value * 100
    if isinstance(value, float | str):
        try:
            return int(to_money(value).scaleb(2))
        except ValueError:
            raise WrongKind(ExprType.MONEY, value) from None
    raise WrongKind(ExprType.MONEY, value)


def _boolean_in(value: Any) -> bool:
    if value is True or value is False:
        return value
    raise WrongKind(ExprType.BOOLEAN, value)


def _date_in(value: Any) -> datetime:
    if isinstance(value, datetime):
        return midnight(value.date())
    if isinstance(value, date):
        return midnight(value)
    raise WrongKind(ExprType.DATE, value)


def _datetime_in(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return midnight(value)
    raise WrongKind(ExprType.DATETIME, value)


def _duration_in(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    raise WrongKind(ExprType.DURATION, value)


def _any_in(value: Any) -> Any:
    """A value of unknown type: only what CEL cannot take is adapted."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return midnight(value)
    if isinstance(value, list | tuple):
        return [None if v is None else _any_in(v) for v in value]
    if isinstance(value, Mapping):
        return {k: None if v is None else _any_in(v) for k, v in value.items()}
    return value


def _list_in(t: ExprType, item: Converter | None) -> Converter:
    def convert(value: Any) -> list:
        if not isinstance(value, list | tuple):
            raise WrongKind(t, value)
        if item is None:
            return list(value)
        return [None if v is None else item(v) for v in value]
    return convert


def _record_in(t: ExprType, fields: dict[str, Converter | None]) -> Converter:
    """Only declared fields go in (missing ones as null), so undeclared data never reaches CEL."""
    items = tuple(fields.items())

    def convert(value: Any) -> dict:
        if not isinstance(value, Mapping):
            dump = getattr(value, "model_dump", None)
            if dump is None:
                raise WrongKind(t, value)
            value = dump()
        out = {}
        for name, field in items:
            v = value.get(name)
            out[name] = v if v is None or field is None else field(v)
        return out
    return convert


# -- out of CEL ---------------------------------------------------------------

def from_cel(t: ExprType) -> Converter | None:
    """A function turning a CEL result of type `t` into canonical Python form; None = as is."""
    kind = t.kind
    if kind == "money":
        return _money_out
    if kind == "number":
        return _number_out
    if kind == "date":
        return _date_out
    if kind == "null":
        return _null_out
    if kind == "list":
        assert t.element is not None
        item = from_cel(t.element)
        if item is None:
            return None
        return lambda value: None if value is None else [item(v) for v in value]
    if kind == "record":
        fields = tuple((name, from_cel(ft)) for name, ft in t.fields.items())
        if all(f is None for _, f in fields):
            return None
        return lambda value: None if value is None else {
            name: value.get(name) if f is None else f(value.get(name)) for name, f in fields}
    return None


def _money_out(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).scaleb(-2)


def _number_out(value: Any) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("a number got too large")
        return int(value) if value.is_integer() else value
    return value


def _date_out(value: Any) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def _null_out(value: Any) -> None:
    return None
