"""What the letter editor does with a document: edits, names and conditions in words, chips' problems, what the
browser sends back and what is pasted."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from codegen.formatting import LetterFormats
from codegen.letter_document import (
    Branch,
    Condition,
    Element,
    LetterDocument,
    Locked,
    Markup,
    Repeat,
    Text,
    Value,
    document_from_json,
    document_json,
    node_at,
    nth,
    remove_node,
    replace_node,
    unwrap_node,
    walk,
    with_condition,
    with_otherwise,
    wrap_in_condition,
)
from codegen.letter_names import Names, describe_condition
from codegen.letter_snippets import has_value
from codegen.letter_template import parse_template, template_source
from codegen.letter_view import edited_document, editor_json, node_problems, pasted_nodes
from codegen.letters import render_template
from models.data import Variable
from tests.codegen.test_letter_template import documents

VARIABLES = [
    Variable(name="justified", type="boolean", label="Klacht terecht"),
    Variable(name="category", type="choice", label="Soort klacht", options=[
        {"value": "twice", "label": "Twee keer afgeschreven"}, {"value": "other", "label": "Anders"}]),
    Variable(name="amount", type="money", label="Betwist bedrag"),
    Variable(name="note", type="text", label="Toelichting"),
    Variable(name="lines", type="records", label="Factuurregels", fields=[
        Variable(name="item", type="text", label="Omschrijving"), Variable(name="price", type="money")]),
]
NAMES = Names.of(VARIABLES)


def plain(*nodes) -> LetterDocument:
    return LetterDocument(Markup.PLAIN, tuple(nodes))


# Edits -----------------------------------------------------------------------------------------------------------


def test_a_chip_shown_only_if_it_has_a_value_and_then_always_again_is_the_chip_it_was():
    document = plain(Text("Toelichting: "), Value("note"), Text("."))
    wrapped = wrap_in_condition(document, [1], has_value("note", "text"))
    assert template_source(wrapped) == "Toelichting: {% if note %}{{ note }}{% endif %}."
    assert unwrap_node(wrapped, [1]) == document


@pytest.mark.parametrize(("answer", "shown"), [(False, "Niet terecht."), (True, ""), (None, "")])
def test_testing_first_that_a_yes_no_answer_has_a_value_keeps_a_no(answer: bool | None, shown: str):
    """The fix for a condition on a yes/no field that may be empty must not hide the passage when the answer is no."""
    guarded = f"{has_value('justified', 'boolean')} and (not justified)"
    source = template_source(plain(Condition((Branch(guarded, (Text("Niet terecht."),)),))))
    assert render_template(source, {"justified": answer}, html=False, formats=LetterFormats("nl")) == shown


def test_a_conditions_ways_are_changed_added_and_removed_one_at_a_time():
    document = plain(Condition((Branch("justified", (Text("Terecht."),)),)))
    document = with_otherwise(document, [0], (Text("Niet terecht."),))
    document = with_condition(document, [0], 0, 'category == "twice"')
    assert template_source(document) == '{% if category == "twice" %}Terecht.{% else %}Niet terecht.{% endif %}'
    assert template_source(remove_node(document, [0, 1])) == '{% if category == "twice" %}Terecht.{% endif %}'
    assert remove_node(remove_node(document, [0, 1]), [0, 0]).children == ()  # its only way: the whole condition
    with pytest.raises(ValueError, match="'otherwise'"):
        with_otherwise(document, [0], ())
    with pytest.raises(ValueError, match="another one"):
        with_condition(document, [0], 1, "justified")
    with pytest.raises(ValueError, match="taken apart"):
        unwrap_node(document, [0, 0, 0])


def test_edits_leave_the_document_in_its_normal_form_and_name_a_missing_node():
    document = plain(Text("a"), Value("note"), Text("b"))
    assert remove_node(document, [1]).children == (Text("ab"),)
    assert replace_node(document, [1], Text("-")).children == (Text("a-b"),)
    with pytest.raises(IndexError, match=r"no node at \[5\]"):
        node_at(document, [5])


def test_chips_conditions_and_locked_code_are_counted_in_reading_order():
    document = parse_template("{{ a }}{% if b %}{{ c }}{% if d %}{{ e }}{% endif %}{% endif %}{# x #}{{ f }}",
                              Markup.PLAIN)
    assert [node_at(document, nth(document, "value", n)).path for n in range(4)] == ["a", "c", "e", "f"]
    assert nth(document, "condition", 1) == (1, 0, 1)
    assert isinstance(node_at(document, nth(document, "locked", 0)), Locked)
    with pytest.raises(IndexError, match="no value number 5"):
        nth(document, "value", 4)
    assert [type(node).__name__ for _, node, _ in walk(document)][:3] == ["Value", "Condition", "Value"]


# Names and words -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("condition", "words"), [
    ("justified", "'Klacht terecht' is yes"),
    ("not justified", "'Klacht terecht' is no"),
    ("note", "'Toelichting' has a value"),
    ("amount is defined", "'Betwist bedrag' has a value"),
    ("amount is not defined", "'Betwist bedrag' is empty"),
    ("note is not none", "'Toelichting' has a value"),
    ('category == "twice"', "'Soort klacht' is 'Twee keer afgeschreven'"),
    ('category in ["twice", "other"]', "'Soort klacht' is one of 'Twee keer afgeschreven', 'Anders'"),
    ("amount >= 100 or not note", "'Betwist bedrag' is at least 100 or 'Toelichting' is empty"),
    ("customer.consents.email", "'Customer consents email' is yes"),
    ("amount|round > 1", "amount|round > 1"),  # what the words cannot say is shown as written
])
def test_a_condition_is_said_in_words_with_the_labels_of_its_names(condition, words):
    assert describe_condition(condition, NAMES) == words


def test_inside_a_repeated_part_a_records_fields_are_named_by_their_labels():
    document = plain(Repeat("row", "lines", (Value("row.item"), Text(" "), Value("row.price", "money"))))
    shown = editor_json(document, NAMES)["children"][0]
    assert shown["words"] == "For each record in 'Factuurregels'"
    assert [(c["label"], c["kind"]) for c in shown["children"] if c["type"] == "value"] == [
        ("Omschrijving", "text"), ("price", "money")]


# Problems on chips -----------------------------------------------------------------------------------------------


def test_a_value_that_may_be_empty_is_marked_where_nothing_tests_it_and_nowhere_else():
    document = parse_template(
        "{{ note }}|{% if note %}{{ note }}{% endif %}|{% if not note %}-{% else %}{{ note }}{% endif %}|"
        "{% if justified %}{{ note }}{% endif %}|{{ note|default('-') }}|{% if amount is defined %}"
        "{{ amount|money }}{% elif note %}{{ note }}{% else %}{{ amount }}{% endif %}", Markup.PLAIN)
    problems = node_problems(document, NAMES, maybe_empty={"note", "amount", "justified"}, unknown=())
    assert [(p["kind"], p["ordinal"]) for p in problems] == [("value", 0), ("value", 3), ("value", 7)]
    assert problems[0]["message"].startswith("'Toelichting' may be empty when this letter is sent")


def test_a_condition_comparing_a_value_that_may_be_empty_is_marked_and_not_the_chips_it_guards():
    document = parse_template("{% if amount > 10 %}{{ amount }}{% elif note == 'x' %}-{% endif %}"
                              "{% if amount is defined and amount > 10 %}{{ amount }}{% endif %}", Markup.PLAIN)
    problems = node_problems(document, NAMES, maybe_empty={"amount", "note"}, unknown=())
    assert [(p["kind"], p["ordinal"], p.get("branch")) for p in problems] == [
        ("condition", 0, 0), ("condition", 0, 1)]
    assert problems[1]["message"] == ("'Betwist bedrag' and 'Toelichting' may be empty when this letter is sent, and "
                                      "this condition needs a value: test that they have one first")


def test_a_name_that_is_not_case_data_is_marked_on_every_chip_and_condition_under_it():
    document = plain(Value("customer.nmae"), Value("customer.name"), Value("nope.deeper"),
                     Condition((Branch("nope", ()),)))
    problems = node_problems(document, NAMES, maybe_empty=(), unknown={"customer.nmae", "nope"})
    assert [(p["kind"], p["ordinal"]) for p in problems] == [("value", 0), ("value", 2), ("condition", 0)]
    assert problems[1]["message"] == "'Nope deeper' is not case data, a customer field or a computed value"


@given(documents())
@settings(max_examples=150, deadline=None)
def test_the_fixes_a_chips_menu_offers_always_clear_its_warning(document):
    def marked_chips(document: LetterDocument) -> list[int]:
        problems = node_problems(document, NAMES, maybe_empty={"note", "amount", "justified"}, unknown=())
        return [p["ordinal"] for p in problems if p["kind"] == "value"]

    marked = marked_chips(document)
    for ordinal in marked:
        address = nth(document, "value", ordinal)
        value = node_at(document, address)
        wrapped = wrap_in_condition(document, address, has_value(value.path, NAMES.type(value.path)))
        defaulted = replace_node(document, address, Value(value.path, value.format, "-"))
        for fixed in (wrapped, defaulted):
            assert len(marked_chips(fixed)) == len(marked) - 1


# What the browser sends back -------------------------------------------------------------------------------------


def test_what_a_browser_made_while_editing_is_tidied_into_the_letters_html():
    sent = {"markup": "html", "children": [
        {"type": "text", "text": "Typed\u00a0outside a paragraph "},
        {"type": "value", "path": "note", "label": "Toelichting", "kind": "text"},  # display keys are ignored
        {"type": "element", "tag": "div", "attributes": [["style", "color:red"]], "children": [
            {"type": "element", "tag": "span", "attributes": [], "children": [{"type": "text", "text": "in a div"}]}]},
        {"type": "element", "tag": "p", "attributes": [["align", "center"], ["onclick", "x()"]],
         "children": [{"type": "text", "text": "centred"}]}]}
    assert template_source(edited_document(sent, Markup.HTML)) == (
        "<p>Typed outside a paragraph {{ note }}</p>\n<p>in a div</p>\n<p align=\"center\">centred</p>\n")


@pytest.mark.parametrize(("node", "error"), [
    ({"type": "condition", "branches": [{"condition": "a %}{{ 7*7 }}{% if b", "children": []}]}, "not a condition"),
    ({"type": "condition", "branches": [{"condition": "", "children": []}]}, "'otherwise'"),
    ({"type": "value", "path": "true", "format": ""}, "not a name a letter can show"),
    ({"type": "value", "path": "a b", "format": ""}, "not the name of a value"),
    ({"type": "value", "path": "amount", "format": "upper"}, "not a format"),
    ({"type": "repeat", "name": "row", "items": "lines|sort", "children": []}, "not a list to repeat"),
    ({"type": "script"}, "'script' is not a part a letter can have"),
    ({"type": "text"}, "no text 'text'"),
])
def test_what_no_template_could_hold_is_refused_naming_it(node, error):
    with pytest.raises(ValueError, match=error):
        edited_document({"markup": "plain", "children": [node]}, Markup.PLAIN)


def test_a_document_nested_deeper_than_a_letter_needs_is_refused():
    nested: dict = {"type": "text", "text": "deep"}
    for _ in range(60):
        nested = {"type": "element", "tag": "b", "attributes": [], "children": [nested]}
    with pytest.raises(ValueError, match="nested more than"):
        document_from_json({"markup": "html", "children": [nested]}, Markup.HTML)
    assert document_from_json(document_json(plain(Text("x"))), Markup.PLAIN) == plain(Text("x"))


# What is pasted --------------------------------------------------------------------------------------------------


def test_pasted_html_is_cleaned_by_the_allow_list_and_its_braces_stay_text():
    pasted = pasted_nodes(Markup.HTML, html='<div><h2 style="x">Hi {{ you }}</h2><img src="file:///etc/passwd">'
                                            '<script>alert(1)</script>loose <b>bold</b></div>')
    assert pasted == (Element("h2", (), (Text("Hi {{ you }}"),)),
                      Element("p", (), (Text("loose "), Element("b", (), (Text("bold"),)))))
    assert template_source(LetterDocument(Markup.HTML, pasted)) == \
        '<h2>Hi {{ "{" }}{ you }}</h2>\n<p>loose <b>bold</b></p>\n'
    assert pasted_nodes(Markup.HTML, html="<b>only</b> inline") == (Element("b", (), (Text("only"),)), Text(" inline"))


def test_pasted_text_is_text_and_a_subject_keeps_it_on_one_line():
    assert pasted_nodes(Markup.TEXT, html="<h1>ignored</h1>", text="a\r\nb") == (Text("a\nb"),)
    assert pasted_nodes(Markup.PLAIN, text="a\nb", single_line=True) == (Text("a b"),)
    assert pasted_nodes(Markup.PLAIN, text="") == ()


def test_a_locked_piece_of_code_and_a_text_next_to_it_stay_as_written():
    source = "Dear {# the name #}\n{{ customer.name }}"
    document = parse_template(source, Markup.HTML)
    assert Locked("{# the name #}") in document.children
    assert template_source(edited_document(document_json(document), Markup.TEXT)) == source
