"""What every /api/v1 route shares: who calls, the runtime, and the HTTP conventions for changing things.

- The caller is the user the guard (`designer.auth.Guard`) found for the
  request's token or session; what they may do is the runtime's answer.
- `Idempotency-Key` (every POST): the key and a fingerprint of the request
  (method, path, body) go to the runtime as its `Request`, so the same key
  with the same body gets the first answer and with another body a
  `request-reused` problem.
- `ETag` is a case's revision; `If-Match` on a POST that changes a case makes
  the runtime refuse (412) when the case moved on since the caller read it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Header
from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from designer.api.problems import FieldProblems
from designer.frame import runtime
from runtime.documents import Case, User
from runtime.service import Request, Runtime

IDEMPOTENCY = ("a key of the caller's choosing (at most 200 characters): the same request sent again with it is "
               "done once and answered alike; the same key with another request is refused")
IF_MATCH = "the case's ETag as last read: the request is refused (412) if the case changed since"
_ENTITY_TAG = re.compile(r'\s*(?:W/)?"(\d+)"\s*')
_LOCATION = {"description": "where what was made is read", "schema": {"type": "string"}}
_ETAG = {"description": "the case's revision, to send as If-Match", "schema": {"type": "string"}}
#: How the OpenAPI document describes the headers of an answer that made something, or shows a case.
CREATED: dict[int | str, dict[str, Any]] = {201: {"headers": {"Location": _LOCATION}}}
CASE_SHOWN: dict[int | str, dict[str, Any]] = {200: {"headers": {"ETag": _ETAG}}}
CASE_CREATED: dict[int | str, dict[str, Any]] = {201: {"headers": {"Location": _LOCATION, "ETag": _ETAG}}}


def caller(request: HttpRequest) -> User:
    """The signed-in user of the request (the guard lets no API request in without one)."""
    return request.state.user


Caller = Annotated[User, Depends(caller)]
Flowdesk = Annotated[Runtime, Depends(runtime)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200, description=IDEMPOTENCY)]
IfMatch = Annotated[str | None, Header(alias="If-Match", description=IF_MATCH)]


def step_request(http: HttpRequest, key: str | None, asked: Any, *, case_id: str | None = None,
                 if_match: str | None = None) -> Request | None:
    """The runtime's `Request` for this HTTP request: its idempotency key over (method, path, `asked`), and the
    revision of `case_id` the caller expects, from If-Match."""
    asks = case_id is not None and if_match is not None and if_match.strip() != "*"  # "*": any revision
    expected = (case_id, expected_revision(if_match)) if asks else None
    return Request.of(key, http.method, http.url.path, asked, expected=expected)


def expected_revision(if_match: str) -> int:
    """The case revision an If-Match names (one entity tag as sent in an ETag)."""
    found = _ENTITY_TAG.fullmatch(if_match)
    if found is None:
        raise FieldProblems({"If-Match": f"expected one ETag of the case, such as \"3\"; got {if_match[:40]!r}"})
    return int(found[1])


def tag_case(response: Response, case: Case) -> None:
    """Send the case's revision as the response's ETag."""
    response.headers["ETag"] = f'"{case.revision}"'


def path(*parts: str) -> str:
    """An /api/v1 path with each part escaped: path("cases", case_id) -> /api/v1/cases/case-1."""
    return "/api/v1/" + "/".join(quote(part, safe="") for part in parts)
