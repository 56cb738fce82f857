"""Case data as expressions and templates see it.

A case stores its data as JSON (money as "12.50", dates as ISO text); an
expression needs exact Python values. `Scope` converts lazily, one name at a
time, so a step's cost does not grow with the amount of case data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from models.values import normalise_value
from runtime.documents import Case
from runtime.process_version import ProcessVersion

#: Names every scope has besides the case data and `customer`.
_FIXED = ("now", "today")


class Scope(Mapping[str, Any]):
    """Read-only view of one case's values for expressions: case data, `customer`, `now`, `today`."""

    def __init__(self, version: ProcessVersion, case: Case, now: datetime,
                 customer: Callable[[], dict[str, Any] | None], timezone: str = "Europe/Amsterdam") -> None:
        self._version = version
        self._case = case
        self._customer = customer
        self._now = now
        self._timezone = timezone
        self._cache: dict[str, Any] = {"now": now}

    def __getitem__(self, name: str) -> Any:
        if name in self._cache:
            return self._cache[name]
        if name == "today":
            value: Any = self._now.astimezone(ZoneInfo(self._timezone)).date()
        elif name == "customer":
            value = self._customer()
        elif name in self._version.variables:  # nobody set it: its declared default, if any
            data = self._case.data
            value = normalise_value(self._version.variables[name], data[name]) if name in data else \
                self._version.defaults.get(name)
        else:
            raise KeyError(name)
        self._cache[name] = value
        return value

    @property
    def defaulted(self) -> frozenset[str]:
        """The variables nobody has set whose declared default is read instead; pages show them as not set."""
        return frozenset(name for name in self._version.defaults if name not in self._case.data)

    def forget(self, name: str) -> None:
        """Drop a cached value after the case data changed."""
        if name not in _FIXED:
            self._cache.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        yield from _FIXED
        yield "customer"
        yield from self._version.variables

    def __len__(self) -> int:
        return len(_FIXED) + 1 + len(self._version.variables)
