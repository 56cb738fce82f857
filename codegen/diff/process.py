"""The process itself: its metadata (key, name, owner, description, language, reference prefix) and its intake
rules."""

from __future__ import annotations

from collections.abc import Iterator

from codegen.diff.changes import Change, ChangeKind, Part
from codegen.diff.compare import changed_settings, settings
from models.bundle import Bundle

#: The bundle's own settings; everything else in it is a part of its own.
METADATA = ("key", "name", "owner", "description", "language", "reference_prefix")


def diff_process(old: Bundle, new: Bundle) -> Iterator[Change]:
    """The process's key, name, owner, description, language or reference prefix changed."""
    yield from changed_settings(Part.PROCESS, new.key, new.name, _metadata(old), _metadata(new))


def diff_intake(old: Bundle, new: Bundle) -> Iterator[Change]:
    """Intake rules added, removed, or changed (channels, keywords, segments)."""
    if old.intake is None and new.intake is not None:
        yield Change(Part.INTAKE, ChangeKind.ADDED, new.key, new.name, after=settings(new.intake))
    elif old.intake is not None and new.intake is None:
        yield Change(Part.INTAKE, ChangeKind.REMOVED, new.key, new.name, before=settings(old.intake))
    elif old.intake is not None and new.intake is not None:
        yield from changed_settings(Part.INTAKE, new.key, new.name, settings(old.intake), settings(new.intake))


def _metadata(bundle: Bundle) -> dict[str, str]:
    return {name: getattr(bundle, name) for name in METADATA}
