"""What the language refuses, and that it says so in words a business owner understands."""

from __future__ import annotations

import pytest

from models.errors import FlowdeskError
from models.expressions import ExpressionError, ExprType, compile_expression


@pytest.mark.parametrize(("source", "message", "hint"), [
    ("amount = 100", "'=' is not allowed here", "'=='"),
    ("approved; true", "';' is not allowed", "single expression"),
    ("`ls`", "'`' is not allowed", "quotes"),
    ("approved and true", "unexpected 'and'", "'&&'"),
    ("approved & true", "a single '&' is not an operator", "'&&'"),
    ("1 +", "the expression ends too early", None),
    ("(1 + 2", "the expression ends too early", "')'"),
    ("'abc", "text in quotes is not closed", "closing '"),
    ("b'abc'", "byte strings (b'...') are not supported", None),
    ("1u", "unsigned numbers (with 'u') are not supported", None),
    ("'a\\q'", "'\\q' is not a valid escape in text", None),
    ("Msg{a: 1}", "building messages with 'Name{...}' is not supported", None),
    ("", "the expression is empty", None),
    ("12abc", "'12a' is not a number", None),
])
def test_syntax_mistakes(refuse, source, message, hint):
    error = refuse(source)
    assert error.message == message
    if hint is not None:
        assert hint in error.hint


@pytest.mark.parametrize(("source", "position"), [
    ("x.__class__", 2),
    ("customer.__dict__", 9),
    ('__import__("os")', 0),
    ("lines.exists(_l, true)", 13),
    ("customer._name", 9),
])
def test_names_starting_with_underscore_are_refused(refuse, source, position):
    error = refuse(source)
    assert "names cannot start with '_'" in error.message
    assert error.position == position


def test_unknown_names_get_a_suggestion(refuse):
    error = refuse("claim_amont > 100")
    assert error.message == "unknown name 'claim_amont'"
    error = refuse("amout > 100")
    assert error.hint == "did you mean 'amount'?"
    assert error.position == 0
    assert refuse("Amount > 1").hint == "did you mean 'amount'?"


def test_an_unknown_bare_word_suggests_quotes(refuse):
    assert refuse("status == pending").hint == 'to mean the text itself, put it in quotes: "pending"'


@pytest.mark.parametrize(("source", "message"), [
    ("eval('1')", "unknown function 'eval'"),
    ("exec(note)", "unknown function 'exec'"),
    ("note.format(1)", "unknown function 'format'"),
    ("timestamp('2024-01-01T00:00:00Z')", "unknown function 'timestamp'"),
    ("dyn(1)", "unknown function 'dyn'"),
    ("amount(1)", "'amount' is not a function"),
])
def test_only_whitelisted_functions(refuse, source, message):
    assert refuse(source).message == message


def test_unknown_function_suggests_a_close_one(refuse):
    assert refuse("lines.exist(l, true)").hint == "did you mean 'exists'?"
    assert refuse("startswith(note, 'a')").hint == "did you mean 'startsWith'?"


@pytest.mark.parametrize(("source", "message"), [
    ('"text" + 1', "cannot add text and a number"),
    ("note - note", "cannot subtract text from text"),
    ("approved + 1", "cannot add yes/no and a number"),
    ("note > 1", "cannot compare text with a number"),
    ("approved && score", "'&&' (and) needs yes/no on both sides, but score is a number"),
    ("!score", "'!' (not) needs yes/no, but score is a number"),
    ("-note", "cannot make text negative"),
    ("score ? 1 : 2", "the condition before '?' gives a number, not yes/no"),
    ("approved ? 1 : 'x'", "the two possible results differ: a number after '?' and text after ':'"),
    ("[1, 'a']", "a list holds one kind of value, but this list mixes a number and text"),
    ("note in 'abc'", "'in' looks for a value in a list, not in text"),
    ("1 in note", "'in' looks for a value in a list, not in text"),
    ("1 in score", "'in' needs a list after it, but score is a number"),
    ("note in [1, 2]", "cannot look for text in a list of number"),
    ("size(score)", "size needs text or a list, but score is a number"),
    ("note.startsWith(1)", "startsWith needs text, but 1 is a number"),
    ("size(note, note)", "size takes 1 value, not 2"),
    ("note[0]", "cannot pick characters out of text with [ ]: note"),
    ("lines['x']", "a position in a list is a number, not text"),
    ("score.x", "score is a number and has no field 'x'"),
    ('{1: 2}', "the field names of a record are text in quotes"),
    ("sum(note)", "sum needs a list of amounts or numbers, but note is text"),
    ("days_between(score, today)", "days_between needs dates, but score is a number"),
    ("note.matches('(')", "'(' is not a valid pattern (regular expression)"),
    ("lines.contains(1)", "contains looks inside text, but lines is a list of records"),
])
def test_type_errors_in_plain_words(refuse, source, message):
    assert refuse(source).message == message


def test_type_error_points_at_the_operator(refuse):
    error = refuse('note + 1 > 2')
    assert error.position == 5


@pytest.mark.parametrize(("source", "expect", "message"), [
    ("score", ExprType.BOOLEAN, "this gives a number, but yes/no is needed here"),
    ("amount", ExprType.BOOLEAN, "this gives money, but yes/no is needed here"),
    ("note", ExprType.BOOLEAN, "this gives text, but yes/no is needed here"),
    ("score", ExprType.MONEY, "this gives a number, but money is needed here"),
    ("amount", ExprType.TEXT, "this gives money, but text is needed here"),
    ("today", ExprType.NUMBER, "this gives a date, but a number is needed here"),
])
def test_the_place_decides_the_type(refuse, source, expect, message):
    assert refuse(source, expect).message == message


def test_limits_on_size_and_nesting(refuse, names):
    assert "3,000 characters long; the limit is 2,000" in refuse("x" * 3000).message
    assert "nested too deeply" in refuse("(" * 200 + "1" + ")" * 200).message
    assert "nested too deeply" in refuse("(" * 33 + "1" + ")" * 33).message
    assert compile_expression("(" * 32 + "1" + ")" * 32, names).evaluate({}) == 1
    assert "nested too deeply" in refuse("!" * 40 + "approved").message
    assert "more than 500 parts" in refuse(" + ".join(["1"] * 300)).message


def test_long_flat_chains_are_fine(names):
    assert compile_expression(" + ".join(["score"] * 200), names).evaluate({"score": 0.5}) == 100
    assert compile_expression(" || ".join(["approved"] * 150), names).evaluate({"approved": False}) is False
    source = " + ".join(["amount"] * 200)
    assert str(compile_expression(source, names).evaluate({"amount": 1})) == "200.00"


def test_errors_carry_source_position_and_hint(refuse):
    error = refuse("amout > 1")
    assert isinstance(error, FlowdeskError)
    assert (error.source, error.message, error.position, error.hint) == (
        "amout > 1", "unknown name 'amout'", 0, "did you mean 'amount'?")
    assert error.pointer() == "amout > 1\n^"


def test_a_non_text_source_is_refused(names):
    with pytest.raises(ExpressionError, match="must be text"):
        compile_expression(42, names)  # type: ignore[arg-type]
