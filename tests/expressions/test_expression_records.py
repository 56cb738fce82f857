"""Lists of records (invoice lines) and the customer, read field by field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.customers import Address, Customer, Segment
from models.expressions import ExprType, compile_expression

D = Decimal
LINES = [
    {"description": "gas", "amount": D("120.50"), "quantity": 1},
    {"description": "power", "amount": D("80.25"), "quantity": 2.5},
    {"description": "fee", "amount": D("4.95"), "quantity": 1},
]
CUSTOMER = {
    "id": "c1", "number": "1001", "name": "Ann de Vries", "email": "ann@example.com", "phone": "",
    "language": "nl", "segment": "premium", "payment_method": "invoice", "iban": "",
    "address": {"street": "Main", "house_number": "1", "postcode": "1000AA", "city": "Delft", "country": "NL"},
    "consents": {"email": True, "sms": False, "marketing": False},
}


@pytest.mark.parametrize(("source", "expected"), [
    ("lines.exists(l, l.amount > 100)", True),
    ("lines.all(l, l.amount > 100)", False),
    ("lines.exists_one(l, l.amount > 100)", True),
    ("lines.all(l, l.quantity >= 1)", True),
    ('lines.exists(l, l.description.startsWith("po"))', True),
    ("size(lines.filter(l, l.amount < 100)) == 2", True),
    ("lines.map(l, l.description)", ["gas", "power", "fee"]),
    ("lines.map(l, l.amount)", [D("120.50"), D("80.25"), D("4.95")]),
    ("lines.map(l, l.amount > 100, l.quantity)", [1]),
    ("lines.map(l, l.amount * l.quantity)", [D("120.50"), D("200.63"), D("4.95")]),
    ("lines[1].description", "power"),
    ("lines.exists(l, lines.all(m, m.amount <= l.amount))", True),
])
def test_comprehensions_over_records(ev, source, expected):
    assert ev(source, lines=LINES) == expected


def test_filter_gives_back_whole_records_with_exact_amounts(ev):
    assert ev("lines.filter(l, l.amount < 100)", lines=LINES) == LINES[1:]


def test_a_records_list_is_not_one_record(refuse):
    error = refuse("lines.amount > 100")
    assert error.message == "lines is a list of records, not one record"
    assert "lines.exists(" in error.hint


def test_a_typo_in_a_record_field_gets_a_suggestion(refuse):
    error = refuse("lines.exists(l, l.amont > 100)")
    assert error.message == "l has no field 'amont'"
    assert error.hint == "did you mean 'amount'?"


@pytest.mark.parametrize(("source", "message"), [
    ("lines.exists(l, l.amount)", "the condition in exists gives money, not yes/no"),
    ("exists(lines, l.amount > 1)", "exists(...) goes after a list"),
    ("lines.exists(l.amount > 1)", "exists needs a name for each item and an expression"),
    ("note.exists(c, c == 'a')", "exists works on a list, but note is text"),
])
def test_macro_mistakes(refuse, source, message):
    assert refuse(source).message == message


@pytest.mark.parametrize(("source", "expected"), [
    ('customer.segment == "premium"', True),
    ("customer.address.city", "Delft"),
    ("customer.consents.email && !customer.consents.sms", True),
    ("has(customer.email)", True),
    ("has(customer.address.city)", True),
    ('customer.name.contains("Vries")', True),
])
def test_customer_fields(ev, source, expected):
    assert ev(source, customer=CUSTOMER) == expected


def test_customer_fields_travel_one_by_one(names):
    compiled = compile_expression('customer.segment == "premium"', names)
    assert "customer.segment" not in compiled.cel_source
    assert compiled.names == frozenset({"customer"})


def test_has_is_false_without_a_value_and_never_fails(ev):
    partial = {**CUSTOMER, "email": None, "address": None}
    assert ev("has(customer.email)", customer=partial) is False
    assert ev("has(customer.address.city)", customer=partial) is False
    assert ev("has(customer.address.city)", customer=None) is False
    assert ev("has(customer.email) || customer == null", customer=None) is True


def test_a_customer_model_can_be_passed_as_is(ev):
    customer = Customer(id="c2", number="7", name="Bob", segment=Segment.SMALL_BUSINESS,
                        address=Address(street="Dam", house_number="2", postcode="1012JS", city="Amsterdam"))
    assert ev('customer.segment == "small_business"', customer=customer) is True
    assert ev("customer.address.city", customer=customer) == "Amsterdam"
    assert ev('customer.segment == "small_business"', customer=customer.model_dump()) is True


def test_unknown_customer_fields_are_refused_with_a_suggestion(refuse):
    assert str(refuse("customer.nmae")) == "customer has no field 'nmae'; did you mean 'name'?"
    assert refuse("customer.address.town").message == "customer.address has no field 'town'"


def test_record_literals(ev):
    assert ev('{"total": amount, "n": 2}', amount=D("1.50")) == {"total": D("1.50"), "n": 2}
    assert ev('{"a": 1}.a == 1') is True


def test_records_compared_whole_keep_every_field(names):
    line = ExprType.record({"description": ExprType.TEXT, "amount": ExprType.MONEY,
                            "quantity": ExprType.NUMBER})
    compiled = compile_expression("lines.filter(l, l.amount > 1)", names)
    assert compiled.type == ExprType.list_of(line)
    assert compiled.evaluate({"lines": LINES[:1]}) == LINES[:1]
