"""Shared case data for the expression tests: a complaint with invoice lines and a customer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from models.data import DataType, Variable
from models.expressions import ExpressionError, ExprType, compile_expression, names_for

VARIABLES = [
    Variable(name="amount", type=DataType.MONEY),
    Variable(name="a", type=DataType.MONEY),
    Variable(name="b", type=DataType.MONEY),
    Variable(name="limit", type=DataType.MONEY),
    Variable(name="score", type=DataType.NUMBER),
    Variable(name="count", type=DataType.NUMBER),
    Variable(name="status", type=DataType.CHOICE, options=[{"value": "open"}, {"value": "closed"}]),
    Variable(name="note", type=DataType.TEXT),
    Variable(name="approved", type=DataType.BOOLEAN),
    Variable(name="received", type=DataType.DATE),
    Variable(name="submitted", type=DataType.DATETIME),
    Variable(name="lines", type=DataType.RECORDS, fields=[
        Variable(name="description", type=DataType.TEXT),
        Variable(name="amount", type=DataType.MONEY),
        Variable(name="quantity", type=DataType.NUMBER),
    ]),
]

Evaluate = Callable[..., Any]
Refuse = Callable[..., ExpressionError]


@pytest.fixture(scope="session")
def names() -> dict[str, ExprType]:
    return names_for(VARIABLES)


@pytest.fixture
def ev(names: dict[str, ExprType]) -> Evaluate:
    """ev(source, expect=None, **values): compile against the case data and evaluate."""
    def run(source: str, expect: ExprType | None = None, **values: Any) -> Any:
        return compile_expression(source, names, expect=expect).evaluate(values)
    return run


@pytest.fixture
def refuse(names: dict[str, ExprType]) -> Refuse:
    """refuse(source, expect=None): the ExpressionError compiling `source` gives."""
    def run(source: str, expect: ExprType | None = None) -> ExpressionError:
        with pytest.raises(ExpressionError) as caught:
            compile_expression(source, names, expect=expect)
        return caught.value
    return run
