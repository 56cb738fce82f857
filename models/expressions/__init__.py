"""The Flowdesk expression language: CEL, type-checked against the case data, with exact money.

Every expression in a model (conditions, form rules, assignments, decision
table cells, recipients, timer dates, subprocess mappings) is compiled once with
`compile_expression` and then evaluated many times. We parse and type-check CEL
ourselves and hand the CEL library a rewritten expression, because plain CEL
computes money in floats (1.10 + 2.20 = 3.3000000000000003), refuses `1 + 1.5`,
and counts `size("é")` in bytes. Money is carried as integer cents and every
operation that can leave the cent grid is done in Decimal, rounded half-up.

The language, in short (CEL syntax, our typing):

- values: numbers `12`, `12.5`; text `"..."` or `'...'`; `true`, `false`, `null`;
  lists `[a, b]`; records `{"field": value}`
- operators: `* / %`, `+ -`, `< <= > >= == != in`, `&&`, `||`, `!`, `c ? a : b`
- money: a plain number next to an amount means euros (`amount > 250`); money
  +/- money, money * number, money / number (rounded half-up to the cent),
  money / money gives a number; money never mixes with a number *variable*
  (write `money(score)`)
- numbers: whole and decimal numbers mix freely and compute in decimal
- dates: `date("2024-12-31")`, `datetime("...")`, `duration("48h")` or `"2d"`,
  `days_between(a, b)`, `add_days(d, n)`; `today` and `now` come from the clock
- text: `size`, `contains`, `startsWith`, `endsWith`, `matches`, `lowerAscii`, `upperAscii`
- conversions: `int`, `double`, `string`, `money`
- lists: `size`, `sum`, `list.all(x, p)`, `exists`, `exists_one`, `map(x, e)`,
  `map(x, p, e)`, `filter(x, p)`, `list[0]`
- `has(customer.email)`: the field has a value; `x == null`: no value yet
- refused: names starting with `_`, undeclared names, fields and functions,
  more than 2,000 characters, 500 parts or 32 levels of nesting

>>> from decimal import Decimal
>>> names = {"amount": ExprType.MONEY, "status": ExprType.TEXT}
>>> rule = compile_expression('amount > 250 && status == "open"', names, expect=ExprType.BOOLEAN)
>>> rule.evaluate({"amount": Decimal("250.01"), "status": "open"})
True
>>> rule.evaluate({"amount": Decimal("250.00"), "status": "open"})
False
"""

from models.expressions.compiler import compile_expression
from models.expressions.errors import EvaluationError, ExpressionError
from models.expressions.evaluate import CompiledExpression
from models.expressions.functions import FUNCTION_NAMES
from models.expressions.types import CUSTOMER_TYPE, ExprType, kind_name, names_for, type_of_variable

__all__ = [
    "CUSTOMER_TYPE",
    "FUNCTION_NAMES",
    "CompiledExpression",
    "EvaluationError",
    "ExprType",
    "ExpressionError",
    "compile_expression",
    "kind_name",
    "names_for",
    "type_of_variable",
]
