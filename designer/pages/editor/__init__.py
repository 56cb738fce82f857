"""Designer area: the process editor (`/design/{key}`) and the new-process form (`/design/new`).

The page holds a `models.editing.Draft` of what `runtime.drafts` keeps, and
saves every change there (`shell.Editor`). `shell.Editor` lays out the toolbar
and the tabs; each tab shows panels (one module each) that turn what the user
does into draft edits, after which every panel shows the draft again.
"""

from __future__ import annotations

from nicegui import APIRouter, ui

from designer.frame import frame, runtime
from designer.i18n import N_, _, said
from designer.pages.editor.shell import Editor
from models.editing import EditRejected
from models.errors import FlowdeskError
from runtime.drafts import BrokenDraft, Drafts
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
        # the name people know it by (a process never published has only its key yet)
        with frame(N_("Edit process {process}"), process=process_names(runtime()).get(key, key)) as user:
            drafts = Drafts(runtime())
            try:
                stored = drafts.open(user, key)
                known = latest_bundles(runtime(), user)
            except AccessDenied as error:
                ui.label(said(error)).mark("not-allowed")
                return
            except BrokenDraft as error:
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
                return
            except (NotFound, EditRejected):
                ui.label(_("There is no process '{process}'. Create it with 'New process'.").format(process=key)) \
                    .mark("no-process")
                ui.link(_("New process"), "/design/new")
                return
            except FlowdeskError as error:
                ui.label(said(error)).classes("text-red-700").mark("not-opened")
                return
            Editor(user, stored, known)

    return router
