"""A phrase kept with an audit event: its English text and its data, made in one walk, say what `str` and
`as_data` say."""

from __future__ import annotations

from enum import StrEnum

from hypothesis import given
from hypothesis import strategies as st

from models.phrases import Phrase


class Colour(StrEnum):
    DARK_RED = "dark_red"


plain_values = st.one_of(st.text(max_size=8), st.integers(), st.booleans(), st.none(),
                         st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(list(Colour)),
                         st.lists(st.text(max_size=4), max_size=3))
names = st.text(alphabet="abcdefgh", min_size=1, max_size=4)


def phrases(values: st.SearchStrategy) -> st.SearchStrategy[Phrase]:
    return st.dictionaries(names, values, max_size=4).map(
        lambda found: Phrase(" ".join(f"<{{{name}}}>" for name in found) or "nothing", **found))


any_phrase = st.recursive(phrases(plain_values), lambda inner: phrases(st.one_of(plain_values, inner)), max_leaves=8)


@given(any_phrase)
def test_english_and_data_in_one_walk_say_what_str_and_as_data_say(phrase: Phrase):
    text, data = phrase.english_and_data()
    assert text == str(phrase)
    assert data == phrase.as_data()
