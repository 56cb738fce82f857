"""The functions and macros an expression may call — a whitelist, each with its own typing.

Anything not listed here is refused at design time with a did-you-mean. As in
CEL, `x.f(y)` and `f(x, y)` are the same call, except for the comprehension
macros (`list.all(x, p)` ...) which need a list in front, and `has(...)`.
Literal arguments (dates, durations, regular expressions, amounts) are checked
while the model is edited, so a typo never waits for a case to fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from models.expressions import syntax as s
from models.expressions.cel_library import cel
from models.expressions.emitter import (
    Atom,
    BinaryOp,
    CallOp,
    Cel,
    cel_name,
    int_literal,
    string_literal,
)
from models.expressions.typed import Typed, is_untyped_number, suggestion
from models.expressions.types import ExprType, describe, is_date_like
from models.phrases import Phrase, either

if TYPE_CHECKING:
    from models.expressions.checker import Checker

TEXT, NUMBER, MONEY, BOOLEAN = ExprType.TEXT, ExprType.NUMBER, ExprType.MONEY, ExprType.BOOLEAN
DATE, DATETIME, DURATION = ExprType.DATE, ExprType.DATETIME, ExprType.DURATION

Handler = Callable[["Checker", s.Call, list[s.Node], "ExprType | None"], Typed]

_MACROS = ("all", "exists", "exists_one", "map", "filter")
_DAYS = re.compile(r"^\s*(\d{1,5})\s*d(ays?)?\s*$")


def check_call(ch: Checker, node: s.Call, context: ExprType | None) -> Typed:
    if node.name in _MACROS:
        return _macro(ch, node)
    if node.name == "has":
        return _has(ch, node)
    handler = _HANDLERS.get(node.name)
    if handler is None:
        if node.name in ch.visible_names():
            raise ch.error(Phrase("'{name}' is not a function", name=node.name), node.name_pos)
        known = [*_HANDLERS, *_MACROS, "has"]
        raise ch.error(Phrase("unknown function '{name}'", name=node.name), node.name_pos,
                       suggestion(node.name, known) or Phrase("the functions are: {functions}",
                                                              functions=", ".join(sorted(known))))
    args = [node.target, *node.args] if node.target is not None else list(node.args)
    return handler(ch, node, args, context)


# -- helpers ------------------------------------------------------------------

def _arity(ch: Checker, node: s.Call, args: list[s.Node], count: int, example: str) -> None:
    if len(args) != count:
        takes = Phrase("{function} takes 1 value, not {given}", function=node.name, given=len(args)) if count == 1 \
            else Phrase("{function} takes {count} values, not {given}", function=node.name, count=count,
                        given=len(args))
        raise ch.error(takes, node.name_pos, Phrase("write e.g. {example}", example=example))


def _need(ch: Checker, node: s.Call, arg: s.Node, typed: Typed, allowed: tuple[ExprType, ...]) -> None:
    if typed.type in allowed or typed.type.kind == "any":
        return
    raise ch.error(Phrase("{function} needs {wanted}, but {value} is {kind}", function=node.name,
                          wanted=either(map(describe, allowed)), value=ch.text(arg), kind=describe(typed.type)),
                   arg.start)


def _method(name: str, target: Cel, *args: Cel) -> CallOp:
    return CallOp(name, args, target=target)


def _validate_with_cel(cel_source: str) -> bool:
    """Whether CEL accepts a literal (a regular expression, a duration) — checked once, at compile time."""
    try:
        cel().compile(cel_source).execute()
    except Exception:
        return False
    return True


def _timestamp(moment: datetime) -> Cel:
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    return CallOp("timestamp", (string_literal(text),))


# -- text ---------------------------------------------------------------------

def _size(ch: Checker, node: s.Call, args: list[s.Node], context: ExprType | None) -> Typed:
    _arity(ch, node, args, 1, "size(name)")
    value = ch.check(args[0])
    if value.type == TEXT:
        return Typed(NUMBER, ch.helper("_fd_len", value.cel))
    if value.type.is_list:
        return Typed(NUMBER, CallOp("double", (CallOp("size", (value.cel,)),)))
    raise ch.error(Phrase("size needs text or a list, but {value} is {kind}", value=ch.text(args[0]),
                          kind=describe(value.type)), args[0].start)


def _text_test(ch: Checker, node: s.Call, args: list[s.Node], context: ExprType | None) -> Typed:
    _arity(ch, node, args, 2, f'name.{node.name}("abc")')
    subject, other = ch.check(args[0]), ch.check(args[1])
    if node.name == "contains" and subject.type.is_list:
        raise ch.error(Phrase("contains looks inside text, but {value} is {kind}", value=ch.text(args[0]),
                              kind=describe(subject.type)), node.name_pos,
                       Phrase("to look for an item in a list write {example}",
                              example=f"{ch.text(args[1])} in {ch.text(args[0])}"))
    _need(ch, node, args[0], subject, (TEXT,))
    _need(ch, node, args[1], other, (TEXT,))
    if node.name == "matches" and isinstance(args[1], s.String):
        pattern = string_literal(args[1].value).text
        if not _validate_with_cel(f'"".matches({pattern})'):
            raise ch.error(Phrase("{pattern} is not a valid pattern (regular expression)", pattern=ch.text(args[1])),
                           args[1].start, Phrase("patterns cannot use look-around or back-references"))
    return Typed(BOOLEAN, _method(node.name, subject.cel, other.cel))


def _case(ch: Checker, node: s.Call, args: list[s.Node], context: ExprType | None) -> Typed:
    _arity(ch, node, args, 1, f"name.{node.name}()")
    value = ch.check(args[0])
    _need(ch, node, args[0], value, (TEXT,))
    helper = "_fd_lower_ascii" if node.name == "lowerAscii" else "_fd_upper_ascii"
    return Typed(TEXT, ch.helper(helper, value.cel))


# -- conversions --------------------------------------------------------------

def _int(ch: Checker, node: s.Call, args: list[s.Node], context: ExprType | None) -> Typed:
    _arity(ch, node, args, 1, "int(amount)")
    value = ch.check(args[0])
    _need(ch, node, args[0], value, (NUMBER, TEXT, MONEY))
    if value.type == MONEY:
        return Typed(NUMBER, CallOp("double", (BinaryOp("/", value.cel, int_literal(100)),)))
    return Typed(NUMBER, CallOp("double", (CallOp("int", (value.cel,)),)))


def _double(ch: Checker, node: s.Call, args: list[s.Node], context: ExprType | None) -> Typed:
    _arity(ch, node, args, 1, "double(amount)")
    value = ch.check(args[0])
    _need(ch, node, args[0], value, (NUMBER, TEXT, MONEY))
    if value.type == NUMBER:
        return value
    if value.type == MONEY:
        return Typed(NUMBER, BinaryOp("/", CallOp("double", (value.cel,)), Atom("100.0")))
    return Typed(NUMBER, CallOp("double", (value.cel,)))


_TO_TEXT = {
    "number": "_fd_number_text", "money": "_fd_money_text", "date": "_fd_date_text",
    "datetime": "_fd_datetime_text", "boolean": "_fd_boolean_text",
}


def _string(ch: Checker, node: s.Call, args: list[s.Node], context: ExprType | None) -> Typed:
    _arity(ch, node, args, 1, "string(amount)")
    value = ch.check(args[0])
    _need(ch, node, args[0], value, (TEXT, NUMBER, MONEY, BOOLEAN, DATE, DATETIME, DURATION))
    if value.type == TEXT:
        return value
    helper = _TO_TEXT.get(value.type.kind)
    if helper is not None:
        return Typed(TEXT, ch.helper(helper, value.cel))
    return Typed(TEXT, CallOp("string", (value.cel,)))


def _money(ch: Checker, node: s.Call, args: list[s.Node], context: ExprType | None) -> Typed:
    _arity(ch, node, args, 1, "money(12.50)")
    if is_untyped_number(args[0]):
        return ch.check(args[0], MONEY)
    if isinstance(args[0], s.String):
        try:
            return Typed(MONEY, int_literal(ch.cents(Decimal(args[0].value.strip()), args[0])))
        except ArithmeticError:
            raise ch.error(Phrase("{value} is not an amount", value=ch.text(args[0])), args[0].start,
                           Phrase("write e.g. {example}", example="125.50")) from None
    value = ch.check(args[0])
    _need(ch, node, args[0], value, (NUMBER, TEXT, MONEY))
    if value.type == MONEY:
        return value
    helper = "_fd_money_of_number" if value.type == NUMBER else "_fd_money_of_text"
    return Typed(MONEY, ch.helper(helper, value.cel))


def _date(ch: Checker, node: s.Call, args: list[s.Node], context: ExprType | None) -> Typed:
    _arity(ch, node, args, 1, 'date("2024-12-31")')
    if isinstance(args[0], s.String):
        try:
            day = date.fromisoformat(args[0].value.strip())
        except ValueError:
            raise ch.error(Phrase("{value} is not a date", value=ch.text(args[0])), args[0].start,
                           Phrase("write e.g. {example}", example='"2024-12-31"')) from None
        return Typed(DATE, _timestamp(datetime(day.year, day.month, day.day, tzinfo=UTC)))
    value = ch.check(args[0])
    _need(ch, node, args[0], value, (TEXT, DATE, DATETIME))
    if value.type == DATE:
        return value
    helper = "_fd_parse_date" if value.type == TEXT else "_fd_date_of"
    return Typed(DATE, ch.helper(helper, value.cel))


def _datetime(ch: Checker, node: s.Call, args: list[s.Node], context: ExprType | None) -> Typed:
    _arity(ch, node, args, 1, 'datetime("2024-12-31T17:00")')
    if isinstance(args[0], s.String):
        try:
            moment = datetime.fromisoformat(args[0].value.strip())
        except ValueError:
            raise ch.error(Phrase("{value} is not a date and time", value=ch.text(args[0])), args[0].start,
                           Phrase("write e.g. {example}",
                                  example=either(['"2024-12-31T17:00"', '"2024-12-31T17:00+01:00"']))) from None
        return Typed(DATETIME, _timestamp(moment if moment.tzinfo else moment.replace(tzinfo=UTC)))
    value = ch.check(args[0])
    _need(ch, node, args[0], value, (TEXT, DATE, DATETIME))
    if value.type == TEXT:
        return Typed(DATETIME, ch.helper("_fd_parse_datetime", value.cel))
    return Typed(DATETIME, value.cel)


def _duration(ch: Checker, node: s.Call, args: list[s.Node], context: ExprType | None) -> Typed:
    _arity(ch, node, args, 1, 'duration("48h")')
    if isinstance(args[0], s.String):
        text = args[0].value.strip()
        if days := _DAYS.match(text):
            text = f"{int(days.group(1)) * 24}h"
        literal = string_literal(text)
        if not _validate_with_cel(f"duration({literal.text})"):
            raise ch.error(Phrase("{value} is not a duration", value=ch.text(args[0])), args[0].start,
                           Phrase("write e.g. {example}", example=either(['"2d", "48h", "90m"', '"1h30m"'])))
        return Typed(DURATION, CallOp("duration", (literal,)))
    value = ch.check(args[0])
    _need(ch, node, args[0], value, (TEXT,))
    return Typed(DURATION, CallOp("duration", (value.cel,)))


# -- money, numbers and dates ---------------------------------------------------

def _sum(ch: Checker, node: s.Call, args: list[s.Node], context: ExprType | None) -> Typed:
    _arity(ch, node, args, 1, "sum(lines.map(l, l.amount))")
    wanted = ExprType.list_of(context) if context in (MONEY, NUMBER) else None
    value = ch.check(args[0], wanted)
    element = value.type.element if value.type.is_list else None
    if element == MONEY:
        return Typed(MONEY, ch.helper("_fd_sum_money", value.cel))
    if element is not None and element.kind in ("number", "any", "null"):
        return Typed(NUMBER, ch.helper("_fd_sum_numbers", value.cel))
    raise ch.error(Phrase("sum needs a list of amounts or numbers, but {value} is {kind}", value=ch.text(args[0]),
                          kind=describe(value.type)), args[0].start,
                   Phrase("pick the amounts first, e.g. {example}", example="sum(lines.map(l, l.amount))"))


def _days_between(ch: Checker, node: s.Call, args: list[s.Node], context: ExprType | None) -> Typed:
    _arity(ch, node, args, 2, "days_between(start_date, today)")
    start, end = ch.check(args[0]), ch.check(args[1])
    for arg, typed in ((args[0], start), (args[1], end)):
        if not is_date_like(typed.type):
            raise ch.error(Phrase("days_between needs dates, but {value} is {kind}", value=ch.text(arg),
                                  kind=describe(typed.type)), arg.start)
    millis = CallOp("getMilliseconds", (), target=BinaryOp("-", end.cel, start.cel))
    return Typed(NUMBER, BinaryOp("/", CallOp("double", (millis,)), Atom("86400000.0")))


def _add_days(ch: Checker, node: s.Call, args: list[s.Node], context: ExprType | None) -> Typed:
    _arity(ch, node, args, 2, "add_days(today, 14)")
    moment, days = ch.check(args[0]), ch.check(args[1], NUMBER)
    if not is_date_like(moment.type):
        raise ch.error(Phrase("add_days needs a date first, but {value} is {kind}", value=ch.text(args[0]),
                              kind=describe(moment.type)), args[0].start)
    _need(ch, node, args[1], days, (NUMBER,))
    if moment.type == DATE:
        if isinstance(args[1], s.Number) and not args[1].is_int and not Decimal(args[1].text) % 1 == 0:
            raise ch.error(Phrase("add_days needs a whole number of days for a date"), args[1].start)
        return Typed(DATE, ch.helper("_fd_add_days_to_date", moment.cel, days.cel))
    return Typed(DATETIME, ch.helper("_fd_add_days", moment.cel, days.cel))


# -- macros ---------------------------------------------------------------------

def _macro(ch: Checker, node: s.Call) -> Typed:
    name = node.name
    example = Phrase("write e.g. {example}", example=f"lines.{name}(l, l.amount > 100)" if name != "map" else
                     "lines.map(l, l.amount)")
    if node.target is None:
        raise ch.error(Phrase("{function}(...) goes after a list", function=name), node.name_pos, example)
    counts = (2, 3) if name == "map" else (2,)
    if len(node.args) not in counts or not isinstance(node.args[0], s.Name):
        raise ch.error(Phrase("{function} needs a name for each item and an expression", function=name),
                       node.name_pos, example)
    target = ch.check(node.target)
    if not target.type.is_list:
        raise ch.error(Phrase("{function} works on a list, but {value} is {kind}", function=name,
                              value=ch.text(node.target), kind=describe(target.type)), node.name_pos)
    element = target.type.element
    assert element is not None
    variable = node.args[0].name
    ch.push_scope(variable, element)
    try:
        bodies = [ch.check(arg) for arg in node.args[1:]]
    finally:
        ch.pop_scope()
    conditions = bodies[:-1] if name == "map" else bodies
    for arg, body in zip(node.args[1:], conditions, strict=False):
        if body.type not in (BOOLEAN, ExprType.ANY):
            raise ch.error(Phrase("the condition in {function} gives {kind}, not yes/no", function=name,
                                  kind=describe(body.type)), arg.start)
    cel_args = (Atom(cel_name(variable)), *(b.cel for b in bodies))
    call = CallOp(name, cel_args, target=target.cel)
    if name == "map":
        return Typed(ExprType.list_of(bodies[-1].type), call)
    if name == "filter":
        return Typed(target.type, call)
    return Typed(BOOLEAN, call)


def _has(ch: Checker, node: s.Call) -> Typed:
    if node.target is not None or len(node.args) != 1:
        raise ch.error(Phrase("has takes one field"), node.name_pos,
                       Phrase("write e.g. {example}", example="has(customer.email)"))
    arg = node.args[0]
    if not isinstance(arg, s.Name | s.Field):
        raise ch.error(Phrase("has needs a name or a field"), arg.start,
                       Phrase("write e.g. {example}", example="has(customer.email)"))
    if isinstance(arg, s.Field) and (path := ch.top_level_path(arg, presence=True)) is not None:
        return path
    return Typed(BOOLEAN, _present(ch, arg))


def _present(ch: Checker, node: s.Node) -> Cel:
    """`x != null` for `x` and every record on the way to it, so has(a.b.c) never fails on a missing a.b."""
    typed = ch.check(node)
    check: Cel = BinaryOp("!=", typed.cel, Atom("null"))
    if isinstance(node, s.Field) and isinstance(node.target, s.Name | s.Field):
        return BinaryOp("&&", _present(ch, node.target), check)
    return check


_HANDLERS: dict[str, Handler] = {
    "size": _size,
    "contains": _text_test,
    "startsWith": _text_test,
    "endsWith": _text_test,
    "matches": _text_test,
    "lowerAscii": _case,
    "upperAscii": _case,
    "int": _int,
    "double": _double,
    "string": _string,
    "money": _money,
    "date": _date,
    "datetime": _datetime,
    "duration": _duration,
    "sum": _sum,
    "days_between": _days_between,
    "add_days": _add_days,
}

#: Every function name an expression may call (for editors' completion lists).
FUNCTION_NAMES = frozenset((*_HANDLERS, *_MACROS, "has"))
