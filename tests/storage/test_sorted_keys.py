"""The blocked sorted list behind the worklists behaves like a plain sorted list.

Blocks are made tiny here so that random adds and removes split and empty
them often.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.storage import sorted_keys
from runtime.storage.sorted_keys import SortedKeys

operations = st.lists(st.tuples(st.booleans(), st.integers(0, 60)), max_size=120)


@pytest.fixture(autouse=True)
def tiny_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sorted_keys, "_BLOCK", 3)


@settings(max_examples=150, deadline=None)
@given(st.sets(st.integers(0, 60)), operations, st.integers(0, 70), st.integers(0, 70))
def test_random_adds_and_removes_keep_the_order(initial: set[int], steps: list[tuple[bool, int]], start: int,
                                                 length: int):
    keys = SortedKeys(initial)
    reference = sorted(initial)
    for add, key in steps:
        if add and key not in reference:
            keys.add(key)
            reference = sorted([*reference, key])
        elif not add and key in reference:
            keys.remove(key)
            reference.remove(key)
    assert list(keys) == reference
    assert len(keys) == len(reference)
    assert keys.slice(start, start + length) == reference[start:start + length]
    assert list(keys.below(start)) == [key for key in reference if key < start]


def test_removing_a_missing_key_is_an_error():
    keys = SortedKeys([1, 2, 3])
    with pytest.raises(ValueError, match="not in the sorted keys"):
        keys.remove(5)
    with pytest.raises(ValueError, match="not in the sorted keys"):
        SortedKeys().remove(1)
