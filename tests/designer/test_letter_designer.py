"""The letters tab: letter edits on a draft, what the picker inserts, and the tab in NiceGUI's user simulation.

The letter editor itself runs in the browser (tests/designer/test_letters_browser.py drives it); here it is
stood in for by the events it sends, a document as edited or a click on a chip, as the browser would send them.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from nicegui.testing import User

from codegen.formatting import LetterFormats
from codegen.letter_document import Branch, Condition, Element, LetterDocument, Markup, Text, Value, document_json
from codegen.letter_names import letter_names
from codegen.letter_samples import SAMPLE_CUSTOMER, sample_context
from codegen.letter_snippets import condition_node, conditions_for, repeat_node, value_node
from codegen.letter_template import template_source
from codegen.letters import render_template
from models.customers import Address, Customer
from models.data import Variable
from models.editing import Draft, EditRejected
from models.editing import letters as letter_edits
from models.templates import placeholders, template_problem
from runtime.drafts import Drafts
from tests.designer.helpers import open_editor_tab, saved_draft
from tests.people import person

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DUTCH = LetterFormats("nl")
INVOICE_LINES = Variable(name="invoice_lines", type="records", label="Factuurregels", fields=[
    Variable(name="item", type="text"), Variable(name="amount", type="money"), Variable(name="booked", type="date")])


def example(key: str) -> Draft:
    return Draft(json.loads((EXAMPLES / f"{key}.json").read_text()))


def sample(variables: list[Variable]) -> dict[str, Any]:
    return sample_context(variables, SAMPLE_CUSTOMER.model_dump(mode="json"), now=datetime(2026, 3, 16, 9, 0),
                          today=date(2026, 3, 16), process_name="P")


# Letter edits on a draft -------------------------------------------------------------------


def test_a_new_email_gets_an_english_version_copied_from_its_default_language():
    draft = example("billing_complaint")
    draft.apply(letter_edits.add_letter, "payment_reminder", "Payment reminder", "email")
    draft.apply(letter_edits.set_text, "payment_reminder", "nl", "body", "<p>Beste {{ customer.name }}</p>")
    draft.apply(letter_edits.add_variant, "payment_reminder", "en")
    letter = draft.bundle.letter("payment_reminder")
    assert [v.language for v in letter.variants] == ["nl", "en"]
    assert letter.variant("en").body == "<p>Beste {{ customer.name }}</p>"
    assert letter.variant("en").subject == "Payment reminder"
    draft.apply(letter_edits.set_default_language, "payment_reminder", "en")
    assert draft.bundle.letter("payment_reminder").variant("fr").language == "en"


def test_language_edits_refuse_what_would_leave_a_letter_without_its_default_or_with_a_bad_code():
    draft = example("billing_complaint")
    with pytest.raises(EditRejected, match="default language"):
        draft.apply(letter_edits.remove_variant, "complaint_received", "nl")
    with pytest.raises(EditRejected, match="not a language code"):
        draft.apply(letter_edits.add_variant, "complaint_received", "English")
    with pytest.raises(EditRejected, match="has a 'en' version already"):
        draft.apply(letter_edits.add_variant, "complaint_received", "en")
    with pytest.raises(EditRejected, match="no 'fr' version"):
        draft.apply(letter_edits.set_default_language, "complaint_received", "fr")
    with pytest.raises(EditRejected, match="needs a subject"):
        draft.apply(letter_edits.set_text, "complaint_received", "en", "subject", "")
    with pytest.raises(EditRejected, match="not a channel"):
        draft.apply(letter_edits.add_letter, "fax", "Fax", "fax")
    assert not draft.can_undo
    draft.apply(letter_edits.remove_variant, "complaint_received", "en")
    assert [v.language for v in draft.bundle.letter("complaint_received").variants] == ["nl"]


# What the picker inserts ----------------------------------------------------------------------


@pytest.mark.parametrize("key", ["billing_complaint", "move_house", "change_of_address", "direct_debit_switch"])
def test_everything_the_picker_offers_is_a_valid_template_that_renders_with_sample_data(key):
    variables = [*example(key).bundle.variables, INVOICE_LINES]
    context = sample(variables)
    names = letter_names(variables)
    assert {"Case data", "Customer", "Computed"} == {n.group for n in names}
    assert {"customer.address.city", "today", "case.id", "invoice_lines"} <= {n.path for n in names}
    for name in names:
        for markup in Markup:
            nodes = [value_node(name), *(condition_node(c, "shown") for c in conditions_for(name))]
            if name.is_records:
                nodes.append(repeat_node(name, markup))
            if markup is Markup.HTML:
                nodes = [Element("p", (), (node,)) if not isinstance(node, Element) else node for node in nodes]
            source = template_source(LetterDocument(markup, tuple(nodes)))
            assert template_problem(source) is None, source
            assert render_template(source, context, html=markup is not Markup.PLAIN, formats=DUTCH), source
            assert all(path[0] in context for path in placeholders(source))


def test_money_and_dates_are_inserted_in_their_format_and_show_the_letters_language_way():
    variables = [Variable(name="amount", type="money"), Variable(name="due", type="date")]
    names = {n.path: n for n in letter_names(variables)}
    text = template_source(LetterDocument(Markup.PLAIN, (value_node(names["amount"]), Text(" before "),
                                                         value_node(names["due"]))))
    assert render_template(text, sample(variables), html=True, formats=DUTCH) == "€\xa0125,50 before 16 maart 2026"
    assert render_template(text, sample(variables), html=True, formats=LetterFormats("en")) == \
        "€125.50 before 16 March 2026"


def test_a_repeat_over_records_is_a_table_row_per_record_in_html_and_a_line_per_record_in_plain_text():
    lines = next(n for n in letter_names([INVOICE_LINES]) if n.path == "invoice_lines")
    html = render_template(template_source(LetterDocument(Markup.HTML, (repeat_node(lines, Markup.HTML),))),
                           sample([INVOICE_LINES]), html=True, formats=DUTCH)
    assert "<tr><th>item</th><th>amount</th><th>booked</th></tr>" in html
    assert html.count("<tr><td>") == 2 and "<td>sample item 2</td><td>€\xa0125,50</td><td>16 maart 2026</td>" in html
    plain = render_template(template_source(LetterDocument(Markup.PLAIN, (repeat_node(lines, Markup.PLAIN),))),
                            sample([INVOICE_LINES]), html=False, formats=DUTCH)
    assert plain.splitlines() == ["sample item 1 €\xa0125,50 16 maart 2026", "sample item 2 €\xa0125,50 16 maart 2026"]
    customer = next(n for n in letter_names([]) if n.path == "customer.name")
    with pytest.raises(ValueError, match="not a list of records"):
        repeat_node(customer, Markup.HTML)


# The letters tab ---------------------------------------------------------------------------


async def open_letters(user: User, key: str = "billing_complaint") -> None:
    await open_editor_tab(user, key, "letters", "letters-title")


def add_letter(user: User, letter_id: str, name: str, channel: str) -> None:
    user.find(marker="new-letter").type(letter_id)
    user.find(marker="new-letter-name").type(name)
    user.find(marker="new-letter-channel").elements.pop().set_value(channel)
    user.find(marker="add-letter").click()


def editor(user: User, part: str = "body") -> Any:
    return user.find(marker=f"letter-{part.replace('_', '-')}").elements.pop()


def shown_text(user: User, part: str = "body") -> str:
    """The text the editor of `part` shows (chips as their labels)."""
    def text(nodes: list[dict]) -> str:
        return "".join(n.get("text", "") if n["type"] == "text" else n.get("label", "") if n["type"] == "value"
                       else text([c for b in n.get("branches", [n]) for c in b.get("children", [])])
                       for n in nodes)

    return text(editor(user, part).props["document"]["children"])


def typed(user: User, document: LetterDocument, part: str = "body", done: bool = True) -> None:
    """The editor of `part` reports `document` as edited (`done`: and left)."""
    user.find(marker=f"letter-{part.replace('_', '-')}").trigger(
        "change", {"document": document_json(document), "done": done})


def clicked(user: User, document: LetterDocument, ordinal: int, kind: str = "value") -> None:
    """The `ordinal`-th chip (or condition, ...) of the body was clicked, the body showing `document`."""
    user.find(marker="letter-body").trigger("node", {"document": document_json(document), "kind": kind,
                                                     "ordinal": ordinal, "branch": 0})


async def preview_page(user: User, containing: str) -> str:
    """The preview's HTML page once it contains `containing` (panels refresh in background tasks)."""
    page = ""
    for _ in range(100):
        frames = user.find(marker="letter-preview-html").elements
        page = frames.pop().props["srcdoc"] if frames else ""
        if containing in page:
            return page
        await asyncio.sleep(0.02)
    raise AssertionError(f"the preview never showed {containing!r}; it shows: {page}")


def saved_letter(key: str, letter_id: str) -> dict:
    document = saved_draft(key)
    return next(entry for entry in document["letters"] if entry["id"] == letter_id)


@pytest.mark.anyio
async def test_a_letter_opens_in_the_editor_as_text_with_labelled_chips_and_conditions_in_words(user: User):
    await open_letters(user)
    user.find(marker="letter-credit_note").click()
    await user.should_see("Letter: Creditbrief")
    document = editor(user)
    assert document.props["document"]["markup"] == "text"
    assert shown_text(user).startswith("Beste Customer name,\n\nU heeft een klacht ingediend over factuur "
                                       "Factuurnummer.")
    conditions = [n for n in document.props["document"]["children"] if n["type"] == "condition"]
    assert [b["words"] for c in conditions for b in c["branches"]] == [
        "Only when 'Te crediteren bedrag' is less than 'Betwist bedrag'",
        "Only when 'Customer payment method' is 'Direct debit'", "Otherwise"]
    assert "{{" not in json.dumps(document.props["document"])  # no template code in what the editor shows
    assert saved_draft("billing_complaint") is None  # opening saves nothing


@pytest.mark.anyio
async def test_the_previews_sample_texts_are_written_in_the_letters_language(user: User):
    await open_letters(user)
    user.find(marker="letter-credit_note").click()
    await user.should_see("Letter: Creditbrief")
    await preview_page(user, "U heeft een klacht ingediend over factuur voorbeeld Factuurnummer.")
    user.find(marker="language-en").click()
    await preview_page(user, "You made a complaint about invoice sample Factuurnummer.")


@pytest.mark.anyio
async def test_an_email_written_with_a_chip_and_a_conditional_paragraph_is_saved_as_a_template_and_previewed(
        user: User):
    await open_letters(user)
    add_letter(user, "payment_reminder", "Payment reminder", "email")
    await user.should_see("E-mail: Payment reminder")
    user.find(marker="new-language").type("en")
    user.find(marker="add-language").click()
    await user.should_see(marker="language-en")
    typed(user, LetterDocument(Markup.HTML, (
        Element("p", (), (Text("Dear "), Value("customer.name"), Text(","))),
        Element("p", (), (Text("You disputed "), Value("disputed_amount", "money"), Text("."))),
        Condition((Branch("complaint_justified", (Element("p", (), (Text("You were right."),)),)),)))))
    await preview_page(user, "You disputed €125.50.")  # the sample amount, as English writes it
    await preview_page(user, "You were right.")
    assert user.find(marker="letter-preview-html").elements.pop().props["sandbox"] == ""
    variants = {v.get("language", "nl"): v for v in saved_letter("billing_complaint", "payment_reminder")["variants"]}
    assert variants["en"]["body"] == ("<p>Dear {{ customer.name }},</p>\n<p>You disputed {{ disputed_amount|money }}."
                                      "</p>\n{% if complaint_justified %}\n<p>You were right.</p>\n{% endif %}\n")
    assert "disputed_amount" not in variants["nl"]["body"]


@pytest.mark.anyio
async def test_a_value_that_may_be_empty_is_marked_on_its_chip_and_showing_it_only_if_it_has_one_clears_it(
        user: User):
    await open_letters(user)
    await user.should_see("E-mail: Ontvangstbevestiging klacht")
    document = LetterDocument(Markup.TEXT, (Text("We crediteren "), Value("credit_amount", "money"), Text(".")))
    typed(user, document)
    await user.should_see("the case may have no Te crediteren bedrag")  # the finding, under the editor
    for _ in range(50):
        if editor(user).props["problems"]:
            break
        await asyncio.sleep(0.02)
    [problem] = editor(user).props["problems"]
    assert (problem["kind"], problem["ordinal"]) == ("value", 0)
    assert "'Te crediteren bedrag' may be empty" in problem["message"]
    clicked(user, document, ordinal=0)
    await user.should_see(marker="chip-menu")
    await user.should_see("'Te crediteren bedrag' may be empty when this letter is sent", marker="chip-problem")
    user.find(marker="chip-only-if-value").click()
    await user.should_not_see("the case may have no Te crediteren bedrag")
    assert editor(user).props["problems"] == []
    assert saved_letter("billing_complaint", "complaint_received")["variants"][0]["body"] == \
        "We crediteren {% if credit_amount is defined %}{{ credit_amount|money }}{% endif %}."
    assert editor(user).props["document"]["children"][1]["branches"][0]["words"] == \
        "Only when 'Te crediteren bedrag' has a value"


@pytest.mark.anyio
async def test_a_condition_comparing_a_value_that_may_be_empty_is_marked_and_its_menu_adds_the_test_first(
        user: User):
    await open_letters(user)
    await user.should_see("E-mail: Ontvangstbevestiging klacht")
    document = LetterDocument(Markup.TEXT, (Condition((Branch("credit_amount > 10", (Value("credit_amount"),)),)),))
    typed(user, document)
    await user.should_see("the case may have no Te crediteren bedrag")
    for _ in range(50):
        if editor(user).props["problems"]:
            break
        await asyncio.sleep(0.02)
    assert [(p["kind"], p["ordinal"], p["branch"]) for p in editor(user).props["problems"]] == [("condition", 0, 0)]
    clicked(user, document, ordinal=0, kind="condition")
    await user.should_see(marker="condition-problem")
    user.find(marker="condition-guard").click()
    await user.should_not_see("the case may have no Te crediteren bedrag")
    assert saved_letter("billing_complaint", "complaint_received")["variants"][0]["body"] == \
        "{% if credit_amount is defined and (credit_amount > 10) %}{{ credit_amount }}{% endif %}"
    assert editor(user).props["problems"] == []
    assert editor(user).props["document"]["children"][0]["branches"][0]["words"] == \
        "Only when 'Te crediteren bedrag' has a value and 'Te crediteren bedrag' is more than 10"


@pytest.mark.anyio
async def test_a_conditions_menu_changes_its_condition_in_words_and_adds_what_shows_otherwise(user: User):
    await open_letters(user)
    await user.should_see("E-mail: Ontvangstbevestiging klacht")
    document = LetterDocument(Markup.TEXT, (Condition((Branch("complaint_justified", (Text("Terecht."),)),)),))
    typed(user, document)
    clicked(user, document, ordinal=0, kind="condition")
    await user.should_see("Shown only when 'Klacht terecht' is yes", marker="condition-menu")
    user.find(marker="condition-pick").elements.pop().set_value("complaint_category")
    await user.should_see("'Waar gaat de klacht over?' is 'Twee keer gefactureerd of afgeschreven'",
                          marker="condition-test-3")
    user.find(marker="condition-test-3").click()
    await user.should_not_see(marker="condition-menu")
    assert editor(user).props["document"]["children"][0]["branches"][0]["words"] == \
        "Only when 'Waar gaat de klacht over?' is 'Twee keer gefactureerd of afgeschreven'"
    user.find(marker="letter-body").trigger("node", {"document": editor(user).props["document"], "kind": "condition",
                                                     "ordinal": 0, "branch": 0})
    user.find(marker="condition-otherwise").click()
    await user.should_not_see(marker="condition-menu")
    assert saved_letter("billing_complaint", "complaint_received")["variants"][0]["body"] == \
        '{% if complaint_category == "charged_twice" %}Terecht.{% else %}text shown otherwise{% endif %}'


@pytest.mark.anyio
async def test_a_default_text_and_a_format_are_chosen_in_the_chips_menu(user: User):
    await open_letters(user)
    await user.should_see("E-mail: Ontvangstbevestiging klacht")
    document = LetterDocument(Markup.TEXT, (Text("Note: "), Value("supervisor_note"), Text(" / "),
                                            Value("credit_amount")))
    typed(user, document)
    clicked(user, document, ordinal=1)
    await user.should_see(marker="chip-format")
    assert user.find(marker="chip-format").elements.pop().options == {  # written as the letter's language writes them
        "": "As it is", "money": "Amount: €\xa01.234,50", "date": "Date: 6 december 2026", "number": "Number: 1.234,5"}
    user.find(marker="chip-default").type("nog niet bekend")
    user.find(marker="chip-use-default").click()
    await user.should_not_see(marker="chip-menu")
    user.find(marker="letter-body").trigger("node", {"document": editor(user).props["document"], "kind": "value",
                                                     "ordinal": 1, "branch": 0})  # as drawn again after the change
    await user.should_see(marker="chip-format")
    user.find(marker="chip-format").elements.pop().set_value("money")
    await user.should_not_see(marker="chip-menu")
    body = saved_letter("billing_complaint", "complaint_received")["variants"][0]["body"]
    assert body == ('Note: {{ supervisor_note }} / '
                    '{{ credit_amount|money if credit_amount is defined else "nog niet bekend" }}')
    chip = editor(user).props["document"]["children"][3]
    assert (chip["label"], chip["format"], chip["fallback"]) == ("Te crediteren bedrag", "money", "nog niet bekend")


@pytest.mark.anyio
async def test_an_unknown_placeholder_is_marked_on_its_chip_stops_the_preview_and_is_listed_as_a_problem(
        user: User):
    await open_letters(user)
    await user.should_see("E-mail: Ontvangstbevestiging klacht")
    user.find(marker="letter-code-body").clear().type("Dear {{ customer.nmae }}").trigger("blur")
    await user.should_see(marker="letter-preview-error")
    await user.should_see(marker="letter-problem")
    await user.should_see(marker="problem-complaint_received")  # the problems list beside the canvas
    await user.should_see("Did you mean 'Customer name'?")  # the placeholder by its chip's label
    assert "'Customer nmae' is not case data" in editor(user).props["problems"][0]["message"]
    typed(user, LetterDocument(Markup.TEXT, (Text("Dear "), Value("customer.name"))))
    await user.should_not_see(marker="letter-problem")
    await user.should_not_see(marker="problem-complaint_received")
    await preview_page(user, "Dear Sanne de Vries")
    assert user.find(marker="letter-code-body").elements.pop().value == "Dear {{ customer.name }}"


@pytest.mark.anyio
async def test_template_code_the_editor_cannot_show_is_locked_and_kept_and_reaching_into_python_is_refused(
        user: User):
    await open_letters(user)
    await user.should_see(marker="letter-code-body")
    user.find(marker="letter-code-body").clear().type("Hi {% set who = customer.name %}{{ who }}").trigger("blur")
    await preview_page(user, "Hi Sanne de Vries")
    assert [n["type"] for n in editor(user).props["document"]["children"]] == ["text", "locked", "value"]
    user.find(marker="letter-code-body").clear().type("{{ ''.__class__.__mro__ }}").trigger("blur")
    await user.should_see(marker="letter-preview-error")
    error = user.find(marker="letter-preview-error").elements.pop().text
    assert "class" not in error.replace("__class__", "") and "<" not in error
    assert [n["type"] for n in editor(user).props["document"]["children"]] == ["locked"]


@pytest.mark.anyio
async def test_a_customer_name_with_a_script_stays_inert_text_in_the_preview(user: User):
    from designer.frame import runtime
    from runtime.storage.base import Changes

    runtime().store.commit(Changes(customers=[Customer(
        id="C-EVIL", number="666", name="<script>alert(1)</script>", language="en",
        address=Address(street="<b>Main</b>", house_number="1", postcode="1000 AA", city="Amsterdam"))]))
    await open_letters(user)
    user.find(marker="letter-preview-customer").elements.pop().set_value("C-EVIL")
    page = await preview_page(user, "&lt;script&gt;alert(1)&lt;/script&gt;")
    assert "<script" not in page.lower()
    user.find(marker="letter-credit_note").click()
    await user.should_see("Letter: Creditbrief")
    page = await preview_page(user, "&lt;script&gt;alert(1)&lt;/script&gt;")
    assert "&lt;b&gt;Main" in page and "<b>Main" not in page
    assert user.find(marker="letter-preview-html").elements.pop().props["sandbox"] == ""


@pytest.mark.anyio
async def test_a_real_case_fills_the_preview_with_its_own_data(user: User):
    from designer.frame import runtime

    await open_letters(user)
    case = runtime().store.cases(process_key="billing_complaint")[0]
    user.find(marker="letter-preview-source").elements.pop().set_value(case.id)
    await user.should_see("Subject: We hebben uw klacht over factuur F2026-104233 ontvangen")
    await preview_page(user, "80.00")  # the example writes the amount without the money filter


@pytest.mark.anyio
async def test_an_sms_is_plain_text_with_chips_and_counts_its_characters_and_messages(user: User):
    await open_letters(user)
    add_letter(user, "reminder_sms", "Reminder", "sms")
    await user.should_see("SMS: Reminder")
    assert editor(user).props["toolbar"] is False and editor(user).props["document"]["markup"] == "plain"
    await user.should_not_see(marker="letter-subject")
    typed(user, LetterDocument(Markup.PLAIN, (Text("Please pay"),)), done=False)
    await user.should_see("10 characters, 1 SMS message")
    typed(user, LetterDocument(Markup.PLAIN, (Text("Please pay "), Value("disputed_amount", "money"), Text(" €"))))
    await user.should_see(f"{len('Please pay € 125,50 €') + 2} characters, 1 SMS message")  # € counts 2
    typed(user, LetterDocument(Markup.PLAIN, (Text("Please pay "), Value("disputed_amount", "money"),
                                              Text(" €" + "x" * 150))))  # still GSM: no no-break space in an SMS
    await user.should_see(f"{len('Please pay € 125,50 €') + 2 + 150} characters, 2 SMS messages")


@pytest.mark.anyio
async def test_language_versions_are_sub_tabs_and_the_default_can_move_to_another_language(user: User):
    await open_letters(user)
    await user.should_see(marker="letter-body")
    assert shown_text(user).startswith("Beste Customer name,")
    user.find(marker="language-en").click()
    await user.should_see("Customers whose language is 'en' get this version")
    assert shown_text(user).startswith("Dear Customer name,")
    user.find(marker="make-default-language").click()
    await user.should_see("en (default)")
    user.find(marker="language-nl").click()
    await user.should_see(marker="remove-language")
    user.find(marker="remove-language").click()
    await user.should_not_see(marker="language-nl")
    letter = saved_letter("billing_complaint", "complaint_received")
    assert letter["default_language"] == "en" and [v["language"] for v in letter["variants"]] == ["en"]


@pytest.mark.anyio
async def test_repeating_is_offered_for_a_list_of_records_only(user: User):
    draft = example("billing_complaint")
    draft.add_entry("variables", INVOICE_LINES.model_dump(mode="json", exclude_defaults=True))
    from designer.frame import runtime

    Drafts(runtime()).create_from(person("ann"), draft.document)
    await open_letters(user)
    await user.should_see(marker="letter-body")
    await user.should_not_see(marker="letter-insert-loop")
    user.find(marker="letter-pick").elements.pop().set_value("invoice_lines")
    await user.should_see(marker="letter-insert-loop")
    user.find(marker="letter-pick").elements.pop().set_value("disputed_amount")
    await user.should_not_see(marker="letter-insert-loop")


@pytest.mark.anyio
async def test_undo_brings_back_the_text_before_the_last_saved_change(user: User):
    await open_letters(user)
    await user.should_see(marker="letter-body")
    before = editor(user).props["document"]
    typed(user, LetterDocument(Markup.TEXT, (Text("Short and wrong"),)))
    await preview_page(user, "Short and wrong")
    user.find(marker="undo").click()
    for _ in range(50):
        if editor(user).props["document"] == before:
            break
        await asyncio.sleep(0.02)
    assert editor(user).props["document"] == before


@pytest.mark.anyio
async def test_a_heading_in_a_plain_letter_makes_it_html_keeping_its_paragraphs(user: User):
    await open_letters(user)
    user.find(marker="letter-credit_note").click()
    await user.should_see("Letter: Creditbrief")
    user.find(marker="letter-body").trigger("convert", {"format": "heading", "caret": 27})
    for _ in range(50):
        if editor(user).props["document"]["markup"] == "html":
            break
        await asyncio.sleep(0.02)
    assert editor(user).props["after"] == {"caret": 27, "format": "heading"}  # the browser then makes the heading
    body = saved_letter("billing_complaint", "credit_note")["variants"][0]["body"]
    assert body.startswith("<p>Beste {{ customer.name }},</p>\n<p>U heeft een klacht ingediend over factuur "
                           "{{ invoice_number }}.")
    page = await preview_page(user, "<p>Beste Sanne de Vries,</p>")
    assert "Klantnummer: 301001186</p>" in page


@pytest.mark.anyio
async def test_an_email_without_a_subject_is_refused_with_a_reason_and_nothing_is_saved(user: User):
    await open_letters(user)
    await user.should_see(marker="letter-subject")
    typed(user, LetterDocument(Markup.PLAIN), part="subject")
    await user.should_see("needs a subject")
    await user.should_see(marker="letter-preview-error")  # the preview says so too
    assert saved_draft("billing_complaint") is None  # nothing was saved


@pytest.mark.anyio
async def test_what_no_template_could_hold_is_refused_and_the_text_shown_as_it_was(user: User):
    await open_letters(user)
    await user.should_see(marker="letter-body")
    before = editor(user).props["document"]
    user.find(marker="letter-body").trigger("change", {"done": True, "document": {"markup": "text", "children": [
        {"type": "condition", "branches": [{"condition": "x %}{{ 7*7 }}{% if y", "children": []}]}]}})
    await user.should_see("That change cannot be kept")
    assert editor(user).props["document"] == before and saved_draft("billing_complaint") is None


@pytest.mark.anyio
async def test_removing_a_letter_that_a_send_step_uses_is_reported_on_that_step(user: User):
    await open_letters(user)
    user.find(marker="remove-letter-complaint_received").click()
    await user.should_not_see(marker="letter-complaint_received")
    await user.should_see("Letter: Creditbrief")
    await user.should_see(marker="problem-send_acknowledgement")  # the send step that used it
