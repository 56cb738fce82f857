"""No value yet: checkable with == null, and named plainly when an expression needs it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from models.expressions import EvaluationError, ExprType

D = Decimal


@pytest.mark.parametrize("values", [{}, {"amount": None}])
def test_null_checks_work_for_a_missing_value(ev, values):
    assert ev("amount == null", **values) is True
    assert ev("amount != null && amount > 100", **values) is False
    assert ev("amount == null || amount > 100", **values) is True
    assert ev("amount == null ? 0 : amount", ExprType.MONEY, **values) == D("0.00")


@pytest.mark.parametrize("source", ["status == null", "approved != null", "lines == null", "received == null",
                                    "customer == null", "customer.address == null"])
def test_every_type_can_be_compared_with_null(ev, source):
    assert ev(source, customer={"address": {"city": "Delft"}}) in (True, False)


def test_a_needed_value_that_is_missing_is_named(ev):
    with pytest.raises(EvaluationError) as caught:
        ev("amount > 100")
    assert caught.value.message == "cannot work out `amount > 100`: 'amount' has no value yet"
    with pytest.raises(EvaluationError, match="'a' and 'b' have no value yet"):
        ev("a + b > 1")
    with pytest.raises(EvaluationError, match="'score' has no value yet"):
        ev("score * 2 > 1")


def test_missing_fields_are_named(ev):
    with pytest.raises(EvaluationError, match=re.escape("'customer.address.city' has no value yet")):
        ev('customer.address.city.startsWith("D")', customer={"address": {"city": None}})
    with pytest.raises(EvaluationError, match=re.escape("'lines.amount' has no value yet")):
        ev("lines.exists(l, l.amount > 100)", lines=[{"amount": None}])


def test_null_results(ev):
    assert ev("null", ExprType.MONEY) is None
    assert ev("amount", amount=None) is None
    assert ev("approved ? null : amount", approved=True, amount=D("1.00")) is None


def test_short_circuit_skips_missing_values(ev):
    assert ev("amount > 100 || true") is True
    assert ev("false && amount > 100") is False


def test_null_cannot_be_ordered(refuse):
    error = refuse("amount > null")
    assert error.message == "cannot compare money with no value (null)"
    assert "!= null" in error.hint
