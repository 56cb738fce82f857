"""Durations as people type them, in English or Dutch: read into the same amount and unit, kept in English."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.durations import Duration, DurationUnit

durations = st.builds(Duration, amount=st.integers(min_value=1, max_value=999_999), unit=st.sampled_from(DurationUnit))


@pytest.mark.parametrize(("typed", "kept"), [
    ("5 werkdagen", "5 working days"), ("1 werkdag", "1 working days"), ("4 uur", "4 hours"), ("2 dagen", "2 days"),
    ("1 dag", "1 days"), ("3 weken", "3 weeks"), ("1 week", "1 weeks"), ("30 minuten", "30 minutes"),
    ("1 minuut", "1 minutes"), ("8 werkuren", "8 working hours"), ("1 werkuur", "1 working hours"),
    ("  6 Werkdagen ", "6 working days"), ("5 working days", "5 working days"), ("4 hours", "4 hours"),
])
def test_a_duration_typed_in_dutch_or_english_is_kept_in_english(typed: str, kept: str):
    assert str(Duration.parse(typed)) == kept


@given(durations)
def test_every_duration_as_kept_reads_back_as_itself(duration: Duration):
    assert Duration.parse(str(duration)) == duration
    assert Duration.model_validate(duration.model_dump()) == duration


@pytest.mark.parametrize("typed", ["5 werkweken", "5", "werkdagen", "5 days and 2 hours", "-3 dagen"])
def test_a_text_that_is_no_duration_in_either_language_is_refused_with_an_example(typed: str):
    with pytest.raises(ValueError, match="is not a duration; write an amount and a unit"):
        Duration.parse(typed)
