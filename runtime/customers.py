"""Where the agent finds and registers customers: the built-in store, or a back-office system over HTTP.

Intake asks a `CustomerDirectory`; which one runs is the installation's
choice. `StoreCustomers` (the default) keeps customers in the Flowdesk store
and searches its indexes. `HttpCustomers` asks the system where customer
data really lives, through URL templates such as
`https://crm.example/customers?phone={phone}`; every way that can go wrong
(no answer in time, an error status, a reply that is not JSON or not a
customer) becomes a `CustomerError` naming the URL and what was wrong.

Both normalise what the agent typed the same way (`models.customers`), so
"06-12345678" finds the customer stored as "+31 6 1234 5678".
"""

from __future__ import annotations

import re
import secrets
import string
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from models.customers import Customer, SearchField, house_number_key, postcode_key, search_key
from models.errors import FlowdeskError
from models.phrases import Phrase, one_by_one
from models.serialization import problems_from_validation
from runtime.errors import NotFound
from runtime.storage.base import Changes, Store
from runtime.transaction import new_id

_POSTCODE = re.compile(r"\s*(\d{4}\s?[A-Za-z]{2})\s*(\S*)\s*")


class CustomerError(FlowdeskError):
    """A customer could not be found, read or registered; the message says what and where.

    `fields` maps each entered field that is wrong (`email`, `address.postcode`) to what is wrong with it, phrased
    for the web app to say under the field in its reader's language.
    """

    def __init__(self, message: Phrase | str, fields: Mapping[str, Phrase | str] | None = None) -> None:
        super().__init__(message)
        self.fields = dict(fields or {})


class CustomerNotFound(CustomerError):
    """No customer with that id."""


def guess_field(text: str) -> SearchField:
    """What a single search box most likely holds: an e-mail, a postcode (+ house number), digits, or a name.

    >>> [guess_field(t) for t in ("an@example.nl", "3511 AX 112", "06-12345678", "301001186", "Sanne de Vries")]
    [<SearchField.EMAIL: 'email'>, <SearchField.ADDRESS: 'address'>, <SearchField.PHONE: 'phone'>, \
<SearchField.NUMBER: 'number'>, <SearchField.NAME: 'name'>]
    """
    text = text.strip()
    if "@" in text:
        return SearchField.EMAIL
    if _POSTCODE.fullmatch(text):
        return SearchField.ADDRESS
    if re.fullmatch(r"[\d\s.-]+", text) and not text.startswith("0"):
        return SearchField.NUMBER
    if re.fullmatch(r"\+?[\d\s()./-]+", text):
        return SearchField.PHONE
    return SearchField.NAME


def validate_new_customer(details: Mapping[str, Any], *, customer_id: str, number: str) -> Customer:
    """A new customer from what the agent entered; CustomerError naming every field that is wrong."""
    fields = dict(details) | {"id": customer_id, "number": number}
    try:
        return Customer.model_validate(fields)
    except ValidationError as error:
        raise not_registered({problem.path: problem.phrased for problem in problems_from_validation(error)}) from None


def not_registered(fields: Mapping[str, Phrase | str]) -> CustomerError:
    """The refusal of a registration whose `fields` (path: what is wrong) are wrong, naming each."""
    each = [Phrase("{field}: {problem}", field=path, problem=problem) for path, problem in fields.items()]
    return CustomerError(Phrase("the customer cannot be registered: {problems}", problems=one_by_one(each)), fields)


class CustomerDirectory(ABC):
    """Finds, reads and registers customers, wherever they live."""

    #: Whether customers live in the Flowdesk store itself (else a case needs a copy there).
    stored_locally: bool = False

    def find(self, field: SearchField, text: str, house_number: str = "", limit: int = 20) -> list[Customer]:
        """Customers matching what the agent typed for `field` (for an address: the postcode, and a house number)."""
        if field is SearchField.ADDRESS and not house_number:
            match = _POSTCODE.fullmatch(text)
            if match:
                text, house_number = match.groups()
        key = search_key(field, text, house_number)
        return self._find(field, key, text.strip(), house_number.strip(), limit) if key else []

    def search(self, text: str, limit: int = 20) -> list[Customer]:
        """Customers matching one search box, its kind guessed (`guess_field`); a number also tries phones."""
        field = guess_field(text)
        found = self.find(field, text, limit=limit)
        if not found and field is SearchField.NUMBER:
            found = self.find(SearchField.PHONE, text, limit=limit)
        return found

    @abstractmethod
    def _find(self, field: SearchField, key: str, text: str, house_number: str, limit: int) -> list[Customer]:
        """Customers whose `field` matches `key` (normal form); `text`/`house_number` as typed."""

    @abstractmethod
    def get(self, customer_id: str) -> Customer:
        """The customer, or CustomerNotFound."""

    @abstractmethod
    def register(self, details: Mapping[str, Any]) -> Customer:
        """Register a new customer from the fields entered (name, address, ...); CustomerError naming bad fields."""


class StoreCustomers(CustomerDirectory):
    """Customers kept in the Flowdesk store (the default), found through its indexes."""

    stored_locally = True

    def __init__(self, store: Store) -> None:
        self.store = store

    def _find(self, field: SearchField, key: str, text: str, house_number: str, limit: int) -> list[Customer]:
        return self.store.find_customers(field, key, limit)

    def get(self, customer_id: str) -> Customer:
        try:
            return self.store.customer(customer_id)
        except NotFound:
            raise CustomerNotFound(f"no customer '{customer_id}'") from None

    def register(self, details: Mapping[str, Any]) -> Customer:
        """Store a new customer with a new id and, unless given, a new 9-digit customer number."""
        number = str(details.get("number") or "").strip() or self._free_number()
        customer = validate_new_customer(details, customer_id=new_id("cust"), number=number)
        taken = self.store.find_customers(SearchField.NUMBER, search_key(SearchField.NUMBER, customer.number), 1)
        if taken:
            raise not_registered({"number": Phrase("{number} is already the number of {name} ({id})",
                                                   number=customer.number, name=taken[0].name, id=taken[0].id)})
        self.store.commit(Changes(customers=[customer]))
        return customer

    def _free_number(self) -> str:
        while True:
            number = str(secrets.randbelow(900_000_000) + 100_000_000)
            if not self.store.find_customers(SearchField.NUMBER, number, 1):
                return number


#: The placeholders a URL template may use, per template.
_PLACEHOLDERS: dict[str, set[str]] = {
    "get": {"id"},
    "register": set(),
    SearchField.NAME: {"name"},
    SearchField.NUMBER: {"number"},
    SearchField.PHONE: {"phone"},
    SearchField.EMAIL: {"email"},
    SearchField.ADDRESS: {"postcode", "house_number"},
}


class HttpCustomers(CustomerDirectory):
    """Customers in a back-office system, reached by URL templates over HTTP.

    `templates` maps "get" (e.g. `https://crm.example/customers/{id}`), a search field
    ("name", "number", "phone", "email", "address" with `{postcode}` and `{house_number}`)
    and optionally "register" (a URL a new customer is POSTed to) to URLs. Placeholders
    get the normal form of what the agent typed (phone as international digits such as
    31612345678, postcode as 3511AX, e-mail in lower case; a name as typed). A search
    answers a JSON list of customers (or `{"customers": [...]}`); "get" and "register"
    answer one customer; "get" answers 404 for an unknown id.
    """

    def __init__(self, templates: Mapping[str, str], *, timeout: float = 5.0,
                 headers: Mapping[str, str] | None = None, transport: httpx.BaseTransport | None = None) -> None:
        self.templates = _checked_templates(templates)
        self.timeout = timeout
        self._client = httpx.Client(timeout=timeout, headers=dict(headers or {}), transport=transport)

    def close(self) -> None:
        self._client.close()

    def _find(self, field: SearchField, key: str, text: str, house_number: str, limit: int) -> list[Customer]:
        if field is SearchField.ADDRESS:
            values = {"postcode": postcode_key(text), "house_number": house_number_key(house_number)}
        else:
            values = {field.value: text.strip() if field is SearchField.NAME else key}
        url = self._url(field, values)
        data = self._json("GET", url)
        if isinstance(data, dict) and isinstance(data.get("customers"), list):
            data = data["customers"]
        if not isinstance(data, list):
            raise CustomerError(f"{url} answered {type(data).__name__} JSON; a search must answer a list of "
                                'customers or {"customers": [...]}')
        return [_customer(item, url, f"[{index}]") for index, item in enumerate(data[:limit])]

    def get(self, customer_id: str) -> Customer:
        url = self._url("get", {"id": customer_id})
        return _customer(self._json("GET", url, not_found=f"no customer '{customer_id}' at {url}"), url)

    def register(self, details: Mapping[str, Any]) -> Customer:
        """Check the fields here (naming any that is wrong), then POST them; the system gives id and number."""
        validate_new_customer(details, customer_id="new", number=str(details.get("number") or "new"))
        url = self._url("register", {})
        return _customer(self._json("POST", url, payload=dict(details)), url)

    def _url(self, template: str, values: Mapping[str, str]) -> str:
        pattern = self.templates.get(template)
        if pattern is None:
            what = "registering customers" if template == "register" else f"'{template}'"
            raise CustomerError(f"the back-office connector has no URL template for {what}; "
                                f"add one under '{template}'")
        return pattern.format_map({name: quote(value, safe="") for name, value in values.items()})

    def _json(self, method: str, url: str, *, payload: Any = None, not_found: str = "") -> Any:
        try:
            response = self._client.request(method, url, json=payload)
        except httpx.TimeoutException:
            message = f"the back-office system did not answer within {self.timeout:g} s ({method} {url})"
            raise CustomerError(message) from None
        except httpx.HTTPError as error:
            raise CustomerError(f"cannot reach the back-office system at {url}: {error}") from None
        if response.status_code == 404 and not_found:
            raise CustomerNotFound(not_found)
        if response.status_code >= 400:
            body = " ".join(response.text.split())[:200]
            raise CustomerError(f"{method} {url} failed: {response.status_code} {response.reason_phrase}"
                                + (f": {body}" if body else ""))
        try:
            return response.json()
        except ValueError:
            start = " ".join(response.text.split())[:60]
            raise CustomerError(f"{url} did not answer JSON (it starts with {start!r})") from None


def _checked_templates(templates: Mapping[str, str]) -> dict[str, str]:
    """The templates, or a CustomerError naming an unknown template, a bad URL or a placeholder it may not use."""
    checked = {}
    for name, url in templates.items():
        allowed = _PLACEHOLDERS.get(name)
        if allowed is None:
            raise CustomerError(f"unknown URL template '{name}'; use one of {', '.join(map(str, _PLACEHOLDERS))}")
        if not url.startswith(("http://", "https://")):
            raise CustomerError(f"URL template '{name}' must start with http:// or https:// (it is '{url}')")
        try:
            used = {field for _, field, _, _ in string.Formatter().parse(url) if field is not None}
        except ValueError as error:
            raise CustomerError(f"URL template '{name}' is malformed ({error}): '{url}'") from None
        unknown = used - allowed
        if unknown:
            raise CustomerError(f"URL template '{name}' uses {_braced(unknown)}; "
                                f"it may use {_braced(allowed) or 'no placeholder'}")
        checked[name] = url
    return checked


def _braced(names: set[str]) -> str:
    return ", ".join(f"{{{name}}}" for name in sorted(names))


def _customer(data: Any, url: str, where: str = "") -> Customer:
    """One customer from a back-office answer; CustomerError naming the URL and the field that does not fit."""
    try:
        return Customer.model_validate(data)
    except ValidationError as error:
        problems = []
        for problem in problems_from_validation(error):
            location = ".".join(part for part in (where, problem.path) if part).replace(".[", "[")
            problems.append(f"{location}: {problem.message}" if location else problem.message)
        raise CustomerError(f"{url} answered a customer Flowdesk cannot use: {'; '.join(problems)}") from None
