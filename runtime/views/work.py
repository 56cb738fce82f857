"""The worklist: which open work items a user sees, in which order, page by page, with the names a person reads.

The same read model serves the /work page ("My work": assigned to me; "My
queues": nobody's yet, in my queues), the REST API's work-item list and the
CLI's `tasks`. Which queues a user sees is `runtime.access`'s answer; asking
for a queue that is not one of theirs is refused, not silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from models.phrases import Phrase
from runtime.access import UseCase, may, require, visible_queues
from runtime.documents import SlaStatus, User, WorkItem, WorkOrder
from runtime.errors import AccessDenied
from runtime.storage.base import WorkQuery
from runtime.views.names import Names, process_names, queue_names

if TYPE_CHECKING:
    from runtime.service import Runtime

#: The longest page one request may ask for.
PAGE_LIMIT = 200


class Tab(StrEnum):
    MINE = "mine"  # assigned to me, in any queue
    QUEUES = "queues"  # nobody's yet, in my queues


@dataclass(frozen=True)
class WorkFilter:
    """Which open work items to list: a tab (None: everything the user sees), narrowed by queues, process,
    assignee and SLA status, in an order, from `offset`, at most `limit`."""

    tab: Tab | None = None
    queues: tuple[str, ...] | None = None
    process: str | None = None
    assignee: str | None = None
    sla: SlaStatus | None = None
    order: WorkOrder = WorkOrder.DEADLINE
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class WorkRow:
    """One work item with the names a person reads beside it and its SLA status now."""

    item: WorkItem
    customer: str
    process_name: str
    queue_name: str
    assignee_name: str
    sla: SlaStatus | None
    case_reference: str = ""  # "" for a case started before cases had references

    @property
    def case_shown(self) -> str:
        """How a person reads the item's case: its reference, else its id."""
        return self.case_reference or self.item.case_id


@dataclass(frozen=True)
class WorkPage:
    rows: list[WorkRow]
    total: int  # how many items match, on every page
    offset: int
    limit: int
    next_sla_change: datetime | None  # the first moment a shown SLA badge changes colour

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.rows) < self.total


def work_page(runtime: Runtime, user: User, wanted: WorkFilter) -> WorkPage:
    """One page of the open work `user` may see, as `wanted`."""
    require(user, UseCase.SEE_WORK)
    if not 1 <= wanted.limit <= PAGE_LIMIT or wanted.offset < 0:
        raise ValueError(f"a page holds 1 to {PAGE_LIMIT} items from offset 0 on")
    now = runtime.now()
    query = _query(user, wanted, now)
    items = runtime.store.work_items(query)
    names = Names(runtime)
    rows = [row(item, now, names) for item in items]
    moments = [m for item in items for m in (item.warning_at, item.due_at) if m is not None and m > now]
    return WorkPage(rows, runtime.store.count_work_items(query), wanted.offset, wanted.limit,
                    min(moments, default=None))


def row(item: WorkItem, now: datetime, names: Names) -> WorkRow:
    return WorkRow(item, names.customer_of(item.case_id), names.process(item.process_key), names.queue(item.queue),
                   names.user(item.assignee), SlaStatus.of(item, now), names.reference_of(item.case_id))


def _query(user: User, wanted: WorkFilter, now: datetime) -> WorkQuery:
    visible = visible_queues(user)
    queues = wanted.queues
    if queues is not None and visible is not None:
        foreign = [queue for queue in queues if queue not in visible]
        if foreign:
            raise AccessDenied(Phrase("not allowed: queue {foreign} is not one of yours ({queues})", foreign=foreign,
                                      queues=visible))
    if queues is None and wanted.tab is not Tab.MINE:
        queues = visible
    assignee = user.id if wanted.tab is Tab.MINE else wanted.assignee
    return WorkQuery(queues=queues, assignee=assignee, unassigned=wanted.tab is Tab.QUEUES,
                     process_key=wanted.process, sla=wanted.sla.value if wanted.sla else None,
                     now=now if wanted.sla else None, order=wanted.order, limit=wanted.limit, offset=wanted.offset)


def has_claimed_work(runtime: Runtime, user: User) -> bool:
    """Whether any open item is assigned to `user`."""
    require(user, UseCase.SEE_WORK)
    return bool(runtime.store.work_items(WorkQuery(assignee=user.id, limit=1)))


def queue_counts(runtime: Runtime, user: User) -> dict[str, int]:
    """Open work items per queue the user sees, by queue id."""
    require(user, UseCase.SEE_WORK)
    queues = visible_queues(user)
    counts = runtime.store.count_open_work_items()
    return {queue: n for queue, n in sorted(counts.items()) if queues is None or queue in queues}


def worklist_marker(runtime: Runtime, user: User) -> int:
    """A number that changes whenever work items change what worklists show (see `Store.worklist_marker`)."""
    require(user, UseCase.SEE_WORK)
    return runtime.store.worklist_marker()


@dataclass(frozen=True)
class WorkChoices:
    """What a worklist can be narrowed to: the user's queues and the published processes, by id with names."""

    queues: dict[str, str]
    processes: dict[str, str]


def work_choices(runtime: Runtime, user: User) -> WorkChoices:
    require(user, UseCase.SEE_WORK)
    names = queue_names(runtime)
    queues = visible_queues(user)
    return WorkChoices({q: names.get(q, q) for q in (sorted(names) if queues is None else queues)},
                       process_names(runtime))


@dataclass(frozen=True)
class Handover:
    """Where a task can be reassigned to: agents by id and the process's other queues by id, with names."""

    item: WorkItem
    people: dict[str, str]
    queues: dict[str, str]


def handover(runtime: Runtime, user: User, item_id: str) -> Handover:
    """The people and queues `user` may hand the item to."""
    require(user, UseCase.REASSIGN)
    item = runtime.store.work_item(item_id)
    bundle = runtime.process_version(runtime.store.case(item.case_id).version_hash).bundle
    people = {u.id: u.name for u in runtime.store.users() if may(u, UseCase.COMPLETE) and u.id != item.assignee}
    queues = {q.id: q.display for q in bundle.queues if q.id != item.queue}
    return Handover(item, people, queues)
