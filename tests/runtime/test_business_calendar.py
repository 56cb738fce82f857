"""SLA deadlines in working time, across weekends and Dutch public holidays."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from models.durations import Duration
from runtime.business_calendar import BusinessCalendar, dutch_holidays

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CALENDAR = BusinessCalendar()


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


def test_five_working_days_from_a_wednesday_skip_the_weekend():
    assert CALENDAR.add(local(2026, 3, 4, 10, 0), Duration.parse("5 working days")) == local(2026, 3, 11, 10, 0)


def test_working_days_skip_easter_monday_and_the_weekend():
    # Thursday 2 April 2026; Good Friday is a working day, Easter Monday (6 April) is not.
    deadline = CALENDAR.add(local(2026, 4, 2, 14, 0), Duration.parse("2 working days"))
    assert deadline == local(2026, 4, 7, 14, 0)


def test_a_request_on_saturday_starts_counting_on_monday_morning():
    assert CALENDAR.add(local(2026, 3, 7, 11, 0), Duration.parse("4 working hours")) == local(2026, 3, 9, 13, 0)


def test_working_hours_carry_over_to_the_next_working_day():
    # Friday 15:00 + 4 working hours: 2 on Friday, 2 on Monday.
    assert CALENDAR.add(local(2026, 3, 6, 15, 0), Duration.parse("4 working hours")) == local(2026, 3, 9, 11, 0)


def test_kings_day_and_christmas_are_closed():
    assert not CALENDAR.is_working_day(date(2026, 4, 27))
    assert not CALENDAR.is_working_day(date(2026, 12, 25))
    assert CALENDAR.add(local(2026, 12, 24, 9, 0), Duration.parse("1 working days")) == local(2026, 12, 28, 9, 0)


def test_liberation_day_is_a_holiday_every_fifth_year():
    assert date(2025, 5, 5) in dutch_holidays(2025)
    assert date(2026, 5, 5) not in dutch_holidays(2026)


def test_calendar_units_count_all_time():
    start = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)
    assert CALENDAR.add(start, Duration.parse("2 days")) == datetime(2026, 3, 8, 15, 0, tzinfo=UTC)


def test_working_minutes_between_skips_nights_and_weekends():
    assert CALENDAR.working_minutes_between(local(2026, 3, 6, 16, 0), local(2026, 3, 9, 10, 0)) == 120


def test_a_configured_closed_day_is_skipped():
    calendar = BusinessCalendar(closed_days=frozenset({date(2026, 3, 9)}))
    assert calendar.add(local(2026, 3, 6, 10, 0), Duration.parse("1 working days")) == local(2026, 3, 10, 10, 0)
