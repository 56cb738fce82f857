"""Where the running app's drafts live and what the editor opens: a saved draft or the newest version."""

from __future__ import annotations

from typing import Any

from designer.editing import Draft, DraftFolder
from designer.frame import runtime
from models.bundle import Bundle

#: Keys the editor's own routes use, so no process may have them.
RESERVED_KEYS = frozenset({"new"})


def draft_folder() -> DraftFolder:
    """Where the running app keeps drafts: `<data folder>/drafts`."""
    return DraftFolder(runtime().store.directory / "drafts")


def known_processes() -> dict[str, Bundle]:
    """The newest published bundle of every process, by key."""
    latest: dict[str, Any] = {}
    for version in runtime().store.versions():
        if version.process_key not in latest or version.number > latest[version.process_key].number:
            latest[version.process_key] = version
    return {key: runtime().bundle(version) for key, version in latest.items()}


def open_draft(key: str) -> Draft:
    """`key`'s saved draft, else a draft of its newest published version (KeyError when neither exists)."""
    known = known_processes()
    return draft_folder().open(key, known.get(key), known_processes=known)


def published_number(key: str) -> int | None:
    latest = runtime().store.latest_version(key)
    return latest.number if latest else None
