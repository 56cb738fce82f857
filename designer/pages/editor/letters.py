"""The letters tab: letters, e-mails and SMS per language, a placeholder picker and a live preview.

Templates are edited as their source text: the toolbar adds simple HTML and the
picker adds placeholders, conditions and loops at the cursor (`codegen.letter_snippets`),
so nobody types Jinja2. A text is saved to the draft as it is typed (`save_as_typed`).
The preview renders with `codegen.letters.render_letter`, with sample data
(`codegen.letter_samples`) or a real case, and shows HTML only inside a sandboxed
iframe without scripts, and everything else as text; a template that cannot be
rendered shows why instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nicegui import events, ui
from pydantic import ValidationError

from codegen.letter_snippets import (
    TOOLBAR,
    PickerEntry,
    if_snippet,
    insert_at,
    insert_block,
    loop_snippet,
    picker_entries,
    value_snippet,
)
from codegen.letters import LetterRenderError, RenderedLetter, render_letter
from codegen.markup import letter_page
from codegen.sms import segments
from designer.elements.sandboxed_frame import sandboxed_frame
from designer.frame import runtime
from designer.pages.editor.panel import Panel
from designer.pages.editor.setting_fields import save_as_typed
from models.customers import Customer
from models.editing import letters as letter_edits
from models.errors import FlowdeskError
from models.letters import Letter, LetterChannel
from models.serialization import problems_from_validation
from runtime.access import UseCase, may
from runtime.views.design import letter_context, preview_cases, sample_customers

if TYPE_CHECKING:
    from designer.pages.editor.shell import Editor

CHANNEL_ICONS = {LetterChannel.LETTER: "description", LetterChannel.EMAIL: "mail", LetterChannel.SMS: "sms"}
CHANNEL_NAMES = {LetterChannel.LETTER: "Letter", LetterChannel.EMAIL: "E-mail", LetterChannel.SMS: "SMS"}
SAMPLE = "sample"
#: What a text field reports when its cursor moves: the cursor's offset in the text.
CURSOR = "(e) => emit(e.target.selectionStart)"


class LettersPanel(Panel):
    """The process's letters: the list, the chosen letter's language versions, its texts and their preview."""

    keeps_refused_text = True

    def __init__(self, editor: Editor) -> None:
        self.letter_id: str | None = None
        self.language: str | None = None
        self.preview_source = SAMPLE
        self.sample_customer: str | None = None
        self.customers: dict[str, Customer] = {}
        self.fields: dict[str, ui.input | ui.textarea] = {}
        self.cursors: dict[str, int | None] = {}
        self.last_part = "body"
        self.picked: PickerEntry | None = None
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

    def after_typing(self) -> None:
        """After a text typed here is saved: its problems and the preview (the fields show the text already)."""
        self.show_problems.refresh()
        self.show_preview.refresh()

    def shows(self, element_id: str) -> bool:
        return any(item.id == element_id for item in self.draft.bundle.letters)

    def focus(self, element_id: str) -> None:
        self.letter_id, self.language = element_id, None
        self.show.refresh()

    @ui.refreshable_method
    def show(self) -> None:
        letter = self.current_letter()
        self.fields = {}
        with ui.row().classes("w-full no-wrap items-start gap-6"):
            with ui.column().classes("w-72 flex-none gap-2"):
                self.letter_list()
            with ui.column().classes("grow gap-2"):
                if letter is None:
                    ui.label("No letters yet. Add a letter, e-mail or SMS on the left.").mark("no-letters")
                else:
                    self.letter_editor(letter)

    def letter_list(self) -> None:
        letters = self.draft.bundle.letters
        ui.label(f"Letters ({len(letters)})").classes("text-lg").mark("letters-title")
        with ui.list().props("dense").classes("w-full"):
            for item in letters:
                with ui.item(on_click=lambda i=item.id: self.focus(i)).mark(f"letter-{item.id}") \
                        .classes("bg-blue-50" if item.id == self.letter_id else ""):
                    with ui.item_section().props("avatar"):
                        ui.icon(CHANNEL_ICONS[item.channel]).tooltip(CHANNEL_NAMES[item.channel])
                    with ui.item_section():
                        ui.label(item.name or item.id)
                    with ui.item_section().props("side"):
                        ui.button(icon="delete", on_click=lambda i=item.id: self.edit(
                            lambda: self.draft.remove_entry("letters", i))).props("flat dense round") \
                            .mark(f"remove-letter-{item.id}").tooltip("Remove")
        new_id = ui.input("New letter id", placeholder="e.g. payment_reminder").classes("w-full") \
            .mark("new-letter")
        name = ui.input("Name", placeholder="e.g. Payment reminder").classes("w-full").mark("new-letter-name")
        channel = ui.select({c.value: CHANNEL_NAMES[c] for c in LetterChannel}, value=LetterChannel.EMAIL.value,
                            label="Channel").classes("w-full").mark("new-letter-channel")
        language = ui.input("Language", value="nl").classes("w-full").mark("new-letter-language")

        def add() -> None:
            wanted = (new_id.value or "").strip()
            self.edit(lambda: self.draft.apply(letter_edits.add_letter, wanted, name.value or "", channel.value,
                                               language.value or ""))
            if any(item.id == wanted for item in self.draft.bundle.letters):
                self.focus(wanted)

        ui.button("Add", icon="add", on_click=add).props("flat").mark("add-letter")

    def letter_editor(self, letter: Letter) -> None:
        variant = letter.variant(self.language)
        ui.label(f"{CHANNEL_NAMES[letter.channel]}: {letter.name or letter.id}").classes("text-lg") \
            .mark("letter-title")
        self.language_bar(letter)
        if letter.channel is not LetterChannel.SMS:
            self.text_field("subject", ui.input("Subject", value=variant.subject))
            self.toolbar()
        self.picker(letter)
        self.text_field("body", ui.textarea("Text", value=variant.body).props("outlined autogrow"))
        if letter.channel is not LetterChannel.SMS:
            ui.label("In plain text a blank line starts a paragraph. A heading, list, table or address block makes "
                     "the text HTML; its paragraphs are kept.").classes("text-xs text-slate-600")
        if letter.channel is LetterChannel.EMAIL:
            self.text_field("text_body", ui.textarea("Plain-text part (for mail programs without HTML)",
                                                     value=variant.text_body).props("outlined autogrow"))
        self.show_problems()
        self.preview_controls()
        self.show_preview()

    def language_bar(self, letter: Letter) -> None:
        with ui.row().classes("w-full items-end gap-2"):
            with ui.tabs(value=self.language, on_change=lambda e: self.choose_language(e.value)) \
                    .props("dense align=left").mark("letter-languages"):
                for variant in letter.variants:
                    default = variant.language == letter.default_language
                    ui.tab(variant.language, f"{variant.language} (default)" if default else variant.language) \
                        .mark(f"language-{variant.language}")
            new_language = ui.input("Add language", placeholder="e.g. en").classes("w-28").mark("new-language")
            ui.button(icon="add", on_click=lambda: self.add_language(letter.id, new_language.value or "")) \
                .props("flat dense").mark("add-language").tooltip("Add a version in this language")
            if self.language != letter.default_language:
                ui.button("Make default", on_click=lambda: self.edit(lambda: self.draft.apply(
                    letter_edits.set_default_language, letter.id, self.language))).props("flat dense") \
                    .mark("make-default-language")
                ui.button(icon="delete", on_click=lambda: self.edit(lambda: self.draft.apply(
                    letter_edits.remove_variant, letter.id, self.language))).props("flat dense") \
                    .mark("remove-language").tooltip(f"Remove the '{self.language}' version")
        ui.label(f"Customers whose language is '{self.language}' get this version; customers with a language "
                 f"this letter lacks get the '{letter.default_language}' version.").classes("text-xs text-slate-600")

    def choose_language(self, language: str) -> None:
        if language != self.language:
            self.language = language
            self.show.refresh()

    def add_language(self, letter_id: str, language: str) -> None:
        self.edit(lambda: self.draft.apply(letter_edits.add_variant, letter_id, language))
        letter = next((item for item in self.draft.bundle.letters if item.id == letter_id), None)
        if letter and language.strip() in {v.language for v in letter.variants}:
            self.choose_language(language.strip())

    # Editing the texts.

    def text_field(self, part: str, field: ui.input | ui.textarea) -> None:
        """A text of the variant: the preview follows as you type; it is saved as it is typed."""
        self.fields[part] = field
        self.cursors[part] = None
        field.classes("w-full font-mono").mark(f"letter-{part.replace('_', '-')}")
        field.on_value_change(lambda: self.show_preview.refresh())
        for moved in ("keyup", "click"):  # a button does not always take the focus, so follow the cursor as it moves
            field.on(moved, lambda e: self.cursor_moved(part, e), js_handler=CURSOR, throttle=0.2)
        field.on("blur", lambda e: self.cursor_moved(part, e), js_handler=CURSOR)
        save_as_typed(self, field, lambda: self.save(part), on_enter=False)

    def cursor_moved(self, part: str, event: events.GenericEventArguments) -> None:
        """Remember where the cursor is in this text, for the picker and the toolbar."""
        self.last_part = part
        self.cursors[part] = event.args if isinstance(event.args, int) else None

    def save(self, part: str) -> None:
        """Save one text of the language version being edited to the draft, when it changed."""
        letter = self.current_letter()
        if letter is None or part not in self.fields:
            return
        text = self.fields[part].value or ""
        if text == getattr(letter.variant(self.language), part):
            return
        self.edit(lambda: self.draft.apply(letter_edits.set_text, letter.id, self.language, part, text))

    def insert(self, snippet: str, part: str | None = None) -> None:
        """Put `snippet` where the cursor was in the text last edited (or `part`), else at its end; then save.

        A heading, list or table turns a plain-text body into HTML, its paragraphs kept (`insert_block`).
        """
        part = part or self.last_part
        if part not in self.fields:
            part = "body"
        letter = self.current_letter()
        insert = insert_block if letter and self.is_html(letter, part) else insert_at
        text, self.cursors[part] = insert(self.fields[part].value or "", snippet, self.cursors.get(part))
        self.fields[part].set_value(text)
        self.editor.done_typing(self, self.fields[part].id, lambda: self.save(part))

    def toolbar(self) -> None:
        with ui.row().classes("gap-1"):
            for name, (label, html) in TOOLBAR.items():
                ui.button(label, on_click=lambda h=html: self.insert(h, "body")).props("flat dense no-caps") \
                    .mark(f"letter-toolbar-{name}")

    def picker(self, letter: Letter) -> None:
        """Case data, customer fields and computed values, inserted as a value, a condition or a loop."""
        entries = {entry.path: entry for entry in picker_entries(self.draft.bundle.variables)}
        with ui.row().classes("w-full items-end gap-2"):
            choice = ui.select({path: entry.label for path, entry in entries.items()}, with_input=True,
                               label="Insert case data, customer field or computed value") \
                .classes("grow").mark("letter-pick")
            value = ui.button("Value", icon="data_object",
                              on_click=lambda: self.picked and self.insert(value_snippet(self.picked))) \
                .props("flat dense no-caps").mark("letter-insert-value")
            condition = ui.button("Show only if…", icon="help_outline",
                                  on_click=lambda: self.picked and self.insert(if_snippet(self.picked))) \
                .props("flat dense no-caps").mark("letter-insert-if")
            loop = ui.button("Repeat for each…", icon="repeat", on_click=lambda: self.picked and self.insert(
                loop_snippet(self.picked, html=self.is_html(letter, self.last_part)))) \
                .props("flat dense no-caps").mark("letter-insert-loop")

        def offer_buttons() -> None:
            self.picked = entries.get(choice.value)
            for button in (value, condition):
                button.set_enabled(self.picked is not None)
            loop.set_visibility(self.picked is not None and self.picked.is_records)

        choice.on_value_change(offer_buttons)
        offer_buttons()

    @staticmethod
    def is_html(letter: Letter, part: str) -> bool:
        """Whether a text is HTML (the body of a letter or e-mail) or plain text (subjects, SMS, plain-text parts)."""
        return letter.channel is not LetterChannel.SMS and part == "body"

    @ui.refreshable_method
    def show_problems(self) -> None:
        for finding in (f for f in self.draft.findings() if f.element == self.letter_id):
            with ui.column().classes("gap-0").mark("letter-problem"):
                ui.label(finding.message).classes("text-red-700 text-sm")
                if finding.hint:
                    ui.label(finding.hint).classes("text-xs text-slate-600")

    # The preview.

    def preview_controls(self) -> None:
        user = self.editor.user
        real = may(user, UseCase.SAMPLE_REAL_DATA)
        self.customers = {c.id: c for c in sample_customers(runtime(), user)} if real else {}
        if self.sample_customer not in self.customers:
            self.sample_customer = next(iter(self.customers), None)
        cases = preview_cases(runtime(), user, self.draft.key) if real else []
        sources = {SAMPLE: "Sample data"} | {c.id: f"Case {c.id} ({c.status.value})" for c in cases}
        if self.preview_source not in sources:
            self.preview_source = SAMPLE
        with ui.row().classes("w-full items-end gap-2"):
            ui.label("Preview").classes("text-lg")
            ui.select(sources, value=self.preview_source, label="With",
                      on_change=lambda e: self.choose_source(e.value)).classes("w-64").mark("letter-preview-source")
            if self.preview_source == SAMPLE and self.customers:
                ui.select({c.id: f"{c.name} ({c.language})" for c in self.customers.values()},
                          value=self.sample_customer, label="Sample customer",
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
            ui.label(f"No preview: {error}").classes("text-red-700").mark("letter-preview-error")
            return
        self.rendered(rendered)

    def typed_letter(self, letter: Letter) -> Letter:
        """The letter with the texts as typed in the fields (not yet saved)."""
        typed = {part: field.value or "" for part, field in self.fields.items()}
        variants = [v.model_copy(update=typed) if v.language == self.language else v for v in letter.variants]
        try:
            return Letter.model_validate(letter.model_dump() | {"variants": [v.model_dump() for v in variants]})
        except ValidationError as error:
            raise ValueError("; ".join(p.message for p in problems_from_validation(error))) from None

    def context(self) -> dict[str, Any]:
        """What the template sees: the chosen case's data and customer as a send step would now, else samples."""
        if self.preview_source != SAMPLE:
            return letter_context(runtime(), self.editor.user, self.draft.bundle, case_id=self.preview_source)
        return letter_context(runtime(), self.editor.user, self.draft.bundle,
                              customer=self.customers.get(self.sample_customer or ""))

    def rendered(self, rendered: RenderedLetter) -> None:
        """A rendered SMS as text with its length; letters and e-mails as a page in a sandboxed iframe."""
        if rendered.channel is LetterChannel.SMS:
            ui.label(rendered.body).classes("whitespace-pre-wrap border rounded p-2 w-full").mark("letter-preview-text")
            characters, messages = segments(rendered.body)
            ui.label(f"{characters} characters, {messages} SMS message{'' if messages == 1 else 's'} "
                     "(with this preview's data)").classes("text-sm text-slate-600").mark("sms-count")
            return
        if rendered.channel is LetterChannel.EMAIL:
            ui.label(f"Subject: {rendered.subject}").classes("font-bold").mark("letter-preview-subject")
            page = letter_page((), "", rendered.body, title=rendered.subject)
        else:
            page = letter_page(rendered.address, rendered.subject, rendered.body, title=rendered.subject)
        sandboxed_frame(srcdoc=page, height="640px").mark("letter-preview-html")
        if rendered.text_body:
            ui.label("Plain-text part").classes("text-sm text-slate-600")
            ui.label(rendered.text_body).classes("whitespace-pre-wrap border rounded p-2 w-full") \
                .mark("letter-preview-text")
