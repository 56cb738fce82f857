"""The letters tab: letter edits on a draft, the picker's snippets, and the tab in NiceGUI's user simulation."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from nicegui.testing import User

from codegen.formatting import LetterFormats
from codegen.letter_samples import SAMPLE_CUSTOMER, sample_context
from codegen.letter_snippets import if_snippet, loop_snippet, picker_entries, value_snippet
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
INVOICE_LINES = Variable(name="invoice_lines", type="records", fields=[
    Variable(name="item", type="text"), Variable(name="amount", type="money"), Variable(name="booked", type="date")])


def example(key: str) -> Draft:
    return Draft(json.loads((EXAMPLES / f"{key}.json").read_text()))


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


# The picker's snippets ---------------------------------------------------------------------


@pytest.mark.parametrize("key", ["billing_complaint", "move_house", "change_of_address", "direct_debit_switch"])
def test_every_snippet_the_picker_offers_is_a_valid_template_that_renders_with_sample_data(key):
    bundle = example(key).bundle
    variables = [*bundle.variables, INVOICE_LINES]
    context = sample_context(variables, SAMPLE_CUSTOMER.model_dump(mode="json"),
                             now=datetime(2026, 3, 16, 9, 0), today=date(2026, 3, 16), process_name=bundle.name)
    entries = picker_entries(variables)
    assert {"Case data", "Customer", "Computed"} == {e.group for e in entries}
    assert {"customer.address.city", "today", "case.id", "invoice_lines"} <= {e.path for e in entries}
    for entry in entries:
        assert render_template(value_snippet(entry), context, html=True, formats=DUTCH).strip(), entry.path
        snippets = [value_snippet(entry), if_snippet(entry)]
        if entry.is_records:
            snippets += [loop_snippet(entry, html=True), loop_snippet(entry, html=False)]
        for snippet in snippets:
            assert template_problem(snippet) is None, snippet
            render_template(snippet, context, html=True, formats=DUTCH)  # raises when a name or filter does not fit
            assert all(path[0] in context for path in placeholders(snippet))


def test_money_and_dates_are_inserted_with_their_filters_and_show_the_letters_language_way():
    variables = [Variable(name="amount", type="money"), Variable(name="due", type="date")]
    entries = {e.path: e for e in picker_entries(variables)}
    context = sample_context(variables, SAMPLE_CUSTOMER.model_dump(mode="json"), now=datetime(2026, 3, 16, 9, 0),
                             today=date(2026, 3, 16), process_name="P")
    text = f"{value_snippet(entries['amount'])} before {value_snippet(entries['due'])}"
    assert render_template(text, context, html=True, formats=DUTCH) == "€\xa0125,50 before 16 maart 2026"
    assert render_template(text, context, html=True, formats=LetterFormats("en")) == "€125.50 before 16 March 2026"


def test_a_loop_over_records_makes_a_table_row_per_record():
    entry = next(e for e in picker_entries([INVOICE_LINES]) if e.path == "invoice_lines")
    context = sample_context([INVOICE_LINES], SAMPLE_CUSTOMER.model_dump(mode="json"),
                             now=datetime(2026, 3, 16, 9, 0), today=date(2026, 3, 16), process_name="P")
    html = render_template(loop_snippet(entry, html=True), context, html=True, formats=DUTCH)
    assert html.count("<tr><td>") == 2 and "<td>sample item 2</td><td>€\xa0125,50</td><td>16 maart 2026</td>" in html
    with pytest.raises(ValueError, match="not a list of records"):
        loop_snippet(next(e for e in picker_entries([]) if e.path == "customer.name"), html=True)


# The letters tab ---------------------------------------------------------------------------


async def open_letters(user: User, key: str = "billing_complaint") -> None:
    await open_editor_tab(user, key, "letters", "letters-title")


def add_letter(user: User, letter_id: str, name: str, channel: str) -> None:
    user.find(marker="new-letter").type(letter_id)
    user.find(marker="new-letter-name").type(name)
    user.find(marker="new-letter-channel").elements.pop().set_value(channel)
    user.find(marker="add-letter").click()


def pick(user: User, path: str, button: str) -> None:
    user.find(marker="letter-pick").elements.pop().set_value(path)
    user.find(marker=button).click()


def body(user: User) -> str:
    return user.find(marker="letter-body").elements.pop().value


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
async def test_an_email_in_english_gets_a_value_and_a_condition_from_the_picker_and_previews_them(
        user: User):
    await open_letters(user)
    add_letter(user, "payment_reminder", "Payment reminder", "email")
    await user.should_see("E-mail: Payment reminder")
    user.find(marker="new-language").type("en")
    user.find(marker="add-language").click()
    await user.should_see(marker="language-en")
    assert user.find(marker="letter-languages").elements.pop().value == "en"
    pick(user, "disputed_amount", "letter-insert-value")
    assert body(user).endswith("{{ disputed_amount|money }}")
    pick(user, "complaint_justified", "letter-insert-if")
    assert "{% if complaint_justified %}" in body(user)
    await preview_page(user, "€125.50")  # the sample amount, formatted as English writes it
    await preview_page(user, "Text shown only when complaint_justified is yes.")
    assert user.find(marker="letter-preview-html").elements.pop().props["sandbox"] == ""
    variants = {v.get("language", "nl"): v for v in saved_letter("billing_complaint", "payment_reminder")
                ["variants"]}
    assert "{{ disputed_amount|money }}" in variants["en"]["body"]
    assert "disputed_amount" not in variants["nl"]["body"]


@pytest.mark.anyio
async def test_the_picker_inserts_where_the_cursor_was(user: User):
    await open_letters(user)
    add_letter(user, "note", "Note", "sms")
    await user.should_see("SMS: Note")
    user.find(marker="letter-body").clear().type("Hello , bye").trigger("blur", 6)
    pick(user, "customer.name", "letter-insert-value")
    assert body(user) == "Hello {{ customer.name }}, bye"


@pytest.mark.anyio
async def test_an_unknown_placeholder_stops_the_preview_and_is_listed_as_a_problem(user: User):
    await open_letters(user)
    await user.should_see("E-mail: Ontvangstbevestiging klacht")
    user.find(marker="letter-body").clear().type("Dear {{ customer.nmae }}").trigger("blur")
    await user.should_see(marker="letter-preview-error")
    await user.should_see("No preview")
    await user.should_not_see(marker="letter-preview-html")
    await user.should_see(marker="letter-problem")
    await user.should_see(marker="problem-complaint_received")  # the problems list beside the canvas
    await user.should_see("Did you mean 'customer.name'?")
    user.find(marker="letter-body").clear().type("Dear {{ customer.name }}").trigger("blur")
    await user.should_not_see(marker="letter-problem")
    await user.should_not_see(marker="problem-complaint_received")
    await preview_page(user, "Dear Sanne de Vries")


@pytest.mark.anyio
async def test_clicking_a_letter_problem_opens_the_letter_in_the_letters_tab(user: User):
    await open_letters(user)
    user.find(marker="letter-credit_note").click()
    await user.should_see(marker="letter-title")
    user.find(marker="letter-body").clear().type("{{ nope }}").trigger("blur")
    user.find(marker="letter-complaint_received").click()
    await user.should_see("E-mail: Ontvangstbevestiging klacht")
    user.find(marker="tab-flow").click()
    await user.should_see(marker="problem-credit_note")
    user.find(marker="problem-credit_note").click()
    await user.should_see("Letter: Creditbrief")


@pytest.mark.anyio
async def test_a_template_reaching_into_python_gives_a_clear_error_not_output(user: User):
    await open_letters(user)
    await user.should_see(marker="letter-body")
    user.find(marker="letter-body").clear().type("{{ ''.__class__.__mro__ }}").trigger("blur")
    await user.should_see(marker="letter-preview-error")
    error = user.find(marker="letter-preview-error").elements.pop().text
    assert "class" not in error.replace("__class__", "") and "<" not in error
    await user.should_not_see(marker="letter-preview-html")


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
async def test_an_sms_counts_its_characters_and_messages_as_you_type(user: User):
    await open_letters(user)
    add_letter(user, "reminder_sms", "Reminder", "sms")
    await user.should_see("SMS: Reminder")
    user.find(marker="letter-body").clear().type("Please pay")
    await user.should_see("10 characters, 1 SMS message")
    user.find(marker="letter-body").type(" {{ disputed_amount|money }} €")  # the sample amount € 125,50; € counts 2
    await user.should_see(f"{len('Please pay € 125,50 €') + 2} characters, 1 SMS message")
    user.find(marker="letter-body").type("x" * 150)  # still GSM: an amount in an SMS has no no-break space
    await user.should_see(f"{len('Please pay € 125,50 €') + 2 + 150} characters, 2 SMS messages")


@pytest.mark.anyio
async def test_language_versions_are_sub_tabs_and_the_default_can_move_to_another_language(user: User):
    await open_letters(user)
    await user.should_see("Beste {{ customer.name }}", marker="letter-body")
    user.find(marker="language-en").click()
    await user.should_see("Dear {{ customer.name }}", marker="letter-body")
    await user.should_see("Customers whose language is 'en' get this version")
    user.find(marker="make-default-language").click()
    await user.should_see("en (default)")
    user.find(marker="language-nl").click()
    await user.should_see(marker="remove-language")
    user.find(marker="remove-language").click()
    await user.should_not_see(marker="language-nl")
    letter = saved_letter("billing_complaint", "complaint_received")
    assert letter["default_language"] == "en" and [v["language"] for v in letter["variants"]] == ["en"]


@pytest.mark.anyio
async def test_a_loop_over_a_list_of_records_is_offered_and_previewed_as_a_table(user: User):
    draft = example("billing_complaint")
    draft.add_entry("variables", INVOICE_LINES.model_dump(mode="json", exclude_defaults=True))
    from designer.frame import runtime

    Drafts(runtime()).create_from(person("ann"), draft.document)
    await open_letters(user)
    await user.should_see(marker="letter-body")
    await user.should_not_see(marker="letter-insert-loop")  # only a list of records can be repeated
    pick(user, "invoice_lines", "letter-insert-loop")
    assert "{% for row in invoice_lines %}" in body(user)
    page = await preview_page(user, "<td>sample item 2</td>")
    assert "<td>sample item 1</td><td>€&nbsp;125,50</td><td>16 maart 2026</td>" in page


@pytest.mark.anyio
async def test_undo_brings_back_the_text_before_the_last_saved_change(user: User):
    await open_letters(user)
    await user.should_see(marker="letter-body")
    before = body(user)
    user.find(marker="letter-body").clear().type("Short and wrong").trigger("blur")
    await preview_page(user, "Short and wrong")
    user.find(marker="undo").click()
    await user.should_see(before.splitlines()[0], marker="letter-body")
    assert body(user) == before


@pytest.mark.anyio
async def test_removing_a_letter_that_a_send_step_uses_is_reported_on_that_step(user: User):
    await open_letters(user)
    user.find(marker="remove-letter-complaint_received").click()
    await user.should_not_see(marker="letter-complaint_received")
    await user.should_see("Letter: Creditbrief")
    await user.should_see(marker="problem-send_acknowledgement")  # the send step that used it


@pytest.mark.anyio
async def test_the_toolbar_adds_a_heading_and_the_address_block_keeping_a_plain_letter_s_paragraphs(user: User):
    await open_letters(user)
    user.find(marker="letter-credit_note").click()
    await user.should_see("Letter: Creditbrief")
    first_paragraph = body(user).index("\n\n")
    user.find(marker="letter-body").trigger("click", first_paragraph)  # the cursor after the greeting
    user.find(marker="letter-toolbar-heading").click()
    assert body(user).startswith("<p>Beste {{ customer.name }},</p>\n<h2>Heading</h2>\n<p>U heeft een klacht")
    user.find(marker="letter-toolbar-address").click()  # where the cursor was left: after the heading
    assert "<h2>Heading</h2>\n<p>{{ customer.name }}<br>" in body(user)
    page = await preview_page(user, "<h2>Heading</h2>")
    assert "<p>Beste Sanne de Vries,</p>" in page


@pytest.mark.anyio
async def test_an_email_without_a_subject_is_refused_with_a_reason_and_nothing_is_saved(user: User):
    await open_letters(user)
    await user.should_see(marker="letter-subject")
    user.find(marker="letter-subject").clear().trigger("blur")
    await user.should_see("needs a subject")
    await user.should_see(marker="letter-preview-error")  # the preview says so too
    assert saved_draft("billing_complaint") is None  # nothing was saved
