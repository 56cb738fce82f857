"""The frame every signed-in page shares: a header with the user's name and roles, the
navigation their roles open, and sign out; plus the runtime the pages read from."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import app, ui

from designer.auth import SESSION_KEY, areas_for, signed_in_user
from runtime.documents import User
from runtime.service import Runtime


def runtime() -> Runtime:
    """The runtime of the running app (set by `designer.app.build`)."""
    return app.state.runtime


def current_user() -> User:
    """The signed-in user of this page; the guard lets no page run without one."""
    user = signed_in_user(runtime())
    if user is None:  # signed out in another tab since the guard let the request in
        raise PermissionError("not signed in")
    return user


def sign_out() -> None:
    app.storage.user.pop(SESSION_KEY, None)
    ui.navigate.to("/login")


@contextmanager
def frame(title: str) -> Iterator[User]:
    """Header with navigation and sign out, then the page's own content in a column."""
    user = current_user()
    with ui.header().classes("items-center gap-4 bg-slate-800"):
        ui.link("Flowdesk", "/").classes("text-white text-lg font-bold no-underline")
        for area in areas_for(user):
            ui.link(area.title, area.path).classes("text-white no-underline").mark(f"nav-{area.path[1:]}")
        ui.space()
        ui.label(f"{user.name} ({', '.join(user.roles)})").classes("text-white").mark("who")
        ui.button("Sign out", on_click=sign_out).props("flat color=white")
    with ui.column().classes("w-full p-4 gap-4"):
        ui.label(title).classes("text-2xl")
        yield user
