"""Rendering letters, e-mails and SMS: the sandbox refuses injection, data stays data, output is well formed."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from pypdf import PdfReader

from codegen.formatting import LetterFormats
from codegen.letters import LetterRenderError, address_lines, render_letter, render_template
from codegen.markup import html_to_text, letter_html, letter_page
from codegen.pdf import letter_pdf
from codegen.sms import segments
from models.letters import Letter

SANNE = {"name": "Sanne de Vries", "address": {"street": "Oudegracht", "house_number": "12a",
                                               "postcode": "3511 AA", "city": "Utrecht"}}


def letter(body: str, channel: str = "letter", subject: str = "", text_body: str = "") -> Letter:
    return Letter.model_validate({"id": "credit", "name": "Credit note", "channel": channel, "variants": [
        {"language": "nl", "subject": subject, "body": body, "text_body": text_body}]})


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


#: Template injection payloads and what the refusal must say.
PAYLOADS = {
    "subclasses walk": ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "'__subclasses__'"),
    "globals of a function": ("{{ cycler.__init__.__globals__.os }}", "'__globals__'"),
    "globals by subscript": ("{{ lipsum['__globals__'] }}", "'__globals__'"),
    "dunder via attr filter": ("{{ customer|attr('__class__') }}", "filter 'attr'"),
    "format via attr filter": ("{{ '{0.__class__}'|attr('format') }}", "filter 'attr'"),
    "str.format": ("{{ '{0.__class__.__init__.__globals__}'.format(customer) }}", "'.format'"),
    "str.format_map": ("{{ '{name.__class__}'.format_map(customer) }}", "'.format_map'"),
    "format filter": ("{{ '%s'|format(customer) }}", "filter 'format'"),
    "percent formatting": ("{{ '%999999999s' % customer.name }}", "'%' formatting"),
    "include a local file": ("{% include '/etc/passwd' %}", "cannot include"),
    "import a template": ("{% import 'secrets.html' as s %}", "cannot include, import"),
    "extend a template": ("{% extends 'base.html' %}", "cannot include, import or extend"),
    "recursive macro": ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "macros are not allowed"),
    "method call": ("{{ customer.name.center(1000000000) }}", "calling customer.name.center"),
    "mark data as HTML": ("{{ customer.name|safe }}", "filter 'safe'"),
    "huge range": ("{% for i in range(1000000000) %}x{% endfor %}", "at most 10,000 times"),
    "nested loops": ("{% for a in range(9999) %}{% for b in range(9999) %}{% endfor %}{% endfor %}",
                     "at most 100,000 times in all"),
    "loops over long text": ("{% for a in 'x' * 99999 %}{% for b in 'x' * 99999 %}{% endfor %}{% endfor %}",
                             "at most 100,000 times in all"),
    "string multiplication": ("{{ 'x' * 1000000000 }}", "longer than 200,000"),
    "list multiplication": ("{{ [0] * 1000000000 }}", "longer than 200,000"),
    "doubling by concatenation": ("{% set a = 'x' * 1000 %}" + "{% set a = a ~ a ~ a ~ a ~ a ~ a ~ a ~ a %}" * 3
                                  + "{{ a|length }}", "longer than 200,000"),
    "replace blow-up": ("{{ ('x' * 100000)|replace('x', 'y' * 100000) }}", "longer than 200,000"),
    "join blow-up": ("{{ range(10000)|join('x' * 100000) }}", "longer than 200,000"),
    "power bomb": ("{{ 10 ** 100000 }}", "exponent of at most 100"),
    "output bomb": ("{% for i in range(10000) %}{{ 'x' * 100 }}{% endfor %}", "longer than 200,000 characters"),
}


@pytest.mark.parametrize("payload, reason", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_injection_payloads_are_refused_with_a_message_naming_the_part_and_the_reason(payload: str, reason: str):
    started = time.monotonic()
    with pytest.raises(LetterRenderError) as refused:
        render_letter(letter(payload), "nl", {"customer": SANNE})
    assert "text of 'Credit note'" in str(refused.value)
    assert reason in str(refused.value)
    assert time.monotonic() - started < 3


def test_the_refusal_names_the_subject_when_the_subject_is_the_problem():
    with pytest.raises(LetterRenderError, match=r"subject of 'Credit note'.*'__class__'"):
        render_letter(letter("Hi", subject="{{ customer.__class__ }}"), "nl", {"customer": SANNE})


def test_an_undefined_placeholder_is_an_error_never_a_blank():
    with pytest.raises(LetterRenderError, match=r"text of 'Credit note' uses a placeholder with no value: "
                                                 r"'dict object' has no attribute 'iban'"):
        render_letter(letter("Dear {{ customer.name }}, your IBAN {{ customer.iban }}"), "nl", {"customer": SANNE})
    with pytest.raises(LetterRenderError, match="'credit_amount' is undefined"):
        render_letter(letter("We credit {{ credit_amount|money }}"), "nl", {"customer": SANNE})


@pytest.mark.parametrize("channel", ["letter", "email", "sms"])
def test_case_data_is_printed_as_typed_never_run_as_template_code(channel: str):
    customer = {**SANNE, "name": "{{7*7}} {% include '/etc/passwd' %} <script>alert(1)</script>"}
    rendered = render_letter(letter("Dear {{ customer.name }}", channel, subject="For {{ customer.name }}"),
                             "nl", {"customer": customer})
    assert "{{7*7}} {% include '/etc/passwd' %}" in rendered.subject
    assert "49" not in rendered.body
    if channel == "sms":
        assert rendered.body == "Dear {{7*7}} {% include '/etc/passwd' %} <script>alert(1)</script>"
    else:
        assert "Dear {{7*7}} {% include '/etc/passwd' %} &lt;script&gt;alert(1)&lt;/script&gt;" in rendered.body
        assert "<script>" not in rendered.body


def test_everyday_template_features_still_work():
    context = {"customer": SANNE, "lines": [{"what": "Gas", "amount": "12.5"}, {"what": "Power", "amount": "30"}]}
    body = ("<h1>Dear {{ customer.name|upper }}</h1><ul>{% for l in lines %}<li>{{ loop.index }}. {{ l.what }}: "
            "{{ l.amount|money }}</li>{% endfor %}</ul><p>Total {{ lines|sum(attribute='amount')|money }}, "
            "{{ range(3)|join('-') }}, {{ 2 ** 10 }}</p>")
    rendered = render_letter(letter(body), "nl", context | {"lines": [
        {"what": "Gas", "amount": 12.5}, {"what": "Power", "amount": 30}]})
    assert "<h1>Dear SANNE DE VRIES</h1>" in rendered.body
    assert "<li>1. Gas: €&nbsp;12,50</li><li>2. Power: €&nbsp;30,00</li>" in rendered.body
    assert "Total €&nbsp;42,50, 0-1-2, 1024" in rendered.body


def test_a_letter_gets_the_customers_address_block_and_clean_html():
    body = ('<h2 onclick="steal()">Your credit</h2><p>Dear <b>{{ customer.name }}</b></p>'
            '<img src="file:///etc/passwd"><script>alert(1)</script><table><tr><td>Total</td><td>€ 5</td></tr>'
            "</table>")
    rendered = render_letter(letter(body), "nl", {"customer": SANNE})
    assert rendered.address == ("Sanne de Vries", "Oudegracht 12a", "3511 AA Utrecht")
    assert rendered.body == ("<h2>Your credit</h2><p>Dear <b>Sanne de Vries</b></p>"
                             "<table><tbody><tr><td>Total</td><td>€ 5</td></tr></tbody></table>")
    assert render_letter(letter("Hi", "email", subject="S"), "nl", {"customer": SANNE}).address == ()


def test_a_plain_text_body_becomes_paragraphs():
    rendered = render_letter(letter("Beste {{ customer.name }},\n\nWe crediteren.\nGroet,\nTeam"), "nl",
                             {"customer": SANNE})
    assert rendered.body == "<p>Beste Sanne de Vries,</p>\n<p>We crediteren.<br>\nGroet,<br>\nTeam</p>\n"


def test_a_pdf_letter_renders_with_the_customers_name_address_and_body():
    customer = {**SANNE, "name": "Łukasz Zoë Ørsted"}
    rendered = render_letter(letter("<h1>Geachte {{ customer.name }}</h1><p>Wij crediteren <b>€ 12,50</b>.</p>"
                                    "<ul><li>factuur F-1</li></ul>", subject="Uw klacht"), "nl",
                             {"customer": customer})
    pdf = letter_pdf(rendered.address, rendered.subject, rendered.body, title="Credit note")
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in ("Łukasz Zoë Ørsted\nOudegracht 12a\n3511 AA Utrecht", "Uw klacht",
                     "Geachte Łukasz Zoë Ørsted", "Wij crediteren € 12,50.", "factuur F-1"):
        assert expected in text


def test_a_pdf_of_a_long_letter_continues_on_a_second_page():
    body = "".join(f"<p>Paragraph {n} of a long letter.</p>" for n in range(80))
    pages = PdfReader(io.BytesIO(letter_pdf(["A", "B", "C"], "", body))).pages
    assert len(pages) > 1 and "Paragraph 79" in pages[-1].extract_text()


def test_the_letter_page_shows_address_and_subject_as_text():
    page = letter_page(["<b>Evil</b> Name", "Street 1"], "Re: <i>x</i>", "<p>Body</p><script>x()</script>")
    assert "&lt;b&gt;Evil&lt;/b&gt; Name<br>Street 1" in page
    assert "<b>Re: &lt;i&gt;x&lt;/i&gt;</b>" in page
    assert "<p>Body</p>" in page and "<script>" not in page


def test_html_becomes_readable_text_for_the_plain_part():
    text = html_to_text(letter_html("<h1>Title</h1><p>Dear <b>Sanne</b> &amp; Piet,</p><ol><li>one</li>"
                                    "<li>two</li></ol><table><tr><th>What</th><th>Amount</th></tr>"
                                    "<tr><td>Gas</td><td>12,50</td></tr></table><p>Bye</p>"))
    assert text == "Title\n\nDear Sanne & Piet,\n\n1. one\n2. two\n\nWhat | Amount\nGas | 12,50\n\nBye"


SMS_CASES: list[tuple[str, Any]] = [
    ("", (0, 0)),
    ("a" * 160, (160, 1)),
    ("a" * 161, (161, 2)),
    ("a" * 306, (306, 2)),
    ("a" * 307, (307, 3)),
    ("€" * 80, (160, 1)),  # an extension character takes two places
    ("€" * 81, (162, 2)),
    ("é" * 160, (160, 1)),  # é is in the GSM alphabet
    ("ł" * 70, (70, 1)),  # ł is not: UCS-2
    ("ł" * 71, (71, 2)),
    ("ł" * 134, (134, 2)),
    ("ł" * 135, (135, 3)),
    ("a" * 69 + "😀", (71, 2)),  # an emoji takes two UCS-2 places
]


@pytest.mark.parametrize("text, expected", SMS_CASES, ids=[f"{len(t)}x{t[-1:]!r}" for t, _ in SMS_CASES])
def test_sms_characters_and_segments_at_the_boundaries(text: str, expected: tuple[int, int]):
    assert segments(text) == expected


def test_an_sms_is_plain_text():
    rendered = render_letter(letter("Hoi {{ customer.name }} & co <3", "sms"), "nl", {"customer": SANNE})
    assert rendered.body == "Hoi Sanne de Vries & co <3"


def test_render_template_can_be_used_for_a_single_text():
    assert render_template("{{ a }} & {{ b }}", {"a": "<x>", "b": 1}, html=True, formats=LetterFormats("nl")) \
        == "&lt;x&gt; & 1"


def test_a_letter_goes_to_the_postal_address_when_the_customer_has_one():
    customer = {"name": "Installatiebedrijf Smit B.V.",
                "address": {"street": "Hurksestraat", "house_number": "101", "postcode": "5642 JA",
                            "city": "Eindhoven"},
                "postal_address": {"street": "Postbus", "house_number": "2210", "postcode": "5600 CE",
                                   "city": "Eindhoven"}}
    assert address_lines(customer) == ("Installatiebedrijf Smit B.V.", "Postbus 2210", "5600 CE Eindhoven")

