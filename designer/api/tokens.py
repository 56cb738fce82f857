"""API tokens at the door: `Authorization: Bearer <token>` says who calls. Whose token it is (only its hash is
stored; named, expiring, revocable; made by `flowdesk user token`) is `runtime.accounts`'s answer, not this
module's."""

from __future__ import annotations

from starlette.requests import Request


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None without one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None
