"""Durations as a business owner writes them: "5 working days", "4 hours" (or in Dutch "5 werkdagen", "4 uur").

A duration is kept as amount + unit so the SLA clock can count working time;
in JSON it is the readable string, in English. The parse takes the unit words of
both languages the app speaks, so what a Dutch designer reads and types is kept
the same way; the designer says a duration in its reader's language.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import model_serializer, model_validator

from models.base import FlowdeskModel
from models.phrases import Phrase


class DurationUnit(StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    WEEKS = "weeks"
    WORKING_HOURS = "working hours"
    WORKING_DAYS = "working days"

    @property
    def is_working_time(self) -> bool:
        return self in (DurationUnit.WORKING_HOURS, DurationUnit.WORKING_DAYS)


_ALIASES = {
    "minute": DurationUnit.MINUTES, "minutes": DurationUnit.MINUTES, "min": DurationUnit.MINUTES,
    "m": DurationUnit.MINUTES,
    "hour": DurationUnit.HOURS, "hours": DurationUnit.HOURS, "h": DurationUnit.HOURS,
    "day": DurationUnit.DAYS, "days": DurationUnit.DAYS, "d": DurationUnit.DAYS,
    "week": DurationUnit.WEEKS, "weeks": DurationUnit.WEEKS, "w": DurationUnit.WEEKS,
    "working hour": DurationUnit.WORKING_HOURS, "working hours": DurationUnit.WORKING_HOURS,
    "working day": DurationUnit.WORKING_DAYS, "working days": DurationUnit.WORKING_DAYS,
    # Dutch
    "minuut": DurationUnit.MINUTES, "minuten": DurationUnit.MINUTES,
    "uur": DurationUnit.HOURS, "uren": DurationUnit.HOURS, "u": DurationUnit.HOURS,
    "dag": DurationUnit.DAYS, "dagen": DurationUnit.DAYS,
    "weken": DurationUnit.WEEKS,  # "week" as in English
    "werkuur": DurationUnit.WORKING_HOURS, "werkuren": DurationUnit.WORKING_HOURS,
    "werkdag": DurationUnit.WORKING_DAYS, "werkdagen": DurationUnit.WORKING_DAYS,
}

_PATTERN = re.compile(r"^\s*(\d{1,6})\s*([a-z ]+?)\s*$")


class Duration(FlowdeskModel):
    """A positive whole amount of one unit, e.g. 5 working days.

    >>> Duration.parse("5 working days")
    Duration(amount=5, unit=<DurationUnit.WORKING_DAYS: 'working days'>)
    >>> Duration.parse("5 Werkdagen") == Duration.parse("5 working days"), str(Duration.parse("4 uur"))
    (True, '4 hours')
    >>> str(Duration.parse("1 hour"))
    '1 hours'
    """

    amount: int
    unit: DurationUnit

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _PATTERN.match(text.lower())
        unit = _ALIASES.get(" ".join(match.group(2).split())) if match else None
        if match is None or unit is None:
            raise ValueError(Phrase("'{text}' is not a duration; write an amount and a unit, "
                                    "e.g. '5 working days', '4 hours', '10 days', '30 minutes'", text=text))
        return cls(amount=int(match.group(1)), unit=unit)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            parsed = cls.parse(value)
            return {"amount": parsed.amount, "unit": parsed.unit}
        return value

    @model_validator(mode="after")
    def _positive(self) -> Duration:
        if self.amount <= 0:
            raise ValueError(Phrase("a duration must be more than zero"))
        return self

    @model_serializer
    def _to_text(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.value}"

    def nominal_minutes(self) -> int:
        """Length in minutes counting a working day as 8 hours; for comparing durations."""
        per_unit = {
            DurationUnit.MINUTES: 1, DurationUnit.HOURS: 60, DurationUnit.DAYS: 24 * 60,
            DurationUnit.WEEKS: 7 * 24 * 60, DurationUnit.WORKING_HOURS: 60,
            DurationUnit.WORKING_DAYS: 8 * 60,
        }
        return self.amount * per_unit[self.unit]
