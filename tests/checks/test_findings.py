"""A finding's names joined as its English text always joined them, whatever the names."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from models.checks.findings import quoted

NAMES = st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6)


@given(NAMES)
def test_quoted_names_read_as_before_they_were_phrased(names: list[str]):
    assert str(quoted(names)) == " or ".join(f"'{name}'" for name in names)
    assert str(quoted(names, joined_by_and=True)) == " and ".join(f"'{name}'" for name in names)
