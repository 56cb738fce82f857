"""Service levels: the case SLA, and the SLA of each step that stays in both versions.

A step's SLA is reported here rather than among the step's settings, so an
auditor finds every service-level change in one place. An SLA that comes or
goes with its step is part of that step's addition or removal, not listed again.
"""

from __future__ import annotations

from collections.abc import Iterator

from codegen.diff.changes import Change, ChangeKind, Part
from codegen.diff.compare import changed_settings, match, settings
from models.bundle import Bundle
from models.nodes import NodeBase, Sla


def diff_case_sla(old: Bundle, new: Bundle) -> Iterator[Change]:
    """The case SLA added, removed, or changed (target, warning, escalations)."""
    yield from _sla_changes(Part.CASE_SLA, new.key, new.name, old.case_sla, new.case_sla)


def diff_task_slas(old: Bundle, new: Bundle) -> Iterator[Change]:
    """Per step kept in both versions: its SLA added, removed, or changed."""
    for before, after in match(old.nodes, new.nodes, key=_node_id).changed:
        yield from _sla_changes(Part.TASK_SLAS, after.id, after.display, _sla(before), _sla(after))


def _sla_changes(part: Part, element_id: str, label: str, before: Sla | None, after: Sla | None) -> Iterator[Change]:
    if before is None and after is not None:
        yield Change(part, ChangeKind.ADDED, element_id, label, after=settings(after))
    elif before is not None and after is None:
        yield Change(part, ChangeKind.REMOVED, element_id, label, before=settings(before))
    elif before is not None and after is not None:
        yield from changed_settings(part, element_id, label, settings(before), settings(after))


def _sla(node: NodeBase) -> Sla | None:
    return getattr(node, "sla", None)


def _node_id(node: NodeBase) -> str:
    return node.id
