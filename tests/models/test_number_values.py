"""A number variable holds the same value whether it arrived as a JSON number or as the text a person typed."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.data import DataType, Variable
from models.values import normalise_value

NUMBER = Variable(name="n", type=DataType.NUMBER)
IN_RANGE = 10**15 - 1


@given(st.integers(-IN_RANGE, IN_RANGE) | st.floats(-IN_RANGE, IN_RANGE, allow_nan=False, allow_infinity=False))
def test_a_number_given_as_number_or_as_its_text_is_the_same_value(number: int | float):
    as_number, as_text = normalise_value(NUMBER, number), normalise_value(NUMBER, repr(number))
    assert as_number == as_text and type(as_number) is type(as_text)


@pytest.mark.parametrize("value", [10**15, -(10**15), 1e15, float("inf"), float("nan"), True])
def test_numbers_out_of_range_and_yes_no_are_refused_as_numbers(value: object):
    with pytest.raises(ValueError, match="number"):
        normalise_value(NUMBER, value)
