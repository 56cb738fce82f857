"""The word-level text diff stays word by word on long letters, and rebuilds both texts exactly."""

from __future__ import annotations

import re
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from codegen.diff import word_diff
from codegen.diff.text import WORD_BUDGET, snippet

LETTER = ("Beste {{ customer.name }},\n\nBedankt voor uw bericht over factuur {{ invoice_number }}. "
          "Binnen 5 werkdagen hoort u van ons wat we hebben gevonden.\n\nHeeft u nog een foto van uw meterstand? "
          "Beantwoord dan deze e-mail.\n\nMet vriendelijke groet,\nTeam Facturatie\n")


def rebuilt(segments: tuple, leave_out: str) -> str:
    return "".join(segment.text for segment in segments if segment.op != leave_out)


def test_a_long_letter_rewritten_throughout_still_shows_each_changed_word():
    long_letter = LETTER * 40
    assert len(re.findall(r"\w+|\S", long_letter)) ** 2 > WORD_BUDGET  # too long to compare word by word at once
    informal = re.sub(r"\bu\b", "je", long_letter)
    segments = word_diff(long_letter, informal)
    assert {s.text for s in segments if s.op == "delete"} == {"u"}
    assert {s.text for s in segments if s.op == "insert"} == {"je"}
    assert sum(s.op == "delete" for s in segments) == len(re.findall(r"\bu\b", long_letter))
    assert (rebuilt(segments, "insert"), rebuilt(segments, "delete")) == (long_letter, informal)


def test_changes_separated_by_spaces_read_as_one_replacement():
    segments = word_diff("we reply within five working days", "we answer in ten days")
    assert [(s.op, s.text) for s in segments] == [
        ("equal", "we "), ("delete", "reply within five working"), ("insert", "answer in ten"), ("equal", " days")]
    assert snippet(segments) == "we [-reply within five working-]{+answer in ten+} days"


@given(st.text(st.sampled_from("ab .\n"), max_size=60), st.text(st.sampled_from("ab .\n"), max_size=60))
def test_the_segments_rebuild_both_texts_and_never_repeat_an_operation(before: str, after: str):
    segments = word_diff(before, after)
    assert (rebuilt(segments, "insert"), rebuilt(segments, "delete")) == (before, after)
    assert all(segment.text for segment in segments)
    assert all(a.op != b.op for a, b in pairwise(segments))
