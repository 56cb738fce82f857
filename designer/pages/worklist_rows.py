"""What the agent's worklist shows: which items a tab and its filters ask for, and one row per item.

Kept apart from the page's widgets so the page stays thin and a benchmark can
time exactly what a page render does (store query plus rows). A row holds only
values the page shows as text: the SLA badge comes from
`SlaStatus.of` at the runtime clock's now, due times are local.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from designer.display import local_time
from runtime.documents import SlaStatus, User, WorkItem
from runtime.errors import NotFound
from runtime.service import Runtime
from runtime.storage.base import SLA_STATUSES, WorkOrder, WorkQuery

#: Roles that see every queue; other users see their own queues (all when they have none).
SEES_ALL_QUEUES = frozenset({"supervisor", "admin"})

#: Items per worklist page.
PAGE_SIZE = 50


def visible_queues(user: User) -> tuple[str, ...] | None:
    """The queues whose work `user` sees, or None for all."""
    if SEES_ALL_QUEUES & set(user.roles) or not user.queues:
        return None
    return tuple(user.queues)


class Tab(StrEnum):
    MINE = "mine"  # assigned to me, in any queue
    QUEUES = "queues"  # nobody's yet, in my queues


@dataclass(frozen=True)
class WorklistView:
    """What the agent asked to see: a tab, filters, an order and a page number (from 0)."""

    tab: Tab = Tab.MINE
    queue: str | None = None
    process: str | None = None
    sla: str | None = None
    order: WorkOrder = WorkOrder.DEADLINE
    page: int = 0

    def query(self, user: User, now: datetime, limit: int) -> WorkQuery:
        """The store query for this view; one item more than a page, to tell whether a next page exists."""
        if self.sla is not None and self.sla not in SLA_STATUSES:
            raise ValueError(f"unknown SLA status '{self.sla}'")
        queues = visible_queues(user) if self.tab is Tab.QUEUES else None
        if self.queue is not None:
            queues = (self.queue,) if queues is None or self.queue in queues else ()
        return WorkQuery(queues=queues, assignee=user.id if self.tab is Tab.MINE else None,
                         unassigned=self.tab is Tab.QUEUES, process_key=self.process, sla=self.sla,
                         now=now if self.sla else None, order=self.order, limit=limit + 1, offset=self.page * limit)

    def but(self, **changes: Any) -> WorklistView:
        """This view with `changes`; any change but the page number goes back to the first page."""
        return replace(self, **({"page": 0} | changes))


@dataclass(frozen=True)
class WorklistPage:
    rows: list[dict[str, Any]]
    has_next: bool
    next_sla_change: datetime | None  # the first moment a shown badge changes colour


def worklist_page(runtime: Runtime, user: User, view: WorklistView) -> WorklistPage:
    """One page of the worklist as rows for the page's table."""
    now = runtime.now()
    items = runtime.store.work_items(view.query(user, now, PAGE_SIZE))
    items, has_next = items[:PAGE_SIZE], len(items) > PAGE_SIZE
    names = _Names(runtime)
    rows = [item_row(item, now, names) for item in items]
    moments = [m for item in items for m in (item.warning_at, item.due_at) if m is not None and m > now]
    return WorklistPage(rows, has_next, min(moments, default=None))


def item_row(item: WorkItem, now: datetime, names: _Names) -> dict[str, Any]:
    status = SlaStatus.of(item, now)
    return {"id": item.id, "title": item.title, "case": item.case_id, "customer": names.customer_of(item.case_id),
            "process": item.process_key, "process_name": names.process(item.process_key), "queue": item.queue,
            "queue_name": names.queue(item.queue), "assignee": item.assignee or "",
            "assignee_name": names.user(item.assignee) if item.assignee else "",
            "priority": item.priority, "due": local_time(item.due_at) if item.due_at else "",
            "sla": status.value if status else ""}


def check_may_act(user: User, item: WorkItem) -> None:
    """Refuse (PermissionError) an action on an item that is neither in the user's queues nor assigned to them."""
    queues = visible_queues(user)
    if queues is not None and item.queue not in queues and item.assignee != user.id:
        raise PermissionError(f"task '{item.title}' is in queue '{item.queue}', not one of yours")


def has_claimed_work(runtime: Runtime, user: User) -> bool:
    """Whether any open item is assigned to `user`."""
    return bool(runtime.store.work_items(WorkQuery(assignee=user.id, limit=1)))


def queue_counts(runtime: Runtime, user: User) -> dict[str, int]:
    """Open work items per queue the user sees, by queue id."""
    queues = visible_queues(user)
    counts = runtime.store.count_open_work_items()
    return {q: n for q, n in sorted(counts.items()) if queues is None or q in queues}


def process_names(runtime: Runtime) -> dict[str, str]:
    """Published processes by key, with the name of their newest version."""
    return {v.process_key: v.name for v in runtime.store.versions()}


def queue_names(runtime: Runtime) -> dict[str, str]:
    """Every queue of the published processes by id, with its name in the newest version that has it."""
    return {q.id: q.name or q.id for v in runtime.store.versions() for q in runtime.bundle(v).queues}


def agents(runtime: Runtime) -> dict[str, str]:
    """People an item can be handed to (users with the agent role), by id."""
    return {u.id: u.name for u in runtime.store.users() if "agent" in u.roles}


class _Names:
    """Display names a page of rows needs, each looked up once."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._processes: dict[str, str] | None = None
        self._queues: dict[str, str] | None = None
        self._users: dict[str, str] | None = None
        self._customers: dict[str | None, str] = {None: ""}
        self._case_customers: dict[str, str | None] = {}

    def process(self, key: str) -> str:
        if self._processes is None:
            self._processes = process_names(self._runtime)
        return self._processes.get(key, key)

    def queue(self, queue_id: str) -> str:
        if self._queues is None:
            self._queues = queue_names(self._runtime)
        return self._queues.get(queue_id, queue_id)

    def user(self, user_id: str) -> str:
        if self._users is None:
            self._users = {u.id: u.name for u in self._runtime.store.users()}
        return self._users.get(user_id, user_id)

    def customer_of(self, case_id: str) -> str:
        """The name of the case's customer; empty without one, the id if the customer is gone."""
        if case_id not in self._case_customers:
            self._case_customers[case_id] = self._runtime.store.case(case_id).customer_id
        customer_id = self._case_customers[case_id]
        if customer_id not in self._customers:
            try:
                self._customers[customer_id] = self._runtime.store.customer(customer_id).name
            except NotFound:
                self._customers[customer_id] = customer_id
        return self._customers[customer_id]
