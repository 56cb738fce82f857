"""Numbers behave like a calculator: ints and decimals mix, and 0.1 + 0.2 is 0.3."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.expressions import ExprType
from models.expressions.library import _decimal_calc, number_calc


@pytest.mark.parametrize(("source", "score", "expected"), [
    ("score + 1.5", 1, 2.5),
    ("score / 2", 7, 3.5),
    ("1 + 1.5", 0, 2.5),
    ("score * 2", 1.5, 3),
    ("score * 1.1", 100, 110),
    ("score - 0.3", 0.5, 0.2),
    ("score % 4", 7, 3),
    ("-score * 3", 2, -6),
])
def test_ints_and_decimals_mix(ev, source, score, expected):
    result = ev(source, score=score)
    assert result == expected
    assert type(result) is type(expected)


def test_decimal_arithmetic_has_no_float_noise(ev):
    assert ev("0.1 + 0.2 == 0.3") is True
    assert ev("score * 1.1 > 110", score=100) is False


@pytest.mark.parametrize(("source", "expected"), [
    ("score == 7", True),
    ("score == 7.0", True),
    ("score > 6.5", True),
    ("score in [1, 7]", True),
    ("size(lines) + 0.5", 2.5),
    ("size(lines) / 4", 0.5),
])
def test_whole_and_decimal_numbers_compare_and_combine(ev, source, expected):
    assert ev(source, score=7.0, lines=[{}, {}]) == expected


def test_size_counts_characters_not_bytes(ev):
    assert ev('size("é")') == 1
    assert ev("note.size()", note="café ☕") == 6


@pytest.mark.parametrize(("source", "expected"), [
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("10 - 4 - 3", 3),
    ("2 * 3 % 4", 2),
    ("-2 * 3", -6),
    ("true || false && false", True),
    ("!false && false", False),
    ("false ? 1 : true ? 2 : 3", 2),
    ("1 < 2 == true", True),
])
def test_precedence_follows_cel(ev, source, expected):
    assert ev(source) == expected


@pytest.mark.parametrize(("source", "expected"), [
    ("int(2.7)", 2),
    ("int(-2.7)", -2),
    ('int("12")', 12),
    ('double("1.5")', 1.5),
    ("string(2.5)", "2.5"),
    ("string(3)", "3"),
    ("string(approved)", "true"),
])
def test_conversions(ev, source, expected):
    assert ev(source, approved=True) == expected


def test_number_results_are_int_when_whole(ev):
    assert ev("score / 4", score=8) == 2
    assert type(ev("score / 4", score=8)) is int
    assert ev("score / 4", ExprType.NUMBER, score=10) == 2.5


whole_or_not = st.one_of(st.integers(min_value=-(2**54), max_value=2**54).map(float), st.sampled_from([0.0, -0.0]),
                         st.floats(allow_nan=False, allow_infinity=False, width=64))


@given(st.sampled_from(["##+", "##-", "##*"]), whole_or_not, whole_or_not)
def test_two_numbers_give_what_the_decimal_arithmetic_gives(program, left, right):
    quick, exact = number_calc(program, left, right), _decimal_calc(program, (left, right))
    assert quick == exact
    if isinstance(exact, float):
        assert math.copysign(1.0, quick) == math.copysign(1.0, exact)  # a zero keeps its sign
