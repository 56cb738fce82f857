"""What a closed case adds to the supervisor's figures, derived once from its trail and its tasks.

Each audit event a step records is counted into the case's `CaseTally` as it is recorded
(`count_event`); the step that closes a case (the flow reaching its end, or an agent closing it)
derives its `CaseFacts` from that tally and its completed work items, and stores them on the case
(`Transaction.changes`). A case stored before tallies were kept is tallied from its whole trail
once (`tally_of`). The stores sum them per day as they commit
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

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from runtime.documents import AuditEvent, Case, CaseFacts, CaseTally, WorkItem, WorkItemStatus

#: Audit events that show a person taking up a case's work.
FIRST_RESPONSE_KINDS = frozenset({"task claimed", "task completed"})
#: Audit events that end a wait at a wait node.
WAIT_ENDS = frozenset({"timer fired", "message received"})


class TrailMark(NamedTuple):
    """What the facts read of one audit event."""

    kind: str
    at: datetime
    node: str | None
    edges: Sequence[str]

    @classmethod
    def of(cls, event: AuditEvent) -> TrailMark:
        return cls(event.kind, event.at, event.node, event.details.get("edges", ()))


def count_event(tally: CaseTally, kind: str, at: datetime, node: str | None, edges: Sequence[str]) -> None:
    """Add one audit event (the next of the trail) to what the case's facts will be made of."""
    if tally.first_response_at is None and kind in FIRST_RESPONSE_KINDS:
        tally.first_response_at = at
    for edge in edges:
        tally.edges[edge] = tally.edges.get(edge, 0) + 1
    if node is None:
        return
    if kind == "task created":
        tally.tasks_created[node] = tally.tasks_created.get(node, 0) + 1
    elif kind == "waiting":
        tally.waiting_since[node] = at
    elif kind in WAIT_ENDS and node in tally.waiting_since:
        tally.waits.append((node, seconds(tally.waiting_since.pop(node), at)))


def tally_of(events: Iterable[TrailMark]) -> CaseTally:
    """The tally of a whole trail, oldest event first (for a case stored before tallies were kept)."""
    tally = CaseTally()
    for event in events:
        count_event(tally, *event)
    return tally


def case_facts(case: Case, events: Iterable[TrailMark], items: Iterable[WorkItem], timezone: str) -> CaseFacts:
    """The facts of a closed case from its whole audit trail (in order) and its work items; `timezone` decides
    the local day it closed on."""
    return facts_of(case, tally_of(events), items, timezone)


def facts_of(case: Case, tally: CaseTally, items: Iterable[WorkItem], timezone: str) -> CaseFacts:
    """The facts of a closed case from its tally and its work items."""
    if case.closed_at is None:
        raise ValueError(f"case {case.id} is not closed")
    rework = any(n > 1 for n in tally.edges.values()) or any(n > 1 for n in tally.tasks_created.values())
    waits: list[tuple[str, float]] = []
    tasks_with_sla = tasks_on_time = 0
    done = [(item.completed_at, item.id, item) for item in items
            if item.status is WorkItemStatus.COMPLETED and item.completed_at is not None]
    for completed_at, _, item in sorted(done, key=lambda found: found[:2]):  # the waits in the order tasks were done
        if item.node and not item.adhoc:
            waits.append((item.node, seconds(item.created_at, completed_at)))
        if item.due_at is not None:
            tasks_with_sla += 1
            tasks_on_time += completed_at <= item.due_at
    first_response = None if tally.first_response_at is None else seconds(case.started_at, tally.first_response_at)
    return CaseFacts(day=case.closed_at.astimezone(ZoneInfo(timezone)).date(), first_response=first_response,
                     first_time_right=not rework, tasks_with_sla=tasks_with_sla, tasks_on_time=tasks_on_time,
                     waits=waits + tally.waits, edges=dict(tally.edges))


def seconds(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds()
