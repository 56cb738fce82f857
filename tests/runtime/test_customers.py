"""Finding and registering customers: in the store (every backend) and in a back-office system over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from models.customers import Customer, SearchField
from runtime.customers import CustomerError, CustomerNotFound, HttpCustomers, StoreCustomers
from runtime.storage.base import Changes
from tests.runtime import back_office
from tests.runtime.conftest import Harness

SAMPLES = json.loads((Path(__file__).resolve().parents[2] / "examples" / "customers.json").read_text())["customers"]


@pytest.fixture
def directory(harness: Harness) -> StoreCustomers:
    harness.store.commit(Changes(customers=[Customer.model_validate(c) for c in SAMPLES]))
    harness.restart()
    return StoreCustomers(harness.store)


def names(customers: list[Customer]) -> list[str]:
    return [customer.name for customer in customers]


NEW_CUSTOMER: dict[str, Any] = {
    "name": "Noor de Boer", "email": "noor@example.nl", "phone": "06 2468 1357", "segment": "consumer",
    "address": {"street": "Kerkstraat", "house_number": "5", "postcode": "6811 DL", "city": "Arnhem"},
}


# The store -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "typed", "house_number", "found"), [
    (SearchField.NAME, "sanne VRIES", "", ["Sanne de Vries"]),
    (SearchField.NAME, "fatma yilmaz", "", ["Fatma Yılmaz"]),
    (SearchField.NAME, "o'connor", "", ["James O'Connor"]),
    (SearchField.NAME, "van den", "", ["Bakkerij Van den Berg V.O.F."]),
    (SearchField.NUMBER, " 301 001 186 ", "", ["Sanne de Vries"]),
    (SearchField.PHONE, "06-12345678", "", ["Sanne de Vries"]),
    (SearchField.PHONE, "0031 30 2314455", "", ["Bakkerij Van den Berg V.O.F."]),
    (SearchField.EMAIL, " Sanne.DeVries@EXAMPLE.nl", "", ["Sanne de Vries"]),
    (SearchField.ADDRESS, "3012bn", "57 a", ["Thijs Bakker"]),
    (SearchField.ADDRESS, "3511 AX 112", "", ["Sanne de Vries"]),
    (SearchField.ADDRESS, "3511AX", "999", []),
    (SearchField.PHONE, "06 0000 0000", "", []),
])
def test_customers_are_found_by_each_key_however_it_is_typed(directory: StoreCustomers, field: SearchField,
                                                             typed: str, house_number: str, found: list[str]):
    assert names(directory.find(field, typed, house_number)) == found


def test_one_search_box_guesses_what_was_typed(directory: StoreCustomers):
    assert names(directory.search("m.elamrani@example.nl")) == ["Mohammed El Amrani"]
    assert names(directory.search("2514 ee 34")) == ["Emma Jansen"]
    assert names(directory.search("271004695")) == ["Bakkerij Van den Berg V.O.F."]
    assert names(directory.search("31612345678")) == ["Sanne de Vries"]  # digits that are no number: a phone
    assert names(directory.search("+31 6 2345 6789")) == ["Mohammed El Amrani"]
    assert names(directory.search("jansen")) == ["Emma Jansen"]
    assert directory.search("   ") == []


def test_a_registered_customer_gets_an_id_and_number_and_is_found(directory: StoreCustomers, harness: Harness):
    customer = directory.register(NEW_CUSTOMER)
    assert customer.id.startswith("cust-") and len(customer.number) == 9 and customer.number.isdigit()
    directory = StoreCustomers(harness.restart().store)
    assert directory.get(customer.id) == customer
    assert names(directory.find(SearchField.PHONE, "+31624681357")) == ["Noor de Boer"]
    assert names(directory.find(SearchField.NUMBER, customer.number)) == ["Noor de Boer"]


@pytest.mark.parametrize(("change", "message"), [
    ({"email": "noor at example"}, r"email: 'noor at example' is not an e-mail address"),
    ({"phone": "call me"}, r"phone: 'call me' is not a phone number"),
    ({"name": "  "}, r"name: .*empty"),
    ({"segment": "gold"}, r"segment: 'gold' is not allowed"),
    ({"address": {"street": "Kerkstraat", "city": "Arnhem"}}, r"address.house_number: .*missing.*"
                                                               r"address.postcode: .*missing"),
    ({"number": "301001186"}, r"number: 301001186 is already the number of Sanne de Vries \(C-1001\)"),
])
def test_registering_refuses_bad_fields_naming_them(directory: StoreCustomers, change: dict[str, Any],
                                                    message: str):
    with pytest.raises(CustomerError, match=message):
        directory.register(NEW_CUSTOMER | change)
    assert directory.find(SearchField.NAME, "noor") == []


def test_a_refused_registration_names_each_wrong_field_by_its_path(directory: StoreCustomers):
    with pytest.raises(CustomerError) as refused:
        directory.register(NEW_CUSTOMER | {"email": "noor at example", "address": {"street": "Kerkstraat"}})
    assert sorted(refused.value.fields) == ["address.city", "address.house_number", "address.postcode", "email"]
    assert str(refused.value.fields["email"]).startswith("'noor at example' is not an e-mail address")


def test_an_unknown_customer_id_is_not_found(directory: StoreCustomers):
    with pytest.raises(CustomerNotFound, match="no customer 'C-9999'"):
        directory.get("C-9999")


# A back-office system over HTTP ---------------------------------------------------------------------


@pytest.fixture
def crm() -> Iterator[str]:
    with back_office.serve(SAMPLES) as url:
        yield url


def http_directory(crm: str, **templates: str) -> HttpCustomers:
    return HttpCustomers({"get": f"{crm}/customers/{{id}}", "phone": f"{crm}/customers?phone={{phone}}",
                          "address": f"{crm}/customers?postcode={{postcode}}&house={{house_number}}",
                          "register": f"{crm}/customers"} | templates, timeout=0.3)


def test_the_back_office_finds_gets_and_registers_customers(crm: str):
    directory = http_directory(crm)
    assert names(directory.find(SearchField.PHONE, "06-12345678")) == ["Sanne de Vries"]
    assert names(directory.find(SearchField.ADDRESS, "3511 ax", "112")) == ["Sanne de Vries"]
    assert directory.get("C-1002").segment == "premium"
    registered = directory.register(NEW_CUSTOMER)
    assert (registered.id, registered.number, registered.name) == ("CRM-1", "990000001", "Noor de Boer")
    directory.close()


def test_a_back_office_error_names_the_url_and_what_went_wrong(crm: str):
    directory = http_directory(crm, name=f"{crm}/slow?q={{name}}", email=f"{crm}/broken?e={{email}}",
                               number=f"{crm}/html?n={{number}}")
    with pytest.raises(CustomerError, match=rf"did not answer within 0.3 s \(GET {crm}/slow\?q=Sanne%20de%20Vries\)"):
        directory.find(SearchField.NAME, "Sanne de Vries")
    with pytest.raises(CustomerError, match=rf"GET {crm}/broken\?e=an%40example.nl failed: 500 Internal Server "
                                            "Error: database connection lost"):
        directory.find(SearchField.EMAIL, "AN@example.nl")
    with pytest.raises(CustomerError, match=rf"{crm}/html\?n=301001186 did not answer JSON \(it starts with "
                                            "'<html><body>Log in first"):
        directory.find(SearchField.NUMBER, "301001186")
    with pytest.raises(CustomerNotFound, match=rf"no customer 'C-9999' at {crm}/customers/C-9999"):
        directory.get("C-9999")
    directory.close()


def test_a_back_office_customer_that_does_not_fit_is_refused_naming_the_field(crm: str):
    directory = http_directory(crm, phone=f"{crm}/misfit?p={{phone}}")
    with pytest.raises(CustomerError, match=rf"{crm}/misfit\?p=31612345678 answered a customer Flowdesk cannot "
                                            r"use: \[1\].email: 'not an address' is not an e-mail address"):
        directory.find(SearchField.PHONE, "0612345678")
    directory.close()


def test_an_unreachable_back_office_is_a_clear_error():
    directory = HttpCustomers({"get": "http://127.0.0.1:9/customers/{id}"}, timeout=0.5)
    with pytest.raises(CustomerError, match=r"cannot reach the back-office system at http://127.0.0.1:9/customers/C-1"):
        directory.get("C-1")


def test_registering_checks_fields_before_asking_the_back_office(crm: str):
    directory = http_directory(crm)
    with pytest.raises(CustomerError, match="email: 'nope' is not an e-mail address"):
        directory.register(NEW_CUSTOMER | {"email": "nope"})
    directory.close()


@pytest.mark.parametrize(("templates", "message"), [
    ({"phone": "https://crm.example/c?phone={telephone}"},
     r"template 'phone' uses \{telephone\}; it may use \{phone\}"),
    ({"fax": "https://crm.example/c?fax={fax}"}, "unknown URL template 'fax'"),
    ({"get": "crm.example/customers/{id}"}, "must start with http:// or https://"),
    ({"get": "https://crm.example/customers/{id"}, "template 'get' is malformed"),
])
def test_bad_url_templates_are_refused_when_configured(templates: dict[str, str], message: str):
    with pytest.raises(CustomerError, match=message):
        HttpCustomers(templates)


def test_a_search_without_a_template_says_which_is_missing():
    directory = HttpCustomers({"get": "https://crm.example/customers/{id}"})
    with pytest.raises(CustomerError, match="no URL template for 'email'; add one under 'email'"):
        directory.find(SearchField.EMAIL, "an@example.nl")
    with pytest.raises(CustomerError, match="no URL template for registering customers"):
        directory.register(NEW_CUSTOMER)
    directory.close()


def test_a_customer_is_found_by_the_postal_address_too_and_after_a_restart(directory: StoreCustomers,
                                                                          harness: Harness):
    for _ in range(2):
        assert names(directory.find(SearchField.ADDRESS, "5600ce", "2210")) == ["Installatiebedrijf Smit B.V."]
        assert names(directory.find(SearchField.ADDRESS, "5642 JA 101")) == ["Installatiebedrijf Smit B.V."]
        directory = StoreCustomers(harness.restart().store)
