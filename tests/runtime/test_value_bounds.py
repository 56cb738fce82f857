"""Values outside what Flowdesk keeps are a DataError naming the variable, whichever door they come through."""

from __future__ import annotations

import pytest

from runtime.errors import DataError
from runtime.service import Runtime
from tests.people import person
from tests.runtime.builders import end, process, start

VARIABLES = {"amount": "money", "n": "number", "due": "date", "at": "datetime", "note": "text"}


@pytest.fixture
def published(runtime: Runtime) -> Runtime:
    runtime.publish(person("ann"), process("p", variables=VARIABLES, nodes=[start(), end()], flow="s>e"))
    return runtime


BOUNDS = [
    ("amount", "1e309", "'1e309' is too large an amount; at most 999,999,999,999,999.99 either way"),
    ("amount", "1e999999999", "'1e999999999' is too large an amount"),
    ("amount", 1e300, "'1e+300' is too large an amount"),
    ("amount", -(10 ** 15), "'-1000000000000000' is too large an amount"),
    ("amount", 10 ** 5000, "the whole number given is too large an amount"),
    ("amount", "NaN", "'NaN' is not an amount; write e.g. 125.50"),
    ("amount", "1" * 41, "is not an amount: more than 40 characters"),
    ("n", 1e308, "'1e+308' is too large a number; at most 999,999,999,999,999 either way"),
    ("n", "1e999999999", "'1e999999999' is too large a number"),
    ("n", True, "expected a number, not yes/no"),
    ("due", "0001-01-01", "'0001-01-01' is not a date Flowdesk keeps: use a year from 1800 to 2999"),
    ("at", "9999-12-31T23:59:00-05:00", "is not a date Flowdesk keeps"),
    ("note", "ab\udc80", "the text is not valid Unicode (a lone surrogate \\udc80 at character 3)"),
]


@pytest.mark.parametrize(("name", "value", "message"), BOUNDS, ids=[message[:40] for *_, message in BOUNDS])
def test_a_value_out_of_bounds_is_a_data_error_naming_the_variable(published: Runtime, name: str, value: object,
                                                                   message: str):
    with pytest.raises(DataError) as refused:
        published.start_case(person("bob"), "p", {name: value})
    assert list(refused.value.errors) == [name]
    assert message in refused.value.errors[name]


def test_values_at_the_bounds_are_kept_exactly(published: Runtime):
    case = published.start_case(person("bob"), "p", {"amount": "-999999999999999.99", "n": 999_999_999_999_999,
                                                     "due": "1800-01-01",
                                      "at": "2999-12-31T23:59:00+00:00"})
    assert case.data["amount"] == "-999999999999999.99"
    assert case.data["n"] == 999_999_999_999_999
    assert case.data["due"] == "1800-01-01"
