"""Reading API request bodies: any bytes are either a JSON value Flowdesk can keep or a refusal naming where."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from designer.api.bodies import BodyProblem, read_json_body

#: Text with any code point, lone surrogates included (JSON spells them as \\ud800 escapes).
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=8)
SCALARS = (st.none() | st.booleans() | st.integers(-10**50, 10**50)
           | st.floats(allow_nan=False, allow_infinity=False) | ANY_TEXT)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(ANY_TEXT, inner, max_size=4), max_leaves=20)


def keeps_unicode(value: Any) -> bool:
    """Whether every text in `value` (keys too) is valid Unicode."""
    if isinstance(value, str):
        return not any(0xD800 <= ord(char) <= 0xDFFF for char in value)
    if isinstance(value, list):
        return all(keeps_unicode(item) for item in value)
    if isinstance(value, dict):
        return all(keeps_unicode(key) and keeps_unicode(item) for key, item in value.items())
    return True


@given(st.binary(max_size=200))
def test_any_bytes_are_a_value_or_a_refusal_never_another_error(raw: bytes):
    try:
        read_json_body(raw)
    except BodyProblem as refused:
        assert str(refused)


@given(JSON_VALUES)
def test_a_json_document_is_taken_exactly_when_all_its_text_is_unicode(value: Any):
    raw = json.dumps(value).encode()
    try:
        read = read_json_body(raw)
    except BodyProblem as refused:
        assert not keeps_unicode(value) and "lone surrogate" in str(refused)
    else:
        assert keeps_unicode(value) and read == value


@given(st.integers(min_value=101, max_value=5_000))
def test_numbers_too_long_to_be_amounts_are_refused_with_their_place(digits: int):
    try:
        read_json_body(b'{"data": {"amount": ' + b"9" * digits + b"}}")
    except BodyProblem as refused:
        assert refused.path == ("data", "amount") and f"{digits:,} digits" in str(refused)
    else:
        raise AssertionError("a number of that many digits was taken")
