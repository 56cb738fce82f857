"""The supervisor's monitor: open work, closed-case figures and the diagram they are painted on.

The figures themselves are `runtime.metrics`; this read model asks
`runtime.access` first and keeps one cache of closed cases' facts per runtime,
shared by every open monitor page.
"""

from __future__ import annotations

import weakref
from datetime import datetime
from typing import TYPE_CHECKING, Any

from models.serialization import bundle_document
from runtime.access import UseCase, require
from runtime.documents import User
from runtime.metrics import ClosedCaseFigures, FactsCache, OpenWorkFigures, closed_case_figures, open_work
from runtime.views.names import process_names, queue_names

if TYPE_CHECKING:
    from runtime.service import Runtime

_caches: weakref.WeakKeyDictionary[Runtime, FactsCache] = weakref.WeakKeyDictionary()


def monitored_processes(runtime: Runtime, user: User) -> dict[str, str]:
    """The published processes the monitor can narrow to, by key, with their names."""
    require(user, UseCase.MONITOR)
    return dict(sorted(process_names(runtime).items()))


def monitored_queues(runtime: Runtime, user: User) -> dict[str, str]:
    """Every queue of the published processes, by id, with the name people read."""
    require(user, UseCase.MONITOR)
    return queue_names(runtime)


def open_work_figures(runtime: Runtime, user: User) -> OpenWorkFigures:
    """Open work per queue and per process with where it stands against its SLA, now."""
    require(user, UseCase.MONITOR)
    return open_work(runtime.store, runtime.now())


def closed_figures(runtime: Runtime, user: User, since: datetime, until: datetime,
                   process_key: str | None = None) -> ClosedCaseFigures:
    """Figures over the cases closed at or after `since` and before `until` (of one process, if given)."""
    require(user, UseCase.MONITOR)
    return closed_case_figures(runtime, since, until, process_key=process_key,
                               cache=_caches.setdefault(runtime, FactsCache()))


def diagram(runtime: Runtime, user: User, process_key: str) -> dict[str, Any]:
    """The bundle document of a process's newest version, for drawing its bottlenecks ({} when unpublished)."""
    require(user, UseCase.MONITOR)
    version = runtime.latest_process_version(process_key)
    return bundle_document(version.bundle) if version else {}
