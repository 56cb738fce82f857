"""Working time: when SLA clocks run (working hours, weekends, public holidays).

Deadlines in working hours or working days count only working time in the
calendar's time zone; calendar units (hours, days) count all time. The
default is a Dutch office: Monday to Friday 9:00-17:00 in Amsterdam, closed
on the Dutch public holidays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from models.durations import Duration, DurationUnit

_CALENDAR_DELTA = {
    DurationUnit.MINUTES: timedelta(minutes=1),
    DurationUnit.HOURS: timedelta(hours=1),
    DurationUnit.DAYS: timedelta(days=1),
    DurationUnit.WEEKS: timedelta(weeks=1),
}


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous algorithm).

    >>> easter_sunday(2026)
    datetime.date(2026, 4, 5)
    """
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def dutch_holidays(year: int) -> frozenset[date]:
    """Dutch public holidays: New Year, Easter, King's Day, Liberation Day (every fifth
    year), Ascension, Whitsun and Christmas.

    >>> date(2026, 4, 27) in dutch_holidays(2026), date(2025, 4, 26) in dutch_holidays(2025)
    (True, True)
    """
    easter = easter_sunday(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day = date(year, 4, 26)
    days = {
        date(year, 1, 1), easter, easter + timedelta(days=1), kings_day,
        easter + timedelta(days=39), easter + timedelta(days=49), easter + timedelta(days=50),
        date(year, 12, 25), date(year, 12, 26),
    }
    if year % 5 == 0:
        days.add(date(year, 5, 5))
    return frozenset(days)


@dataclass(frozen=True)
class BusinessCalendar:
    """Working days and hours in one time zone, with extra closed days on top of the holidays."""

    timezone: str = "Europe/Amsterdam"
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    working_weekdays: frozenset[int] = frozenset(range(5))  # Monday = 0
    dutch_public_holidays: bool = True
    closed_days: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day.weekday() not in self.working_weekdays or day in self.closed_days:
            return False
        return not (self.dutch_public_holidays and day in dutch_holidays(day.year))

    def add(self, start: datetime, duration: Duration) -> datetime:
        """The moment `duration` after `start`, counting only working time for working units."""
        if duration.unit in _CALENDAR_DELTA:
            return start + duration.amount * _CALENDAR_DELTA[duration.unit]
        local = self._next_working_moment(start.astimezone(self._zone))
        if duration.unit is DurationUnit.WORKING_DAYS:
            day = local.date()
            for _ in range(duration.amount):
                day = self._next_working_day(day + timedelta(days=1))
            return datetime.combine(day, local.timetz()).astimezone(UTC)
        return self._add_working_minutes(local, duration.amount * 60).astimezone(UTC)

    def local(self, moment: datetime) -> datetime:
        """`moment` in the calendar's time zone: which day and year it is here."""
        return moment.astimezone(self._zone)

    def working_minutes_between(self, start: datetime, end: datetime) -> float:
        """Working time from `start` to `end` in minutes (0 if end is not after start)."""
        if end <= start:
            return 0.0
        total = 0.0
        for opens, closes in self._working_periods(start.astimezone(self._zone)):
            if opens >= end:
                break
            total += (min(closes, end) - max(opens, start)).total_seconds() / 60
        return total

    # -- helpers --------------------------------------------------------------

    @property
    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _next_working_day(self, day: date) -> date:
        for _ in range(400):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("the business calendar has no working day within a year")

    def _period(self, day: date) -> tuple[datetime, datetime]:
        return (datetime.combine(day, self.opens, self._zone), datetime.combine(day, self.closes, self._zone))

    def _working_periods(self, local: datetime) -> Iterable[tuple[datetime, datetime]]:
        """Working periods from `local` on (the first one cut to start at `local`)."""
        day = local.date()
        while True:
            day = self._next_working_day(day)
            opens, closes = self._period(day)
            if closes > local:
                yield max(opens, local), closes
            day += timedelta(days=1)

    def _next_working_moment(self, local: datetime) -> datetime:
        opens, _ = next(iter(self._working_periods(local)))
        return opens

    def _add_working_minutes(self, local: datetime, minutes: float) -> datetime:
        remaining = timedelta(minutes=minutes)
        for opens, closes in self._working_periods(local):
            if opens + remaining <= closes:
                return opens + remaining
            remaining -= closes - opens
        raise AssertionError("unreachable: working periods never end")
