"""The one JSON reader of every door: what it refuses, with which message and JSON path."""

from __future__ import annotations

import pytest

from models.json_input import MAX_JSON_BYTES, MAX_NESTING, JsonInputError, read_json


def refusal(text: str | bytes, **options) -> tuple[str, str]:
    with pytest.raises(JsonInputError) as refused:
        read_json(text, **options)
    return refused.value.problem.path, refused.value.problem.message


def test_valid_json_is_read_as_is():
    assert read_json(b'\xef\xbb\xbf{"a": [1, 2.5, "\\u00e9\\ud83d\\ude00", null]}') == {"a": [1, 2.5, "é😀", None]}


@pytest.mark.parametrize(("text", "path", "message"), [
    ('{"amount": 1e309}', "amount", "the number 1e309 is too large"),
    ('{"lines": [{"n": -1e999999999}]}', "lines[0].n", "the number -1e999999999 is too large"),
    ('{"n": ' + "9" * 101 + "}", "n", "a number of 101 characters is too long; at most 100 are allowed"),
    ('{"n": NaN}', "n", "NaN is not a number JSON allows"),
    ('[1, Infinity]', "[1]", "Infinity is not a number JSON allows"),
    ('{"note": "ok \\ud800"}', "note", "the text is not valid Unicode (a lone surrogate \\ud800 at character 4)"),
    ('{"a b": {"\\udfff": 1}}', '["a b"]', "a name in this object: the text is not valid Unicode "
                                           "(a lone surrogate \\udfff at character 1)"),
    ('{"note": "bad \udc80"}', "note", "the text is not valid Unicode (a lone surrogate \\udc80 at character 5)"),
])
def test_values_that_cannot_be_kept_are_refused_with_their_path(text: str, path: str, message: str):
    assert refusal(text) == (path, message)


def test_a_well_formed_surrogate_pair_is_one_character_and_read():
    assert read_json('"\\ud83d\\ude00"') == "😀"


def test_deep_nesting_is_refused_before_parsing():
    assert refusal("[" * 100_000 + "]" * 100_000) == (
        "", f"the JSON is nested 100,000 levels deep; at most {MAX_NESTING} are allowed")
    assert read_json("[" * MAX_NESTING + "]" * MAX_NESTING) is not None


def test_size_is_limited_before_anything_is_read():
    assert refusal(b" " * 11, max_bytes=10) == ("", "the input is 11 bytes; at most 10 bytes are allowed")
    assert refusal(" " * (MAX_JSON_BYTES + 1))[1].endswith(f"at most {MAX_JSON_BYTES:,} bytes are allowed")


def test_syntax_errors_say_where_and_whether_the_text_is_cut_off():
    assert refusal('{"a": [1,', source="--data-json") == (
        "", "not valid JSON at line 1, column 10: Expecting value (the file seems to be cut off: it ends inside "
            "a text or an unclosed bracket)")
    with pytest.raises(JsonInputError, match=r"^--data-json: not valid JSON at line 1, column 1"):
        read_json("nope", source="--data-json")


def test_bytes_must_be_utf8():
    assert refusal(b'{"a": "\xff"}') == ("", "the input is not UTF-8 text (byte 7 cannot be read)")
    assert refusal(b'"\xed\xa0\x80"')[1].startswith("the input is not UTF-8 text")  # an encoded surrogate
