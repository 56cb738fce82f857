"""Every refusal of the REST API as an RFC 9457 problem (`application/problem+json`).

A problem says which kind of refusal it is (`type`, one URI per kind, with its
`title` and HTTP `status`), what happened this time (`detail`, the runtime's own
message, as pages and the CLI show it) and, for input that does not fit, each
field and what is wrong with it (`errors`: `data.amount`, `customer_id`,
`limit`). The runtime's exceptions map to kinds in one table (`RUNTIME_KINDS`);
FastAPI's refusals (validation, unknown route or method) and HTTP errors raised
anywhere under /api/ become problems too, so a client reads one shape for every
error. A 401 always says how to authenticate (`WWW-Authenticate: Bearer`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from models.errors import FlowdeskError
from runtime.access import ClaimedByOther
from runtime.errors import AccessDenied, AttachmentTooLarge, ConflictError, DataError, NotFound, PreconditionFailed
from runtime.service import RequestReused

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True)
class Kind:
    """A kind of refusal: its `type` URI is /problems/`slug`."""

    slug: str
    title: str
    status: int

    @property
    def type(self) -> str:
        return f"/problems/{self.slug}"


BAD_REQUEST = Kind("bad-request", "Bad request", 400)
SIGN_IN = Kind("sign-in", "Sign in first", 401)
NOT_ALLOWED = Kind("not-allowed", "Not allowed", 403)
NOT_FOUND = Kind("not-found", "Not found", 404)
METHOD_NOT_ALLOWED = Kind("method-not-allowed", "Method not allowed", 405)
CLAIMED = Kind("claimed", "Claimed by someone else", 409)
CONFLICT = Kind("conflict", "Changed by someone else", 409)
PRECONDITION_FAILED = Kind("precondition-failed", "The case changed since it was read", 412)
TOO_LARGE = Kind("too-large", "Too large", 413)
UNSUPPORTED = Kind("unsupported-media-type", "Unsupported media type", 415)
INVALID = Kind("invalid", "Invalid request", 422)
REQUEST_REUSED = Kind("request-reused", "Idempotency key used for another request", 422)
INTERNAL = Kind("internal", "Internal error", 500)

#: The runtime's refusals by exception class; an exception takes the kind of its nearest class here.
RUNTIME_KINDS: dict[type[Exception], Kind] = {
    ClaimedByOther: CLAIMED,
    AccessDenied: NOT_ALLOWED,
    NotFound: NOT_FOUND,
    PreconditionFailed: PRECONDITION_FAILED,
    ConflictError: CONFLICT,
    AttachmentTooLarge: TOO_LARGE,
    RequestReused: REQUEST_REUSED,
    FlowdeskError: INVALID,
}
#: HTTP errors raised by FastAPI, Starlette or a route, by status; others get a kind of their status alone.
HTTP_KINDS = {kind.status: kind for kind in (BAD_REQUEST, SIGN_IN, NOT_ALLOWED, NOT_FOUND, METHOD_NOT_ALLOWED,
                                             TOO_LARGE, UNSUPPORTED, INVALID, INTERNAL)}


class FieldError(BaseModel):
    field: str = Field(description="where in the request: a body path such as `data.lines[0].amount`, or the name "
                                   "of a query parameter or header")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem: what kind of refusal (`type`, `title`, `status`) and what happened (`detail`)."""

    type: str = Field(description="a URI per kind, e.g. /problems/not-allowed, /problems/claimed, /problems/invalid")
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = Field(None, description="each field that is wrong, for invalid input")


class FieldProblems(Exception):
    """Input refused field by field (`errors`: field -> what is wrong), answered as an `invalid` problem."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))


def problem_response(kind: Kind, detail: str, *, errors: Mapping[str, str] | None = None,
                     headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The problem as an HTTP response (a 401 says `WWW-Authenticate: Bearer`)."""
    problem = Problem(type=kind.type, title=kind.title, status=kind.status, detail=detail,
                      errors=[FieldError(field=f, message=m) for f, m in errors.items()] if errors else None)
    headers = dict(headers or {})
    if kind.status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse(problem.model_dump(exclude_none=True), status_code=kind.status, headers=headers,
                        media_type=MEDIA_TYPE)


def fields_problem(refused: FieldProblems) -> JSONResponse:
    return problem_response(INVALID, str(refused), errors=refused.errors)


def runtime_kind(error: Exception) -> Kind:
    return next(RUNTIME_KINDS[cls] for cls in type(error).__mro__ if cls in RUNTIME_KINDS)


def runtime_problem(error: FlowdeskError) -> JSONResponse:
    if isinstance(error, DataError):
        return fields_problem(FieldProblems(data_fields(error.errors)))
    return problem_response(runtime_kind(error), str(error))


def data_fields(errors: Mapping[str, str], prefix: str = "data") -> dict[str, str]:
    """The runtime's field errors (variable -> message; "(data)" or "(form)" for the whole) as body fields."""
    return {prefix if name in ("(data)", "(form)") else f"{prefix}.{name}": message for name, message in errors.items()}


def field_name(location: Iterable[str | int]) -> str:
    """A FastAPI error location as a field: `("body", "data", "lines", 0, "amount")` -> `data.lines[0].amount`;
    a query parameter or header by its name."""
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "body"


def validation_problem(error: RequestValidationError) -> JSONResponse:
    errors: dict[str, str] = {}
    for item in error.errors():
        errors.setdefault(field_name(item["loc"]), item["msg"])
    return fields_problem(FieldProblems(errors))


def http_problem(error: HTTPException) -> JSONResponse:
    kind = HTTP_KINDS.get(error.status_code, Kind(str(error.status_code), "Refused", error.status_code))
    return problem_response(kind, str(error.detail), headers=error.headers)


Handler = Callable[[Request, Any], Awaitable[Response] | Response]


def is_api(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith("/api/")


def install(app: FastAPI) -> None:
    """Answer every error of an /api/ route as a problem; other routes keep the handlers they had (NiceGUI's
    error pages)."""

    def for_api(answer: Callable[[Any], Response], key: int | type[Exception]) -> Handler:
        earlier: Handler | None = app.exception_handlers.get(key)

        async def handle(request: Request, error: Any) -> Response:
            if is_api(request):
                return answer(error)
            if earlier is None:
                raise error
            result = earlier(request, error)
            return await result if isinstance(result, Awaitable) else result

        return handle

    def internal(error: Exception) -> Response:
        log.error("an API request failed", exc_info=error)
        return problem_response(INTERNAL, "the server failed to answer this request; the error is in its log")

    app.add_exception_handler(FlowdeskError, for_api(runtime_problem, FlowdeskError))
    app.add_exception_handler(FieldProblems, for_api(fields_problem, FieldProblems))
    app.add_exception_handler(RequestValidationError, for_api(validation_problem, RequestValidationError))
    app.add_exception_handler(HTTPException, for_api(http_problem, HTTPException))
    app.add_exception_handler(404, for_api(http_problem, 404))  # NiceGUI's page for 404 would come first
    app.add_exception_handler(Exception, for_api(internal, Exception))
