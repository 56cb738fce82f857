"""Dates and moments compare with each other; day arithmetic has its own functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from models.expressions import EvaluationError, ExprType

TODAY = date(2024, 5, 10)
NOW = datetime(2024, 5, 10, 9, 30, tzinfo=UTC)


def test_dates_and_moments_compare(ev):
    assert ev("received < today", received=date(2024, 5, 1), today=TODAY) is True
    assert ev("received < submitted", received=date(2024, 5, 1),
              submitted=datetime(2024, 5, 1, 8, tzinfo=UTC)) is True
    assert ev("received == today", received=TODAY, today=TODAY) is True
    assert ev("submitted > now", submitted=datetime(2024, 5, 10, 12, tzinfo=timezone(timedelta(hours=2))),
              now=NOW) is True


def test_days_between(ev):
    assert ev("days_between(received, today)", received=date(2024, 5, 1), today=TODAY) == 9
    assert ev("days_between(today, received)", received=date(2024, 5, 1), today=TODAY) == -9
    assert ev("days_between(submitted, now)", submitted=datetime(2024, 5, 8, 21, 30, tzinfo=UTC),
              now=NOW) == 1.5
    assert ev("days_between(received, today) > 7", received=date(2024, 5, 1), today=TODAY) is True


def test_add_days_keeps_the_kind(ev):
    result = ev("add_days(today, 14)", today=TODAY)
    assert result == date(2024, 5, 24)
    assert type(result) is date
    assert ev("add_days(now, 1.5)", now=NOW) == datetime(2024, 5, 11, 21, 30, tzinfo=UTC)
    assert ev("add_days(received, -1)", received=date(2024, 3, 1)) == date(2024, 2, 29)


def test_a_date_moves_by_whole_days_only(ev, refuse):
    assert "whole number of days" in refuse("add_days(today, 1.5)").message
    with pytest.raises(EvaluationError, match="whole number of days"):
        ev("add_days(today, score)", today=TODAY, score=0.5)


def test_date_and_time_literals(ev, refuse):
    assert ev('received < date("2024-12-31")', received=TODAY) is True
    assert ev('datetime("2024-01-01T10:00")') == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert ev('datetime("2024-01-01T10:00+02:00")') == datetime(2024, 1, 1, 8, tzinfo=UTC)
    assert "is not a date" in refuse('date("2024-02-30")').message
    assert ev("date(note)", note="2024-02-29") == date(2024, 2, 29)
    with pytest.raises(EvaluationError, match="not a date"):
        ev("date(note)", note="tomorrow")


def test_durations(ev, refuse):
    assert ev('submitted + duration("2d") > now', submitted=datetime(2024, 5, 8, 10, tzinfo=UTC), now=NOW) is True
    assert ev('submitted + duration("48h")', submitted=NOW) == NOW + timedelta(hours=48)
    assert ev("now - submitted", now=NOW, submitted=NOW - timedelta(hours=3)) == timedelta(hours=3)
    assert "not a duration" in refuse('duration("2 weeks")').message


def test_the_clock_comes_from_the_values(ev):
    assert ev("today", today=TODAY) == TODAY
    assert ev("now", now=NOW) == NOW
    with pytest.raises(EvaluationError, match="'today' is not available"):
        ev("add_days(today, 1)")


def test_a_date_expected_where_a_moment_is_needed(ev):
    assert ev("today", ExprType.DATETIME, today=TODAY) == datetime(2024, 5, 10, tzinfo=UTC)


def test_naive_moments_are_taken_as_utc(ev):
    assert ev("submitted", submitted=datetime(2024, 5, 1, 8)) == datetime(2024, 5, 1, 8, tzinfo=UTC)


def test_dates_do_not_add_numbers(refuse):
    error = refuse("today + 1")
    assert error.message == "cannot add a date and a number"
    assert "add_days" in error.hint
