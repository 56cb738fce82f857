"""The letters tab: letters, e-mails and SMS per language, written as they read, with a live preview.

Each text (subject, body, plain-text part, SMS) is a `LetterEditor`: what the
letter says, its formatting, placeholders as chips with their labels,
conditional passages and repeated rows as framed blocks saying their condition
in words. What is stored stays the template text (`codegen.letter_template`
converts), saved as it is typed (`Editor.typed`). The picker inserts a
placeholder, a condition or a repeated table at the cursor; a click on a chip
offers its format, "show only if it has a value" and a default text; a click on
a condition or repeated part changes or removes it. The checks' findings about
placeholders (a value that may be empty, a name that is not case data) are
marked on the chip concerned. Template code stays reachable for experts, folded
away. The preview renders with `codegen.letters.render_letter`, with sample
data (`codegen.letter_samples`) or a real case, and shows HTML only inside a
sandboxed iframe without scripts; a text that cannot be rendered shows why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from nicegui import ui
from pydantic import ValidationError

from codegen.formatting import LetterFormats
from codegen.letter_document import (
    Condition,
    Element,
    LetterDocument,
    Locked,
    Markup,
    Node,
    Repeat,
    Text,
    Value,
    as_html,
    is_block,
    node_at,
    nth,
    remove_node,
    replace_node,
    unwrap_node,
    with_condition,
    with_otherwise,
    wrap_in_condition,
)
from codegen.letter_names import LetterName, Names, describe_condition, quoted
from codegen.letter_snippets import address_block, condition_node, conditions_for, has_value, repeat_node, value_node
from codegen.letter_template import markup_of, parse_template, template_source
from codegen.letter_view import edited_document, editor_json, node_problems, pasted_nodes, shown_nodes
from codegen.letters import LetterRenderError, RenderedLetter, render_letter
from codegen.markup import letter_page
from codegen.sms import segments
from designer.display import letter_words, number_text, said
from designer.elements.letter_editor import (
    ConvertEventArguments,
    LetterEditor,
    NodeEventArguments,
    PasteEventArguments,
)
from designer.elements.sandboxed_frame import sandboxed_frame
from designer.frame import runtime
from designer.i18n import N_, _, ngettext, word
from designer.pages.editor.panel import Panel
from designer.pages.editor.setting_fields import save_as_typed
from models.customers import Customer
from models.editing import letters as letter_edits
from models.errors import FlowdeskError
from models.letters import Letter, LetterChannel
from models.phrases import Phrase, one_by_one
from models.serialization import problems_from_validation
from models.templates import Placeholder, placeholders
from runtime.access import UseCase, may
from runtime.views.design import letter_context, preview_cases, sample_customers

if TYPE_CHECKING:
    from designer.pages.editor.shell import Editor

CHANNEL_ICONS = {LetterChannel.LETTER: "description", LetterChannel.EMAIL: "mail", LetterChannel.SMS: "sms"}
CHANNEL_NAMES = {LetterChannel.LETTER: N_("Letter"), LetterChannel.EMAIL: N_("E-mail"), LetterChannel.SMS: N_("SMS")}
SAMPLE = "sample"
#: What each text of a letter is called where its template code is shown.
PART_NAMES = {"subject": N_("Subject"), "body": N_("Body"), "text_body": N_("Text body")}
#: What a button does on mousedown so that clicking it leaves the focus where it was (in the letter being written).
KEEP_FOCUS = "(event) => event.preventDefault()"
#: What a new passage shown only under a condition says until it is typed over (in plain text).
SAMPLE_PASSAGE = N_("Text shown only then")
#: The checks whose findings name a placeholder (a `Placeholder` in their message), marked on its chips.
MAYBE_EMPTY_RULE, UNKNOWN_RULE = "placeholder-maybe-empty", "placeholder-unknown"
#: What to do about a value that may be empty, said with what the editor offers (the rule's hint shows template code).
MAYBE_EMPTY_HINT = N_("Click its placeholder, which is marked: show it only if it has a value, or give a default text. "
                    "Or make every way to the step set it: a required form field, an assignment or a default value.")


@dataclass
class _Text:
    """One text of the language version being edited, as its editor holds it."""

    part: str
    markup: Markup
    editor: LetterEditor
    document: LetterDocument
    source: str
    single_line: bool = False


class LettersPanel(Panel):
    """The process's letters: the list, the chosen letter's language versions, its texts and their preview."""

    keeps_refused_text = True

    def __init__(self, editor: Editor) -> None:
        self.letter_id: str | None = None
        self.language: str | None = None
        self.preview_source = SAMPLE
        self.sample_customer: str | None = None
        self.customers: dict[str, Customer] = {}
        self.texts: dict[str, _Text] = {}
        self.codes: dict[str, ui.textarea] = {}
        self.last_part = "body"
        self.picked: LetterName | None = None
        super().__init__(editor)

    # What the panel shows.

    def current_letter(self) -> Letter | None:
        """The letter being edited (the first when none was chosen or it is gone); its language kept valid."""
        letters = self.draft.bundle.letters
        chosen = next((item for item in letters if item.id == self.letter_id), None) or \
            (letters[0] if letters else None)
        self.letter_id = chosen.id if chosen else None
        if chosen and self.language not in {v.language for v in chosen.variants}:
            self.language = chosen.default_language
        return chosen

    @property
    def names(self) -> Names:
        """The letter's names, said in the reader's words."""
        return Names.of(self.draft.bundle.variables, letter_words())

    def after_typing(self) -> None:
        """After a text typed here is saved: its problems, the chips' marks and the preview."""
        self.show_problems.refresh()
        self.mark_chips()
        self.show_preview.refresh()

    def shows(self, element_id: str) -> bool:
        return any(item.id == element_id for item in self.draft.bundle.letters)

    def focus(self, element_id: str) -> None:
        self.letter_id, self.language = element_id, None
        self.show.refresh()

    @ui.refreshable_method
    def show(self) -> None:
        letter = self.current_letter()
        self.texts, self.codes = {}, {}
        with ui.row().classes("w-full no-wrap items-start gap-6"):
            with ui.column().classes("w-72 flex-none gap-2"):
                self.letter_list()
            with ui.column().classes("grow gap-2 min-w-0"):
                if letter is None:
                    ui.label(_("No letters yet. Add a letter, e-mail or SMS on the left.")).mark("no-letters")
                else:
                    self.letter_editor(letter)

    def letter_list(self) -> None:
        letters = self.draft.bundle.letters
        ui.label(_("Letters ({count})").format(count=len(letters))).classes("text-lg").mark("letters-title")
        with ui.list().props("dense").classes("w-full"):
            for item in letters:
                with ui.item(on_click=lambda i=item.id: self.focus(i)).mark(f"letter-{item.id}") \
                        .classes("bg-blue-50" if item.id == self.letter_id else ""):
                    with ui.item_section().props("avatar"):
                        ui.icon(CHANNEL_ICONS[item.channel]).tooltip(_(CHANNEL_NAMES[item.channel]))
                    with ui.item_section():
                        ui.label(item.name or item.id)
                    with ui.item_section().props("side"):
                        ui.button(icon="delete", on_click=lambda i=item.id: self.edit(
                            lambda: self.draft.remove_entry("letters", i))).props("flat dense round") \
                            .mark(f"remove-letter-{item.id}").tooltip(_("Remove"))
        new_id = ui.input(_("New letter id"), placeholder=_("e.g. payment_reminder")).classes("w-full") \
            .mark("new-letter")
        name = ui.input(_("Name"), placeholder=_("e.g. Payment reminder")).classes("w-full").mark("new-letter-name")
        channel = ui.select({c.value: _(CHANNEL_NAMES[c]) for c in LetterChannel}, value=LetterChannel.EMAIL.value,
                            label=_("Channel")).classes("w-full").mark("new-letter-channel")
        language = ui.input(_("Language"), value="nl").classes("w-full").mark("new-letter-language")

        def add() -> None:
            wanted = (new_id.value or "").strip()
            self.edit(lambda: self.draft.apply(letter_edits.add_letter, wanted, name.value or "", channel.value,
                                               language.value or ""))
            if any(item.id == wanted for item in self.draft.bundle.letters):
                self.focus(wanted)

        ui.button(_("Add"), icon="add", on_click=add).props("flat").mark("add-letter")

    def letter_editor(self, letter: Letter) -> None:
        variant = letter.variant(self.language)
        ui.label(_("{channel}: {letter}").format(channel=_(CHANNEL_NAMES[letter.channel]),
                                                letter=letter.name or letter.id)).classes("text-lg") \
            .mark("letter-title")
        self.language_bar(letter)
        self.picker(letter)
        sms = letter.channel is LetterChannel.SMS
        if not sms:
            self.text_editor("subject", _("Subject"), variant.subject, Markup.PLAIN, single_line=True)
        self.text_editor("body", _("Text"), variant.body, markup_of(variant.body, html_body=not sms), toolbar=not sms)
        if letter.channel is LetterChannel.EMAIL:
            self.text_editor("text_body",
                             _("Plain-text part (for mail programs without HTML; empty: made from the text)"),
                             variant.text_body, Markup.PLAIN)
        self.mark_chips()
        self.show_problems()
        self.code_view()
        self.preview_controls()
        self.show_preview()

    def language_bar(self, letter: Letter) -> None:
        with ui.row().classes("w-full items-end gap-2"):
            with ui.tabs(value=self.language, on_change=lambda e: self.choose_language(e.value)) \
                    .props("dense align=left").mark("letter-languages"):
                for variant in letter.variants:
                    default = variant.language == letter.default_language
                    ui.tab(variant.language, _("{language} (default)").format(language=variant.language) if default
                           else variant.language) \
                        .mark(f"language-{variant.language}")
            new_language = ui.input(_("Add language"), placeholder=_("e.g. en")).classes("w-28").mark("new-language")
            ui.button(icon="add", on_click=lambda: self.add_language(letter.id, new_language.value or "")) \
                .props("flat dense").mark("add-language").tooltip(_("Add a version in this language"))
            if self.language != letter.default_language:
                ui.button(_("Make default"), on_click=lambda: self.edit(lambda: self.draft.apply(
                    letter_edits.set_default_language, letter.id, self.language))).props("flat dense") \
                    .mark("make-default-language")
                ui.button(icon="delete", on_click=lambda: self.edit(lambda: self.draft.apply(
                    letter_edits.remove_variant, letter.id, self.language))).props("flat dense") \
                    .mark("remove-language") \
                    .tooltip(_("Remove the '{language}' version").format(language=self.language))
        ui.label(_("Customers whose language is '{language}' get this version; customers with a language this letter "
                   "lacks get the '{default}' version.").format(language=self.language,
                                                                default=letter.default_language)) \
            .classes("text-xs text-slate-600")

    def choose_language(self, language: str) -> None:
        if language != self.language:
            self.language = language
            self.show.refresh()

    def add_language(self, letter_id: str, language: str) -> None:
        self.edit(lambda: self.draft.apply(letter_edits.add_variant, letter_id, language))
        letter = next((item for item in self.draft.bundle.letters if item.id == letter_id), None)
        if letter and language.strip() in {v.language for v in letter.variants}:
            self.choose_language(language.strip())

    # The texts.

    def text_editor(self, part: str, label: str, source: str, markup: Markup, *, toolbar: bool = False,
                    single_line: bool = False) -> None:
        """One text of the variant in its editor; saved as it is typed."""
        document = parse_template(source, markup)
        ui.label(label).classes("text-sm text-slate-600 mt-1")
        element = LetterEditor(editor_json(document, self.names), label=label, toolbar=toolbar,
                               single_line=single_line, address_block=shown_nodes(address_block(markup), self.names)) \
            .mark(f"letter-{part.replace('_', '-')}")
        self.texts[part] = _Text(part, markup, element, document, source, single_line)
        element.on_change(lambda e: self.typed(part, e.document, done=e.done))
        element.on_node(lambda e: self.clicked(part, e))
        element.on_paste(lambda e: self.pasted(part, e))
        element.on_convert(lambda e: self.convert(part, e))
        element.on_focus(lambda: setattr(self, "last_part", part))

    def pasted(self, part: str, event: PasteEventArguments) -> None:
        """Insert what was pasted (cleaned; copied from a letter: with its chips) where the cursor is."""
        text = self.texts[part]
        try:
            nodes = pasted_nodes(text.markup, html=event.html, text=event.text, nodes=event.nodes,
                                 single_line=text.single_line)
        except ValueError as error:
            ui.notify(_("Not pasted: {problem}.").format(problem=error), type="warning")
            return
        text.editor.insert(shown_nodes(nodes, self.names))

    def typed(self, part: str, data: Any, *, done: bool) -> bool:
        """The editor of `part` sent its document: keep it, show it in the preview and save it (at once when
        `done`). False when it cannot be kept (the editor then shows the text as it was)."""
        text = self.texts.get(part)
        if text is None:
            return False
        try:
            document = edited_document(data, text.markup)
        except ValueError as error:
            ui.notify(_("That change cannot be kept: {problem}.").format(problem=error), type="warning")
            text.editor.load(editor_json(text.document, self.names))
            return False
        self.keep(text, document)
        self.show_preview.refresh()
        if done:
            self.editor.done_typing(self, text.editor.id, lambda: self.save(part))
        else:
            self.editor.typed(self, text.editor.id, lambda: self.save(part))
        return True

    def keep(self, text: _Text, document: LetterDocument) -> None:
        """`document` as the text of `text` (not saved yet); the code view follows."""
        text.document = document
        text.source = template_source(document)
        if text.part in self.codes and self.codes[text.part].value != text.source:
            self.codes[text.part].set_value(text.source)

    def changed(self, part: str, document: LetterDocument, **load: Any) -> None:
        """A change made by the panel (a menu, making a plain letter HTML): kept, saved now and drawn again."""
        text = self.texts[part]
        self.keep(text, document)
        text.editor.load(editor_json(document, self.names), **load)
        self.editor.done_typing(self, text.editor.id, lambda: self.save(part))

    def save(self, part: str) -> None:
        """Save one text of the language version being edited to the draft, when it changed."""
        letter = self.current_letter()
        text = self.texts.get(part)
        if letter is None or text is None or text.source == getattr(letter.variant(self.language), part):
            return
        self.edit(lambda: self.draft.apply(letter_edits.set_text, letter.id, self.language, part, text.source))

    def convert(self, part: str, event: ConvertEventArguments) -> None:
        """A heading, list or table in a plain-text letter: the letter becomes HTML first (reading the same)."""
        text = self.texts[part]
        if text.markup is not Markup.TEXT:
            return
        text.markup = Markup.HTML
        self.changed(part, as_html(text.document), caret=event.caret, then_format=event.format,
                     address_block=shown_nodes(address_block(Markup.HTML), self.names))

    def mark_chips(self) -> None:
        """Mark each chip (or condition) the checks' findings are about: a value that may be empty, a name that is
        not known."""
        for text in self.texts.values():
            text.editor.mark_problems(self.chip_problems(text))

    def chip_problems(self, text: _Text) -> list[dict[str, Any]]:
        """The chips and conditions of `text` to mark, from the placeholder rules' findings about this letter."""
        named = self.flagged_names()
        return node_problems(text.document, self.names, maybe_empty=named[MAYBE_EMPTY_RULE],
                             unknown=named[UNKNOWN_RULE])

    def flagged_names(self) -> dict[str, set[str]]:
        """Rule code -> the paths of the placeholders its findings about this letter name, for the two placeholder
        rules."""
        named: dict[str, set[str]] = {MAYBE_EMPTY_RULE: set(), UNKNOWN_RULE: set()}
        for finding in self.draft.findings():
            if finding.element == self.letter_id and finding.code in named:
                named[finding.code] |= _placeholder_paths(finding.phrased_message)
        return named

    def maybe_empty_in(self, condition: str) -> list[str]:
        """The names a condition reads that may be empty when this letter is sent."""
        read = {path[0] for path in placeholders(f"{{% if {condition} %}}{{% endif %}}")}
        return sorted(read & self.flagged_names()[MAYBE_EMPTY_RULE])

    # The picker: placeholders, conditions and repeated rows.

    def picker(self, letter: Letter) -> None:
        """Case data, customer fields and computed values, inserted as a chip, a condition or a repeated table."""
        entries = self.names.by_path
        with ui.row().classes("w-full items-end gap-2"):
            choice = ui.select({path: f"{name.group}: {name.label}" for path, name in entries.items()},
                               with_input=True, label=_("Case data, customer field or computed value")) \
                .classes("grow").mark("letter-pick")
            value = ui.button(_("Insert value"), icon="data_object", on_click=lambda: self.picked and self.insert(
                [value_node(self.picked)])).props("flat dense no-caps").mark("letter-insert-value")
            # Quasar's dropdown alone, which opens and closes its menu in the browser: NiceGUI's dropdown button
            # keeps that state on the server, and on a busy server its late echo of "open" opened the menu again
            # after a choice had closed it, taking the keyboard from the passage just made to be typed in.
            with ui.element("q-btn-dropdown").props("flat dense no-caps auto-close color=primary icon=help_outline") \
                    .mark("letter-insert-if") as condition:
                condition.props["label"] = _("Show only if…")
                tests = ui.column().classes("gap-0")
            loop = ui.button(_("Repeat for each…"), icon="repeat", on_click=lambda: self.picked and self.insert_repeat(
                self.picked)).props("flat dense no-caps").mark("letter-insert-loop")
        for button in (value, loop):  # a click leaves the cursor (and the keyboard) in the letter
            button.on("mousedown", js_handler=KEEP_FOCUS)

        def offer() -> None:
            self.picked = entries.get(choice.value)
            value.set_enabled(self.picked is not None)
            condition.props["disable"] = self.picked is None
            loop.set_visibility(self.picked is not None and self.picked.is_records)
            tests.clear()
            with tests:
                for number, test in enumerate(conditions_for(self.picked) if self.picked else []):
                    ui.item(describe_condition(test, self.names), on_click=lambda t=test: self.wrap(t)) \
                        .mark(f"letter-if-{number}")

        choice.on_value_change(offer)
        offer()

    def target(self) -> _Text | None:
        """The text the picker works on: the one last edited (else the body)."""
        return self.texts.get(self.last_part) or self.texts.get("body")

    def insert(self, nodes: list[Node]) -> None:
        text = self.target()
        if text is not None:
            text.editor.insert(shown_nodes(nodes, self.names))

    def insert_repeat(self, name: LetterName) -> None:
        text = self.target()
        if text is not None:
            self.insert([repeat_node(name, text.markup)])

    def wrap(self, condition: str) -> None:
        """Show the paragraph(s) at the cursor (in plain text: the selection, else a new passage) only when
        `condition` holds."""
        text = self.target()
        if text is not None:
            sample = "" if text.markup is Markup.HTML else _(SAMPLE_PASSAGE)
            text.editor.wrap(shown_nodes([condition_node(condition, sample)], self.names)[0])

    # Menus of chips, conditions, repeated parts and locked code.

    def clicked(self, part: str, event: NodeEventArguments) -> None:
        """A chip, a condition's or repeated part's label or locked code was clicked: its menu."""
        if not self.typed(part, event.document, done=True):
            return
        text = self.texts[part]
        try:
            address = nth(text.document, event.kind, event.ordinal)
        except IndexError:
            return
        node = node_at(text.document, address)
        with ui.dialog() as dialog, ui.card().classes("w-[32rem]"):
            def apply(change: Callable[[LetterDocument], LetterDocument]) -> None:
                dialog.close()
                try:
                    self.changed(part, change(self.texts[part].document))
                except (ValueError, IndexError) as error:
                    ui.notify(_("Not changed: {problem}").format(problem=error), type="warning")

            problems = [p for p in self.chip_problems(text) if (p["kind"], p["ordinal"]) == (event.kind, event.ordinal)]
            if isinstance(node, Value):
                self.value_menu(node, address, problems[0]["message"] if problems else "", apply)
            elif isinstance(node, Condition):
                way = min(max(event.branch, 0), len(node.branches) - 1)
                problem = next((p["message"] for p in problems if p["branch"] == way), "")
                self.condition_menu(node, address, way, problem, apply)
            elif isinstance(node, Repeat):
                ui.label(self.names.words.for_each.format(list=quoted(self.names.label(node.items)))) \
                    .classes("text-lg").mark("repeat-menu")
                ui.label(_("Everything in this part is shown once for each record of the list.")) \
                    .classes("text-sm text-slate-600")
                ui.button(_("Remove it, with its content"), icon="delete", on_click=lambda: apply(
                    lambda d: remove_node(d, address))).props("flat no-caps color=negative").mark("repeat-remove")
            elif isinstance(node, Locked):
                ui.label(_("Template code")).classes("text-lg").mark("locked-menu")
                ui.label(_("The editor cannot show this part as text and placeholders; it is kept exactly as written. "
                           "Change it under 'Template code (for experts)', or remove it.")) \
                    .classes("text-sm text-slate-600")
                ui.label(node.source).classes("font-mono text-sm whitespace-pre-wrap border rounded p-2 w-full") \
                    .mark("locked-source")
                ui.button(_("Remove it"), icon="delete", on_click=lambda: apply(lambda d: remove_node(d, address))) \
                    .props("flat no-caps color=negative").mark("locked-remove")
            ui.button(_("Close"), on_click=dialog.close).props("flat").mark("menu-close")
        dialog.on_value_change(lambda e: e.value or dialog.delete())  # a menu is made anew for each click
        dialog.open()

    def value_menu(self, value: Value, address: tuple[int, ...], problem: str,
                   apply: Callable[[Callable[[LetterDocument], LetterDocument]], None]) -> None:
        """A chip's menu: its format, what shows when it has no value, removing it."""
        ui.label(self.names.label(value.path)).classes("text-lg").mark("chip-menu")
        if problem:
            ui.label(problem).classes("text-amber-900 bg-amber-50 rounded p-2 w-full").mark("chip-problem")
        ui.label(_("Show it as")).classes("text-sm font-semibold mt-2")
        ui.toggle(_format_choices(self.language or "nl"), value=value.format, on_change=lambda e: apply(
            lambda d: replace_node(d, address, Value(value.path, e.value or "", value.fallback)))) \
            .props("dense no-caps").mark("chip-format")
        ui.label(_("When it has no value")).classes("text-sm font-semibold mt-2")
        kind = self.names.type(value.path)
        ui.button(_("Show it only if it has a value"), icon="help_outline", on_click=lambda: apply(
            lambda d: wrap_in_condition(d, address, has_value(value.path, kind)))).props("flat dense no-caps") \
            .mark("chip-only-if-value")
        with ui.row().classes("w-full items-end no-wrap gap-2"):
            fallback = ui.input(_("Or show this text instead"), value=value.fallback or "").classes("grow") \
                .mark("chip-default")
            ui.button(_("Use"), on_click=lambda: apply(lambda d: replace_node(
                d, address, Value(value.path, value.format, fallback.value or "")))).props("flat dense") \
                .mark("chip-use-default")
        if value.fallback is not None:
            ui.button(_("No default text"), on_click=lambda: apply(lambda d: replace_node(
                d, address, Value(value.path, value.format)))).props("flat dense no-caps").mark("chip-no-default")
        ui.button(_("Remove this placeholder"), icon="delete", on_click=lambda: apply(
            lambda d: remove_node(d, address))).props("flat dense no-caps color=negative").mark("chip-remove")

    def condition_menu(self, condition: Condition, address: tuple[int, ...], way: int, problem: str,
                       apply: Callable[[Callable[[LetterDocument], LetterDocument]], None]) -> None:
        """A condition's menu, for the way clicked: what is wrong with it (and the fix for a value that may be
        empty), another condition, an 'otherwise', show always, remove."""
        branch = condition.branches[way]
        names = self.names
        words = describe_condition(branch.condition, names) if branch.condition else _("none of the above holds")
        ui.label(_("Shown only when {condition}").format(condition=words)).classes("text-lg").mark("condition-menu")
        if problem:
            ui.label(problem).classes("text-amber-900 bg-amber-50 rounded p-2 w-full").mark("condition-problem")
            guarded = " and ".join(has_value(name, names.type(name)) for name in self.maybe_empty_in(branch.condition))
            if guarded:
                ui.button(_("Test that it has a value first"), icon="rule", on_click=lambda: apply(
                    lambda d: with_condition(d, address, way, f"{guarded} and ({branch.condition})"))) \
                    .props("flat dense no-caps").mark("condition-guard")
        if branch.condition:
            ui.label(_("Show it only when instead")).classes("text-sm font-semibold mt-2")
            entries = names.by_path
            subject = ui.select({path: f"{name.group}: {name.label}" for path, name in entries.items()},
                                with_input=True, label=_("Case data, customer field or computed value")) \
                .classes("w-full").mark("condition-pick")
            tests = ui.column().classes("gap-0 w-full")

            def offer() -> None:
                tests.clear()
                with tests:
                    for number, test in enumerate(conditions_for(entries[subject.value])
                                                  if subject.value in entries else []):
                        ui.button(describe_condition(test, names), on_click=lambda t=test: apply(
                            lambda d: with_condition(d, address, way, t))).props("flat dense no-caps") \
                            .mark(f"condition-test-{number}")

            subject.on_value_change(offer)
        if condition.branches[-1].condition:
            first = condition.branches[0].children
            otherwise: tuple[Node, ...] = (Element("p", (), (Text(_("Text shown otherwise")),)),) \
                if first and is_block(first[0]) else (Text(_("text shown otherwise")),)
            ui.button(_("Add what shows otherwise"), icon="call_split", on_click=lambda: apply(
                lambda d: with_otherwise(d, address, otherwise))).props("flat dense no-caps") \
                .mark("condition-otherwise")
        if len(condition.branches) == 1:
            ui.button(_("Always show it (remove the condition, keep the text)"), icon="visibility",
                      on_click=lambda: apply(lambda d: unwrap_node(d, address))).props("flat dense no-caps") \
                .mark("condition-unwrap")
        ui.button(_("Remove it, with its text"), icon="delete", on_click=lambda: apply(
            lambda d: remove_node(d, [*address, way]))).props("flat dense no-caps color=negative") \
            .mark("condition-remove")

    @ui.refreshable_method
    def show_problems(self) -> None:
        """The letter's findings in the reader's language, placeholders named by their labels (as on the chips, which
        are marked too)."""
        names = self.names
        for finding in (f for f in self.draft.findings() if f.element == self.letter_id):
            hint = _(MAYBE_EMPTY_HINT) if finding.code == MAYBE_EMPTY_RULE else said(names.labelled(
                finding.phrased_hint))
            with ui.column().classes("gap-0").mark("letter-problem"):
                ui.label(said(names.labelled(finding.phrased_message))).classes("text-red-700 text-sm")
                if hint:
                    ui.label(hint).classes("text-xs text-slate-600")

    def code_view(self) -> None:
        """The template code of each text, for experts: folded away; what is typed there is saved as typed."""
        with ui.expansion(_("Template code (for experts)"), icon="code").classes("w-full").mark("letter-code"):
            for part, text in self.texts.items():
                field = ui.textarea(_(PART_NAMES[part]), value=text.source) \
                    .classes("w-full font-mono").props("outlined autogrow").mark(f"letter-code-{part}")
                self.codes[part] = field

                def save_code(part: str = part, field: ui.textarea = field) -> None:
                    text = self.texts[part]
                    source = field.value or ""
                    if source != text.source:
                        text.markup = markup_of(source, html_body=text.markup is not Markup.PLAIN)
                        self.keep(text, parse_template(source, text.markup))
                        text.editor.load(editor_json(text.document, self.names),
                                         address_block=shown_nodes(address_block(text.markup), self.names))
                    self.save(part)

                save_as_typed(self, field, save_code, on_enter=False)

    # The preview.

    def preview_controls(self) -> None:
        user = self.editor.user
        real = may(user, UseCase.SAMPLE_REAL_DATA)
        self.customers = {c.id: c for c in sample_customers(runtime(), user)} if real else {}
        if self.sample_customer not in self.customers:
            self.sample_customer = next(iter(self.customers), None)
        cases = preview_cases(runtime(), user, self.draft.key) if real else []
        sources = {SAMPLE: _("Sample data")} | {
            c.id: _("Case {case} ({status})").format(case=c.id, status=word(c.status)) for c in cases}
        if self.preview_source not in sources:
            self.preview_source = SAMPLE
        with ui.row().classes("w-full items-end gap-2"):
            ui.label(_("Preview")).classes("text-lg")
            ui.select(sources, value=self.preview_source, label=_("With"),
                      on_change=lambda e: self.choose_source(e.value)).classes("w-64").mark("letter-preview-source")
            if self.preview_source == SAMPLE and self.customers:
                ui.select({c.id: f"{c.name} ({c.language})" for c in self.customers.values()},
                          value=self.sample_customer, label=_("Sample customer"),
                          on_change=lambda e: self.choose_customer(e.value)).classes("w-64") \
                    .mark("letter-preview-customer")

    def choose_source(self, source: str) -> None:
        self.preview_source = source
        self.show.refresh()

    def choose_customer(self, customer_id: str) -> None:
        self.sample_customer = customer_id
        self.show_preview.refresh()

    @ui.refreshable_method
    def show_preview(self) -> None:
        letter = self.current_letter()
        if letter is None:
            return
        try:
            rendered = render_letter(self.typed_letter(letter), self.language, self.context())
        except (LetterRenderError, ValueError, FlowdeskError) as error:
            ui.label(_("No preview: {problem}").format(problem=said(error))).classes("text-red-700") \
                .mark("letter-preview-error")
            return
        self.rendered(rendered)

    def typed_letter(self, letter: Letter) -> Letter:
        """The letter with the texts as typed in the editors (not yet saved)."""
        typed = {part: text.source for part, text in self.texts.items()}
        variants = [v.model_copy(update=typed) if v.language == self.language else v for v in letter.variants]
        try:
            return Letter.model_validate(letter.model_dump() | {"variants": [v.model_dump() for v in variants]})
        except ValidationError as error:
            raise ValueError(one_by_one(problem.phrased for problem in problems_from_validation(error))) from None

    def context(self) -> dict[str, Any]:
        """What the template sees: the chosen case's data and customer as a send step would now, else samples (in
        the language of the version shown)."""
        if self.preview_source != SAMPLE:
            return letter_context(runtime(), self.editor.user, self.draft.bundle, case_id=self.preview_source)
        return letter_context(runtime(), self.editor.user, self.draft.bundle,
                              customer=self.customers.get(self.sample_customer or ""), language=self.language or "en")

    def rendered(self, rendered: RenderedLetter) -> None:
        """A rendered SMS as text with its length; letters and e-mails as a page in a sandboxed iframe."""
        if rendered.channel is LetterChannel.SMS:
            ui.label(rendered.body).classes("whitespace-pre-wrap border rounded p-2 w-full").mark("letter-preview-text")
            characters, messages = segments(rendered.body)
            ui.label(ngettext("{characters} characters, {count} SMS message (with this preview's data)",
                              "{characters} characters, {count} SMS messages (with this preview's data)", messages)
                     .format(characters=number_text(characters), count=messages)) \
                .classes("text-sm text-slate-600").mark("sms-count")
            return
        if rendered.channel is LetterChannel.EMAIL:
            ui.label(_("Subject: {subject}").format(subject=rendered.subject)).classes("font-bold") \
                .mark("letter-preview-subject")
            page = letter_page((), "", rendered.body, title=rendered.subject)
        else:
            page = letter_page(rendered.address, rendered.subject, rendered.body, title=rendered.subject)
        sandboxed_frame(srcdoc=page, height="640px").mark("letter-preview-html")
        if rendered.text_body:
            ui.label(_("Plain-text part")).classes("text-sm text-slate-600")
            ui.label(rendered.text_body).classes("whitespace-pre-wrap border rounded p-2 w-full") \
                .mark("letter-preview-text")


def _format_choices(language: str) -> dict[str, str]:
    """The formats a chip can show its value in, each with a sample as the letter's language writes it."""
    formats = LetterFormats(language)
    try:
        return {"": _("As it is"), "money": _("Amount: {sample}").format(sample=formats.money(Decimal("1234.5"))),
                "date": _("Date: {sample}").format(sample=formats.date("2026-12-06")),
                "number": _("Number: {sample}").format(sample=formats.number(Decimal("1234.5")))}
    except ValueError:  # a language whose conventions are not known
        return {"": _("As it is"), "money": _("Amount"), "date": _("Date"), "number": _("Number")}


def _placeholder_paths(message: Phrase | str) -> set[str]:
    """The paths of the placeholders a finding's message names."""
    values = message.values.values() if isinstance(message, Phrase) else ()
    return {value.path for value in values if isinstance(value, Placeholder)}
