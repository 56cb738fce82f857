"""The customer a case is about, as processes, expressions and letters see it.

Every case has one customer; expressions read it as `customer.<field>` and
letters as `{{ customer.<field> }}`. Where customers are stored (the built-in
store or a back-office connector) is the runtime's business.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from models.base import ElementId, FlowdeskModel, Label
from models.data import DataType


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
    number: Label
    name: Label
    email: Label = ""
    phone: Label = ""
    language: Label = "nl"
    segment: Segment = Segment.CONSUMER
    address: Address
    products: list[Product] = Field(default_factory=list)
    payment_method: PaymentMethod = PaymentMethod.INVOICE
    iban: Label = ""
    consents: Consents = Field(default_factory=Consents)


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
