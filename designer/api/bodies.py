"""Reading JSON request bodies so that no body can crash a route: every refusal names the field.

FastAPI parses JSON with the standard library, which lets through what
Flowdesk cannot keep or answer: text with a lone surrogate, numbers that are
not finite (`1e309`, `NaN`) or absurdly long, nesting so deep that parsing
exhausts the stack, invalid UTF-8. `CheckedRoute` reads each JSON body with the
one JSON reader of every door (`models.json_input.read_json`) before FastAPI
does, so such a body is an `invalid` problem naming the field (`reason`,
`data.lines[2].note`), never a 500.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from models.json_input import JsonInputError, read_json


class CheckedJsonRequest(Request):
    """A request whose JSON body is read by `read_json` (once; FastAPI then reads the same value)."""

    async def json(self) -> Any:
        if not hasattr(self, "_checked_json"):
            self._checked_json = read_json(await self.body(), source="the request body")
        return self._checked_json


def _is_json(request: Request) -> bool:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


class CheckedRoute(APIRoute):
    """A route whose JSON body is refused field by field (422) when `read_json` refuses it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def checked(request: Request) -> Response:
            if _is_json(request):
                request = CheckedJsonRequest(request.scope, request.receive)
                try:
                    if await request.body():
                        await request.json()
                except ClientDisconnect:  # gone, or refused as too large (`limits`): nobody reads an answer
                    raise HTTPException(400, "the client went away before its request was complete") from None
                except JsonInputError as refused:
                    where = (refused.problem.path,) if refused.problem.path else ()
                    raise RequestValidationError([{"loc": ("body", *where), "msg": refused.problem.message,
                                                   "type": "value_error"}]) from None
            return await handle(request)

        return checked
