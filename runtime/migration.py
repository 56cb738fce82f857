"""Moving a process's open cases from one version to a newer one, all at once: a dry run first, then the run.

`plan_migration` tries every open case of the old version in a transaction it
never commits, and says per case what would happen (where its tokens would
be) or what blocks it (a node it waits at that the new version lacks and the
map does not place, data the new version refuses). `migrate_cases` then moves
the chosen cases, each in its own step (so one that fails leaves the others
moved), reporting progress as it goes; every move is an event on the case's
trail (`Runtime.migrate_in`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from models.errors import FlowdeskError
from runtime.access import UseCase, require
from runtime.documents import User
from runtime.errors import EngineError

if TYPE_CHECKING:
    from runtime.service import Runtime


@dataclass(frozen=True)
class CaseMigration:
    """One case of a migration: whether it can (or did) move, and where to or why not."""

    case_id: str
    movable: bool
    detail: str  # "waits at 'Check invoice' → 'Check invoice'" or the reason it cannot move


def open_cases_on(runtime: Runtime, process_key: str, version: int) -> list[str]:
    """The open cases of a process that run on `version`, oldest first."""
    return [case_id for case_id in runtime.store.case_ids(process_key=process_key, active=True)
            if runtime.store.case(case_id).version == version]


def plan_migration(runtime: Runtime, user: User, process_key: str, from_version: int, to_version: int,
                   node_map: Mapping[str, str]) -> list[CaseMigration]:
    """What moving every open case of `from_version` to `to_version` would do, case by case; nothing changes."""
    require(user, UseCase.MIGRATE)
    _check_versions(runtime, process_key, from_version, to_version)
    plans = []
    for case_id in open_cases_on(runtime, process_key, from_version):
        tx = runtime.transaction(user)
        before = [token.node for token in runtime.store.case(case_id).tokens]
        try:
            moved = runtime.migrate_in(tx, case_id, to_version, node_map)
        except FlowdeskError as error:
            plans.append(CaseMigration(case_id, False, str(error)))
            continue
        new = runtime.process_version(moved.version_hash)
        old = runtime.process_version(runtime.store.version(process_key, from_version).hash)
        where = ", ".join(f"'{old.nodes[a].display}' → '{new.nodes[b].display}'"
                          for a, b in zip(before, [token.node for token in moved.tokens], strict=True))
        plans.append(CaseMigration(case_id, True, f"waits at {where}" if where else "holds no token"))
    return plans


def migrate_cases(runtime: Runtime, user: User, process_key: str, to_version: int, node_map: Mapping[str, str],
                  case_ids: Sequence[str], progress: Callable[[int, int], None] | None = None) -> list[CaseMigration]:
    """Move each case in its own step; `progress(done, total)` after each. A case that cannot move is reported,
    not fatal."""
    require(user, UseCase.MIGRATE)
    results = []
    for done, case_id in enumerate(case_ids, start=1):
        try:
            if runtime.store.case(case_id).process_key != process_key:
                raise EngineError(f"case {case_id} is not a case of '{process_key}'")
            case = runtime.migrate(user, case_id, to_version, node_map)
            results.append(CaseMigration(case_id, True, f"moved to version {case.version}"))
        except FlowdeskError as error:
            results.append(CaseMigration(case_id, False, str(error)))
        if progress is not None:
            progress(done, len(case_ids))
    return results


def _check_versions(runtime: Runtime, process_key: str, from_version: int, to_version: int) -> None:
    runtime.store.version(process_key, from_version)  # NotFound names a version that does not exist
    runtime.store.version(process_key, to_version)
    if to_version <= from_version:
        raise EngineError(f"cases move to a newer version: choose one after version {from_version}")
