"""A finding's names joined as its English text always joined them, whatever the names; a letter's finding names
its placeholder as data."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models import load_bundle
from models.checks import check
from models.checks.findings import quoted
from models.templates import Placeholder

NAMES = st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6)


@given(NAMES)
def test_quoted_names_read_as_before_they_were_phrased(names: list[str]):
    assert str(quoted(names)) == " or ".join(f"'{name}'" for name in names)
    assert str(quoted(names, joined_by_and=True)) == " and ".join(f"'{name}'" for name in names)


@pytest.mark.parametrize(("fixture", "path"), [
    ("placeholder_unknown/invalid-unknown-customer-field.json", "customer.nmae"),
    ("placeholder_unknown/invalid-unknown-variable.json", "amonut"),
    ("placeholder_maybe_empty/invalid-set-on-one-way-only.json", "reason"),
])
def test_a_placeholder_finding_names_its_placeholder_as_data_and_in_english_as_the_template_writes_it(
        fixture: str, path: str):
    bundle_path = Path(__file__).parent / fixture
    [finding] = [f for f in check(load_bundle(bundle_path.read_bytes(), str(bundle_path)))
                 if f.code in {"placeholder-unknown", "placeholder-maybe-empty"}]
    assert finding.message_phrase is not None
    named = [value for value in finding.message_phrase.values.values() if isinstance(value, Placeholder)]
    assert named == [Placeholder(path)]  # which chip the letter editor marks
    assert f"'{{{{ {path} }}}}'" in finding.message  # the command line and the API read the template's code
