"""Sample values for the letter designer's preview, when no real case is chosen.

Every variable gets a typed value as a case would hold it (money an exact amount,
dates real dates, a choice its first option, records two rows), normalised the
way case data is at run time, so the preview shows what a customer would read
and the money and date filters work on it. A sample text says it is one in the
letter's language ("voorbeeld Factuurnummer" in a Dutch letter). The context has
the shape `runtime.handlers.template_context` gives templates when a case runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from models.customers import Address, Customer
from models.data import DataType, Variable
from models.references import default_prefix, format_reference
from models.values import normalise_value

#: The customer the preview uses when the store has none.
SAMPLE_CUSTOMER = Customer(
    id="C-SAMPLE", number="100000", name="Jan de Vries", email="jan.devries@example.com", phone="+31 20 123 4567",
    iban="NL91ABNA0417164300",
    address=Address(street="Keizersgracht", house_number="12", postcode="1015 CS", city="Amsterdam"),
)

_RAW_SAMPLES: dict[DataType, Any] = {
    DataType.NUMBER: 3,
    DataType.MONEY: "125.50",
    DataType.DATE: "2026-03-16",
    DataType.DATETIME: "2026-03-16T10:30:00+01:00",
    DataType.BOOLEAN: True,
    DataType.EMAIL: "jan.devries@example.com",
    DataType.PHONE: "+31 20 123 4567",
    DataType.IBAN: "NL91ABNA0417164300",
}

#: How many rows a sample list of records has.
SAMPLE_RECORDS = 2

#: The word a sample text starts with, by language; a language not here reads English.
SAMPLE_WORDS = {"en": "sample", "nl": "voorbeeld"}


def sample_word(language: str) -> str:
    """The word for "sample" in a letter in `language` (a code such as nl, en or nl-BE).

    >>> sample_word("nl"), sample_word("nl-BE"), sample_word("EN_gb"), sample_word("de")
    ('voorbeeld', 'voorbeeld', 'sample', 'sample')
    """
    return SAMPLE_WORDS.get(language.replace("-", "_").split("_")[0].lower(), SAMPLE_WORDS["en"])


def sample_value(variable: Variable, language: str = "en") -> Any:
    """A typed sample value for `variable`, as case data holds it at run time; a text in `language`.

    >>> sample_value(Variable(name="claim_amount", type="money"))
    Decimal('125.50')
    >>> sample_value(Variable(name="invoice_number", type="text"))
    'sample invoice number'
    >>> sample_value(Variable(name="invoice_number", type="text", label="Factuurnummer"), "nl")
    'voorbeeld Factuurnummer'
    >>> sample_value(Variable(name="lines", type="records", fields=[Variable(name="item", type="text")]))
    [{'item': 'sample item 1'}, {'item': 'sample item 2'}]
    """
    return normalise_value(variable, _raw_sample(variable, sample_word(language)))


def _raw_sample(variable: Variable, word: str, row: int | None = None) -> Any:
    if variable.type is DataType.TEXT:
        return f"{word} {variable.display}" + (f" {row}" if row else "")
    if variable.type is DataType.CHOICE:
        return variable.option_values()[0]
    if variable.type is DataType.RECORDS:
        return [{f.name: _raw_sample(f, word, number) for f in variable.fields}
                for number in range(1, SAMPLE_RECORDS + 1)]
    return _RAW_SAMPLES[variable.type]


def sample_context(variables: Sequence[Variable], customer: Mapping[str, Any], *, now: datetime, today: date,
                   process_name: str, language: str = "en") -> dict[str, Any]:
    """What a template in `language` sees in the preview: sample case data, `customer`, today/now and a sample case.

    >>> context = sample_context([Variable(name="paid", type="boolean")], SAMPLE_CUSTOMER.model_dump(mode="json"),
    ...                          now=datetime(2026, 3, 16, 9, 0), today=date(2026, 3, 16), process_name="Refund")
    >>> context["paid"], context["customer"]["name"], context["case"]["process"]
    (True, 'Jan de Vries', 'Refund')
    """
    context: dict[str, Any] = {variable.name: sample_value(variable, language) for variable in variables}
    context |= {
        "customer": dict(customer),
        "today": today,
        "now": now,
        "case": {"id": "CASE-SAMPLE", "reference": format_reference(default_prefix(process_name), now.year, 123),
                 "process": process_name, "started": now},
    }
    return context
