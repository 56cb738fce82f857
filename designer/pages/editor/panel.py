"""What every block of the editor is: a view of part of the draft that turns what the user does into edits.

A panel is built inside its tab by the editor (`shell.Editor`) and shown again
(`refresh`) after every accepted edit, undo or redo. Panels change the draft only
through `edit`, so a refused edit is explained the same way everywhere. After a
text typed in a panel is saved, that panel is not drawn again (it would lose
the cursor); `after_typing` shows what depends on the text instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nicegui import ui

from designer.i18n import _
from models.editing import Draft

if TYPE_CHECKING:
    from designer.pages.editor.shell import Editor


class Panel:
    """Base of the editor's panels: subclasses define `show` as a `ui.refreshable_method`."""

    #: Whether a typed text the draft refuses stays in its field to be corrected (the panel then shows only what
    #: depends on it again, as after typing), rather than the panel showing the draft as it is.
    keeps_refused_text = False

    def __init__(self, editor: Editor) -> None:
        self.editor = editor
        self.show()

    @property
    def draft(self) -> Draft:
        return self.editor.draft

    def edit(self, operation: Callable[[], Any], select: bool = False) -> None:
        """Apply a draft edit through the editor (refused ones are explained; the panels then refresh)."""
        self.editor.edit(operation, select=select)

    def after_typing(self) -> None:
        """Show again what depends on a text just typed and saved in this panel (e.g. a preview); not the fields."""

    def show(self) -> None:
        raise NotImplementedError

    def refresh(self) -> None:
        self.show.refresh()  # type: ignore[attr-defined]  # subclasses make `show` refreshable

    def shows(self, element_id: str) -> bool:
        """Whether this panel is where `element_id` (e.g. a form or table a finding names) is edited."""
        return False

    def focus(self, element_id: str) -> None:
        """Bring `element_id` into view (called after `shows` said yes and the tab was opened)."""


def removable_row(panel: Panel, collection: str, entry_id: str, text: str, detail: str = "",
                  marker: str = "") -> None:
    """One entry of a bundle list (variables, queues, catalogues...) with a button that removes it."""
    marker = marker or f"{collection}-{entry_id}"
    with ui.row().classes("w-full items-center no-wrap gap-2").mark(marker):
        ui.label(text).classes("grow")
        if detail:
            ui.label(detail).classes("text-slate-600")
        ui.button(icon="delete", on_click=lambda: panel.edit(
            lambda: panel.draft.remove_entry(collection, entry_id))).props("flat dense round") \
            .mark(f"remove-{marker}").tooltip(_("Remove"))
