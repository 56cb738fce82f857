"""A recursive-descent parser for the CEL expression grammar, with hard size limits.

We parse ourselves (instead of trusting the CEL library's parser) so that every
construct is known before anything runs: only the grammar below is accepted,
names starting with `_` are refused, and the limits keep a pasted monster from
costing the server anything. Precedence follows the CEL specification:
`?:` < `||` < `&&` < relations (`< <= > >= == != in`) < `+ -` < `* / %` < unary `! -`
< member access, indexing and calls.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from models.expressions import syntax as s
from models.expressions.errors import ExpressionError
from models.expressions.lexer import Token, tokenize
from models.phrases import Phrase

_N = TypeVar("_N", bound=s.Node)

MAX_LENGTH = 2_000
MAX_DEPTH = 32
MAX_NODES = 500

_RELATIONS = frozenset(("<", "<=", ">", ">=", "==", "!=", "in"))
_WORD_SLIPS = {
    "and": Phrase("write '&&' for 'and'"),
    "or": Phrase("write '||' for 'or'"),
    "not": Phrase("write '!' for 'not'"),
    "is": Phrase("write '==' to compare"),
    "then": Phrase("write 'condition ? a : b' for 'if ... then ... else ...'"),
    "else": Phrase("write 'condition ? a : b' for 'if ... then ... else ...'"),
}


def parse(source: str) -> s.Node:
    """The syntax tree of `source`; ExpressionError (with position) when it is not a valid expression.

    >>> parse("a + 1").op
    '+'
    """
    if len(source) > MAX_LENGTH:
        raise ExpressionError(Phrase("the expression is {length} characters long; the limit is {limit}",
                                     length=len(source), limit=MAX_LENGTH),
                              source=source, hint=Phrase("split it up, e.g. with a decision table"))
    if not source.strip():
        raise ExpressionError(Phrase("the expression is empty"), source=source, position=0)
    return _Parser(source).parse()


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.at = 0
        self.depth = -1  # the whole expression is level 0; each bracket or operator inside adds one
        self.nodes = 0

    # -- helpers -------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def _is(self, text: str) -> bool:
        token = self.tokens[self.at]
        return token.text == text and token.kind in ("op", "ident")

    def _advance(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def _expect(self, text: str, expected: Phrase) -> Token:
        """The next token, which must be the operator `text`; else `expected` says what should have come."""
        if not (self.token.kind == "op" and self.token.text == text):
            self._unexpected(expected)
        return self._advance()

    def _error(self, message: Phrase, position: int | None, hint: Phrase | None = None) -> ExpressionError:
        return ExpressionError(message, source=self.source, position=position, hint=hint)

    def _unexpected(self, expected: Phrase | None = None) -> None:
        token = self.token
        if token.kind == "end":
            message = Phrase("the expression ends too early")
            hint = expected
        else:
            shown = f'"{token.text}"' if token.kind == "str" else f"'{token.text}'"
            message = Phrase("unexpected {token}", token=shown)
            hint = _WORD_SLIPS.get(token.text) if token.kind == "ident" else None
            hint = hint or expected
        raise self._error(message, token.start, hint)

    def _node(self, node: _N) -> _N:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self._error(Phrase("the expression is too large (more than {limit} parts)", limit=MAX_NODES),
                              node.start, Phrase("split it up, e.g. with a decision table or an extra variable"))
        return node

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._error(Phrase("the expression is nested too deeply (more than {limit} levels)", limit=MAX_DEPTH),
                              self.token.start, Phrase("remove brackets or split it up"))

    def _name(self, token: Token) -> str:
        if token.text.startswith("_"):
            raise self._error(Phrase("'{name}' is not allowed: names cannot start with '_'", name=token.text),
                              token.start)
        return token.text

    # -- grammar -------------------------------------------------------------

    def parse(self) -> s.Node:
        node = self._expression()
        if self.token.kind != "end":
            self._unexpected(Phrase("the expression should end here"))
        return node

    def _expression(self) -> s.Node:
        self._enter()
        start = self.token.start
        node = self._or()
        if self._is("?"):
            self._advance()
            then = self._or()
            self._expect(":", Phrase("expected ':' after the 'then' part of 'condition ? then : else'"))
            otherwise = self._expression()
            node = self._node(s.Conditional(start, otherwise.end, node, then, otherwise))
        self.depth -= 1
        return node

    def _binary_chain(self, operators: frozenset[str], operand) -> s.Node:
        node = operand()
        while self.token.kind in ("op", "ident") and self.token.text in operators:
            op = self._advance()
            right = operand()
            node = self._node(s.Binary(node.start, right.end, op.text, node, right, op.start))
        return node

    def _or(self) -> s.Node:
        return self._binary_chain(frozenset(("||",)), self._and)

    def _and(self) -> s.Node:
        return self._binary_chain(frozenset(("&&",)), self._relation)

    def _relation(self) -> s.Node:
        return self._binary_chain(_RELATIONS, self._additive)

    def _additive(self) -> s.Node:
        return self._binary_chain(frozenset(("+", "-")), self._multiplicative)

    def _multiplicative(self) -> s.Node:
        return self._binary_chain(frozenset(("*", "/", "%")), self._unary)

    def _unary(self) -> s.Node:
        if self.token.kind == "op" and self.token.text in ("!", "-"):
            self._enter()
            op = self._advance()
            operand = self._unary()
            self.depth -= 1
            return self._node(s.Unary(op.start, operand.end, op.text, operand))
        return self._member()

    def _member(self) -> s.Node:
        node = self._primary()
        while self.token.kind == "op" and self.token.text in (".", "["):
            if self._advance().text == ".":
                if self.token.kind != "ident":
                    self._unexpected(Phrase("expected a field or function name after '.'"))
                name_token = self._advance()
                name = self._name(name_token)
                if self._is("("):
                    args, end = self._arguments()
                    node = self._node(s.Call(node.start, end, name, args, node, name_token.start))
                else:
                    node = self._node(s.Field(node.start, name_token.end, node, name, name_token.start))
            else:
                index = self._expression()
                close = self._expect("]", Phrase("expected ']' to close '['"))
                node = self._node(s.Index(node.start, close.end, node, index))
        return node

    def _arguments(self) -> tuple[tuple[s.Node, ...], int]:
        self._expect("(", Phrase("expected '('"))
        args: list[s.Node] = []
        if not self._is(")"):
            args.append(self._expression())
            while self._is(","):
                self._advance()
                args.append(self._expression())
        close = self._expect(")", Phrase("expected ')' to close the brackets of the function call"))
        return tuple(args), close.end

    def _primary(self) -> s.Node:
        token = self.token
        if token.kind == "num":
            self._advance()
            return self._node(s.Number(token.start, token.end, token.text, token.is_int))
        if token.kind == "str":
            self._advance()
            return self._node(s.String(token.start, token.end, token.text))
        if token.kind == "ident":
            return self._identifier()
        if token.kind == "op" and token.text == "(":
            self._advance()
            node = self._expression()
            close = self._expect(")", Phrase("expected ')' to close '('"))
            return replace(node, start=token.start, end=close.end)
        if token.kind == "op" and token.text == "[":
            return self._list()
        if token.kind == "op" and token.text == "{":
            return self._map()
        self._unexpected(Phrase("expected a value, a name or '('"))
        raise AssertionError("unreachable")

    def _identifier(self) -> s.Node:
        token = self._advance()
        if token.text in ("true", "false"):
            return self._node(s.Bool(token.start, token.end, token.text == "true"))
        if token.text == "null":
            return self._node(s.Null(token.start, token.end))
        if token.text == "in":
            raise self._error(Phrase("'in' needs a value before it"), token.start,
                              Phrase("write e.g. {example}", example='status in ["a", "b"]'))
        name = self._name(token)
        if self._is("("):
            args, end = self._arguments()
            return self._node(s.Call(token.start, end, name, args, None, token.start))
        if self._is("{"):
            raise self._error(Phrase("building messages with 'Name{{...}}' is not supported"), self.token.start)
        return self._node(s.Name(token.start, token.end, name))

    def _list(self) -> s.Node:
        open_ = self._advance()
        items: list[s.Node] = []
        while not self._is("]"):
            items.append(self._expression())
            if not self._is(","):
                break
            self._advance()
        close = self._expect("]", Phrase("expected ']' to close the list"))
        return self._node(s.ListLit(open_.start, close.end, tuple(items)))

    def _map(self) -> s.Node:
        open_ = self._advance()
        entries: list[tuple[s.Node, s.Node]] = []
        while not self._is("}"):
            key = self._expression()
            self._expect(":", Phrase("expected ':' between a key and its value"))
            entries.append((key, self._expression()))
            if not self._is(","):
                break
            self._advance()
        close = self._expect("}", Phrase("expected '}}' to close the record"))
        return self._node(s.MapLit(open_.start, close.end, tuple(entries)))
