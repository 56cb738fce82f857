"""Template source ⇄ the letter editor's document: every letter opens in the editor and is saved back unchanged."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from codegen.formatting import LetterFormats
from codegen.letter_document import (
    Branch,
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
    document_from_json,
    document_json,
    normalised,
)
from codegen.letter_samples import sample_context
from codegen.letter_template import markup_of, parse_template, template_source
from codegen.letters import LetterRenderError, render_template
from codegen.markup import html_to_text, letter_html
from models.customers import Customer
from models.serialization import load_bundle
from models.templates import template_problem

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DUTCH = LetterFormats("nl")
CONTEXT = {"note": "a note", "amount": Decimal("12.5"), "ok": True, "kind": "a", "due": "2026-12-06",
           "customer": {"name": "Sanne & <Co>", "number": "1001"}, "x": 1, "y": 2,
           "lines": [{"item": "gas", "amount": Decimal("3")}, {"item": "power", "amount": Decimal("4.25")}]}


def example_texts() -> list[tuple[str, str, Markup, dict]]:
    """(where, template text, markup, a context to render it with) of every text of every example letter."""
    customer = json.loads((EXAMPLES / "customers.json").read_text())["customers"][0]
    texts = []
    for path in sorted(EXAMPLES.glob("*.json")):
        if path.name == "customers.json":
            continue
        bundle = load_bundle(path.read_text())
        context = sample_context(bundle.variables, Customer.model_validate(customer).model_dump(mode="json"),
                                 now=datetime(2026, 3, 16, 9, 0), today=date(2026, 3, 16), process_name=bundle.name)
        for letter in bundle.letters:
            for variant in letter.variants:
                for part in ("subject", "body", "text_body"):
                    source = getattr(variant, part)
                    if source:
                        html_body = part == "body" and letter.channel != "sms"
                        texts.append((f"{path.stem}/{letter.id}/{variant.language}/{part}", source,
                                      markup_of(source, html_body=html_body), context))
    return texts


EXAMPLE_TEXTS = example_texts()


def render(source: str, markup: Markup) -> str:
    """What a customer reads of a rendered text: as it is, or for HTML bodies the readable text of the clean HTML."""
    output = render_template(source, CONTEXT, html=markup is not Markup.PLAIN, formats=DUTCH)
    return output if markup is Markup.PLAIN else html_to_text(letter_html(output))


# The example letters ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("where", "source", "markup", "context"), EXAMPLE_TEXTS, ids=[t[0] for t in EXAMPLE_TEXTS])
def test_every_example_letter_opens_as_text_chips_and_blocks_and_is_saved_back_unchanged(where, source, markup,
                                                                                         context):
    document = parse_template(source, markup)
    assert template_source(document) == source
    assert not any(isinstance(node, Locked) for node in walk(document.children)), "no template code shown"
    assert document_from_json(json.loads(json.dumps(document_json(document))), markup) == document


def test_the_example_placeholders_and_conditions_become_chips_and_conditional_passages():
    credit_note = next(t[1] for t in EXAMPLE_TEXTS if t[0] == "billing_complaint/credit_note/nl/body")
    nodes = list(walk(parse_template(credit_note, Markup.TEXT).children))
    assert Value("customer.name") in nodes and Value("credit_amount") in nodes
    conditions = [n for n in nodes if isinstance(n, Condition)]
    assert [[b.condition for b in c.branches] for c in conditions] == [
        ["credit_amount < disputed_amount"], ['customer.payment_method == "direct_debit"', ""]]


PLAIN_BODIES = [(where, source, context) for where, source, markup, context in EXAMPLE_TEXTS if markup is Markup.TEXT]


@pytest.mark.parametrize(("where", "source", "context"), PLAIN_BODIES, ids=[t[0] for t in PLAIN_BODIES])
def test_a_plain_letter_made_html_for_a_heading_reads_the_same(where, source, context):
    html = as_html(parse_template(source, Markup.TEXT))
    written = template_source(html)
    assert markup_of(written, html_body=True) is Markup.HTML
    plain, made = (html_to_text(letter_html(render_template(text, context, html=True, formats=DUTCH)))
                   for text in (source, written))
    assert " ".join(made.split()) == " ".join(plain.split())
    assert parse_template(written, Markup.HTML) == html


# Documents the editor makes -------------------------------------------------------------------------------------

TEXTS = st.one_of(
    st.sampled_from(["Dear ", " ", "\n", "\n\n", "{", "}", "{{", "{%", "{#", "%}", "<", ">", "&", "&amp;", "&lt;b>",
                     "<h2>", "a < b", "€ 5,-", "é", "\u00a0", "\\", '"', "'", "&#", "&T", "&ampx"]),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r"), max_size=12),
)
CONDITIONS = st.sampled_from(["note", "not note", "amount > 3", 'kind == "a"', "ok and note", "amount is defined",
                              "customer.name"])
FALLBACKS = st.none() | st.text(st.characters(exclude_categories=("Cs",)), max_size=10)
LOCKED = st.sampled_from(["{# a comment #}", "{% set x = 1 %}", "{{ x ~ y }}", "{{ 5 }}"])


def values(paths: list[str]) -> st.SearchStrategy[Value]:
    return st.builds(Value, st.sampled_from(paths), st.sampled_from(["", "money", "date", "number"]), FALLBACKS)


def inline(paths: list[str], depth: int, markup: Markup) -> st.SearchStrategy[Node]:
    leaves: list[st.SearchStrategy[Node]] = [st.builds(Text, TEXTS), values(paths), st.builds(Locked, LOCKED)]
    if markup is not Markup.PLAIN:
        leaves.append(st.just(Element("br")) if markup is Markup.HTML else st.just(Element("b", (), (Text("b"),))))
    if depth <= 0:
        return st.one_of(leaves)
    inner = st.lists(st.deferred(lambda: inline(paths, depth - 1, markup)), max_size=3).map(tuple)
    return st.one_of(
        *leaves,
        st.builds(Element, st.sampled_from(["b", "em"]), st.just(()), inner) if markup is not Markup.PLAIN
        else st.builds(Text, TEXTS),
        conditions(inner),
        st.builds(Repeat, st.just("row"), st.just("lines"),
                  st.lists(st.deferred(lambda: inline([*paths, "row.item"], depth - 1, markup)), max_size=3)
                  .map(tuple)),
    )


def conditions(inner: st.SearchStrategy[tuple[Node, ...]]) -> st.SearchStrategy[Condition]:
    branch = st.builds(Branch, CONDITIONS, inner)
    return st.builds(lambda ways, otherwise: Condition((*ways, *otherwise)), st.lists(branch, min_size=1, max_size=2),
                     st.lists(st.builds(Branch, st.just(""), inner), max_size=1))


def blocks(depth: int) -> st.SearchStrategy[Node]:
    paths = ["note", "amount", "customer.name"]
    line = st.lists(inline(paths, 2, Markup.HTML), max_size=4).map(tuple)
    paragraph = st.builds(Element, st.sampled_from(["p", "h2", "blockquote"]), st.just(()), line)
    items = st.lists(st.builds(Element, st.just("li"), st.just(()), line), min_size=1, max_size=3).map(tuple)
    cells = st.lists(st.builds(Element, st.sampled_from(["td", "th"]), st.just(()), line), min_size=1, max_size=3)
    row = st.builds(Element, st.just("tr"), st.just(()), cells.map(tuple))
    rows = st.lists(row | st.builds(Repeat, st.just("row"), st.just("lines"), st.lists(row, max_size=2).map(tuple)),
                    min_size=1, max_size=3).map(tuple)
    table = st.builds(Element, st.just("table"), st.just(()), rows)
    aligned = st.builds(lambda c: Element("p", (("align", "center"),), c), line)
    leaves = st.one_of(paragraph, aligned, st.builds(Element, st.sampled_from(["ul", "ol"]), st.just(()), items),
                       table, st.just(Element("hr")), inline(paths, 1, Markup.HTML))
    if depth <= 0:
        return leaves
    return leaves | conditions(st.lists(st.deferred(lambda: blocks(depth - 1)), max_size=3).map(tuple))


def documents() -> st.SearchStrategy[LetterDocument]:
    return st.one_of(
        st.builds(LetterDocument, st.just(Markup.HTML), st.lists(blocks(2), max_size=5).map(tuple)),
        *(st.builds(LetterDocument, st.just(markup), st.lists(inline(["note", "amount", "customer.name"], 3, markup),
                                                              max_size=6).map(tuple))
          for markup in (Markup.TEXT, Markup.PLAIN)),
    ).map(normalised)


@given(documents())
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_document_the_editor_can_make_is_a_valid_template_that_reads_back_as_the_same_document(document):
    source = template_source(document)
    assert template_problem(source) is None, source
    assert parse_template(source, document.markup) == document, source
    assert template_source(parse_template(source, document.markup)) == source
    assert document_from_json(json.loads(json.dumps(document_json(document))), document.markup) == document


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""

    def handle_data(self, data: str) -> None:
        self.text += data


@given(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r"), max_size=40))
@settings(max_examples=300, deadline=None)
def test_typed_text_is_never_read_as_template_code_or_html(text):
    plain = template_source(LetterDocument(Markup.PLAIN, (Text(text),)))
    assert render_template(plain, {}, html=False, formats=DUTCH) == text.removesuffix("\n")  # Jinja2 drops one "\n"
    html = template_source(LetterDocument(Markup.HTML, (Element("p", (), (Text(text),)),)))
    reader = _TextOf()
    reader.feed(render_template(html, {}, html=True, formats=DUTCH))
    reader.close()
    assert reader.text == text  # (Jinja2 drops the line end after the paragraph, the last one)


# Templates written by hand ----------------------------------------------------------------------------------------

FRAGMENTS = ["Dear ", "x", " ", "\n", "\n\n", "{{ note }}", "{{ amount|money }}", "{{ note|default('-') }}",
             "{{ x ~ y }}", "{% if ok %}", "{% elif kind == 'a' %}", "{% else %}", "{% endif %}",
             "{% for row in lines %}", "{{ row.item }}", "{% endfor %}", "{# hm #}", "{%- if ok -%}", "{{- note }}",
             "<p>", "</p>", "<b>", "</b>", "<br>", "<ul>", "<li>", "</li>", "</ul>", "<table>", "<tr>", "<td>",
             "</td>", "</tr>", "</table>", "<span>", "&amp;", "&", "<", "{", "}", '<p align="right">', "<!-- c -->"]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join), st.sampled_from(list(Markup)))
@example("x<x<br>Dear ", Markup.HTML)  # a browser reads `<x<br>` as one tag, so must the letter editor
@example("x<table>Dear </table>", Markup.HTML)  # text in a table: no line end added before it
@example("x<table>{{ x ~ y }}</table>", Markup.HTML)  # nor before code
@example("x<{{ note }}<br>Dear ", Markup.HTML)  # an unclosed `<` reads on to the next `>`
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
def test_any_template_opens_without_error_and_saved_back_reads_the_same(source, markup):
    assume(template_problem(source) is None)
    assume(markup is not Markup.TEXT or markup_of(source, html_body=True) is Markup.TEXT)
    assume(markup is not Markup.HTML or markup_of(source, html_body=True) is Markup.HTML)
    document = parse_template(source, markup)
    written = template_source(document)
    assert parse_template(written, markup) == document
    try:
        before = render(source, markup)
    except LetterRenderError:
        with pytest.raises(LetterRenderError):
            render(written, markup)
        return
    after = render(written, markup)
    assert (" ".join(after.split()) if markup is Markup.HTML else after) == \
        (" ".join(before.split()) if markup is Markup.HTML else before)


@pytest.mark.parametrize(("source", "shown"), [
    ("Hi {# a note to colleagues #}there", "{# a note to colleagues #}"),
    ("{% set who = customer.name %}Hi {{ who|upper }}", "{% set who = customer.name %}"),
    ("Hi{%- if ok %} you{% endif %}", "{%- if ok %}"),
    ("{% for a, b in pairs %}{{ a }}{% endfor %}", "{% for a, b in pairs %}{{ a }}{% endfor %}"),
    ("{% for row in lines %}{{ row.item }}{% else %}none{% endfor %}",
     "{% for row in lines %}{{ row.item }}{% else %}none{% endfor %}"),
    ("{% filter upper %}shout{% endfilter %}", "{% filter upper %}shout{% endfilter %}"),
    ("{{ customer.name }", "{{ customer.name }"),
])
def test_what_the_editor_cannot_show_as_text_chips_or_blocks_is_locked_code_kept_as_written(source, shown):
    document = parse_template(source, Markup.PLAIN)
    assert Locked(shown) in list(walk(document.children))
    assert template_source(document) == source


def test_html_that_does_not_nest_with_a_condition_is_locked_only_where_it_does_not():
    source = "<p>Dear you,</p>\n<p>{% if ok %}Yes</p>\n<p>really{% endif %}</p>\n<h2>Kind regards</h2>\n"
    document = parse_template(source, Markup.HTML)
    assert document.children[0] == Element("p", (), (Text("Dear you,"),))
    assert document.children[-1] == Element("h2", (), (Text("Kind regards"),))
    assert any(isinstance(node, Locked) for node in document.children)
    assert template_source(document) == source


def walk(nodes: tuple[Node, ...]):
    for node in nodes:
        yield node
        if isinstance(node, Condition):
            for branch in node.branches:
                yield from walk(branch.children)
        elif isinstance(node, Element | Repeat):
            yield from walk(node.children)
