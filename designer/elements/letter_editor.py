"""The letter editor: a letter, e-mail or SMS text edited as it will read, with chips for placeholders.

The element shows the JSON of a `codegen.letter_document.LetterDocument` (with
labels and words from `codegen.letter_view.editor_json`) in a contenteditable
area of our own (letter_editor.js): text and formatting (headings, bold, lists,
tables) are typed and clicked as in any editor, placeholders are chips, and
conditional passages and repeated rows are framed blocks that say their
condition in words. It reports the document as edited (`on_change`, as typed
and at once when the text is left), a click on a chip, condition, repeated part
or locked code (`on_node`), pasted content (`on_paste`: the page cleans it and
inserts it) and a block format asked for in a plain-text letter (`on_convert`:
the page makes the letter HTML first). Authored text and labels are set as text
in the browser, never as HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nicegui.element import Element
from nicegui.events import Handler, UiEventArguments

from designer.elements.events import subscribe
from designer.i18n import N_, _

__all__ = [
    "EDITOR_WORDS",
    "ConvertEventArguments",
    "DocumentEventArguments",
    "LetterEditor",
    "NodeEventArguments",
    "PasteEventArguments",
    "editor_words",
]

#: Everything the editor itself says (its toolbar, and the tooltips and screen-reader names of chips, conditions and
#: locked code), in English, marked for the catalogues; `editor_words` says them in the reader's language, so the
#: JavaScript speaks none. The browser fills in `{label}` (a placeholder's label), `{text}` (a default text),
#: `{name}` (what a marked part is called) and `{message}` (what is wrong with it).
EDITOR_WORDS: dict[str, Any] = {
    "tools": {  # per markup: (what the button does, its text, its tooltip)
        "html": [["heading", N_("Heading"), N_("Heading (or back to a paragraph)")], ["bold", N_("B"), N_("Bold")],
                 ["list", N_("• List"), N_("Bulleted list")], ["numbered", N_("1. List"), N_("Numbered list")],
                 ["table", N_("Table"), N_("Insert a table")], ["row", N_("+ Row"), N_("Add a row below (in a table)")],
                 ["removeRow", N_("− Row"), N_("Remove this row (in a table)")],
                 ["address", N_("Address block"), N_("Insert the customer's address")]],
        "text": [["heading", N_("Heading"), N_("Heading (makes the letter formatted text)")],
                 ["bold", N_("B"), N_("Bold")],
                 ["list", N_("• List"), N_("Bulleted list (makes the letter formatted text)")],
                 ["numbered", N_("1. List"), N_("Numbered list (makes the letter formatted text)")],
                 ["table", N_("Table"), N_("Insert a table (makes the letter formatted text)")],
                 ["address", N_("Address block"), N_("Insert the customer's address")]],
    },
    "formats": {"money": N_("amount"), "date": N_("date"), "number": N_("number")},
    "formatting": N_("Formatting: {label}"),
    "locked": N_("Template code the editor cannot show as text and chips; click to see or remove it"),
    "condition": N_("Change or remove this condition"),
    "chip": N_("{label}: click to change how it shows"),
    "chipName": N_("Placeholder {label}"),
    "fallback": N_("or “{text}”"),
    "warning": N_("{name} (warning: {message})"),
}


def editor_words() -> dict[str, Any]:
    """`EDITOR_WORDS` in the language of the reader the page is built for (the toolbar's actions stay as they are)."""
    return {
        "tools": {markup: [[action, _(text), _(tooltip)] for action, text, tooltip in tools]
                  for markup, tools in EDITOR_WORDS["tools"].items()},
        "formats": {kind: _(name) for kind, name in EDITOR_WORDS["formats"].items()},
        **{key: _(text) for key, text in EDITOR_WORDS.items() if isinstance(text, str)},
    }


@dataclass(kw_only=True, slots=True)
class DocumentEventArguments(UiEventArguments):
    """The document as edited; `done` when the text was left (save it now), else while typing."""

    document: Any
    done: bool


@dataclass(kw_only=True, slots=True)
class NodeEventArguments(UiEventArguments):
    """A chip (`kind` "value"), a condition's label ("condition", which way: `branch`), a repeated part's label
    ("repeat") or locked code ("locked") was clicked: the `ordinal`-th of its kind in the document as edited."""

    document: Any
    kind: str
    ordinal: int
    branch: int


@dataclass(kw_only=True, slots=True)
class PasteEventArguments(UiEventArguments):
    """Content was pasted: its HTML (in HTML letters, when there was any) and its plain text; copied from a letter,
    also its `nodes` (the JSON of `codegen.letter_document` nodes, chips and all), else None."""

    html: str
    text: str
    nodes: Any


@dataclass(kw_only=True, slots=True)
class ConvertEventArguments(UiEventArguments):
    """A block format (`format`: heading, list, numbered, table) was asked for in a plain-text letter; `caret` says
    where the cursor was (the number of letters before it), to put it back there."""

    format: str
    caret: int


class LetterEditor(Element, component="letter_editor.js"):
    """One text of a letter (subject, body, plain-text part or SMS), edited as it reads.

    :param document: the document as `codegen.letter_view.editor_json` gives it
    :param label: what the text is ("Text", "Subject"), for screen readers and the toolbar
    :param toolbar: show the formatting toolbar (bodies of letters and e-mails)
    :param single_line: one line only (a subject): Enter adds nothing
    :param address_block: the nodes the toolbar's address block inserts (`editor_json` of them)
    """

    def __init__(self, document: Mapping[str, Any], *, label: str, toolbar: bool = False, single_line: bool = False,
                 address_block: Sequence[Mapping[str, Any]] = ()) -> None:
        super().__init__()
        self._props["document"] = dict(document)
        self._props["revision"] = 0
        self._props["label"] = label
        self._props["toolbar"] = toolbar
        self._props["singleLine"] = single_line
        self._props["addressBlock"] = list(address_block)
        self._props["problems"] = []
        self._props["after"] = None
        self._props["words"] = editor_words()

    def load(self, document: Mapping[str, Any], *, caret: int | None = None, then_format: str = "",
             address_block: Sequence[Mapping[str, Any]] | None = None) -> None:
        """Show `document` instead of what is there (the cursor goes to `caret`, and `then_format` is applied)."""
        self._props["document"] = dict(document)
        self._props["revision"] += 1
        self._props["after"] = {"caret": caret, "format": then_format} if caret is not None else None
        if address_block is not None:
            self._props["addressBlock"] = list(address_block)
        self.update()

    def insert(self, nodes: Sequence[Mapping[str, Any]]) -> None:
        """Put these nodes where the cursor was (blocks after the block it was in), else at the end."""
        self.run_method("insert", list(nodes))

    def wrap(self, condition: Mapping[str, Any]) -> None:
        """Show what the cursor is in (the blocks selected; in plain text the selection, else a new passage) only
        under `condition` (a condition node with one way)."""
        self.run_method("wrap", dict(condition))

    def mark_problems(self, problems: Sequence[Mapping[str, Any]]) -> None:
        """Mark chips: each {"ordinal": n, "message": ...} the n-th chip (in reading order) with what is wrong."""
        problems = list(problems)
        if problems != self._props["problems"]:
            self._props["problems"] = problems
            self.update()

    def on_change(self, callback: Handler[DocumentEventArguments]) -> LetterEditor:
        return self._subscribe("change", DocumentEventArguments, callback,
                               lambda a: {"document": a.get("document"), "done": bool(a.get("done"))})

    def on_node(self, callback: Handler[NodeEventArguments]) -> LetterEditor:
        return self._subscribe("node", NodeEventArguments, callback, lambda a: {
            "document": a.get("document"), "kind": str(a.get("kind", "")), "ordinal": _number(a.get("ordinal")),
            "branch": _number(a.get("branch"))})

    def on_paste(self, callback: Handler[PasteEventArguments]) -> LetterEditor:
        return self._subscribe("paste", PasteEventArguments, callback, lambda a: {
            "html": str(a.get("html") or ""), "text": str(a.get("text") or ""), "nodes": a.get("nodes")})

    def on_convert(self, callback: Handler[ConvertEventArguments]) -> LetterEditor:
        return self._subscribe("convert", ConvertEventArguments, callback,
                               lambda a: {"format": str(a.get("format", "")), "caret": _number(a.get("caret"))})

    def on_focus(self, callback: Handler[UiEventArguments]) -> LetterEditor:
        return self._subscribe("focus", UiEventArguments, callback, lambda a: {})

    def _subscribe(self, event: str, arguments: type[UiEventArguments], callback: Handler[Any],
                   fields: Callable[[dict[str, Any]], dict[str, Any]]) -> LetterEditor:
        subscribe(self, event, arguments, callback, fields)
        return self


def _number(value: Any) -> int:
    """A count the browser sent; -1 when it sent none."""
    return value if isinstance(value, int) and not isinstance(value, bool) else -1
