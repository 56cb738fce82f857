"""The /api/v1 routes together, and `install`, which puts the API into the web app.

Callers sign in with an API token (`Authorization: Bearer`, see `tokens`) or a
session; the guard (`designer.auth.Guard`) turns away anyone else. Everything
else is the runtime's: each route calls one use case or read model as the
caller, and its refusals become problems (`problems`). The OpenAPI document
(/openapi.json, /docs for signed-in users) lists the /api/v1 routes only.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Security
from fastapi.openapi.utils import get_openapi
from fastapi.security import HTTPBearer

from designer.api import audit, cases, contacts, problems, processes, work
from designer.api.limits import API_LIMIT, MB, RequestLimits
from designer.api.problems import Problem

PREFIX = "/api/v1"
#: What `ui.run(fastapi_docs=...)` puts at the head of /docs and /openapi.json.
OPENAPI = {
    "title": "Flowdesk API",
    "version": "1",
    "description": "Start cases, work tasks, deliver customers' replies and read cases of published Flowdesk "
                   "processes. Send `Authorization: Bearer <token>` (made by `flowdesk user token <user>`); what "
                   "the token's user may do is what their roles allow in the web app.\n\n"
                   "Every error is an RFC 9457 problem (`application/problem+json`): `type` says the kind "
                   "(/problems/not-allowed, /problems/claimed, /problems/conflict, /problems/not-found, "
                   "/problems/invalid, /problems/request-reused, /problems/too-large, "
                   "/problems/precondition-failed), `detail` what happened, and `errors` each field that is wrong. "
                   "Every POST takes an `Idempotency-Key`: sent again with the same body it is done once; a case "
                   "read has an `ETag`, and a POST that changes a case takes `If-Match`. Lists page with a cursor "
                   "(`next`) and say how many match (`total`).",
}
#: What any route may answer besides success.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "no valid token or session"},
    403: {"model": Problem, "description": "the caller's roles do not allow this"},
    422: {"model": Problem, "description": "refused input, each wrong field named in `errors`"},
}


def routes() -> APIRouter:
    router = APIRouter(prefix=PREFIX, responses=COMMON_RESPONSES,
                       dependencies=[Security(HTTPBearer(auto_error=False))])
    for group in (processes, cases, work, contacts, audit):
        router.include_router(group.routes())
    return router


def install(app: FastAPI, max_request_mb: float | None = None) -> None:
    """Add the API's routes, its problem answers and the request size limits to `app` (API bodies at most
    `max_request_mb`, default `API_LIMIT`). Add it after other middleware: its limits then apply first."""
    api = routes()
    app.include_router(api)
    problems.install(app)
    app.add_middleware(RequestLimits, api_bytes=API_LIMIT if max_request_mb is None else int(max_request_mb * MB))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description,
                                   routes=api.routes)
            app.openapi_schema = _problems_as_problem_json(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _problems_as_problem_json(document: dict[str, Any]) -> dict[str, Any]:
    """Error answers are `application/problem+json`: say so in every operation's responses."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[0] in "45" and "application/json" in content:
                    content[problems.MEDIA_TYPE] = content.pop("application/json")
    return document
