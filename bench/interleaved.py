"""Timing calls side by side: every call once per round, rounds repeated, medians kept — so a noisy machine
slows every call of a round alike. Shared by the small benches (diff, letter editor)."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any


def interleaved_ms(calls: dict[Hashable, Callable[[], object]], repeats: int) -> dict[Hashable, dict[str, float]]:
    """Median, min and max milliseconds per call over `repeats` interleaved rounds, after one warm-up round."""
    samples: dict[Hashable, list[float]] = {key: [] for key in calls}
    for call in calls.values():
        call()
    for _ in range(repeats):
        for key, call in calls.items():
            began = time.perf_counter()
            call()
            samples[key].append(time.perf_counter() - began)
    return {key: {"median_ms": statistics.median(times) * 1e3, "min_ms": min(times) * 1e3, "max_ms": max(times) * 1e3}
            for key, times in samples.items()}


def spread(row: dict[str, Any]) -> str:
    """A row's fastest and slowest round, as "min-max"."""
    return f"{row['min_ms']:.2f}-{row['max_ms']:.2f}"


def write_json(path: Path | None, repeats: int, rows: list[dict[str, Any]]) -> None:
    """The rows as JSON at `path` (nothing when None), with the rounds and Python version they came from."""
    if path is None:
        return
    path.write_text(json.dumps({"repeats": repeats, "python": sys.version.split()[0], "results": rows}, indent=2)
                    + "\n")
    print(f"written to {path}")
