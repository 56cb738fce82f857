"""How the app shows values to people, shared by the pages and the command line."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from runtime.business_calendar import BusinessCalendar


def local_time(moment: datetime) -> str:
    """A stored (UTC) moment as people here read it: local time, to the minute."""
    return moment.astimezone(ZoneInfo(BusinessCalendar().timezone)).strftime("%Y-%m-%d %H:%M")
