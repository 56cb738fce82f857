"""The frame every signed-in page shares: a header with the user's name and roles, the navigation their roles open,
the language switch and sign out; plus the runtime the pages read from.

The frame decides who reads the page (`designer.i18n.use_reader`): in the language the user chose, else the
installation's default, with times in the zone the business works in. Switching the language stores the choice
with the user (`runtime.accounts.Accounts.set_language`) and draws the page again in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import app, ui

from designer.auth import SESSION_KEY, areas_for, signed_in_user
from designer.display import said
from designer.i18n import LANGUAGE_NAMES, _, role_word, use_reader
from models.errors import FlowdeskError
from runtime.accounts import Accounts
from runtime.documents import User
from runtime.service import Runtime
from runtime.settings import language_for


def runtime() -> Runtime:
    """The runtime of the running app (set by `designer.app.build`)."""
    return app.state.runtime


def current_user() -> User:
    """The signed-in user of this page; the guard lets no page run without one."""
    user = signed_in_user(runtime())
    if user is None:  # signed out in another tab since the guard let the request in
        raise PermissionError("not signed in")
    return user


#: Quasar's primary and positive colours and NiceGUI's link colour, darkened so that text on white and white on
#: them reach the contrast of 4.5:1 that WCAG AA asks (the defaults reach 3.1, 2.6 and 3.7).
COLOURS = {"primary": "#1565c0", "positive": "#2e7d32"}
THEME_CSS = ".nicegui-link { color: #1d4ed8; }"


def read_as(user: User | None) -> str:
    """Build this page for `user` (None: someone not signed in yet): their language, the business's time zone."""
    language = language_for(runtime(), user)
    use_reader(language, runtime().calendar.timezone)
    return language


def sign_out() -> None:
    app.storage.user.pop(SESSION_KEY, None)
    ui.navigate.to("/login")


def switch_language(user: User, language: str) -> None:
    """Keep `language` as the user's own and draw the page again in it."""
    try:
        Accounts(runtime()).set_language(user, user.id, language)
    except FlowdeskError as error:
        ui.notify(said(error), type="negative")
        return
    ui.navigate.reload()


@contextmanager
def frame(title: str, **values: str) -> Iterator[User]:
    """Header with navigation, the language switch and sign out, then the page's own content in a column.

    `title` is a message id, marked `N_("Case {case}")` by the page and translated here with its `values` filled
    in: only here is the reader known (the frame decides it, before the page's own texts).
    """
    user = current_user()
    ui.colors(**COLOURS)
    ui.add_css(THEME_CSS)
    language = read_as(user)
    title = _(title).format(**values)
    ui.page_title(f"Flowdesk — {title}")
    with ui.header().classes("items-center gap-4 bg-slate-800"):
        ui.link("Flowdesk", "/").classes("text-white text-lg font-bold no-underline")
        for area in areas_for(user):
            ui.link(_(area.title), area.path).classes("text-white no-underline").mark(f"nav-{area.path[1:]}")
        ui.space()
        ui.toggle(LANGUAGE_NAMES, value=language, on_change=lambda e: switch_language(user, e.value)) \
            .props("dense no-caps unelevated color=grey-9 text-color=grey-4 toggle-color=white "
                   "toggle-text-color=grey-10") \
            .mark("language").tooltip(_("The language Flowdesk speaks to you"))
        ui.label(f"{user.name} ({', '.join(map(role_word, user.roles))})").classes("text-white").mark("who")
        ui.button(_("Sign out"), on_click=sign_out).props("flat color=white")
    with ui.column().classes("w-full p-4 gap-4"):
        ui.label(title).classes("text-2xl")
        yield user
