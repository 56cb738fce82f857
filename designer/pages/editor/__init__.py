"""Designer area: the process editor (`/design/{key}`) and the new-process form (`/design/new`).

The page holds a `designer.editing.Draft`, kept in `<data>/drafts/` after every
change (`drafts`). `shell.Editor` lays out the toolbar and the tabs; each tab
shows panels (one module each) that turn what the user does into draft edits,
after which every panel shows the draft again. Publishing stores the draft as
the process's next version through `Runtime.publish`.
"""

from __future__ import annotations

from nicegui import APIRouter, ui

from designer.editing import Draft, EditRejected
from designer.frame import frame
from designer.pages.editor.drafts import RESERVED_KEYS, draft_folder, known_processes, open_draft, published_number
from designer.pages.editor.shell import Editor

__all__ = ["draft_folder", "known_processes", "open_draft", "routes"]

def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/design/new", title="Flowdesk — new process")
    def new_process_page() -> None:
        with frame("New process"):
            key = ui.input("Process key", placeholder="e.g. refund_request").classes("w-96").mark("new-key")
            name = ui.input("Process name", placeholder="e.g. Refund request").classes("w-96").mark("new-name")
            problem = ui.label().classes("text-red-700").mark("new-problem")

            def create() -> None:
                folder, wanted = draft_folder(), (key.value or "").strip()
                try:
                    if wanted in RESERVED_KEYS:
                        raise EditRejected(f"'{wanted}' cannot be a process key; choose another one.")
                    draft = Draft.new(wanted, name.value or "", known_processes=known_processes())
                    if published_number(draft.key) is not None or folder.exists(draft.key):
                        raise EditRejected(f"A process '{draft.key}' exists already; open it from the process "
                                           "list or choose another key.")
                except EditRejected as error:
                    problem.set_text(str(error))
                    return
                folder.save(draft)
                ui.navigate.to(f"/design/{draft.key}")

            ui.button("Create", on_click=create).mark("new-create")

    @router.page("/design/{key}", title="Flowdesk — edit process")
    def editor_page(key: str) -> None:
        with frame(f"Edit process {key}") as user:
            try:
                draft = open_draft(key)
            except (KeyError, EditRejected):
                ui.label(f"There is no process '{key}'. Create it with 'New process'.").mark("no-process")
                ui.link("New process", "/design/new")
                return
            Editor(draft, author=user.id)

    return router
