"""Admin area (/admin): users with their roles, queues and API tokens; locked sign-ins; the installation's settings
and mail server; the administration's log.

Nothing here needs the app stopped: each change is one step of the runtime
(`runtime.accounts`, `runtime.settings`, `runtime.mail`) on the store every app
process and worker shares, and takes effect at once. The guard lets in only
those whom `runtime.access` allows to administer; the page decides nothing.
"""

from __future__ import annotations

from nicegui import APIRouter, ui

from designer.frame import frame
from designer.pages.admin.security import LocksPanel, LogPanel
from designer.pages.admin.settings import SettingsPanel
from designer.pages.admin.users import UsersPanel

#: The tabs: name (also ?tab=), label, icon.
TABS = (("users", "Users", "group"), ("sign-in", "Sign-in locks", "lock"), ("settings", "Settings", "settings"),
        ("log", "Log", "history"))


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/admin", title="Flowdesk — administration")
    def admin_page(tab: str = "users") -> None:
        with frame("Administration") as user:
            with ui.tabs().classes("w-full").props("align=left dense").mark("admin-tabs") as tabs:
                for name, label, icon in TABS:
                    ui.tab(name, label, icon=icon).mark(f"tab-{name}")
            with ui.tab_panels(tabs, value=tab if tab in {t[0] for t in TABS} else "users").classes("w-full"):
                with ui.tab_panel("users"):
                    UsersPanel(user)
                with ui.tab_panel("sign-in"):
                    locks = LocksPanel(user)
                with ui.tab_panel("settings"):
                    SettingsPanel(user)
                with ui.tab_panel("log"):
                    log = LogPanel(user)
            # what others (and this page's other tabs) did meanwhile shows when a tab is opened
            redrawn = {"sign-in": locks.show, "log": log.show}
            tabs.on_value_change(lambda e: redrawn[e.value].refresh() if e.value in redrawn else None)

    return router
