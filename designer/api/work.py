"""/api/v1/work-items: the caller's worklist, and claiming, releasing, reassigning and completing a task.

Who may see and work which task (queues, someone else's claim) is the
runtime's answer: a task claimed by someone else is a `claimed` problem
("claimed by Amy since 10:12"), a queue that is not the caller's `not-allowed`.
A task has no ETag of its own: `If-Match` with its case's ETag makes a change
to the task refused (412) when the case moved on since the caller read it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.requests import Request as HttpRequest

from designer.api.bodies import CheckedRoute
from designer.api.common import Caller, Flowdesk, IdempotencyKey, IfMatch, step_request
from designer.api.form_fields import form_problems
from designer.api.models import CaseDetail, Completed, CompleteWorkItem, Reassign, WorkItemOut, WorkItemPage
from designer.api.paging import Cursor, Limit, cursor_offset, next_cursor
from designer.api.problems import Problem
from runtime.casework import CaseWork
from runtime.documents import SlaStatus, User, WorkItem
from runtime.errors import DataError
from runtime.service import Request, Runtime
from runtime.views.cases import case_view, task_view
from runtime.views.names import Names
from runtime.views.work import Tab, WorkFilter, WorkOrder, row, work_page

#: What acting on a task may answer besides success.
TASK_RESPONSES: dict[int | str, dict] = {404: {"model": Problem},
                                         409: {"model": Problem, "description": "done already, or claimed by "
                                                                                "someone else"},
                                         412: {"model": Problem, "description": "the task's case changed since "
                                                                                "the If-Match was read"}}


def item_out(flowdesk: Runtime, item: WorkItem) -> WorkItemOut:
    return WorkItemOut.of(row(item, flowdesk.now(), Names(flowdesk)))


def item_request(http: HttpRequest, flowdesk: Runtime, user: User, item_id: str, key: str | None, asked: Any,
                 if_match: str | None) -> Request | None:
    """The runtime's `Request` for a change to a task; If-Match names the revision of the task's case."""
    case_id = task_view(flowdesk, user, item_id).case.id if if_match is not None else None
    return step_request(http, key, asked, case_id=case_id, if_match=if_match)


def routes() -> APIRouter:
    router = APIRouter(tags=["work"], route_class=CheckedRoute)

    @router.get("/work-items")
    def list_work_items(user: Caller, flowdesk: Flowdesk,
                        tab: Annotated[Tab | None, Query(description="mine: assigned to the caller; queues: "
                                                                     "nobody's yet, in the caller's queues")] = None,
                        queue: Annotated[list[str] | None, Query(description="only these of the caller's queues")]
                        = None, process: str | None = None, assignee: str | None = None,
                        sla: SlaStatus | None = None, order: WorkOrder = WorkOrder.DEADLINE,
                        limit: Limit = 50, cursor: Cursor = None) -> WorkItemPage:
        """Open work items the caller may see (their queues, or the queues asked for among them)."""
        query = {"tab": tab, "queue": queue, "process": process, "assignee": assignee, "sla": sla, "order": order,
                 "limit": limit}
        page = work_page(flowdesk, user, WorkFilter(tab=tab, queues=tuple(queue) if queue else None,
                                                    process=process, assignee=assignee, sla=sla, order=order,
                                                    offset=cursor_offset(query, cursor), limit=limit))
        return WorkItemPage(items=[WorkItemOut.of(r) for r in page.rows], total=page.total,
                            next=next_cursor(query, page.offset + len(page.rows)) if page.has_next else None)

    @router.post("/work-items/{item_id}/claim", responses=TASK_RESPONSES)
    def claim(item_id: str, http: HttpRequest, user: Caller, flowdesk: Flowdesk,
              idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> WorkItemOut:
        """Take the task: it is then the caller's until they release it or a supervisor reassigns it."""
        request = item_request(http, flowdesk, user, item_id, idempotency_key, None, if_match)
        return item_out(flowdesk, CaseWork(flowdesk).claim(user, item_id, request=request))

    @router.post("/work-items/{item_id}/release", responses=TASK_RESPONSES)
    def release(item_id: str, http: HttpRequest, user: Caller, flowdesk: Flowdesk,
                idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> WorkItemOut:
        """Give the task back to its queue: one's own, or (a supervisor) anyone's."""
        request = item_request(http, flowdesk, user, item_id, idempotency_key, None, if_match)
        return item_out(flowdesk, CaseWork(flowdesk).release(user, item_id, request=request))

    @router.post("/work-items/{item_id}/reassign", responses=TASK_RESPONSES)
    def reassign(item_id: str, body: Reassign, http: HttpRequest, user: Caller, flowdesk: Flowdesk,
                 idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> WorkItemOut:
        """Hand the task to a person or to another queue of its process, saying why (it goes into the trail)."""
        request = item_request(http, flowdesk, user, item_id, idempotency_key, body.model_dump(mode="json"),
                               if_match)
        item = CaseWork(flowdesk).reassign(user, item_id, reason=body.reason, to_user=body.to_user,
                                           to_queue=body.to_queue, request=request)
        return item_out(flowdesk, item)

    @router.post("/work-items/{item_id}/complete", responses=TASK_RESPONSES)
    def complete(item_id: str, body: CompleteWorkItem, http: HttpRequest, user: Caller, flowdesk: Flowdesk,
                 idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> Completed:
        """Complete a task with the data entered on its form (and the checklist items ticked now); the case runs
        on to its next step."""
        request = item_request(http, flowdesk, user, item_id, idempotency_key, body.model_dump(mode="json"),
                               if_match)
        try:
            case = flowdesk.complete(user, item_id, body.data, checklist=body.checklist, request=request)
        except DataError as error:
            raise form_problems(error, task_view(flowdesk, user, item_id).form) from None
        return Completed(work_item=item_id, case=CaseDetail.of_view(case_view(flowdesk, user, case.id)))

    return router
