"""What a closed case adds to the supervisor's figures, derived once from its trail and its tasks.

The step that closes a case (the flow reaching its end, or an agent closing it) derives its
`CaseFacts` from every audit event of the case and its completed work items, and stores them
on the case (`Transaction.changes`). The stores sum them per day as they commit
(`Store.closed_days`), so the monitor's figures over a year never read the cases again.

- *time to first response*: case start -> the first moment a person claimed or completed one of
  its tasks (the first "task claimed" or "task completed" audit event); none if no person did;
- *first-time-right*: no edge of the flow followed twice (a loop back) and no task node given
  work twice;
- *task SLA*: of the completed tasks with a due time, how many were completed by it;
- *waits*: per completed task of the flow, created -> completed; per wait node, from "waiting"
  to "timer fired" / "message received";
- *edges*: how often each edge was followed (the "edges" the engine records in each event).

The resolution time, the case SLA and the root cause are the case's own fields (`started_at`,
`closed_at`, `due_at`, `root_cause`), as the root cause may be given after the flow ended.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from runtime.documents import AuditEvent, Case, CaseFacts, WorkItem, WorkItemStatus

#: Audit events that show a person taking up a case's work.
FIRST_RESPONSE_KINDS = frozenset({"task claimed", "task completed"})
#: Audit events that end a wait at a wait node.
WAIT_ENDS = frozenset({"timer fired", "message received"})


class TrailMark(NamedTuple):
    """What the facts read of one audit event: a step's new events give it from their data, without a model."""

    kind: str
    at: datetime
    node: str | None
    edges: Sequence[str]

    @classmethod
    def of(cls, event: AuditEvent) -> TrailMark:
        return cls(event.kind, event.at, event.node, event.details.get("edges", ()))


def case_facts(case: Case, events: Sequence[TrailMark], items: Iterable[WorkItem], timezone: str) -> CaseFacts:
    """The facts of a closed case from its whole audit trail (in order) and its work items; `timezone` decides
    the local day it closed on."""
    if case.closed_at is None:
        raise ValueError(f"case {case.id} is not closed")
    first_response = next((seconds(case.started_at, e.at) for e in events if e.kind in FIRST_RESPONSE_KINDS), None)
    edges = Counter(edge for event in events for edge in event.edges)
    tasks_created = Counter(e.node for e in events if e.kind == "task created")
    rework = any(n > 1 for n in edges.values()) or any(n > 1 for n in tasks_created.values())
    waits: list[tuple[str, float]] = []
    tasks_with_sla = tasks_on_time = 0
    for item in items:
        if item.status is not WorkItemStatus.COMPLETED or item.completed_at is None:
            continue
        if item.node and not item.adhoc:
            waits.append((item.node, seconds(item.created_at, item.completed_at)))
        if item.due_at is not None:
            tasks_with_sla += 1
            tasks_on_time += item.completed_at <= item.due_at
    waits.extend(_wait_node_waits(events))
    return CaseFacts(day=case.closed_at.astimezone(ZoneInfo(timezone)).date(), first_response=first_response,
                     first_time_right=not rework, tasks_with_sla=tasks_with_sla, tasks_on_time=tasks_on_time,
                     waits=waits, edges=dict(edges))


def _wait_node_waits(events: Sequence[TrailMark]) -> list[tuple[str, float]]:
    started: dict[str, datetime] = {}
    waits = []
    for event in events:
        if event.node is None:
            continue
        if event.kind == "waiting":
            started[event.node] = event.at
        elif event.kind in WAIT_ENDS and event.node in started:
            waits.append((event.node, seconds(started.pop(event.node), event.at)))
    return waits


def seconds(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds()
