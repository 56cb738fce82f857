"""A step dropped from the palette: added at once, or after a question when it needs something the owner chooses.

A send step asks which letter, e-mail or SMS it sends: one of the process's,
or a new one (name and channel) that starts from a skeleton in the process's
language. A task in a process without queues asks for the name of its queue.
Cancel adds nothing, so no step ever points at a letter or queue that is not
there. Either way the step lands as one edit, selected, its name ready to be
typed over (`Editor.add_step`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from designer.i18n import N_, _
from models.editing.edits import add_task_in_new_queue
from models.editing.letters import add_send_step
from models.letters import LetterChannel

if TYPE_CHECKING:
    from designer.pages.editor.shell import Editor

#: The choice that makes a new letter rather than taking one of the process's.
NEW_LETTER = "__new__"
CHANNEL_NAMES = {LetterChannel.LETTER.value: N_("Letter (paper)"), LetterChannel.EMAIL.value: N_("E-mail"),
                 LetterChannel.SMS.value: N_("SMS")}


def place_step(editor: Editor, kind: str, x: float, y: float) -> None:
    """Add a step of `kind` at (x, y), asking first what a send step sends or where the first task goes."""
    draft = editor.draft
    if kind == "send":
        ask_letter(editor, x, y)
    elif kind == "task" and not draft.bundle.queues:
        ask_queue(editor, x, y)
    else:
        editor.add_step(lambda: draft.add_node(kind, x, y))


def ask_letter(editor: Editor, x: float, y: float) -> None:
    """Which letter the new send step sends: one of the process's, or a new one."""
    draft = editor.draft
    letters = {letter.id: f"{letter.name or letter.id} ({_(CHANNEL_NAMES[letter.channel.value])})"
               for letter in draft.bundle.letters}
    with _dialog(editor) as dialog, ui.card().classes("w-[28rem]").mark("new-send-dialog"):
        ui.label(_("What does this step send?")).classes("text-lg")
        choice = ui.radio(letters | {NEW_LETTER: _("A new letter, e-mail or SMS…")},
                          value=next(iter(letters), NEW_LETTER)).mark("new-send-letter")
        with ui.column().classes("w-full gap-1") as new:
            name = ui.input(_("Its name"), placeholder=_("e.g. Confirmation of your complaint")).classes("w-full") \
                .mark("send-letter-name")
            channel = ui.select({value: _(label) for value, label in CHANNEL_NAMES.items()},
                                value=LetterChannel.EMAIL.value, label=_("Sent as")).classes("w-full") \
                .mark("send-letter-channel")
        new.bind_visibility_from(choice, "value", value=NEW_LETTER)

        def add() -> None:
            if choice.value == NEW_LETTER:
                if not editor.add_step(lambda: draft.apply(add_send_step, x, y, name.value or "", channel.value,
                                                           draft.bundle.language)):
                    return  # refused (e.g. no name): the dialog stays to be corrected
            else:
                editor.add_step(lambda: draft.add_node("send", x, y, letter=choice.value))
            dialog.close()

        with ui.row():
            ui.button(_("Cancel"), on_click=dialog.close).props("flat").mark("new-step-cancel")
            ui.button(_("Add step"), on_click=add).mark("new-step-add")
    dialog.open()


def ask_queue(editor: Editor, x: float, y: float) -> None:
    """The queue of the process's first task, named as agents will read it."""
    draft = editor.draft
    with _dialog(editor) as dialog, ui.card().classes("w-[28rem]").mark("new-task-dialog"):
        ui.label(_("Which queue works this task?")).classes("text-lg")
        ui.label(_("The process has no queue yet. Name the first one as agents will read it in their worklist; "
                   "more are added on the Case data & queues tab.")).classes("text-sm text-slate-600")
        name = ui.input(_("Queue"), placeholder=_("e.g. Customer service")).classes("w-full").mark("new-queue-for-task")

        def add() -> None:
            if editor.add_step(lambda: draft.apply(add_task_in_new_queue, x, y, name.value or "")):
                dialog.close()

        with ui.row():
            ui.button(_("Cancel"), on_click=dialog.close).props("flat").mark("new-step-cancel")
            ui.button(_("Add step"), on_click=add).mark("new-step-add")
    dialog.open()


def _dialog(editor: Editor) -> ui.dialog:
    """A dialog in the editor's page (not inside the canvas, whose drawing has no place for it), gone once closed."""
    with editor.root:
        dialog = ui.dialog()
    dialog.on_value_change(lambda event: None if event.value else dialog.delete())
    return dialog
