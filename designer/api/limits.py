"""How big a request may be, decided before its body is read, so nobody exhausts the server's memory.

`RequestLimits` is plain ASGI middleware in front of everything: a request
whose Content-Length is over its path's limit is answered 413 at once (its
body is never read); a body sent without a length (chunked) is counted as it
streams in, and the moment it passes the limit the 413 goes out and the
application is told the client went away. The answer is a `too-large`
problem, and the connection is closed so the rest is not read either.
Sign-in and contact bodies are small, attachments get the store's attachment
limit (the store refuses a bigger file itself), the rest of the API gets
`api_bytes` (`flowdesk serve --max-request-mb`). Pages and NiceGUI's own
routes are not limited here (their uploads have their own limits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from designer.api.problems import TOO_LARGE, problem_response
from runtime.casework import ATTACHMENT_LIMIT

KB = 1024
MB = 1024 * KB
#: Signing in: a user name and a password.
SIGN_IN_LIMIT = 16 * KB
#: An inbound contact: a reason of 500 characters and a note of 20,000, even when every character is \\u-escaped.
CONTACT_LIMIT = 256 * KB
#: An attachment: the file the store takes, plus its multipart envelope.
ATTACHMENT_UPLOAD_LIMIT = ATTACHMENT_LIMIT + 64 * KB
#: Every other API request, unless the installation chooses another limit.
API_LIMIT = 1 * MB


@dataclass(frozen=True)
class PathLimit:
    """Requests whose path matches `pattern` may have bodies of at most `max_bytes`."""

    pattern: re.Pattern[str]
    max_bytes: int
    what: str  # names the requests in the refusal


def path_limits(api_bytes: int = API_LIMIT) -> tuple[PathLimit, ...]:
    """The limits by path, most specific first."""
    return (
        PathLimit(re.compile(r"/login|/api/session"), SIGN_IN_LIMIT, "a sign-in"),
        PathLimit(re.compile(r"/api/v1/contacts"), CONTACT_LIMIT, "a contact"),
        PathLimit(re.compile(r"/api/v1/cases/[^/]+/attachments"), ATTACHMENT_UPLOAD_LIMIT, "an attachment"),
        PathLimit(re.compile(r"/api/.*"), api_bytes, "an API request"),
    )


class RequestLimits:
    """ASGI middleware refusing bodies over their path's limit before reading them (see the module docstring)."""

    def __init__(self, app: ASGIApp, api_bytes: int = API_LIMIT) -> None:
        self.app = app
        self.limits = path_limits(api_bytes)

    def limit_for(self, path: str) -> PathLimit | None:
        return next((limit for limit in self.limits if limit.pattern.fullmatch(path)), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit_for(scope["path"]) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > limit.max_bytes:
            await _refusal(limit, declared)(scope, receive, send)
            return
        received = 0
        responded = refused = False

        async def counted() -> Message:
            """The body as it comes; past the limit, the 413 goes out and the app is told the client left."""
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.max_bytes:
                    if not responded and not refused:
                        refused = True
                        await _refusal(limit)(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def watched(message: Message) -> None:
            nonlocal responded
            if refused:
                return  # the 413 went out instead of what the app answers to a client that left
            responded = responded or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted, watched)


def _refusal(limit: PathLimit, size: int | None = None) -> Response:
    """The 413 problem, closing the connection so the rest of the body is not read either."""
    said = f"{size:,} bytes" if size is not None else "more"
    return problem_response(TOO_LARGE, f"{limit.what} may have at most {limit.max_bytes:,} bytes; this one has {said}",
                            headers={"Connection": "close"})


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    return int(value) if value is not None and value.isdigit() else None
