"""Who may do what in the web app: roles, password hashes, and the one guard in front of every route.

Every request passes `Guard`: open routes (the sign-in page and NiceGUI's static
assets, `OPEN_PREFIXES`) pass; any other route needs a signed-in user, and a
route under one of `AREAS` needs one of that area's roles. A page request
without a session is sent to /login with its target kept; a page the user's
roles do not cover is answered with the "not allowed" page; an API request is
answered 401/403 as JSON. Pages themselves check nothing. API requests (and the
OpenAPI document) may sign in with `Authorization: Bearer <token>` instead of a
session: a token made by `flowdesk user token`, of which only a hash is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from nicegui import app
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp

from designer.api.tokens import token_user
from runtime.documents import User
from runtime.errors import NotFound
from runtime.storage.base import Store

ROLES = ("designer", "agent", "supervisor", "auditor", "admin")


@dataclass(frozen=True)
class Area:
    """A group of routes (pages under `path`, API under /api`path`) and the roles that may use it."""

    path: str
    title: str
    roles: frozenset[str]


AREAS = (
    Area("/design", "Design", frozenset({"designer", "admin"})),
    Area("/work", "Work", frozenset({"agent", "supervisor", "admin"})),
    Area("/monitor", "Monitor", frozenset({"supervisor", "admin"})),
    Area("/audit", "Audit", frozenset({"auditor", "admin"})),
)

#: Routes anyone may open: the sign-in page (and its API form) and NiceGUI's own static files and websocket.
OPEN_PATHS = frozenset({"/login", "/api/session", "/favicon.ico"})
OPEN_PREFIXES = ("/_nicegui/", "/_nicegui_ws/")  # the sign-in page needs its socket.io connection too

SESSION_KEY = "user_id"
#: Routes that take an API token instead of a session (besides everything under /api/).
TOKEN_PATHS = frozenset({"/openapi.json"})

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of `password`, to store in `User.password_hash`."""
    return _hasher.hash(password)


def password_matches(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(store: Store, user_id: str, password: str) -> User | None:
    """The user whose id and password these are, or None (without saying which one was wrong)."""
    try:
        user = store.user(user_id.strip())
    except NotFound:
        hash_password(password)  # take as long as for a known user
        return None
    return user if password_matches(user, password) else None


def area_of(path: str) -> Area | None:
    """The area a page or API path belongs to, if any."""
    for area in AREAS:
        for prefix in (area.path, "/api" + area.path):
            if path == prefix or path.startswith(prefix + "/"):
                return area
    return None


def may_enter(user: User, area: Area) -> bool:
    return bool(area.roles & set(user.roles))


def areas_for(user: User) -> list[Area]:
    """The areas `user`'s roles open, in navigation order."""
    return [area for area in AREAS if may_enter(user, area)]


def signed_in_user(store: Store) -> User | None:
    """The user of the current request's session, if it names one that still exists."""
    user_id = app.storage.user.get(SESSION_KEY)
    if not user_id:
        return None
    try:
        return store.user(user_id)
    except NotFound:
        return None


def is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


class Guard(BaseHTTPMiddleware):
    """The one access check for every page and API route (see the module docstring)."""

    def __init__(self, asgi_app: ASGIApp, store: Store) -> None:
        super().__init__(asgi_app)
        self.store = store

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if is_open(path):
            return await call_next(request)
        is_api = path == "/api" or path.startswith("/api/")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and (is_api or path in TOKEN_PATHS):
            user = token_user(self.store, token)
            if user is None:
                return JSONResponse({"detail": "the API token is not valid; make a new one with "
                                               "'flowdesk user token <user>'"}, status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
        else:
            user = signed_in_user(self.store)
        if user is None:
            if is_api:
                return JSONResponse({"detail": "sign in first"}, status_code=401)
            target = path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?redirect_to={quote(target, safe='')}", status_code=303)
        area = area_of(path)
        if area is not None and not may_enter(user, area):
            if is_api:
                return JSONResponse({"detail": f"not allowed: {area.title} needs one of the roles "
                                               f"{', '.join(sorted(area.roles))}"}, status_code=403)
            return RedirectResponse(f"/not-allowed?path={quote(path, safe='')}", status_code=303)
        request.state.user = user
        return await call_next(request)
