"""What can only go wrong with real values becomes an EvaluationError naming the expression."""

from __future__ import annotations

import logging
import re
from decimal import Decimal

import pytest

from models.expressions import EvaluationError, ExpressionError

D = Decimal


@pytest.mark.parametrize(("source", "values", "reason"), [
    ("score / count", {"score": 1, "count": 0}, "division by zero"),
    ("score % count", {"score": 1, "count": 0}, "division by zero"),
    ("amount / count", {"amount": D("1.00"), "count": 0}, "division by zero"),
    ("amount / limit", {"amount": D("1.00"), "limit": D("0.00")}, "division by zero"),
    ("lines[3].amount", {"lines": []}, "a list has no item at that position"),
    ("int(note)", {"note": "twelve"}, "the text is not a whole number"),
    ("double(note)", {"note": "1,5"}, "the text is not a number"),
    ("money(note)", {"note": "a lot"}, "the text is not an amount (write e.g. 125.50)"),
    ("amount * 1e30", {"amount": D("1.00")}, "a number got too large"),
    ("score * 1e300 * 1e300", {"score": 1}, "a number got too large"),
    ("note.matches(status)", {"note": "x", "status": "("}, "the pattern is not a valid regular expression"),
])
def test_evaluation_errors_are_plain(ev, source, values, reason):
    with pytest.raises(EvaluationError) as caught:
        ev(source, **values)
    assert caught.value.message == f"cannot work out `{source}`: {reason}"
    assert isinstance(caught.value, ExpressionError)
    assert caught.value.source == source


@pytest.mark.parametrize(("source", "values", "message"), [
    ("amount > 1", {"amount": "lots"}, "'amount' should be money but holds text"),
    ("score > 1", {"score": "7"}, "'score' should be a number but holds text"),
    ("approved", {"approved": 1}, "'approved' should be yes/no but holds a number"),
    ("received < today", {"received": "2024-01-01", "today": None}, "'received' should be a date"),
    ("customer.name", {"customer": {"name": 5}}, "'customer.name' should be text but holds a number"),
    ("size(lines) > 0", {"lines": "x"}, "'lines' should be a list of records but holds text"),
])
def test_values_of_the_wrong_kind_are_named(ev, source, values, message):
    with pytest.raises(EvaluationError, match=re.escape(message)):
        ev(source, **values)


def test_helper_failures_do_not_log_warnings(ev, caplog):
    with caplog.at_level(logging.DEBUG), pytest.raises(EvaluationError):
        ev("score / count", score=1, count=0)
    assert caplog.records == []


def test_a_failed_branch_that_is_not_needed_does_no_harm(ev):
    assert ev("count != 0 && score / count > 1", score=1, count=0) is False
    assert ev("count == 0 ? 0 : score / count", score=1, count=0) == 0
