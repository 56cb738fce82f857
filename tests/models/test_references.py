"""Reference prefixes: every process name gives one that can start a reference, and references read back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from models.bundle import Bundle
from models.references import as_reference, default_prefix, format_reference, is_prefix, reference_prefix

KEYS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,20}", fullmatch=True)


@given(name=st.text(max_size=200), key=KEYS)
def test_every_process_name_gives_a_prefix_a_bundle_accepts(name: str, key: str):
    prefix = default_prefix(name, key)
    assert is_prefix(prefix)
    assert reference_prefix(Bundle(key=key, name=name)) == prefix


@given(prefix=st.from_regex(r"[A-Z][A-Z0-9]{0,5}", fullmatch=True), year=st.integers(1800, 2999),
       number=st.integers(1, 10**9))
def test_a_reference_written_out_or_read_out_is_read_back_in_any_letter_case(prefix: str, year: int, number: int):
    reference = format_reference(prefix, year, number)
    assert as_reference(f"  {reference.lower()} ") == reference
    assert as_reference(reference.replace("-", " ")) == reference
    assert as_reference(f"{prefix.lower()} {year} {number}") == reference  # as a caller reads it out
    assert as_reference(f"{prefix}{year}{number}") is None  # without a break the parts cannot be told apart
