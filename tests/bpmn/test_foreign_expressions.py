"""Conditions and timers written for other engines: translated where the meaning is the same, refused otherwise."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegen.bpmn.foreign import cel_date, iso_duration, iso_text, translate_condition
from models.durations import Duration, DurationUnit
from models.expressions import ExprType, compile_expression

TRANSLATED = {
    ("${amount > 1000}", ""): "amount > 1000",
    ("#{approved && !blocked}", ""): "approved && !blocked",
    ("${segment eq 'gold' or amount ge 500}", ""): 'segment == "gold" || amount >= 500',
    ('= status = "open"', ""): 'status == "open"',
    ("not(approved)", "feel"): "!(approved)",
    ("amount > 5 and reason != None", "python"): "amount > 5 && reason != null",
    ("(a + b) * 2 <= limit", ""): "(a + b) * 2 <= limit",
    ("customer.segment == 'gold'", "javascript"): 'customer.segment == "gold"',
}
REFUSED = {
    ("${execution.getVariable('x')}", ""): "'execution.getVariable' has no exact counterpart",
    ("${empty items}", ""): "'empty' has no exact counterpart",
    ("amount in [1..5]", "feel"): "not a simple comparison",
    ("x = 1", "juel"): "'=' assigns in this language",
    ("x is None", "python"): "'is' has no exact counterpart",
    ("_secret > 1", ""): "names cannot start with '_'",
}


@pytest.mark.parametrize(("written", "cel"), [(k, v) for k, v in TRANSLATED.items()], ids=lambda v: str(v))
def test_simple_comparisons_mean_the_same_in_cel(written: tuple[str, str], cel: str):
    assert translate_condition(*written).cel == cel


@pytest.mark.parametrize(("written", "reason"), [(k, v) for k, v in REFUSED.items()], ids=lambda v: str(v))
def test_anything_else_is_not_guessed_and_says_why(written: tuple[str, str], reason: str):
    translated = translate_condition(*written)
    assert translated.cel is None
    assert reason in translated.reason


def test_a_translated_condition_runs_with_the_value_it_was_written_for():
    cel = translate_condition("${amount > 1000 and segment eq 'gold'}").cel
    rule = compile_expression(cel, {"amount": ExprType.NUMBER, "segment": ExprType.TEXT}, expect=ExprType.BOOLEAN)
    assert rule.evaluate({"amount": 1500, "segment": "gold"}) is True
    assert rule.evaluate({"amount": 900, "segment": "gold"}) is False


@pytest.mark.parametrize(("iso", "duration"), [
    ("P5D", "5 days"), ("PT4H", "4 hours"), ("PT30M", "30 minutes"), ("P2W", "2 weeks"), ("P1DT12H", "36 hours"),
    ("PT90S", None), ("P1M", None), ("P1Y", None), ("5 days", None), ("P", None), ("PT", None),
])
def test_iso_8601_durations_become_durations_when_they_are_whole_minutes(iso: str, duration: str | None):
    found = iso_duration(iso)
    assert (str(found) if found else None) == duration


@given(st.integers(1, 999_999), st.sampled_from([DurationUnit.MINUTES, DurationUnit.HOURS, DurationUnit.DAYS,
                                                  DurationUnit.WEEKS]))
def test_a_calendar_duration_survives_iso_8601_both_ways(amount: int, unit: DurationUnit):
    duration = Duration(amount=amount, unit=unit)
    assert iso_duration(iso_text(duration)) == duration


def test_iso_dates_become_date_expressions_and_a_time_without_zone_is_refused():
    assert cel_date("2027-01-31") == 'date("2027-01-31")'
    assert cel_date("2027-01-31T09:00:00+01:00") == 'datetime("2027-01-31T09:00:00+01:00")'
    assert cel_date("2027-01-31T09:00:00") is None  # which time zone? not guessed
