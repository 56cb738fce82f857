"""Reading JSON request bodies so that no body can crash a route: every refusal names the field.

FastAPI parses JSON with the standard library, which lets through what
Flowdesk cannot keep or answer: text with a lone surrogate (`"\\ud800"`, not
Unicode: it could not be stored or sent back), numbers that are not finite
(`1e309`, `NaN`) or absurdly long, and nesting so deep that parsing exhausts the stack. Invalid
UTF-8 is refused before parsing. `CheckedRoute` reads each JSON body this way
before FastAPI does, so such a body is an `invalid` problem naming the field
(`reason`, `data.lines[2].note`), never a 500.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response


class BodyProblem(Exception):
    """A JSON body Flowdesk cannot take; `path` is where in it (keys and list indexes; empty: the whole)."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        self.path = path
        super().__init__(message)


def read_json_body(raw: bytes) -> Any:
    """The JSON value of a request body, or `BodyProblem` saying what is wrong and where.

    >>> read_json_body(b'{"reason": "Factuur", "data": {"amount": "12.50"}}')
    {'reason': 'Factuur', 'data': {'amount': '12.50'}}
    >>> read_json_body(b'{"data": {"lines": [{"note": "\\\\udc00"}]}}')
    Traceback (most recent call last):
    ...
    designer.api.bodies.BodyProblem: the text is not valid Unicode (a lone surrogate \\udc00 at character 1)
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyProblem((), f"the body is not UTF-8 text (byte {error.start} cannot be read)") from None
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_decimal, parse_constant=_Refused.constant)
    except json.JSONDecodeError as error:
        raise BodyProblem((), f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise BodyProblem((), "the JSON is nested too deeply") from None
    for path, problem in _problems(value):
        raise BodyProblem(path, problem)
    return value


#: The longest number literal read; no amount or number Flowdesk keeps needs more.
MAX_NUMBER_CHARS = 100


class _Refused:
    """Stands for a number the parser met that Flowdesk does not take; found afterwards with its path."""

    def __init__(self, message: str) -> None:
        self.message = message

    @classmethod
    def constant(cls, name: str) -> _Refused:
        return cls(f"{name} is not a number JSON allows")

    @classmethod
    def too_long(cls, literal: str) -> _Refused:
        return cls(f"a number of {len(literal):,} digits is too long; at most {MAX_NUMBER_CHARS} are allowed")


def _integer(literal: str) -> int | _Refused:
    return int(literal) if len(literal) <= MAX_NUMBER_CHARS else _Refused.too_long(literal)


def _decimal(literal: str) -> float | _Refused:
    if len(literal) > MAX_NUMBER_CHARS:
        return _Refused.too_long(literal)
    number = float(literal)
    return number if math.isfinite(number) else _Refused(f"the number {literal} is too large")


def _problems(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, message) for each text that is not Unicode and each refused number, in document order."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, _Refused):
            yield where, item.message
        elif isinstance(item, str):
            if (problem := _lone_surrogate(item)) is not None:
                yield where, problem
        elif isinstance(item, dict):
            for key in item:
                if (problem := _lone_surrogate(key)) is not None:
                    yield where, f"a name in this object: {problem}"
            stack.extend(((*where, key), child) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend(((*where, index), child) for index, child in reversed(list(enumerate(item))))


def _lone_surrogate(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return (f"the text is not valid Unicode (a lone surrogate \\u{ord(text[error.start]):04x} "
                f"at character {error.start + 1})")
    return None


class CheckedJsonRequest(Request):
    """A request whose JSON body is read by `read_json_body` (once; FastAPI then reads the same value)."""

    async def json(self) -> Any:
        if not hasattr(self, "_checked_json"):
            self._checked_json = read_json_body(await self.body())
        return self._checked_json


def _is_json(request: Request) -> bool:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


class CheckedRoute(APIRoute):
    """A route whose JSON body is refused field by field (422) when `read_json_body` refuses it."""

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
                except BodyProblem as problem:
                    raise RequestValidationError([{"loc": ("body", *problem.path), "msg": str(problem),
                                                   "type": "value_error"}]) from None
            return await handle(request)

        return checked
