"""API tokens at the door: `Authorization: Bearer <token>` says who calls, and a refused caller is told how to
authenticate. Whose token it is (only its hash is stored; named, expiring, revocable; made by
`flowdesk user token`) is `runtime.accounts`'s answer, not this module's."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None without one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def unauthorized(detail: str) -> JSONResponse:
    """The 401 answer (RFC 9457 problem details) that tells an API caller to send a bearer token."""
    return JSONResponse({"type": "about:blank", "title": "Unauthorized", "status": 401, "detail": detail},
                        status_code=401, media_type="application/problem+json",
                        headers={"WWW-Authenticate": "Bearer"})
