"""Compiling an expression: parse, check, emit CEL, let the CEL library compile it once.

This is the only place that knows the whole pipeline; each step lives in its
own module. The result is immutable and safe to share between threads and
cases of the same published version.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from models.expressions.cel_library import cel
from models.expressions.checker import Checker
from models.expressions.convert import from_cel, path_to_cel, to_cel
from models.expressions.emitter import cel_name, emit
from models.expressions.errors import ExpressionError
from models.expressions.evaluate import CompiledExpression, Input
from models.expressions.library import FUNCTIONS
from models.expressions.parser import parse
from models.expressions.types import ExprType, has_record
from models.phrases import Phrase


def compile_expression(source: str, names: Mapping[str, ExprType], *,
                       expect: ExprType | None = None) -> CompiledExpression:
    """Check `source` against `names` (see `names_for`) and prepare it to run.

    `expect` is the type the place needs (BOOLEAN for a condition, MONEY for an
    amount ...); None accepts any type. Raises ExpressionError with a message for
    the business owner.

    >>> from decimal import Decimal
    >>> rule = compile_expression("a + b == 3.30", {"a": ExprType.MONEY, "b": ExprType.MONEY},
    ...                           expect=ExprType.BOOLEAN)
    >>> rule.cel_source
    'a + b == 330'
    >>> rule.evaluate({"a": Decimal("1.10"), "b": Decimal("2.20")})
    True
    >>> vat = compile_expression("amount * 0.21", {"amount": ExprType.MONEY})
    >>> vat.type, vat.evaluate({"amount": Decimal("99.99")})
    (ExprType.MONEY, Decimal('21.00'))
    >>> compile_expression("amout > 1", {"amount": ExprType.MONEY})
    Traceback (most recent call last):
    ...
    models.expressions.errors.ExpressionError: unknown name 'amout'; did you mean 'amount'?
    """
    if not isinstance(source, str):
        raise ExpressionError(Phrase("the expression must be text"), source=str(source))
    return _compile_once(source, tuple(sorted(names.items(), key=lambda item: item[0])), expect)


@lru_cache(maxsize=8192)
def _compile_once(source: str, names_key: tuple[tuple[str, ExprType], ...],
                  expect: ExprType | None) -> CompiledExpression:
    """Compiled programs are immutable, so the same expression over the same names is compiled once
    per process: every check after an edit in the designer re-uses all unchanged expressions."""
    names = dict(names_key)
    checker = Checker(source, names)
    try:
        typed = checker.check_root(parse(source), expect)
    except RecursionError as error:  # a pathological shape within the size limits
        raise _too_complex(source) from error
    keep = None if checker.records_compared or has_record(typed.type) else checker.accessed
    inputs, flat_paths = _inputs(checker, names, keep)
    try:
        cel_source = emit(typed.cel, flat_paths)
        program = cel().compile(cel_source)
    except RecursionError as error:
        raise _too_complex(source) from error
    except ValueError as error:  # CEL's parser has its own nesting limit
        raise _too_complex(source) from error
    functions = {name: FUNCTIONS[name] for name in sorted(checker.helpers)}
    return CompiledExpression(source=source, type=typed.type, cel_source=cel_source, program=program,
                              inputs=inputs, functions=functions, output=from_cel(typed.type))


def _too_complex(source: str) -> ExpressionError:
    return ExpressionError(Phrase("the expression is too complex to run"), source=source,
                           hint=Phrase("split it up, e.g. with a decision table or an extra variable"))


def _inputs(checker: Checker, names: Mapping[str, ExprType],
            keep: Mapping[ExprType, set[str]] | None) -> tuple[tuple[Input, ...], dict]:
    """What to pass to CEL: a top-level record read only field by field travels as one variable
    per field (`customer.segment` -> `_p_customer__segment`); everything else as a whole."""
    inputs: list[Input] = []
    flat_paths: dict[tuple[str, tuple[str, ...]], str] = {}
    for name in sorted(checker.used):
        paths = sorted(fields for root, fields in checker.paths if root == name)
        if not paths or name in checker.whole:
            inputs.append((name, cel_name(name), to_cel(names[name], keep), ()))
            continue
        for fields in paths:
            variable = f"_p_{name}__{'__'.join(fields)}"
            while variable in flat_paths.values():
                variable += "_"
            flat_paths[(name, fields)] = variable
            leaf = names[name]
            for field in fields:
                leaf = leaf.fields[field]
            inputs.append((name, variable, path_to_cel(fields, leaf, keep), fields))
    return tuple(inputs), flat_paths
