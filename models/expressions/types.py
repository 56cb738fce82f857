"""The static types of the expression language and the names an expression may use.

Types exist so mistakes surface while a business owner edits a model, not when a
case runs, and so evaluation knows how to carry each value through CEL (money as
cents, numbers as doubles, dates as timestamps).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import ClassVar

from models.customers import CUSTOMER_FIELDS
from models.data import DataType, Variable
from models.phrases import Phrase

#: The kinds as a sentence names them, phrased so the designer says them in its reader's language.
_PLAIN_PHRASES = {
    "text": Phrase("text"),
    "number": Phrase("number"),
    "money": Phrase("money"),
    "boolean": Phrase("yes/no"),
    "date": Phrase("date"),
    "datetime": Phrase("date and time"),
    "duration": Phrase("duration"),
    "null": Phrase("no value"),
    "any": Phrase("any value"),
}


class ExprType:
    """An immutable type: a scalar kind, a list of some type, or a record of named fields.

    >>> str(ExprType.list_of(ExprType.record({"amount": ExprType.MONEY})))
    'list of records'
    >>> ExprType.list_of(ExprType.TEXT) == ExprType.list_of(ExprType.TEXT)
    True
    >>> ExprType.record({"a": ExprType.TEXT}).fields["a"]
    ExprType.TEXT
    """

    __slots__ = ("_fields", "_key", "element", "kind")

    TEXT: ClassVar[ExprType]
    NUMBER: ClassVar[ExprType]
    MONEY: ClassVar[ExprType]
    BOOLEAN: ClassVar[ExprType]
    DATE: ClassVar[ExprType]
    DATETIME: ClassVar[ExprType]
    DURATION: ClassVar[ExprType]
    NULL: ClassVar[ExprType]
    ANY: ClassVar[ExprType]

    kind: str
    element: ExprType | None
    _fields: Mapping[str, ExprType]
    _key: tuple

    def __init__(self, kind: str, element: ExprType | None = None,
                 fields: Mapping[str, ExprType] | None = None) -> None:
        if kind not in _PLAIN_PHRASES and kind not in ("list", "record"):
            raise ValueError(f"unknown expression type kind {kind!r}")
        ordered = dict(sorted((fields or {}).items()))
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "element", element)
        object.__setattr__(self, "_fields", MappingProxyType(ordered))
        object.__setattr__(self, "_key", (kind, element, tuple(ordered.items())))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("ExprType is immutable")

    @staticmethod
    def list_of(element: ExprType) -> ExprType:
        """A list whose items all have type `element`."""
        return ExprType("list", element=element)

    @staticmethod
    def record(fields: Mapping[str, ExprType]) -> ExprType:
        """A record (a row with named fields), e.g. one invoice line or the customer."""
        return ExprType("record", fields=fields)

    @property
    def fields(self) -> Mapping[str, ExprType]:
        """Field name -> type of a record; empty for every other type."""
        return self._fields

    @property
    def is_list(self) -> bool:
        return self.kind == "list"

    @property
    def is_record(self) -> bool:
        return self.kind == "record"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExprType) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __str__(self) -> str:
        return str(kind_name(self))

    def __repr__(self) -> str:
        if self.kind == "list":
            return f"ExprType.list_of({self.element!r})"
        if self.kind == "record":
            inner = ", ".join(f"{k!r}: {v!r}" for k, v in self._fields.items())
            return f"ExprType.record({{{inner}}})"
        return f"ExprType.{self.kind.upper()}"

    def __reduce__(self) -> tuple:
        return (ExprType, (self.kind, self.element, dict(self._fields)))


ExprType.TEXT = ExprType("text")
ExprType.NUMBER = ExprType("number")
ExprType.MONEY = ExprType("money")
ExprType.BOOLEAN = ExprType("boolean")
ExprType.DATE = ExprType("date")
ExprType.DATETIME = ExprType("datetime")
ExprType.DURATION = ExprType("duration")
ExprType.NULL = ExprType("null")
ExprType.ANY = ExprType("any")


_PHRASES_WITH_ARTICLE = {
    "text": Phrase("text"),
    "number": Phrase("a number"),
    "money": Phrase("money"),
    "boolean": Phrase("yes/no"),
    "date": Phrase("a date"),
    "datetime": Phrase("a date and time"),
    "duration": Phrase("a duration"),
    "null": Phrase("no value (null)"),
    "any": Phrase("a value of unknown kind"),
}


def kind_name(t: ExprType) -> Phrase:
    """The type as a phrase, as `str(t)` says it in English: "number", "list of records".

    >>> str(kind_name(ExprType.list_of(ExprType.record({})))), str(kind_name(ExprType.BOOLEAN))
    ('list of records', 'yes/no')
    """
    if t.kind == "list":
        assert t.element is not None
        return Phrase("list of {items}", items=Phrase("records") if t.element.is_record else kind_name(t.element))
    if t.kind == "record":
        return Phrase("record")
    return _PLAIN_PHRASES[t.kind]


def describe(t: ExprType) -> Phrase:
    """The type as it reads inside a sentence: "a number", "money", "a list of text".

    >>> str(describe(ExprType.list_of(ExprType.TEXT))), str(describe(ExprType.DATE))
    ('a list of text', 'a date')
    """
    if t.kind == "list":
        return Phrase("a {list}", list=kind_name(t))
    if t.kind == "record":
        return Phrase("a record")
    return _PHRASES_WITH_ARTICLE[t.kind]


_BY_DATA_TYPE = {
    DataType.TEXT: ExprType.TEXT,
    DataType.CHOICE: ExprType.TEXT,
    DataType.EMAIL: ExprType.TEXT,
    DataType.PHONE: ExprType.TEXT,
    DataType.IBAN: ExprType.TEXT,
    DataType.NUMBER: ExprType.NUMBER,
    DataType.MONEY: ExprType.MONEY,
    DataType.BOOLEAN: ExprType.BOOLEAN,
    DataType.DATE: ExprType.DATE,
    DataType.DATETIME: ExprType.DATETIME,
}


def type_of_variable(variable: Variable) -> ExprType:
    """The expression type of a case variable; a records variable is a list of records.

    >>> from models.data import Variable, DataType
    >>> str(type_of_variable(Variable(name="status", type=DataType.CHOICE, options=[{"value": "open"}])))
    'text'
    """
    if variable.type is DataType.RECORDS:
        return ExprType.list_of(ExprType.record({f.name: type_of_variable(f) for f in variable.fields}))
    return _BY_DATA_TYPE[variable.type]


def _customer_type() -> ExprType:
    fields: dict[str, ExprType] = {}
    for name, spec in CUSTOMER_FIELDS.items():
        if isinstance(spec, dict):
            fields[name] = ExprType.record({k: _BY_DATA_TYPE[v] for k, v in spec.items()})
        else:
            fields[name] = _BY_DATA_TYPE[spec]
    return ExprType.record(fields)


#: What `customer` is inside an expression.
CUSTOMER_TYPE = _customer_type()


def names_for(variables: Iterable[Variable], *, customer: bool = True,
              extra: Mapping[str, ExprType] | None = None) -> dict[str, ExprType]:
    """The names an expression may use: case variables, `customer`, `now`, `today`, plus `extra`.

    `now` and `today` come from the runtime's clock at evaluation; `extra` adds
    names for one place, e.g. `value` inside a field validation.

    >>> from models.data import Variable, DataType
    >>> sorted(names_for([Variable(name="amount", type=DataType.MONEY)]))
    ['amount', 'customer', 'now', 'today']
    """
    names: dict[str, ExprType] = {v.name: type_of_variable(v) for v in variables}
    if customer:
        names["customer"] = CUSTOMER_TYPE
    names["now"] = ExprType.DATETIME
    names["today"] = ExprType.DATE
    if extra:
        names.update(extra)
    return names


_DATES = frozenset(("date", "datetime"))


def unify(a: ExprType, b: ExprType) -> ExprType | None:
    """The one type that values of `a` and of `b` can both be, or None.

    No value fits anywhere; a date widens to a date and time; lists unify by item.

    >>> unify(ExprType.NULL, ExprType.MONEY)
    ExprType.MONEY
    >>> unify(ExprType.MONEY, ExprType.NUMBER) is None
    True
    """
    if a == b:
        return a
    if a.kind in ("null", "any"):
        return b
    if b.kind in ("null", "any"):
        return a
    if a.kind in _DATES and b.kind in _DATES:
        return ExprType.DATETIME
    if a.is_list and b.is_list:
        assert a.element is not None and b.element is not None
        element = unify(a.element, b.element)
        return None if element is None else ExprType.list_of(element)
    return None


def is_date_like(t: ExprType) -> bool:
    """A date or a date and time: both travel as timestamps and compare with each other."""
    return t.kind in _DATES


def has_record(t: ExprType) -> bool:
    """Whether values of `t` contain records (a record, or a list of them)."""
    while t.is_list and t.element is not None:
        t = t.element
    return t.is_record
