"""The CEL-level tree the checker lowers to, and printing it as CEL source.

The checker decides *what* to run (cents instead of euros, helper calls instead
of float arithmetic); this module only decides *how to spell it*, adding the
brackets CEL's precedence needs and no more, so the emitted source stays
readable in `CompiledExpression.cel_source` and shallow enough for CEL's parser.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

# Precedence levels, loosest first (CEL specification).
CONDITIONAL, OR, AND, RELATION, ADDITIVE, MULTIPLICATIVE, UNARY, MEMBER = range(8)

_BINARY_PRECEDENCE = {
    "||": OR, "&&": AND,
    "<": RELATION, "<=": RELATION, ">": RELATION, ">=": RELATION, "==": RELATION, "!=": RELATION,
    "in": RELATION,
    "+": ADDITIVE, "-": ADDITIVE,
    "*": MULTIPLICATIVE, "/": MULTIPLICATIVE, "%": MULTIPLICATIVE,
}

#: Words CEL's parser refuses as identifiers; our names that collide are renamed.
CEL_RESERVED = frozenset((
    "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
    "package", "namespace", "return", "var", "void", "while", "in", "true", "false", "null",
))


def cel_name(name: str) -> str:
    """The identifier used in CEL for one of our names (user names never start with '_')."""
    return f"_r_{name}" if name in CEL_RESERVED else name


class Cel:
    """A node of the emitted CEL expression."""

    __slots__ = ()
    precedence: int = MEMBER


@dataclass(frozen=True, slots=True)
class Atom(Cel):
    """A literal or identifier, already spelled as CEL."""

    text: str

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return UNARY if self.text.startswith("-") else MEMBER


@dataclass(frozen=True, slots=True)
class Select(Cel):
    target: Cel
    name: str
    precedence = MEMBER


@dataclass(frozen=True, slots=True)
class IndexOp(Cel):
    target: Cel
    index: Cel
    precedence = MEMBER


@dataclass(frozen=True, slots=True)
class CallOp(Cel):
    """`fn(args)`, or `target.fn(args)` when `target` is set (also used for macros)."""

    fn: str
    args: tuple[Cel, ...]
    target: Cel | None = None
    precedence = MEMBER


@dataclass(frozen=True, slots=True)
class UnaryOp(Cel):
    op: str
    operand: Cel
    precedence = UNARY


@dataclass(frozen=True, slots=True)
class BinaryOp(Cel):
    op: str
    left: Cel
    right: Cel

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return _BINARY_PRECEDENCE[self.op]


@dataclass(frozen=True, slots=True)
class CondOp(Cel):
    condition: Cel
    then: Cel
    otherwise: Cel
    precedence = CONDITIONAL


@dataclass(frozen=True, slots=True)
class ListOp(Cel):
    items: tuple[Cel, ...]
    precedence = MEMBER


@dataclass(frozen=True, slots=True)
class MapOp(Cel):
    entries: tuple[tuple[Cel, Cel], ...]
    precedence = MEMBER


@dataclass(frozen=True, slots=True)
class PathRef(Cel):
    """`root.f1.f2` on a top-level record (e.g. `customer.address.city`).

    The compiler may pass such a field to CEL as a variable of its own, which
    saves converting the whole record on every evaluation. With `presence`
    it stands for "this field has a value" (the `has(...)` macro).
    """

    root: str
    fields: tuple[str, ...]
    presence: bool = False
    precedence = MEMBER


NULL = Atom("null")


def string_literal(value: str) -> Atom:
    """A CEL string literal with exactly the characters of `value`.

    >>> string_literal('say "hi"\\n').text
    '"say \\\\"hi\\\\"\\\\n"'
    """
    out = ['"']
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return Atom("".join(out))


def double_literal(value: float) -> Atom:
    """A CEL double literal (always with '.' or 'e', so CEL never reads an int)."""
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    text = repr(float(value))
    return Atom(text if ("." in text or "e" in text) else text + ".0")


def int_literal(value: int) -> Atom:
    return Atom(str(value))


def emit(node: Cel, flat_paths: Mapping[tuple[str, tuple[str, ...]], str] | None = None) -> str:
    """CEL source for `node`, with brackets only where precedence needs them.

    `flat_paths` maps (root, fields) of a `PathRef` to the variable that carries
    that field on its own; other paths are spelled `root.field`.

    >>> emit(BinaryOp("*", BinaryOp("+", Atom("a"), Atom("b")), Atom("c")))
    '(a + b) * c'
    >>> emit(PathRef("customer", ("name",)), {("customer", ("name",)): "_p_customer__name"})
    '_p_customer__name'
    """
    return _Printer(flat_paths or {}).emit(node)


class _Printer:
    def __init__(self, flat_paths: Mapping[tuple[str, tuple[str, ...]], str]) -> None:
        self.flat_paths = flat_paths

    def precedence(self, node: Cel) -> int:
        if isinstance(node, PathRef) and node.presence:
            flat = (node.root, node.fields) in self.flat_paths
            return RELATION if flat or not node.fields else AND
        return node.precedence

    def wrap(self, node: Cel, minimum: int) -> str:
        text = self.emit(node)
        return f"({text})" if self.precedence(node) < minimum else text

    def emit(self, node: Cel) -> str:
        match node:
            case Atom(text=text):
                return text
            case PathRef():
                return self.path(node)
            case Select(target=target, name=name):
                return f"{self.wrap(target, MEMBER)}.{name}"
            case IndexOp(target=target, index=index):
                return f"{self.wrap(target, MEMBER)}[{self.emit(index)}]"
            case CallOp(fn=fn, args=args, target=target):
                inner = ", ".join(self.emit(a) for a in args)
                return f"{self.wrap(target, MEMBER)}.{fn}({inner})" if target is not None else f"{fn}({inner})"
            case UnaryOp(op=op, operand=operand):
                return f"{op}{self.wrap(operand, MEMBER)}"
            case BinaryOp():
                return self.chain(node)
            case CondOp(condition=condition, then=then, otherwise=otherwise):
                return f"{self.wrap(condition, OR)} ? {self.wrap(then, OR)} : {self.wrap(otherwise, CONDITIONAL)}"
            case ListOp(items=items):
                return "[" + ", ".join(self.emit(i) for i in items) + "]"
            case MapOp(entries=entries):
                return "{" + ", ".join(f"{self.emit(k)}: {self.emit(v)}" for k, v in entries) + "}"
        raise TypeError(f"cannot emit {node!r}")

    def path(self, node: PathRef) -> str:
        flat = self.flat_paths.get((node.root, node.fields))
        if flat is not None:
            return f"{flat} != null" if node.presence else flat
        steps = [cel_name(node.root)]
        for field in node.fields:
            steps.append(f"{steps[-1]}.{field}")
        if node.presence:  # every record on the way must be there, so has(a.b.c) never fails on a missing a.b
            return " && ".join(f"{step} != null" for step in steps)
        return steps[-1]

    def chain(self, node: BinaryOp) -> str:
        """A left-leaning chain of one precedence level (`a + b - c ...`) without recursing along it."""
        level = _BINARY_PRECEDENCE[node.op]
        spine = [node]
        if level != RELATION:
            while isinstance(spine[-1].left, BinaryOp) and _BINARY_PRECEDENCE[spine[-1].left.op] == level:
                spine.append(spine[-1].left)
        left_min = level + 1 if level == RELATION else level
        parts = [self.wrap(spine[-1].left, left_min)]
        for link in reversed(spine):
            parts.append(f" {link.op} {self.wrap(link.right, level + 1)}")
        return "".join(parts)
