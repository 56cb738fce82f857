"""Type checking against the declared case data, lowering to the CEL we actually run.

The checker walks the syntax tree once. For every node it decides the static
type (so a business owner hears about `"text" + 1` while editing, not when a
case runs) and the CEL that computes it exactly: money as integer cents,
numbers as doubles with decimal helpers for arithmetic, dates as timestamps.

Number literals have no fixed type: next to money they *are* money (euros,
emitted as cents), elsewhere they are numbers. `check(node, context)` passes
that context down; `check_pair` checks the typed side of an operator first so
the literal side can follow it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from models.expressions import syntax as s
from models.expressions.emitter import (
    NULL,
    Atom,
    CallOp,
    Cel,
    CondOp,
    IndexOp,
    ListOp,
    MapOp,
    PathRef,
    Select,
    UnaryOp,
    cel_name,
    double_literal,
    int_literal,
    string_literal,
)
from models.expressions.errors import ExpressionError
from models.expressions.functions import check_call
from models.expressions.operators import LEVEL, check_binary
from models.expressions.typed import Typed, is_untyped_number, suggestion
from models.expressions.types import ExprType, describe, unify
from models.phrases import Phrase

_MAX_CENTS = Decimal(10) ** 17


class Checker:
    """Checks one expression; afterwards `used` holds the top-level names it reads and
    `helpers` the Python helpers its CEL calls."""

    def __init__(self, source: str, names: Mapping[str, ExprType]) -> None:
        self.source = source
        self.names = names
        self.scopes: list[dict[str, ExprType]] = []
        self.used: set[str] = set()
        self.helpers: set[str] = set()
        #: (root, fields) of every `root.field...` read on a top-level record.
        self.paths: set[tuple[str, tuple[str, ...]]] = set()
        #: Top-level records also used as a whole (so they cannot travel field by field).
        self.whole: set[str] = set()
        #: Fields read per record type: a record need not carry the fields nobody reads.
        self.accessed: dict[ExprType, set[str]] = {}
        #: Whether records are compared as a whole (then every field must be there).
        self.records_compared = False

    # -- shared helpers (also used by operators.py and functions.py) -------------

    def error(self, message: Phrase, position: int | None, hint: Phrase | None = None) -> ExpressionError:
        return ExpressionError(message, source=self.source, position=position, hint=hint)

    def text(self, node: s.Node, limit: int = 40) -> str:
        """The source text of `node`, shortened for use inside a message."""
        text = " ".join(self.source[node.start:node.end].split())
        return text if len(text) <= limit else text[: limit - 3] + "..."

    def helper(self, name: str, *args: Cel) -> CallOp:
        """A call of one of our Python helpers (see library.FUNCTIONS)."""
        self.helpers.add(name)
        return CallOp(name, args)

    def check_pair(self, left: s.Node, right: s.Node, outer: ExprType | None = None) -> tuple[Typed, Typed]:
        """Check two operands so a literal side takes the type of the other side."""
        if is_untyped_number(left) and not is_untyped_number(right):
            r = self.check(right)
            return self.check(left, r.type), r
        if is_untyped_number(right) and not is_untyped_number(left):
            lt = self.check(left)
            return lt, self.check(right, lt.type)
        return self.check(left, outer), self.check(right, outer)

    def push_scope(self, name: str, t: ExprType) -> None:
        self.scopes.append({name: t})

    def pop_scope(self) -> None:
        self.scopes.pop()

    def visible_names(self) -> set[str]:
        names = set(self.names)
        for scope in self.scopes:
            names.update(scope)
        return names

    # -- entry points ------------------------------------------------------------

    def check_root(self, node: s.Node, expect: ExprType | None) -> Typed:
        """Check the whole expression and that it gives `expect` (None or ANY: anything)."""
        typed = self.check(node, expect)
        if expect is None or expect.kind == "any" or typed.type == expect:
            return typed
        if typed.type.kind in ("null", "any") or unify(expect, typed.type) == expect:
            return Typed(expect, typed.cel)
        got = describe(typed.type)
        if expect == ExprType.BOOLEAN:
            hint = Phrase("write true or false")
            if not isinstance(node, (s.Number, s.String)):  # comparing a literal makes no sense
                if typed.type in (ExprType.NUMBER, ExprType.MONEY):
                    hint = Phrase("compare it, e.g. {example}", example=f"{self.text(node, 20)} > 100")
                elif typed.type == ExprType.TEXT:
                    hint = Phrase("compare it, e.g. {example}", example=f'{self.text(node, 20)} == "yes"')
            raise self.error(Phrase("this gives {got}, but yes/no is needed here", got=got), None, hint)
        hint = None
        if expect == ExprType.MONEY and typed.type == ExprType.NUMBER:
            hint = Phrase("write {example} to use the number as an amount", example=f"money({self.text(node, 30)})")
        elif expect == ExprType.TEXT:
            hint = Phrase("write {example} to turn it into text", example=f"string({self.text(node, 30)})")
        raise self.error(Phrase("this gives {got}, but {wanted} is needed here", got=got, wanted=describe(expect)),
                         None, hint)

    def check(self, node: s.Node, context: ExprType | None = None) -> Typed:
        """The type and CEL of `node`; `context` is the type its surroundings expect, if known."""
        match node:
            case s.Number():
                return self._number(node, context)
            case s.String(value=value):
                return Typed(ExprType.TEXT, string_literal(value))
            case s.Bool(value=value):
                return Typed(ExprType.BOOLEAN, Atom("true" if value else "false"))
            case s.Null():
                return Typed(ExprType.NULL, NULL)
            case s.Name():
                return self._name(node)
            case s.Field():
                return self._field(node)
            case s.Index():
                return self._index(node)
            case s.Unary():
                return self._unary(node, context)
            case s.Binary():
                return self._binary(node, context)
            case s.Conditional():
                return self._conditional(node, context)
            case s.ListLit():
                return self._list(node, context)
            case s.MapLit():
                return self._map(node)
            case s.Call():
                return check_call(self, node, context)
        raise AssertionError(f"unknown node {node!r}")

    # -- leaves ------------------------------------------------------------------

    def _number(self, node: s.Number, context: ExprType | None) -> Typed:
        value = Decimal(int(node.text, 16)) if node.text[:2] in ("0x", "0X") else Decimal(node.text)
        if context == ExprType.MONEY:
            return Typed(ExprType.MONEY, int_literal(self.cents(value, node)))
        as_float = float(value)
        if as_float in (float("inf"), float("-inf")):
            raise self.error(Phrase("the number {number} is too large", number=node.text), node.start)
        return Typed(ExprType.NUMBER, double_literal(as_float))

    def cents(self, euros: Decimal, node: s.Node) -> int:
        """An amount literal in cents; more than two decimals is refused, not rounded."""
        cents = euros.scaleb(2)
        if cents != cents.to_integral_value():
            raise self.error(Phrase("an amount has at most two decimals, not {amount}", amount=self.text(node)),
                             node.start, Phrase("write e.g. {example}", example="12.50"))
        if abs(cents) >= _MAX_CENTS:
            raise self.error(Phrase("the amount {amount} is too large", amount=self.text(node)), node.start)
        return int(cents)

    def _name(self, node: s.Name) -> Typed:
        for scope in reversed(self.scopes):
            if node.name in scope:
                return Typed(scope[node.name], Atom(cel_name(node.name)))
        if node.name in self.names:
            self.used.add(node.name)
            if self.names[node.name].is_record:
                self.whole.add(node.name)
            return Typed(self.names[node.name], Atom(cel_name(node.name)))
        hint = suggestion(node.name, self.visible_names())
        if hint is None:
            hint = Phrase("to mean the text itself, put it in quotes: {quoted}", quoted=f'"{node.name}"')
        raise self.error(Phrase("unknown name '{name}'", name=node.name), node.start, hint)

    # -- structure ---------------------------------------------------------------

    def _field(self, node: s.Field) -> Typed:
        path = self.top_level_path(node)
        if path is not None:
            return path
        target = self.check(node.target)
        return self.field_of(target, node.target, node.name, node.name_pos)

    def top_level_path(self, node: s.Field, *, presence: bool = False) -> Typed | None:
        """`customer.address.city` as a `PathRef`, when the chain starts at a top-level record."""
        steps: list[s.Field] = []
        root: s.Node = node
        while isinstance(root, s.Field):
            steps.append(root)
            root = root.target
        if (not isinstance(root, s.Name) or root.name not in self.names or not self.names[root.name].is_record
                or any(root.name in scope for scope in self.scopes)):
            return None
        self.used.add(root.name)
        typed = Typed(self.names[root.name], Atom(cel_name(root.name)))
        for step in reversed(steps):
            typed = self.field_of(typed, step.target, step.name, step.name_pos)
        fields = tuple(step.name for step in reversed(steps))
        self.paths.add((root.name, fields))
        if presence:
            return Typed(ExprType.BOOLEAN, PathRef(root.name, fields, presence=True))
        return Typed(typed.type, PathRef(root.name, fields))

    def field_of(self, target: Typed, target_node: s.Node, name: str, position: int) -> Typed:
        t = target.type
        owner = self.text(target_node)
        if t.is_record:
            if name in t.fields:
                self.accessed.setdefault(t, set()).add(name)
                return Typed(t.fields[name], Select(target.cel, name))
            raise self.error(Phrase("{owner} has no field '{name}'", owner=owner, name=name), position,
                             suggestion(name, t.fields))
        if t.is_list and t.element is not None and t.element.is_record:
            raise self.error(Phrase("{owner} is a list of records, not one record", owner=owner), position,
                             Phrase("look inside it, e.g. {example}, or pick one with {first}",
                                    example=f"{owner}.exists(x, x.{name} != null)", first=f"{owner}[0].{name}"))
        if t.kind == "any":
            raise self.error(Phrase("cannot tell whether {owner} has a field '{name}'", owner=owner, name=name),
                             position)
        raise self.error(Phrase("{owner} is {kind} and has no field '{name}'", owner=owner, kind=describe(t),
                                name=name), position)

    def _index(self, node: s.Index) -> Typed:
        target = self.check(node.target)
        t = target.type
        owner = self.text(node.target)
        if t.is_list:
            assert t.element is not None
            index = node.index
            if isinstance(index, s.Number) and index.is_int and index.text[:2] not in ("0x", "0X"):
                return Typed(t.element, IndexOp(target.cel, int_literal(int(index.text))))
            checked = self.check(index, ExprType.NUMBER)
            if checked.type != ExprType.NUMBER:
                raise self.error(Phrase("a position in a list is a number, not {kind}",
                                        kind=describe(checked.type)), index.start)
            return Typed(t.element, IndexOp(target.cel, CallOp("int", (checked.cel,))))
        if t.is_record and isinstance(node.index, s.String):
            return self.field_of(target, node.target, node.index.value, node.index.start)
        if t == ExprType.TEXT:
            raise self.error(Phrase("cannot pick characters out of text with [ ]: {owner}", owner=owner),
                             node.index.start, Phrase("use startsWith, endsWith, contains or matches"))
        raise self.error(Phrase("{owner} is {kind}; only lists have positions [ ]", owner=owner, kind=describe(t)),
                         node.index.start)

    def _unary(self, node: s.Unary, context: ExprType | None) -> Typed:
        operand = self.check(node.operand, context if node.op == "-" else None)
        t = operand.type
        if node.op == "!":
            if t not in (ExprType.BOOLEAN, ExprType.ANY):
                raise self.error(Phrase("'!' (not) needs yes/no, but {operand} is {kind}",
                                        operand=self.text(node.operand), kind=describe(t)), node.start)
            return Typed(ExprType.BOOLEAN, UnaryOp("!", operand.cel))
        if t not in (ExprType.NUMBER, ExprType.MONEY, ExprType.DURATION):
            raise self.error(Phrase("cannot make {kind} negative", kind=describe(t)), node.start)
        cel = operand.cel
        if isinstance(cel, Atom) and cel.text[:1].isdigit():
            return Typed(t, Atom("-" + cel.text))
        return Typed(t, UnaryOp("-", cel))

    def _binary(self, node: s.Binary, context: ExprType | None) -> Typed:
        """Fold a left-leaning chain (`a + b + c ...`, `x || y || z ...`) bottom-up without recursion."""
        level = LEVEL[node.op]
        spine = [node]
        while isinstance(spine[-1].left, s.Binary) and LEVEL[spine[-1].left.op] == level:
            spine.append(spine[-1].left)
        bottom = spine[-1].left
        if len(spine) == 1 or is_untyped_number(bottom):
            return check_binary(self, node, context)
        inner_context = context if node.op in ("+", "-") else None
        typed = self.check(bottom)
        for link in reversed(spine):
            typed = check_binary(self, link, context if link is node else inner_context, typed)
        return typed

    def _conditional(self, node: s.Conditional, context: ExprType | None) -> Typed:
        condition = self.check(node.condition)
        if condition.type not in (ExprType.BOOLEAN, ExprType.ANY):
            raise self.error(Phrase("the condition before '?' gives {kind}, not yes/no", kind=describe(condition.type)),
                             node.condition.start)
        then, otherwise = self.check_pair(node.then, node.otherwise, context)
        t = unify(then.type, otherwise.type)
        if t is None:
            raise self.error(Phrase("the two possible results differ: {then} after '?' and {otherwise} after ':'",
                                    then=describe(then.type), otherwise=describe(otherwise.type)), node.then.start,
                             Phrase("both results must be the same kind of value"))
        return Typed(t, CondOp(condition.cel, then.cel, otherwise.cel))

    def _list(self, node: s.ListLit, context: ExprType | None) -> Typed:
        item_context = context.element if context is not None and context.is_list else None
        checked: dict[int, Typed] = {}
        if item_context is None:
            for i, item in enumerate(node.items):
                if not is_untyped_number(item):
                    checked[i] = self.check(item)
                    item_context = checked[i].type
                    break
        items = [checked.get(i) or self.check(item, item_context) for i, item in enumerate(node.items)]
        element = ExprType.NULL
        for item_node, item in zip(node.items, items, strict=True):
            joined = unify(element, item.type)
            if joined is None:
                raise self.error(Phrase("a list holds one kind of value, but this list mixes {one} and {other}",
                                        one=describe(element), other=describe(item.type)), item_node.start)
            element = joined
        if element.kind == "null":
            element = item_context or ExprType.ANY
        return Typed(ExprType.list_of(element), ListOp(tuple(i.cel for i in items)))

    def _map(self, node: s.MapLit) -> Typed:
        fields: dict[str, ExprType] = {}
        entries: list[tuple[Cel, Cel]] = []
        for key, value in node.entries:
            if not isinstance(key, s.String):
                raise self.error(Phrase("the field names of a record are text in quotes"), key.start,
                                 Phrase("write e.g. {example}", example='{"name": customer.name}'))
            if key.value in fields:
                raise self.error(Phrase("the field '{name}' appears twice", name=key.value), key.start)
            if key.value.startswith("_") or not key.value:
                raise self.error(Phrase("'{name}' is not allowed as a field name", name=key.value), key.start)
            typed = self.check(value)
            fields[key.value] = typed.type
            entries.append((string_literal(key.value), typed.cel))
        return Typed(ExprType.record(fields), MapOp(tuple(entries)))
