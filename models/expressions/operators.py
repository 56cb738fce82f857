"""Typing and lowering of the binary operators.

Each operator accepts a short, explicit list of type pairs; anything else is a
type error worded for a business owner ("cannot add text and a number").
Money stays exact: + and - on cents are native CEL integer arithmetic; anything
that can leave the cents grid goes through a Decimal helper. Number arithmetic
always goes through the decimal helper, so CEL never mixes int and double and
`0.1 + 0.2` is 0.3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.expressions import syntax as s
from models.expressions.emitter import Atom, BinaryOp, CallOp, Cel, string_literal
from models.expressions.typed import Typed, is_untyped_number
from models.expressions.types import ExprType, describe, has_record, is_date_like, unify
from models.phrases import Phrase

if TYPE_CHECKING:
    from models.expressions.checker import Checker

TEXT, NUMBER, MONEY = ExprType.TEXT, ExprType.NUMBER, ExprType.MONEY
BOOLEAN, DURATION, DATETIME = ExprType.BOOLEAN, ExprType.DURATION, ExprType.DATETIME
_ORDERED = (TEXT, NUMBER, MONEY, DURATION)
#: Operators of equal precedence, which form left-leaning chains such as `a + b - c`.
LEVEL = {
    "||": 1, "&&": 2, "<": 3, "<=": 3, ">": 3, ">=": 3, "==": 3, "!=": 3, "in": 3,
    "+": 4, "-": 4, "*": 5, "/": 5, "%": 5,
}


def check_binary(ch: Checker, node: s.Binary, context: ExprType | None, left: Typed | None = None) -> Typed:
    """Type and lower `node`; `left`, when given, is its left operand already checked.

    The checker passes `left` while folding a long chain such as `a + b + c ...`
    from the bottom up, so chains cost no Python recursion per operator.
    """
    op = node.op
    if op in ("&&", "||"):
        return _logical(ch, node, left)
    if op == "in":
        return _membership(ch, node, left)
    if op in ("==", "!=", "<", "<=", ">", ">="):
        return _comparison(ch, node, left)
    return _arithmetic(ch, node, context, left)


def _pair(ch: Checker, node: s.Binary, outer: ExprType | None, left: Typed | None) -> tuple[Typed, Typed]:
    """Both operands, a literal side following the type of the other (see Checker.check_pair)."""
    if left is None:
        return ch.check_pair(node.left, node.right, outer)
    if is_untyped_number(node.right):
        return left, ch.check(node.right, left.type)
    return left, ch.check(node.right, outer)


def _logical(ch: Checker, node: s.Binary, left: Typed | None) -> Typed:
    left, right = left or ch.check(node.left), ch.check(node.right)
    for side, typed in ((node.left, left), (node.right, right)):
        if typed.type not in (BOOLEAN, ExprType.ANY):
            values = {"value": ch.text(side), "kind": describe(typed.type)}
            refusal = Phrase("'&&' (and) needs yes/no on both sides, but {value} is {kind}", **values) \
                if node.op == "&&" else Phrase("'||' (or) needs yes/no on both sides, but {value} is {kind}", **values)
            raise ch.error(refusal, side.start, Phrase("compare it first, e.g. {example}", example="amount > 100")
                           if typed.type in (NUMBER, MONEY) else None)
    return Typed(BOOLEAN, BinaryOp(node.op, left.cel, right.cel))


def _comparison(ch: Checker, node: s.Binary, left: Typed | None) -> Typed:
    left, right = _pair(ch, node, None, left)
    lt, rt = left.type, right.type
    if node.op in ("==", "!="):
        allowed = (lt.kind in ("null", "any") or rt.kind in ("null", "any") or unify(lt, rt) is not None)
    else:
        allowed = (lt == rt and lt in _ORDERED) or (is_date_like(lt) and is_date_like(rt))
    if not allowed:
        raise ch.error(Phrase("cannot compare {one} with {other}", one=describe(lt), other=describe(rt)), node.op_pos,
                       _hint(ch, node, left, right))
    if (has_record(lt) or has_record(rt)) and "null" not in (lt.kind, rt.kind):
        ch.records_compared = True
    return Typed(BOOLEAN, BinaryOp(node.op, left.cel, right.cel))


def _membership(ch: Checker, node: s.Binary, left: Typed | None) -> Typed:
    if left is None and is_untyped_number(node.left) and not is_untyped_number(node.right):
        right = ch.check(node.right)
        element = right.type.element if right.type.is_list else None
        left = ch.check(node.left, element)
    else:
        left = left or ch.check(node.left)
        right = ch.check(node.right, ExprType.list_of(left.type))
    rt = right.type
    if rt == TEXT:
        raise ch.error(Phrase("'in' looks for a value in a list, not in text"), node.op_pos,
                       Phrase("to look for text inside text write {example}",
                              example=f"{ch.text(node.right)}.contains({ch.text(node.left)})"))
    if not rt.is_list:
        raise ch.error(Phrase("'in' needs a list after it, but {value} is {kind}", value=ch.text(node.right),
                              kind=describe(rt)), node.op_pos,
                       Phrase("write e.g. {example}", example='status in ["open", "new"]'))
    assert rt.element is not None
    if unify(left.type, rt.element) is None:
        raise ch.error(Phrase("cannot look for {one} in {other}", one=describe(left.type), other=describe(rt)),
                       node.op_pos,
                       _hint(ch, node, left, Typed(rt.element, right.cel)))
    if has_record(rt):
        ch.records_compared = True
    return Typed(BOOLEAN, BinaryOp("in", left.cel, right.cel))


def _arithmetic(ch: Checker, node: s.Binary, context: ExprType | None, left: Typed | None) -> Typed:
    op = node.op
    if op in ("+", "-"):
        left, right = _pair(ch, node, context, left)
    else:
        left, right = left or ch.check(node.left), ch.check(node.right)
    result = _lower(ch, op, left, right)
    if result is None:
        raise ch.error(_refusal(op, left.type, right.type), node.op_pos, _hint(ch, node, left, right))
    return result


def _lower(ch: Checker, op: str, left: Typed, right: Typed) -> Typed | None:
    lt, rt, lc, rc = left.type, right.type, left.cel, right.cel
    if lt == NUMBER and rt == NUMBER:
        return Typed(NUMBER, _number_op(ch, op, lc, rc))
    if op in ("+", "-"):
        if lt == MONEY and rt == MONEY:
            return Typed(MONEY, BinaryOp(op, lc, rc))
        if lt == rt == DURATION:
            return Typed(DURATION, BinaryOp(op, lc, rc))
        if is_date_like(lt) and rt == DURATION:
            return Typed(DATETIME, BinaryOp(op, lc, rc))
    if op == "+":
        if lt == rt == TEXT:
            return Typed(TEXT, BinaryOp(op, lc, rc))
        if lt.is_list and rt.is_list and (joined := unify(lt, rt)) is not None:
            return Typed(joined, BinaryOp(op, lc, rc))
        if lt == DURATION and is_date_like(rt):
            return Typed(DATETIME, BinaryOp(op, lc, rc))
    if op == "-" and is_date_like(lt) and is_date_like(rt):
        return Typed(DURATION, BinaryOp(op, lc, rc))
    if op == "*" and {lt, rt} == {MONEY, NUMBER}:
        money, factor = (lc, rc) if lt == MONEY else (rc, lc)
        return Typed(MONEY, ch.helper("_fd_money_times", money, factor))
    if op == "/" and lt == MONEY and rt == NUMBER:
        return Typed(MONEY, ch.helper("_fd_money_divided", lc, rc))
    if op == "/" and lt == MONEY and rt == MONEY:
        return Typed(NUMBER, ch.helper("_fd_money_ratio", lc, rc))
    return None


def _number_op(ch: Checker, op: str, left: Cel, right: Cel) -> Cel:
    """One decimal helper call for a whole arithmetic sub-tree: `a * 1.5 + 2` becomes
    `_fd_calc("##*#+", a, 1.5, 2.0)` (a postfix program, `#` taking the next operand),
    so each evaluation crosses from CEL into Python once, not once per operator."""
    left_program, left_operands = _calc_parts(left)
    right_program, right_operands = _calc_parts(right)
    program = string_literal(left_program + right_program + op)
    return ch.helper("_fd_calc", program, *left_operands, *right_operands)


def _calc_parts(node: Cel) -> tuple[str, tuple[Cel, ...]]:
    if isinstance(node, CallOp) and node.fn == "_fd_calc" and isinstance(node.args[0], Atom):
        return node.args[0].text.strip('"'), node.args[1:]
    return "#", (node,)


def _refusal(op: str, lt: ExprType, rt: ExprType) -> Phrase:
    a, b = describe(lt), describe(rt)
    if op == "+":
        return Phrase("cannot add {a} and {b}", a=a, b=b)
    if op == "-":
        return Phrase("cannot subtract {b} from {a}", a=a, b=b)
    if op == "*":
        return Phrase("cannot multiply {a} by {b}", a=a, b=b)
    if op == "/":
        return Phrase("cannot divide {a} by {b}", a=a, b=b)
    return Phrase("cannot take the remainder of {a} divided by {b}", a=a, b=b)


def _hint(ch: Checker, node: s.Binary, left: Typed, right: Typed) -> Phrase | None:
    """How to fix a refused combination, when there is a usual fix."""
    kinds = {left.type, right.type}
    if kinds == {MONEY, NUMBER}:
        if node.op == "*":
            return None
        number_node = node.left if left.type == NUMBER else node.right
        if isinstance(number_node, s.Name | s.Field):
            name = ch.text(number_node)
            return Phrase("'{name}' is a number, not money; write {example} to use it as an amount", name=name,
                          example=f"money({name})")
        return Phrase("write money(...) around the number to use it as an amount")
    if kinds == {MONEY}:
        if node.op == "*":
            return Phrase("multiply an amount by a plain number, e.g. {example}", example="amount * 0.21")
        if node.op == "%":
            return None
    if ExprType.NULL in kinds:
        return Phrase("use == null or != null to check whether there is a value")
    if ExprType.ANY in kinds:
        return Phrase("the kind of value is not known here")
    if node.op == "+" and TEXT in kinds:
        other = node.right if left.type == TEXT else node.left
        return Phrase("turn it into text first with {example}", example=f"string({ch.text(other)})")
    if kinds == {TEXT, NUMBER} and node.op not in ("+", "-", "*", "/", "%"):
        text_node = node.left if left.type == TEXT else node.right
        return Phrase("to read text as a number write {example}", example=f"double({ch.text(text_node)})")
    if kinds == {ExprType.DATE, ExprType.NUMBER} or kinds == {DATETIME, NUMBER}:
        return Phrase("add days with add_days(date, n); count days with days_between(a, b)")
    return None
