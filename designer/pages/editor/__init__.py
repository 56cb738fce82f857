"""Designer area: the process editor (`/design/{key}`) and the new-process form (`/design/new`).

The page holds a `models.editing.Draft` of what `runtime.drafts` keeps, and
saves every change there (`shell.Editor`). `shell.Editor` lays out the toolbar
and the tabs; each tab shows panels (one module each) that turn what the user
does into draft edits, after which every panel shows the draft again.
"""

from __future__ import annotations

from nicegui import APIRouter, ui

from designer.display import said
from designer.frame import current_user, frame, runtime
from designer.i18n import N_, _
from designer.pages.editor.shell import Editor
from models.editing import EditRejected
from models.errors import FlowdeskError
from runtime.documents import User
from runtime.drafts import BrokenDraft, Drafts, StoredDraft
from runtime.errors import AccessDenied, NotFound
from runtime.views.design import latest_bundles
from runtime.views.names import process_names

__all__ = ["routes"]


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/design/new", title="Flowdesk — new process")
    def new_process_page() -> None:
        with frame(N_("New process")) as user:
            key = ui.input(_("Process key"), placeholder=_("e.g. refund_request")).classes("w-96").mark("new-key")
            name = ui.input(_("Process name"), placeholder=_("e.g. Refund request")).classes("w-96").mark("new-name")
            problem = ui.label().classes("text-red-700").mark("new-problem")

            def create() -> None:
                try:
                    stored = Drafts(runtime()).create(user, key.value or "", name.value or "")
                except FlowdeskError as error:
                    problem.set_text(said(error))
                    return
                ui.navigate.to(f"/design/{stored.key}")

            ui.button(_("Create"), on_click=create).mark("new-create")

    @router.page("/design/{key}", title="Flowdesk — edit process")
    def editor_page(key: str) -> None:
        drafts = Drafts(runtime())
        try:
            opened: StoredDraft | FlowdeskError = drafts.open(current_user(), key)
        except FlowdeskError as error:
            opened = error  # said once the frame has decided the reader's language
        with frame(N_("Edit process {process}"), process=_title_name(key, opened)) as user:
            if isinstance(opened, StoredDraft):
                try:
                    known = latest_bundles(runtime(), user)
                except FlowdeskError as error:
                    opened = error
                else:
                    Editor(user, opened, known)
                    return
            _not_opened(user, drafts, key, opened)

    return router


def _title_name(key: str, opened: StoredDraft | FlowdeskError) -> str:
    """The name people know the process by: its published name, else the name its draft was given, else its key."""
    published = process_names(runtime()).get(key)
    if published:
        return published
    if isinstance(opened, StoredDraft):
        return str(opened.document.get("name") or key)
    return key


def _not_opened(user: User, drafts: Drafts, key: str, error: FlowdeskError) -> None:
    """Why the editor cannot open `key`, with the way out: discard a broken draft, create a missing process."""
    if isinstance(error, AccessDenied):
        ui.label(said(error)).mark("not-allowed")
    elif isinstance(error, BrokenDraft):
        ui.label(said(error)).classes("text-red-700").mark("broken-draft")
        revision = error.revision

        def discard() -> None:
            try:
                drafts.discard(user, key, revision)
            except FlowdeskError as refused:
                ui.notify(said(refused), type="warning")
                return
            ui.navigate.reload()

        ui.button(_("Discard the draft"), on_click=discard).mark("discard-broken")
    elif isinstance(error, NotFound | EditRejected):
        ui.label(_("There is no process '{process}'. Create it with 'New process'.").format(process=key)) \
            .mark("no-process")
        ui.link(_("New process"), "/design/new")
    else:
        ui.label(said(error)).classes("text-red-700").mark("not-opened")
