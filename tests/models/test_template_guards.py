"""Which names a letter template needs a value for, and which it only shows when there is one."""

from __future__ import annotations

import pytest

from models.template_guards import names_needing_a_value

NEEDS = {
    "printed": ("Dear {{ note }}", {"note"}),
    "through a filter": ("{{ amount|money }} {{ note|upper }}", {"amount", "note"}),
    "filtered before the default": ("{{ note|upper|default('-') }}", {"note"}),
    "compared in a test": ("{% if amount > 100 %}big{% endif %}", {"amount"}),
    "looped over": ("{% for line in lines %}{{ line.item }}{% endfor %}", {"lines"}),
    "in the else of its own test": ("{% if note %}x{% else %}{{ note }}{% endif %}", {"note"}),
    "tested for none": ("{% if note is none %}{{ note }}{% endif %}", {"note"}),
    "after an or in a test": ("{% if a or note %}{{ note }}{% endif %}", {"note"}),
    "the default's own argument": ("{{ note|default(other) }}", {"other"}),
}

SHOWN_ONLY_WITH_A_VALUE = {
    "under its test": "{% if note %}, {{ note }}{% endif %}",
    "under a test of several": "{% if note and amount %}{{ note }} {{ amount|money }}{% endif %}",
    "defined": "{% if note is defined %}{{ note }}{% endif %}",
    "not none": "{% if note is not none %}{{ note }}{% endif %}",
    "in the else of a negated test": "{% if not note %}-{% else %}{{ note }}{% endif %}",
    "in an elif after a negated test": "{% if not note %}-{% elif x %}{{ note }}{% endif %}",
    "with a default": "{{ note|default('no note') }} {{ note|d('-') }}",
    "or a fallback": "{{ note or '-' }}",
    "in a conditional expression": "{{ note if note else '-' }} {{ '-' if not note else note }}",
    "bound by the template": "{% set x = 1 %}{{ x }}{% for row in range(3) %}{{ row }}{{ loop.index }}{% endfor %}",
}


@pytest.mark.parametrize(("source", "expected"), NEEDS.values(), ids=NEEDS.keys())
def test_names_read_outside_a_test_need_a_value(source: str, expected: set[str]):
    assert names_needing_a_value(source) == expected


@pytest.mark.parametrize("source", SHOWN_ONLY_WITH_A_VALUE.values(), ids=SHOWN_ONLY_WITH_A_VALUE.keys())
def test_names_shown_only_when_they_have_a_value_need_none(source: str):
    assert names_needing_a_value(source) == set()
