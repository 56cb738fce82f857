"""Rendering with empty values: never the word "None", a clear error naming the placeholder instead."""

from __future__ import annotations

import pytest

from codegen.formatting import LetterFormats
from codegen.letters import LetterRenderError, render_template

CONTEXT = {"note": None, "amount": None, "customer": {"name": "Sanne", "phone": None},
           "lines": [{"item": "meter", "price": None}]}

REFUSED = {
    "printed": ("Dear {{ note }}", "{{ note }}"),
    "through a filter": ("{{ note|upper }}", "{{ note }}"),
    "money": ("{{ amount|money }}", "{{ amount }}"),
    "compared": ("{% if amount > 10 %}x{% endif %}", "{{ amount }}"),
    "joined": ("{{ note ~ '!' }}", "{{ note }}"),
    "a customer field": ("{{ customer.phone }}", "{{ customer.phone }}"),
    "a field of a record": ("{% for line in lines %}{{ line.price }}{% endfor %}", "{{ lines[0].price }}"),
}

NL = LetterFormats("nl")


@pytest.mark.parametrize(("source", "placeholder"), REFUSED.values(), ids=REFUSED.keys())
def test_an_empty_value_stops_rendering_naming_the_placeholder(source: str, placeholder: str):
    with pytest.raises(LetterRenderError) as refused:
        render_template(source, CONTEXT, html=True, formats=NL, what="text of 'Welcome'")
    assert str(refused.value) == (f"the text of 'Welcome' uses a placeholder with no value: {placeholder} is empty "
                                  "in this case")


@pytest.mark.parametrize(("source", "shown"), [
    ("{% if note %}{{ note }}{% else %}no note{% endif %}", "no note"),
    ("{{ note|default('no note') }}", "no note"),
    ("{{ note or 'no note' }}", "no note"),
    ("{% if note is defined %}{{ note }}{% endif %}-", "-"),
    ("{{ customer.name }}{% if customer.phone %}, {{ customer.phone }}{% endif %}", "Sanne"),
])
def test_a_letter_may_show_an_empty_value_only_when_there_is_one(source: str, shown: str):
    assert render_template(source, CONTEXT, html=False, formats=NL) == shown


def test_a_name_that_is_not_data_at_all_still_fails_even_in_a_test():
    with pytest.raises(LetterRenderError, match="'nothing' is undefined"):
        render_template("{% if nothing %}x{% endif %}", CONTEXT, html=False, formats=NL)
