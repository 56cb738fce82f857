"""The customer a case is about, as processes, expressions and letters see it.

Every case has one customer; expressions read it as `customer.<field>` and
letters as `{{ customer.<field> }}`. Where customers are stored (the built-in
store or a back-office connector) is the runtime's business.

Agents find customers by what callers say, written as they say it: the
`*_key` functions turn a name, number, phone, e-mail or postcode + house
number into one normal form, so "06-12345678" finds "+31 6 1234 5678".
Store indexes and connectors use the same functions, so they agree.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from pydantic import Field, field_validator

from models.base import ElementId, FlowdeskModel, Label
from models.data import DataType
from models.phrases import Phrase
from models.values import EMAIL_PATTERN

#: The country code a phone number written nationally ("06 ...") belongs to.
DEFAULT_COUNTRY_CODE = "31"
_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ()./-]+")
_MIN_PHONE_DIGITS, _MAX_PHONE_DIGITS = 6, 15


class Segment(StrEnum):
    CONSUMER = "consumer"
    SMALL_BUSINESS = "small_business"
    PREMIUM = "premium"


class PaymentMethod(StrEnum):
    DIRECT_DEBIT = "direct_debit"
    INVOICE = "invoice"


class Address(FlowdeskModel):
    street: Label
    house_number: Label
    postcode: Label
    city: Label
    country: Label = "NL"


class Product(FlowdeskModel):
    """A product or contract the customer has, e.g. an energy contract or a card."""

    id: ElementId
    name: Label
    status: Label = "active"


class Consents(FlowdeskModel):
    email: bool = True
    sms: bool = False
    marketing: bool = False


class Customer(FlowdeskModel):
    id: ElementId
    number: Label = Field(min_length=1)
    name: Label = Field(min_length=1)
    email: Label = ""
    phone: Label = ""
    language: Label = "nl"
    segment: Segment = Segment.CONSUMER
    address: Address
    #: Where letters go when not to `address` (e.g. a PO box, or a business's office); None: to `address`.
    postal_address: Address | None = None
    products: list[Product] = Field(default_factory=list)
    payment_method: PaymentMethod = PaymentMethod.INVOICE
    iban: Label = ""
    consents: Consents = Field(default_factory=Consents)

    @field_validator("name", "number")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(Phrase("must not be empty"))
        return value.strip()

    @field_validator("email")
    @classmethod
    def _email_address(cls, value: str) -> str:
        value = value.strip()
        if value and not EMAIL_PATTERN.match(value):
            raise ValueError(Phrase("'{value}' is not an e-mail address; write it as name@example.nl", value=value))
        return value

    @field_validator("phone")
    @classmethod
    def _phone_number(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        digits = sum(ch.isascii() and ch.isdigit() for ch in value)
        if not _PHONE_CHARACTERS.fullmatch(value) or not _MIN_PHONE_DIGITS <= digits <= _MAX_PHONE_DIGITS:
            raise ValueError(Phrase("'{value}' is not a phone number; write digits, spaces and an optional leading +, "
                                    "e.g. +31 6 1234 5678", value=value))
        return value


class SearchField(StrEnum):
    """What an agent can find a customer by."""

    NAME = "name"
    NUMBER = "number"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"  # postcode + house number


def plain_words(text: str) -> str:
    """Text as lower-case words without accents or punctuation, separated by one space.

    >>> plain_words("  James O'Connor ")
    'james oconnor'
    >>> plain_words("Fatma Yılmaz-Öztürk, factuur te hóóg!")
    'fatma yilmaz ozturk factuur te hoog'
    """
    folded = unicodedata.normalize("NFKD", text.replace("ı", "i")).casefold()
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    parts = ("".join(ch for ch in part if ch.isalnum()) for part in re.split(r"[\s,;:!?/-]+", plain))
    return " ".join(part for part in parts if part)


def name_key(name: str) -> str:
    """A name's parts in plain words: 'Sanne de Vries' is found as 'sanne', 'de vr' or 'VRIES'."""
    return plain_words(name)


def number_key(number: str) -> str:
    """A customer number without spaces, dots or dashes, in capitals.

    >>> number_key(" 301.001-186 ")
    '301001186'
    """
    return re.sub(r"[\s.-]", "", number).upper()


def phone_key(phone: str, country_code: str = DEFAULT_COUNTRY_CODE) -> str:
    """The phone number's digits in international form, without '+' or '00'.

    >>> [phone_key(p) for p in ("+31 6 1234 5678", "06-12345678", "0031 (0)6 12345678", "+31 (0)6 1234 5678")]
    ['31612345678', '31612345678', '31612345678', '31612345678']
    """
    international = phone.strip().startswith("+")
    digits = "".join(ch for ch in phone.replace("(0)", "") if ch.isascii() and ch.isdigit())
    if international:
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return country_code + digits[1:]
    return digits


def email_key(email: str) -> str:
    """An e-mail address in lower case, without surrounding spaces.

    >>> email_key(" Sanne.deVries@Example.NL ")
    'sanne.devries@example.nl'
    """
    return email.strip().casefold()


def postcode_key(postcode: str) -> str:
    """A postcode in capitals without spaces.

    >>> postcode_key("3511 ax")
    '3511AX'
    """
    return re.sub(r"\s", "", postcode).upper()


def address_key(postcode: str, house_number: str = "") -> str:
    """Postcode and house number as one key; without a house number, just the postcode.

    >>> address_key("3012 bn", "57 A")
    '3012BN 57a'
    """
    house = house_number_key(house_number)
    return f"{postcode_key(postcode)} {house}" if house else postcode_key(postcode)


def house_number_key(house_number: str) -> str:
    """A house number in lower case without spaces: '57 A' is '57a'."""
    return re.sub(r"\s", "", house_number).casefold()


#: What `customer.*` offers to expressions and letters: field -> type, or a nested table.
CUSTOMER_FIELDS: dict[str, DataType | dict[str, DataType]] = {
    "id": DataType.TEXT,
    "number": DataType.TEXT,
    "name": DataType.TEXT,
    "email": DataType.EMAIL,
    "phone": DataType.PHONE,
    "language": DataType.TEXT,
    "segment": DataType.TEXT,
    "payment_method": DataType.TEXT,
    "iban": DataType.TEXT,
    "address": {
        "street": DataType.TEXT,
        "house_number": DataType.TEXT,
        "postcode": DataType.TEXT,
        "city": DataType.TEXT,
        "country": DataType.TEXT,
    },
    "consents": {"email": DataType.BOOLEAN, "sms": DataType.BOOLEAN, "marketing": DataType.BOOLEAN},
}


def search_key(field: SearchField, text: str, house_number: str = "") -> str:
    """What an agent typed to find a customer by `field`, in that field's normal form.

    >>> search_key(SearchField.ADDRESS, "3511 ax", "112")
    '3511AX 112'
    """
    if field is SearchField.ADDRESS:
        return address_key(text, house_number)
    return {SearchField.NAME: name_key, SearchField.NUMBER: number_key, SearchField.PHONE: phone_key,
            SearchField.EMAIL: email_key}[field](text)
