"""Money, dates and numbers in letters: written as the letter's language writes them, one set of rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import pytest
from babel.numbers import parse_decimal
from hypothesis import given
from hypothesis import strategies as st

from codegen.formatting import LetterFormats
from codegen.letter_snippets import PickerEntry, value_snippet
from codegen.letters import LetterRenderError, render_letter
from codegen.sms import is_gsm
from models.letters import Letter

NL, EN = LetterFormats("nl"), LetterFormats("en")
NBSP = "\u00a0"


def letter(body: str, *, channel: str = "letter", languages: tuple[str, ...] = ("nl", "en")) -> Letter:
    return Letter.model_validate({"id": "credit", "name": "Credit note", "channel": channel,
                                  "default_language": languages[0],
                                  "variants": [{"language": lang, "body": body} for lang in languages]})


def test_dutch_and_english_letters_write_money_and_dates_their_own_way():
    assert NL.money(Decimal("42.50")) == f"€{NBSP}42,50"
    assert EN.money(Decimal("42.50")) == "€42.50"
    assert NL.date(date(2026, 12, 6)) == "6 december 2026"
    assert EN.date(date(2026, 12, 6)) == "6 December 2026"
    assert NL.number(Decimal("1234.5")) == "1.234,5" and EN.number(Decimal("1234.5")) == "1,234.5"


def test_the_customers_language_picks_how_the_letter_writes_an_amount_and_a_date():
    body = "<p>We crediteren {{ amount|money }} op {{ day|date }} voor {{ units|number }} kWh.</p>"
    context = {"amount": "1234.5", "day": "2026-12-06", "units": 1500}
    dutch = render_letter(letter(body), "nl", context).body
    english = render_letter(letter(body), "en", context).body
    assert "€&nbsp;1.234,50 op 6 december 2026 voor 1.500 kWh" in dutch
    assert "€1,234.50 op 6 December 2026 voor 1,500 kWh" in english


def test_a_language_with_a_territory_is_written_as_that_country_writes_it():
    assert LetterFormats("en-GB").date(date(2026, 12, 6)) == "6 December 2026"
    assert LetterFormats("en_US").date(date(2026, 12, 6)) == "December 6, 2026"
    assert LetterFormats("de").money(Decimal("42.5")) == f"42,50{NBSP}€"


@given(st.decimals(min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"), places=3))
def test_every_amount_reads_back_as_itself_rounded_half_up_to_the_cent(amount: Decimal):
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    for formats in (NL, EN):
        written = formats.money(amount)
        assert "€" in written
        number = written.replace("€", "").replace(NBSP, "").strip()
        assert parse_decimal(number, locale=formats.locale, strict=True) == cents, written


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_every_date_shows_its_day_the_languages_month_name_and_its_year(day: date):
    for formats in (NL, EN):
        month = formats.locale.months["format"]["wide"][day.month]
        assert formats.date(day) == f"{day.day} {month} {day.year}"


def test_half_a_cent_rounds_up_as_everywhere_in_flowdesk():
    assert NL.money(Decimal("0.125")) == f"€{NBSP}0,13"
    assert EN.money(Decimal("-0.125")) == "-€0.13"


def test_dates_may_come_as_dates_times_or_iso_text():
    late_evening = datetime(2026, 12, 6, 23, 30, tzinfo=timezone(timedelta(hours=1)))
    assert {NL.date(late_evening), NL.date("2026-12-06T23:30:00+01:00"), NL.date(" 2026-12-06 ")} \
        == {"6 december 2026"}


@pytest.mark.parametrize("value, message", [
    ("twelve", "expected an amount, got 'twelve'"),
    (None, "{{ value }} is empty in this case"),  # an empty value stops the letter before any filter
    (True, "expected an amount, got True"),
    (Decimal("NaN"), "expected an amount, got Decimal('NaN')"),
    (float("inf"), "expected an amount, got inf"),
    ([1, 2], "expected an amount, got [1, 2]"),
    (10 ** 40, "is too large to print: at most 15 digits"),
    ("1e999999", "is too large to print"),
])
def test_a_value_that_is_no_amount_is_refused_naming_the_letter_and_the_value(value, message: str):
    with pytest.raises(LetterRenderError) as refused:
        render_letter(letter("{{ value|money }}"), "nl", {"value": value})
    assert "text of 'Credit note'" in str(refused.value)
    assert message in str(refused.value)


def test_a_value_that_is_no_date_is_refused_with_an_example_of_one():
    with pytest.raises(LetterRenderError, match="expected a date such as 2026-12-06, got '6/12'"):
        render_letter(letter("{{ value|date }}"), "nl", {"value": "6/12"})


def test_a_missing_placeholder_is_named_even_inside_a_filter():
    with pytest.raises(LetterRenderError, match="'refund' is undefined"):
        render_letter(letter("{{ refund|money }}"), "nl", {})


def test_a_letter_in_an_unknown_language_renders_until_it_formats_a_value():
    assert "Hallo" in render_letter(letter("Hallo", languages=("xx",)), "xx", {}).body
    with pytest.raises(LetterRenderError, match="the language 'xx' is not one whose money and dates can be written"):
        render_letter(letter("{{ 5|money }}", languages=("xx",)), "xx", {})


def test_an_sms_amount_keeps_to_the_gsm_alphabet():
    rendered = render_letter(letter("Te betalen: {{ amount|money }}", channel="sms", languages=("fr", "nl")), "fr",
                             {"amount": Decimal("1234.5")})
    assert rendered.body == "Te betalen: 1 234,50 €"
    assert is_gsm(rendered.body)


def test_the_picker_inserts_numbers_with_the_number_filter():
    snippet = value_snippet(PickerEntry("units", "Units", "Case data", "number"))
    assert snippet == "{{ units|number }}"
    assert render_letter(letter(snippet), "nl", {"units": 2.5}).body == "<p>2,5</p>\n"
