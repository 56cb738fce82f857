"""Published processes and their versions, as the designer's process list, the auditor and the API list them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from codegen.diff import BundleDiff, diff_bundles
from runtime.access import UseCase, require
from runtime.documents import User, Version
from runtime.errors import NotFound
from runtime.process_version import ProcessVersion

if TYPE_CHECKING:
    from runtime.service import Runtime


@dataclass(frozen=True)
class ProcessSummary:
    """A published process: its newest version and how many versions it has."""

    key: str
    name: str
    latest: Version
    version_count: int


def versions_by_process(runtime: Runtime) -> dict[str, list[Version]]:
    """Every published version, by process key, oldest first (for read models that checked access)."""
    by_key: dict[str, list[Version]] = {}
    for version in runtime.store.versions():
        by_key.setdefault(version.process_key, []).append(version)
    return by_key


def processes(runtime: Runtime, user: User) -> list[ProcessSummary]:
    """Every published process, by name."""
    require(user, UseCase.READ_PROCESSES)
    summaries = []
    for key, versions in versions_by_process(runtime).items():
        latest = max(versions, key=lambda v: v.number)
        summaries.append(ProcessSummary(key, latest.name, latest, len(versions)))
    return sorted(summaries, key=lambda s: (s.name.lower(), s.key))


def versions(runtime: Runtime, user: User, process_key: str) -> list[Version]:
    """Every version of a process, oldest first; NotFound for a process never published."""
    require(user, UseCase.READ_PROCESSES)
    found = sorted(runtime.store.versions(process_key), key=lambda v: v.number)
    if not found:
        raise NotFound(f"process '{process_key}' has no published version")
    return found


def process_version(runtime: Runtime, user: User, process_key: str, number: int | None = None) -> ProcessVersion:
    """A published version (the newest when `number` is None), ready to read: bundle, nodes, forms, letters."""
    require(user, UseCase.READ_PROCESSES)
    if number is None:
        latest = runtime.latest_process_version(process_key)
        if latest is None:
            raise NotFound(f"process '{process_key}' has no published version")
        return latest
    return runtime.process_version(runtime.store.version(process_key, number).hash)


@dataclass(frozen=True)
class VersionHistory:
    """One published version with how many cases started on it and how many of those are still open."""

    version: Version
    cases_started: int
    cases_open: int


def version_history(runtime: Runtime, user: User, process_key: str) -> list[VersionHistory]:
    """Every version of a process, newest first, with who published it, when, why, its content hash and cases."""
    found = versions(runtime, user, process_key)
    counts = runtime.store.version_case_counts(process_key)
    return [VersionHistory(version, *counts.get(version.number, (0, 0))) for version in reversed(found)]


@dataclass(frozen=True)
class VersionComparison:
    """Two versions of a process and every change from the first to the second."""

    old: ProcessVersion
    new: ProcessVersion
    diff: BundleDiff


def compare_versions(runtime: Runtime, user: User, process_key: str, old: int, new: int) -> VersionComparison:
    """What changed from version `old` to version `new` of a process (`codegen.diff`)."""
    require(user, UseCase.READ_DEFINITIONS)
    before = process_version(runtime, user, process_key, old)
    after = process_version(runtime, user, process_key, new)
    return VersionComparison(before, after, diff_bundles(before.bundle, after.bundle))
