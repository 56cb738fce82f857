"""The /api/v1 routes: start cases, list and complete work items, read a case, register an inbound contact.

Callers sign in with an API token (`Authorization: Bearer`, see `tokens`) or a
session; the guard (`designer.auth.Guard`) turns away anyone else. Each route
then needs the roles of the UI area it belongs to (`requires`): work for
agents, supervisors and admins; reading a case also for auditors. The routes
hold no logic of their own: they call the runtime, intake and the generated
form validator, and translate refusals into HTTP answers (`answered`): an
unknown id 404, someone else was faster 409, bad input 422 naming each field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPBearer
from pydantic import BaseModel

from codegen.forms import form_schema
from designer.api.models import (
    CaseDetail,
    CaseOut,
    Completed,
    CompleteWorkItem,
    ContactRecorded,
    CustomerLookup,
    CustomerOut,
    NewContact,
    StartCase,
    SuggestionOut,
    TimelineEntry,
    WorkItemOut,
    WorkItemPage,
)
from designer.auth import AREAS, Area
from designer.frame import runtime
from models.customers import Customer, SearchField
from models.errors import FlowdeskError
from models.forms import Form, InputField, RepeatingGroup
from runtime.access import visible_queues
from runtime.customers import CustomerDirectory, CustomerError
from runtime.documents import Case, Contact, User, WorkItem
from runtime.errors import ConflictError, DataError, NotFound
from runtime.intake import Intake, IntakeError, intake_start
from runtime.process_version import ProcessVersion
from runtime.storage.base import WorkQuery

#: What `ui.run(fastapi_docs=...)` puts at the head of /docs and /openapi.json.
OPENAPI = {
    "title": "Flowdesk API",
    "version": "1",
    "description": "Start cases, work tasks and read cases of published Flowdesk processes. Send "
                   "`Authorization: Bearer <token>` (made by `flowdesk user token <user>`); the token's user needs "
                   "the roles the web app asks for the same work. Refused input is answered 422 with one entry per "
                   "field in `detail` (`loc` names the field, `msg` says what is wrong).",
}

WORK, AUDIT = (next(a for a in AREAS if a.path == path) for path in ("/work", "/audit"))
IDEMPOTENCY = "a key of the caller's choosing: the same request sent again with it is done once, answered alike"
#: Longest page of work items one request may ask for.
PAGE_LIMIT = 200


class Problem(BaseModel):
    detail: str


def requires(*areas: Area) -> Callable[[Request], User]:
    """A dependency giving the caller, refused 403 unless their roles open one of `areas`."""
    roles = frozenset().union(*(area.roles for area in areas))

    def caller(request: Request) -> User:
        user: User = request.state.user
        if not roles & set(user.roles):
            raise HTTPException(403, f"not allowed: this needs one of the roles {', '.join(sorted(roles))}")
        return user

    return caller


WorkCaller = Annotated[User, Depends(requires(WORK))]
CaseReader = Annotated[User, Depends(requires(WORK, AUDIT))]


def routes() -> APIRouter:
    router = APIRouter(prefix="/api/v1", dependencies=[Security(HTTPBearer(auto_error=False))],
                       responses={401: {"model": Problem, "description": "no valid token or session"},
                                  403: {"model": Problem, "description": "the caller's roles do not allow this"}})

    @router.get("/processes/{key}/start-schema", tags=["processes"], responses={404: {"model": Problem}})
    def start_schema(key: str, user: WorkCaller, start: str | None = None) -> dict[str, Any]:
        """The JSON Schema of the `data` a case of this process starts with (its start form)."""
        with answered():
            version = _latest(key)
            form = _start_form(version, _start_node(version, start, None, where="query"))
        if form is None:
            return {"title": version.bundle.name, "type": "object",
                    "description": "This process has no start form: `data` may set any of its declared case data."}
        return form_schema(form, version.variables)

    @router.post("/processes/{key}/cases", status_code=201, tags=["cases"], responses={404: {"model": Problem}})
    def start_case(key: str, body: StartCase, user: WorkCaller) -> CaseOut:
        """Start a case on the newest published version; `data` is checked by the start form's rules."""
        with answered():
            version = _latest(key)
            contact = _body_reference("contact_id", body.contact_id, runtime().store.contact)
            customer_id = body.customer_id or (contact.customer_id if contact else None)
            _body_reference("customer_id", body.customer_id, runtime().store.customer)
            start = _start_node(version, body.start, contact, where="body")
        with answered(_start_form(version, start)):
            case = runtime().start_case(key, body.data, actor=user.id, customer_id=customer_id,
                                        contact_id=body.contact_id, start_node=start)
        return _case_out(case)

    @router.get("/work-items", tags=["work"])
    def work_items(user: WorkCaller, queue: Annotated[list[str] | None, Query()] = None, process: str | None = None,
                   assignee: str | None = None, offset: Annotated[int, Query(ge=0)] = 0,
                   limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT)] = 50) -> WorkItemPage:
        """Open work items in the caller's queues (or the queues asked for among them), soonest deadline first."""
        return list_work_items(user, queue, process, assignee, offset, limit)

    @router.post("/work-items/{item_id}/complete", tags=["work"],
                 responses={404: {"model": Problem}, 409: {"model": Problem, "description": "done already"}})
    def complete(item_id: str, body: CompleteWorkItem, user: WorkCaller,
                 idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key",
                                                               description=IDEMPOTENCY)] = None) -> Completed:
        """Complete a work item with the data entered on its form; the case runs on to its next step."""
        case = complete_work_item(user, item_id, body.data, checklist=body.checklist,
                                  idempotency_key=idempotency_key)
        return Completed(work_item=item_id, case=_case_out(case))

    @router.get("/cases/{case_id}", tags=["cases"], responses={404: {"model": Problem}})
    def case(case_id: str, user: CaseReader) -> CaseDetail:
        """A case with its data, open work items and timeline (its audit events in plain language)."""
        with answered():
            found = runtime().store.case(case_id)
            events = runtime().store.audit_events(case_id)
        summary = _case_out(found)
        return CaseDetail(**dict(summary), data=found.data, timeline=[TimelineEntry.of(e) for e in events])

    @router.post("/contacts", status_code=201, tags=["intake"])
    def record_contact(body: NewContact, user: WorkCaller) -> ContactRecorded:
        """Record an inbound contact (from an e-mail gateway or web form) and suggest the processes that fit it."""
        intake = Intake(runtime())
        if body.customer_id is not None and body.customer is not None:
            raise _invalid(["body", "customer"], "give customer_id or customer (lookup keys), not both")
        customer_id, matches = body.customer_id, int(body.customer_id is not None)
        if body.customer is not None:
            with answered():
                found = find_customers(intake.customers, body.customer)
            matches = len(found)
            customer_id = found[0].id if matches == 1 else None
        with answered(), _field_of(CustomerError, "customer_id"), _field_of(IntakeError, "reason"):
            contact = intake.record_contact(customer_id=customer_id, channel=body.channel, reason=body.reason,
                                            note=body.note, direction=body.direction, actor=user.id)
            customer = intake.customers.get(customer_id) if customer_id else None
            suggestions = intake.suggestions(contact)
        return ContactRecorded(id=contact.id, customer=CustomerOut.of(customer) if customer else None,
                               customer_matches=matches, channel=contact.channel, reason=contact.reason,
                               suggestions=[SuggestionOut.of(s) for s in suggestions])

    return router


# -- what the routes do ------------------------------------------------------------------------

def complete_work_item(user: User, item_id: str, data: Mapping[str, Any], *, checklist: Iterable[str] = (),
                       idempotency_key: str | None = None) -> Case:
    """Complete an item in one of `user`'s queues; refusals as HTTP answers (403, 404, 409, 422 per field).

    The work page's older route (/api/work/items/{id}/complete) completes through this too.
    """
    with answered():
        item = runtime().store.work_item(item_id)
        _check_queue(user, item)
    with answered(_item_form(item)):
        return runtime().complete(item_id, data, actor=user.id, idempotency_key=idempotency_key, checklist=checklist)


def list_work_items(user: User, queues: list[str] | None, process: str | None, assignee: str | None,
                    offset: int, limit: int) -> WorkItemPage:
    """A page of the open work `user` may see, optionally narrowed to some of their queues."""
    visible = visible_queues(user)
    if queues and visible is not None:
        foreign = [q for q in queues if q not in visible]
        if foreign:
            raise HTTPException(403, f"not allowed: queue {', '.join(foreign)} is not one of yours "
                                     f"({', '.join(visible)})")
    query = WorkQuery(queues=tuple(queues) if queues else visible, process_key=process, assignee=assignee,
                      offset=offset, limit=limit)
    items = runtime().store.work_items(query)
    now = runtime().now()
    return WorkItemPage(items=[WorkItemOut.of(i, now) for i in items], offset=offset, limit=limit,
                        next_offset=offset + limit if len(items) == limit else None)


def find_customers(directory: CustomerDirectory, lookup: CustomerLookup) -> list[Customer]:
    """The customers matching every key given (a postcode with its house number counts as one key)."""
    keys = [(SearchField.NUMBER, lookup.number, ""), (SearchField.EMAIL, lookup.email, ""),
            (SearchField.PHONE, lookup.phone, ""), (SearchField.ADDRESS, lookup.postcode, lookup.house_number or ""),
            (SearchField.NAME, lookup.name, "")]
    given = [(field, text, house) for field, text, house in keys if text and text.strip()]
    if not given:
        raise _invalid(["body", "customer"], "give at least one of number, email, phone, postcode (+ house_number), "
                                             "name")
    found: dict[str, Customer] | None = None
    for field, text, house in given:
        matches = {c.id: c for c in directory.find(field, text, house)}
        found = matches if found is None else {i: c for i, c in found.items() if i in matches}
    return list((found or {}).values())


# -- helpers ---------------------------------------------------------------------------------------

def _latest(key: str) -> ProcessVersion:
    version = runtime().latest_process_version(key)
    if version is None:
        raise NotFound(f"process '{key}' has no published version")
    return version


def _start_node(version: ProcessVersion, start: str | None, contact: Contact | None, where: str) -> str | None:
    """The start asked for; else the one taking the contact's channel; else None (the only start)."""
    if start is not None:
        if start not in {node.id for node in version.starts()}:
            raise _invalid([where, "start"], f"process '{version.version.process_key}' has no start '{start}'; "
                           f"its starts: {', '.join(node.id for node in version.starts())}")
        return start
    return intake_start(version.bundle, contact.channel) if contact is not None else None


def _start_form(version: ProcessVersion, start: str | None) -> Form | None:
    starts = [node for node in version.starts() if start is None or node.id == start]
    if len(starts) != 1:
        raise _invalid(["query", "start"], f"process '{version.version.process_key}' has several starts "
                       f"({', '.join(node.id for node in starts)}); say which one")
    form_id = getattr(starts[0], "form", None)
    return version.bundle.form(form_id) if form_id else None


def _item_form(item: WorkItem) -> Form | None:
    version = runtime().process_version(runtime().store.case(item.case_id).version_hash)
    return version.bundle.form(item.form) if item.form else None


def _body_reference(field: str, value: str | None, read: Callable[[str], Any]) -> Any:
    """The document a body field names, or 422 naming the field."""
    if value is None:
        return None
    try:
        return read(value)
    except NotFound as error:
        raise _invalid(["body", field], str(error)) from None


def _check_queue(user: User, item: WorkItem) -> None:
    queues = visible_queues(user)
    if queues is not None and item.queue not in queues:
        raise HTTPException(403, f"not allowed: task '{item.title}' is in queue '{item.queue}', not one of yours")


def _case_out(case: Case) -> CaseOut:
    open_items = runtime().store.work_items(WorkQuery(case_id=case.id, limit=PAGE_LIMIT))
    return CaseOut.of(case, open_items, runtime().now())


def _invalid(loc: list[str | int], message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": tuple(loc), "msg": message, "type": "flowdesk"}])


@contextmanager
def _field_of(kind: type[FlowdeskError], field: str) -> Iterator[None]:
    """Report an error of `kind` as a problem of the body's `field`."""
    try:
        yield
    except kind as error:
        raise _invalid(["body", field], str(error)) from None


@contextmanager
def answered(form: Form | None = None) -> Iterator[None]:
    """Refusals of the runtime as HTTP answers; field errors of `form`'s data named by variable."""
    try:
        yield
    except NotFound as error:
        raise HTTPException(404, str(error)) from None
    except ConflictError as error:
        raise HTTPException(409, str(error)) from None
    except DataError as error:
        raise RequestValidationError([{"loc": ("body", "data", *_variable_path(form, path)), "msg": message,
                                       "type": "flowdesk"} for path, message in error.errors.items()]) from None
    except FlowdeskError as error:
        raise _invalid(["body"], str(error)) from None


_ROW_PATH = re.compile(r"(?P<group>[^\[\]]+)\[(?P<row>\d+)\]\.(?P<field>.+)")


def _variable_path(form: Form | None, path: str) -> list[str | int]:
    """A field path of the form's validator (`amount`, `lines[2].price`, by element id) as a location in `data`
    (by variable, rows counted from 0), the way the client sent it; "(form)" is the data as a whole."""
    if path in ("(form)", "(data)"):
        return []
    if form is None:
        return [path]
    elements = {e.id: e for e in form.walk() if isinstance(e, (InputField, RepeatingGroup))}
    row = _ROW_PATH.fullmatch(path)
    if row and isinstance(elements.get(row["group"]), RepeatingGroup):
        group = elements[row["group"]]
        field = next((f for f in group.fields if f.id == row["field"]), None)
        return [group.variable, int(row["row"]) - 1, getattr(field, "variable", None) or row["field"]]
    element = elements.get(path)
    return [getattr(element, "variable", None) or path]
