"""Who may enter which part of the web app, and the one guard in front of every route.

Every request passes `Guard`: open routes (the sign-in page and NiceGUI's static
assets, `OPEN_PREFIXES`) pass; any other route needs a signed-in user, and a
route under one of `AREAS` needs the use case that opens that area, which
`runtime.access` allows or not (so no role list is written here). A page
request without a session is sent to /login with its target kept; a page the
user may not open is answered with the "not allowed" page; an API request is
answered 401 (with `WWW-Authenticate: Bearer`) or 403. Pages themselves check
nothing. API requests (and the OpenAPI document) may authenticate with
`Authorization: Bearer <token>` instead of a session (`designer.api.tokens`).
Passwords, tokens and sign-in throttling are `runtime.accounts`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from nicegui import app
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp

from designer.api.problems import SIGN_IN, problem_response, runtime_problem
from designer.api.tokens import bearer_token
from runtime.access import UseCase, may, require, roles_allowed
from runtime.accounts import Accounts, TokenRefused
from runtime.documents import User
from runtime.errors import AccessDenied
from runtime.service import Runtime


@dataclass(frozen=True)
class Area:
    """A group of routes (pages under `path`, API under /api`path`) and the use case that opens it."""

    path: str
    title: str
    use_case: UseCase

    @property
    def roles(self) -> frozenset[str]:
        """The roles that open the area (`runtime.access` decides), for messages."""
        return frozenset(roles_allowed(self.use_case))


AREAS = (
    Area("/design", "Design", UseCase.EDIT_DRAFT),
    Area("/approve", "Approve", UseCase.APPROVE_VERSION),
    Area("/work", "Work", UseCase.SEE_WORK),
    Area("/monitor", "Monitor", UseCase.MONITOR),
    Area("/audit", "Audit", UseCase.READ_AUDIT),
    Area("/admin", "Admin", UseCase.ADMINISTER),
)

#: Routes anyone may open: the sign-in page (and its API form) and NiceGUI's own static files and websocket.
OPEN_PATHS = frozenset({"/login", "/api/session", "/favicon.ico"})
OPEN_PREFIXES = ("/_nicegui/", "/_nicegui_ws/")  # the sign-in page needs its socket.io connection too

SESSION_KEY = "user_id"
#: Routes that take an API token instead of a session (besides everything under /api/).
TOKEN_PATHS = frozenset({"/openapi.json"})


def area_of(path: str) -> Area | None:
    """The area a page or API path belongs to, if any."""
    for area in AREAS:
        for prefix in (area.path, "/api" + area.path):
            if path == prefix or path.startswith(prefix + "/"):
                return area
    return None


def may_enter(user: User, area: Area) -> bool:
    return may(user, area.use_case)


def areas_for(user: User) -> list[Area]:
    """The areas `user` may open, in navigation order."""
    return [area for area in AREAS if may_enter(user, area)]


def signed_in_user(runtime: Runtime) -> User | None:
    """The user of the current request's session, if it names one that still exists."""
    user_id = app.storage.user.get(SESSION_KEY)
    return Accounts(runtime).session_user(user_id) if user_id else None


def is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


class Guard(BaseHTTPMiddleware):
    """The one access check for every page and API route (see the module docstring)."""

    def __init__(self, asgi_app: ASGIApp, runtime: Runtime) -> None:
        super().__init__(asgi_app)
        self.runtime = runtime

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if is_open(path):
            return await call_next(request)
        is_api = path == "/api" or path.startswith("/api/")
        token = bearer_token(request) if is_api or path in TOKEN_PATHS else None
        if token is not None:
            try:
                user: User | None = Accounts(self.runtime).token_user(token)
            except TokenRefused as refused:
                return problem_response(SIGN_IN, str(refused))
        else:
            user = signed_in_user(self.runtime)
        if user is None:
            if is_api:
                return problem_response(SIGN_IN, "sign in first: send 'Authorization: Bearer <token>' or sign in at "
                                                 "/api/session")
            target = path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?redirect_to={quote(target, safe='')}", status_code=303)
        area = area_of(path)
        try:
            if area is not None:
                require(user, area.use_case)
        except AccessDenied as denied:
            if is_api:
                return runtime_problem(denied)
            return RedirectResponse(f"/not-allowed?path={quote(path, safe='')}", status_code=303)
        request.state.user = user
        return await call_next(request)
