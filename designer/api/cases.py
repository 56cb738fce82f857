"""/api/v1/cases: start a case, find cases, read one with its timeline, and what can be done to it.

Each route is one runtime use case or read model. A route that changes a case
answers with the case as it is now and its `ETag`, and takes `If-Match` to be
refused (412) when the case moved on since the caller read it. Files and sent
documents are downloads that are never shown inline (`nosniff`, a sandboxing
Content-Security-Policy); `?view=html` shows a letter or e-mail as the
customer saw it, in a sandbox without scripts.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Query, Response, UploadFile
from starlette.requests import Request as HttpRequest

from designer.api.bodies import CheckedRoute
from designer.api.common import (
    CASE_CREATED,
    CASE_SHOWN,
    CREATED,
    Caller,
    Flowdesk,
    IdempotencyKey,
    IfMatch,
    path,
    step_request,
    tag_case,
)
from designer.api.form_fields import form_problems
from designer.api.models import (
    AttachmentOut,
    CaseDetail,
    CasePage,
    CaseSummary,
    CheckedDelivery,
    CloseCase,
    DeliverMessage,
    NewNote,
    StartCase,
)
from designer.api.paging import Cursor, Limit, cursor_offset, next_cursor
from designer.api.problems import FieldProblems, Problem
from designer.api.processes import start_form
from runtime.casework import CaseWork
from runtime.deliveries import Deliveries
from runtime.documents import Case, CaseStatus, OutboxEntry, User
from runtime.errors import DataError, NotFound
from runtime.intake import Intake, intake_start
from runtime.outbox import email_of, letter_page_of, sent_document
from runtime.service import Runtime
from runtime.views.cases import CaseFilter, attachment_file, case_named, case_view, find_cases, sent_entry
from runtime.views.processes import process_version

#: What changing a case may answer besides success.
CHANGE_REFUSALS: dict[int | str, dict] = {404: {"model": Problem}, 409: {"model": Problem},
                                          412: {"model": Problem, "description": "the case changed since the "
                                                                                 "If-Match was read"}}
#: Downloads are saved, never rendered by the browser on our origin.
DOWNLOAD_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox; default-src 'none'"}


def case_detail(flowdesk: Runtime, user: User, case_id: str, response: Response) -> CaseDetail:
    """The case as `user` reads it now, with its revision as the response's ETag."""
    view = case_view(flowdesk, user, case_id)
    tag_case(response, view.case)
    return CaseDetail.of_view(view)


def routes() -> APIRouter:
    router = APIRouter(tags=["cases"], route_class=CheckedRoute)

    @router.post("/processes/{key}/cases", status_code=201, responses=CASE_CREATED | {404: {"model": Problem}})
    def start_case(key: str, body: StartCase, http: HttpRequest, response: Response, user: Caller,
                   flowdesk: Flowdesk, idempotency_key: IdempotencyKey = None) -> CaseDetail:
        """Start a case on the newest published version; `data` is checked by the start form's rules. Started from
        a contact, the case is for the contact's customer and takes the start for the contact's channel."""
        version = process_version(flowdesk, user, key)
        contact = None
        if body.contact_id is not None:
            try:
                contact = Intake(flowdesk).contact(user, body.contact_id)
            except NotFound as error:
                raise FieldProblems({"contact_id": str(error)}) from None
        customer_id = body.customer_id or (contact.customer_id if contact else None)
        start = body.start or (intake_start(version.bundle, contact.channel) if contact else None)
        try:
            case = flowdesk.start_case(user, key, body.data, customer_id=customer_id, contact_id=body.contact_id,
                                       start_node=start, request=step_request(http, idempotency_key,
                                                                              body.model_dump(mode="json")))
        except DataError as error:
            raise form_problems(error, start_form(version, start)) from None
        except NotFound as error:  # the process and the contact were found: it is the customer
            if customer_id is None:
                raise
            raise FieldProblems({"customer_id" if body.customer_id else "contact_id": str(error)}) from None
        response.headers["Location"] = path("cases", case.id)
        return case_detail(flowdesk, user, case.id, response)

    @router.get("/cases")
    def list_cases(user: Caller, flowdesk: Flowdesk,
                   reference: Annotated[str | None, Query(description="a case reference, e.g. BC-2026-00123")] = None,
                   process: str | None = None,
                   customer: Annotated[str | None, Query(description="a customer id")] = None,
                   status: CaseStatus | None = None,
                   started_since: Annotated[datetime | None, Query(description="ISO 8601, inclusive")] = None,
                   started_until: Annotated[datetime | None, Query(description="ISO 8601, exclusive")] = None,
                   limit: Limit = 50, cursor: Cursor = None) -> CasePage:
        """Cases by reference, process, customer, status and start date, newest first."""
        query = {"reference": reference, "process": process, "customer": customer, "status": status,
                 "since": started_since, "until": started_until, "limit": limit}
        page = find_cases(flowdesk, user, CaseFilter(reference=reference, process=process, customer=customer,
                                                     status=status,
                                                     started_since=started_since, started_until=started_until,
                                                     offset=cursor_offset(query, cursor), limit=limit))
        return CasePage(items=[CaseSummary.of(case) for case in page.cases], total=page.total,
                        next=next_cursor(query, page.offset + len(page.cases)) if page.has_next else None)

    @router.get("/cases/{case_id}", responses=CASE_SHOWN | {404: {"model": Problem}})
    def read_case(case_id: str, response: Response, user: Caller, flowdesk: Flowdesk) -> CaseDetail:
        """A case, by its id or its reference, with its data, open tasks (and whether the caller may work each),
        timeline, attachments and what was sent; its revision is the `ETag`."""
        return case_detail(flowdesk, user, case_named(flowdesk, user, case_id).id, response)

    @router.post("/cases/{case_id}/messages", responses=CASE_SHOWN | CHANGE_REFUSALS)
    def deliver_message(case_id: str, body: DeliverMessage, http: HttpRequest, response: Response, user: Caller,
                        flowdesk: Flowdesk, idempotency_key: IdempotencyKey = None,
                        if_match: IfMatch = None) -> CaseDetail:
        """Deliver a message the case waits for, e.g. a customer's reply passed on by an e-mail gateway; the case
        runs on."""
        flowdesk.send_message(user, case_id, body.message, body.data, request=step_request(
            http, idempotency_key, body.model_dump(mode="json"), case_id=case_id, if_match=if_match))
        return case_detail(flowdesk, user, case_id, response)

    @router.post("/cases/{case_id}/notes", responses=CASE_SHOWN | CHANGE_REFUSALS)
    def add_note(case_id: str, body: NewNote, http: HttpRequest, response: Response, user: Caller,
                 flowdesk: Flowdesk, idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> CaseDetail:
        """Add a note to the case's timeline."""
        CaseWork(flowdesk).add_note(user, case_id, body.text, request=step_request(
            http, idempotency_key, body.model_dump(mode="json"), case_id=case_id, if_match=if_match))
        return case_detail(flowdesk, user, case_id, response)

    @router.post("/cases/{case_id}/attachments", status_code=201,
                 responses=CHANGE_REFUSALS | CREATED | {413: {"model": Problem}})
    def attach(case_id: str, file: Annotated[UploadFile, File(description="the file (at most 10 MB)")],
               http: HttpRequest, response: Response, user: Caller, flowdesk: Flowdesk,
               idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> AttachmentOut:
        """Attach a file to the case (multipart/form-data, field `file`); the timeline names it."""
        content = file.file.read()
        asked = {"filename": file.filename, "content_type": file.content_type,
                 "sha256": hashlib.sha256(content).hexdigest()}
        attachment = CaseWork(flowdesk).attach(user, case_id, file.filename or "", content, file.content_type or "",
                                               request=step_request(http, idempotency_key, asked, case_id=case_id,
                                                                    if_match=if_match))
        out = AttachmentOut.of(attachment)
        response.headers["Location"] = out.href
        return out

    @router.get("/cases/{case_id}/attachments/{attachment_id}", response_class=Response,
                responses={200: {"content": {"application/octet-stream": {}}}, 404: {"model": Problem}})
    def download_attachment(case_id: str, attachment_id: str, user: Caller, flowdesk: Flowdesk) -> Response:
        """The bytes of a file attached to the case, as a download."""
        attachment, content = attachment_file(flowdesk, user, case_id, attachment_id)
        saved_as = f"attachment; filename*=UTF-8''{quote(attachment.filename)}"  # any name, as it was
        return Response(content, media_type=attachment.content_type,
                        headers=DOWNLOAD_HEADERS | {"Content-Disposition": saved_as})

    @router.get("/cases/{case_id}/sent/{entry_id}/document", response_class=Response,
                responses={200: {"content": {"application/pdf": {}, "message/rfc822": {}, "text/plain": {}}},
                           404: {"model": Problem}})
    def sent_document_of(case_id: str, entry_id: str, user: Caller, flowdesk: Flowdesk,
                         view: Annotated[str, Query(pattern="^(html)?$",
                                                    description="html: show it as a sandboxed page")] = "") -> Response:
        """What went out for a letter, e-mail or SMS of the case: PDF, .eml or .txt as a download; with
        `view=html` a letter or e-mail as the customer saw it (a sandboxed page without scripts)."""
        entry = sent_entry(flowdesk, user, case_id, entry_id)
        if view == "html":
            return _sandboxed_page(entry)
        sent = sent_document(entry)  # named by its entry's id
        return Response(sent.content, media_type=sent.media_type,
                        headers=DOWNLOAD_HEADERS | {"Content-Disposition": f'attachment; filename="{sent.filename}"'})

    @router.post("/cases/{case_id}/sent/{entry_id}/resend", responses=CASE_SHOWN | CHANGE_REFUSALS)
    def resend(case_id: str, entry_id: str, http: HttpRequest, response: Response, user: Caller, flowdesk: Flowdesk,
               idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> CaseDetail:
        """Send a letter, e-mail or SMS that failed once more, after what made it fail was fixed: it is queued as
        new, its incident resolved and the timeline says who resent it. A message that did not fail (or was
        resent meanwhile) is a conflict (409); one whose delivery was interrupted may have arrived and is never
        resent (422): check it by hand."""
        Deliveries(flowdesk).resend(user, case_id, entry_id, request=step_request(
            http, idempotency_key, {}, case_id=case_id, if_match=if_match))
        return case_detail(flowdesk, user, case_id, response)

    @router.post("/cases/{case_id}/sent/{entry_id}/checked", responses=CASE_SHOWN | CHANGE_REFUSALS)
    def checked(case_id: str, entry_id: str, body: CheckedDelivery, http: HttpRequest, response: Response,
                user: Caller, flowdesk: Flowdesk, idempotency_key: IdempotencyKey = None,
                if_match: IfMatch = None) -> CaseDetail:
        """Settle a message whose delivery was interrupted (it may have arrived), after checking with the customer:
        `arrived` marks it sent and it never goes out again; otherwise it is queued again. Its incident is resolved
        and the timeline says who checked. A message not waiting to be checked is a conflict (409)."""
        Deliveries(flowdesk).settle(user, case_id, entry_id, arrived=body.arrived, request=step_request(
            http, idempotency_key, body.model_dump(mode="json"), case_id=case_id, if_match=if_match))
        return case_detail(flowdesk, user, case_id, response)

    @router.post("/cases/{case_id}/close", responses=CASE_SHOWN | CHANGE_REFUSALS)
    def close(case_id: str, body: CloseCase, http: HttpRequest, response: Response, user: Caller,
              flowdesk: Flowdesk, idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> CaseDetail:
        """Close the case with one of its process's root causes; an open case's tasks are cancelled."""
        case: Case = CaseWork(flowdesk).close(user, case_id, body.root_cause, note=body.note, request=step_request(
            http, idempotency_key, body.model_dump(mode="json"), case_id=case_id, if_match=if_match))
        return case_detail(flowdesk, user, case.id, response)

    return router


def _sandboxed_page(entry: OutboxEntry) -> Response:
    """The HTML of a letter or e-mail, which the browser must show without scripts, forms or same origin."""
    if entry.channel == "letter":
        page = letter_page_of(entry)
    elif entry.channel == "email":
        page = email_of(entry).get_body(("html",)).get_content()
    else:
        return Response(entry.body, media_type="text/plain; charset=utf-8",
                        headers={"X-Content-Type-Options": "nosniff"})
    return Response(page, media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
                             "X-Content-Type-Options": "nosniff"})
