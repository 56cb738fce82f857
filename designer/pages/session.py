"""Signing in and out, the start page and the "not allowed" page.

Signing in goes through `runtime.accounts` (password check, throttling per user
and client address): a refusal is shown as the runtime words it, e.g. "too many
attempts; try again at 10:42 or ask an administrator".
"""

from __future__ import annotations

import math

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse
from nicegui import APIRouter, app, ui
from pydantic import BaseModel

from designer.auth import AREAS, SESSION_KEY, area_of, areas_for
from designer.display import said
from designer.frame import frame, read_as, runtime
from designer.i18n import N_, _, role_word
from runtime.accounts import Accounts, SignInRefused, SignInThrottled
from runtime.documents import User


class Credentials(BaseModel):
    user: str
    password: str


def safe_target(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/login", title="Flowdesk — sign in")
    def login_page(request: Request, redirect_to: str = "/") -> None:
        address = request.client.host if request.client else ""

        def try_sign_in() -> None:
            try:
                user = Accounts(runtime()).sign_in(name.value or "", password.value or "", address)
            except SignInRefused as refused:
                text = said(refused)
                problem.set_text(f"{text[:1].upper()}{text[1:]}.")
                problem.set_visibility(True)
                password.set_value("")
                return
            app.storage.user[SESSION_KEY] = user.id
            ui.navigate.to(safe_target(redirect_to))

        read_as(None)
        ui.page_title(_("Flowdesk — sign in"))
        with ui.card().classes("absolute-center w-80"):
            ui.label(_("Sign in to Flowdesk")).classes("text-xl")
            name = ui.input(_("User name")).classes("w-full").props("autofocus").on("keydown.enter", try_sign_in)
            password = ui.input(_("Password"), password=True, password_toggle_button=True).classes("w-full")
            password.on("keydown.enter", try_sign_in)
            problem = ui.label().classes("text-red-700").mark("sign-in-problem")
            problem.set_visibility(False)
            ui.button(_("Sign in"), on_click=try_sign_in).classes("w-full")

    @router.page("/", title="Flowdesk")
    def start_page() -> RedirectResponse | None:
        with frame(N_("Welcome")) as user:
            areas = areas_for(user)
            if areas:
                return RedirectResponse(areas[0].path, status_code=303)
            ui.label(_("Your roles open no area yet; ask an administrator for a role."))
        return None

    @router.page("/not-allowed", title="Flowdesk — not allowed")
    def not_allowed_page(path: str = "") -> None:
        with frame(N_("Not allowed")) as user:
            area = area_of(path)
            needed = ", ".join(map(role_word, sorted(area.roles))) if area else _("another role")
            ui.label(_("You ({user}, roles: {roles}) may not open {page}: it needs one of the roles {needed}.").format(
                user=user.id, roles=", ".join(map(role_word, user.roles)) or _("none"),
                page=path or _("this page"), needed=needed)).mark("not-allowed")
            ui.label(_("Use the navigation above for the pages your roles open."))

    @router.post("/api/session")
    def sign_in(credentials: Credentials, request: Request) -> dict[str, object]:
        """Sign in for API use: the session cookie in the response authorises the following requests. Too many
        failed attempts are answered 429 with `Retry-After`."""
        try:
            user = Accounts(runtime()).sign_in(credentials.user, credentials.password,
                                               request.client.host if request.client else "")
        except SignInThrottled as throttled:
            wait = max(1, math.ceil((throttled.until - runtime().now()).total_seconds()))
            raise HTTPException(429, str(throttled), headers={"Retry-After": str(wait)}) from None
        except SignInRefused as refused:
            raise HTTPException(401, str(refused), headers={"WWW-Authenticate": "Bearer"}) from None
        app.storage.user[SESSION_KEY] = user.id
        return {"id": user.id, "roles": user.roles}

    @router.delete("/api/session")
    def sign_out() -> dict[str, str]:
        """Sign out (end the session)."""
        app.storage.user.pop(SESSION_KEY, None)
        return {"detail": "signed out"}

    @router.get("/api/me")
    def me(request: Request) -> dict[str, object]:
        """The signed-in user (by session or API token) and the areas they may use."""
        user: User = request.state.user
        return {"id": user.id, "name": user.name, "roles": user.roles,
                "areas": [a.path for a in areas_for(user)], "all_areas": [a.path for a in AREAS]}

    return router
