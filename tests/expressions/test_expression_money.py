"""Money is exact: no float rounding ever reaches a decision, a form or a letter."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.expressions import EvaluationError, ExprType, compile_expression

D = Decimal
MONEY = ExprType.MONEY


def test_adding_amounts_is_exact_where_floats_are_not(ev):
    assert ev("a + b == 3.30", a=D("1.10"), b=D("2.20")) is True
    assert ev("a + b", a=D("1.10"), b=D("2.20")) == D("3.30")


@pytest.mark.parametrize(("amount", "above"), [("250.01", True), ("250.00", False), ("249.99", False)])
def test_threshold_on_an_amount(ev, amount, above):
    assert ev("amount > 250", amount=D(amount)) is above


def test_amounts_come_back_as_decimals_with_two_places(ev):
    result = ev("amount - amount", amount=D("12.34"))
    assert isinstance(result, Decimal)
    assert result.as_tuple().exponent == -2
    assert ev("amount * 2", amount=D("0.10")) == D("0.20")


def test_vat_is_computed_exactly(ev):
    result = ev("amount * 0.21", amount=D("99.99"))
    assert isinstance(result, Decimal)
    assert result == D("21.00")  # 20.9979 rounded half up
    assert ev("0.21 * amount", amount=D("99.99")) == D("21.00")


@pytest.mark.parametrize(("source", "amount", "expected"), [
    ("amount * 0.5", "0.05", "0.03"),     # half a cent rounds up
    ("amount * 0.5", "-0.05", "-0.03"),   # and away from zero for credits
    ("amount / 3", "100.00", "33.33"),
    ("amount / 3", "200.00", "66.67"),
    ("amount * 1.1", "10.00", "11.00"),
])
def test_multiplying_and_dividing_money_rounds_half_up_to_the_cent(ev, source, amount, expected):
    assert ev(source, amount=D(amount)) == D(expected)


def test_money_divided_by_money_is_a_plain_number(ev):
    assert ev("amount / limit", amount=D("25.00"), limit=D("100.00")) == 0.25


@pytest.mark.parametrize(("source", "cents"), [
    ("amount > 250", "25000"),
    ("amount > 12.5", "1250"),
    ("amount >= -5", "-500"),
    ("amount in [100, 250.5]", "[10000, 25050]"),
    ("amount > 100 + 50", "10000 + 5000"),
])
def test_number_literals_next_to_money_are_euros(names, source, cents):
    assert cents in compile_expression(source, names).cel_source


@pytest.mark.parametrize(("source", "expect", "expected"), [
    ("250", MONEY, D("250.00")),
    ("12.5", MONEY, D("12.50")),
    ("approved ? 100 : amount", None, D("100.00")),
    ("approved ? 10 : 20.5", MONEY, D("10.00")),
    ("amount + 0.01", None, D("1.01")),
    ("-amount", None, D("-1.00")),
])
def test_literals_take_the_money_type(ev, source, expect, expected):
    assert ev(source, expect, amount=D("1.00"), approved=True) == expected


def test_an_amount_literal_with_more_than_two_decimals_is_refused(refuse):
    error = refuse("amount > 12.345")
    assert "at most two decimals" in error.message
    assert error.position == 9


def test_money_cannot_be_multiplied_by_money(refuse):
    error = refuse("amount * limit")
    assert error.message == "cannot multiply money by money"
    assert "0.21" in error.hint


@pytest.mark.parametrize("source", ["amount + score", "amount > score", "amount == score", "score < amount"])
def test_money_and_a_number_variable_do_not_mix(refuse, source):
    error = refuse(source)
    assert "money" in error.message and "a number" in error.message
    assert "money(score)" in error.hint


def test_a_number_cannot_be_divided_by_money(refuse):
    assert refuse("score / amount").message == "cannot divide a number by money"


def test_sum_of_amounts_in_records(ev):
    lines = [{"amount": D("0.10")}, {"amount": D("0.20")}, {"amount": D("100.71")}]
    assert ev("sum(lines.map(l, l.amount))", lines=lines) == D("101.01")
    assert ev("sum(lines.map(l, l.amount)) > 101", lines=lines) is True
    assert ev("sum(lines.map(l, l.amount)) > 101.01", lines=lines) is False


def test_converting_to_and_from_money(ev):
    assert ev("money(score)", score=2.005) == D("2.01")
    assert ev('money("12.5")') == D("12.50")
    assert ev("money(note)", note="7.25") == D("7.25")
    assert ev("string(amount)", amount=D("1250.50")) == "1250.50"
    assert ev("double(amount)", amount=D("10.10")) == 10.1
    assert ev("int(amount)", amount=D("-10.99")) == -10


def test_an_amount_value_with_more_than_two_decimals_is_an_evaluation_error(ev):
    with pytest.raises(EvaluationError, match="more than two decimals"):
        ev("amount > 1", amount=D("1.005"))


amounts = st.decimals(min_value=D("-1000000000"), max_value=D("1000000000"), places=2,
                      allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(a=amounts, b=amounts)
def test_money_arithmetic_and_comparisons_match_python_decimal(names, a, b):
    values = {"a": a, "b": b}

    def run(source: str):
        return compile_expression(source, names).evaluate(values)

    assert run("a + b") == a + b
    assert run("a - b") == a - b
    assert run("a < b") is (a < b)
    assert run("a <= b") is (a <= b)
    assert run("a == b") is (a == b)
    assert run("a + b == b + a") is True
    assert run("a * 0.21") == (a * D("0.21")).quantize(D("0.01"), rounding=ROUND_HALF_UP)
