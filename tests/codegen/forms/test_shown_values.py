"""What a form's input starts with reads back as the same value, with the decimal point or comma of the page's
language: an agent who leaves an amount as it is shown (64,20 in Dutch) submits the amount the case holds."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from codegen.forms.rules import KIND_RULES, to_text
from models.forms import FieldKind

SEPARATORS = st.sampled_from([".", ","])
AMOUNTS = st.decimals(min_value=Decimal("-999999999999999.99"), max_value=Decimal("999999999999999.99"), places=2,
                      allow_nan=False, allow_infinity=False)
NUMBERS = st.decimals(min_value=-10**9, max_value=10**9, places=6, allow_nan=False, allow_infinity=False).map(float)


def test_an_amount_is_shown_with_the_readers_separator_and_two_decimals():
    assert [to_text(FieldKind.MONEY, Decimal("64.2"), separator) for separator in ".,"] == ["64.20", "64,20"]
    assert to_text(FieldKind.MONEY, Decimal("1234567.5"), ",") == "1234567,50"  # no thousands dots to misread
    assert to_text(FieldKind.NUMBER, 0.25, ",") == "0,25"
    assert to_text(FieldKind.NUMBER, 12, ",") == "12"


@given(AMOUNTS, SEPARATORS)
def test_every_amount_shown_reads_back_as_the_same_amount(amount: Decimal, separator: str):
    shown = to_text(FieldKind.MONEY, amount, separator)
    assert "." not in shown or separator == "."
    assert KIND_RULES[FieldKind.MONEY].parse(shown) == amount


@given(NUMBERS, SEPARATORS)
def test_every_number_shown_reads_back_as_the_same_number(number: float, separator: str):
    assert KIND_RULES[FieldKind.NUMBER].parse(to_text(FieldKind.NUMBER, number, separator)) == number
