"""The customer data sheet beside a case: who the customer is, their other open cases and their contact history.

An agent working a case should not have to look the customer up elsewhere:
`customer_sheet` shows the customer's details (name, number, address, e-mail,
phone, language, segment, products, payment method, consents), links to
the customer's other open cases and every recorded contact, newest first.
Everything is read from the store and shown as text.
"""

from __future__ import annotations

from urllib.parse import quote

from nicegui import ui

from designer.display import local_time
from designer.frame import runtime
from models.customers import Address, Customer
from runtime.errors import NotFound

SEGMENT_LABELS = {"consumer": "Consumer", "small_business": "Small business", "premium": "Premium"}
PAYMENT_LABELS = {"direct_debit": "Direct debit", "invoice": "Invoice"}
DIRECTION_LABELS = {"in": "from the customer", "out": "to the customer"}


def case_url(case_id: str) -> str:
    return f"/work/case/{quote(case_id, safe='')}"


def customer_sheet(customer_id: str | None, case_id: str) -> None:
    """The data sheet of the case's customer, their other open cases and contact history."""
    with ui.column().classes("w-full gap-1").mark("customer-sheet"):
        ui.label("Customer").classes("text-lg")
        if customer_id is None:
            ui.label("This case has no customer.").mark("no-customer")
            return
        try:
            customer = runtime().store.customer(customer_id)
        except NotFound:
            ui.label(f"Customer {customer_id} is not in the customer directory.").classes("text-orange-800") \
                .mark("no-customer")
            return
        _details(customer)
    _other_open_cases(customer.id, case_id)
    _contact_history(customer.id)


def _details(customer: Customer) -> None:
    ui.label(customer.name).classes("text-xl font-medium").mark("customer-name")
    rows = [
        ("Customer number", customer.number),
        ("Address", _address_text(customer.address)),
        *([("Postal address", _address_text(customer.postal_address))] if customer.postal_address else []),
        ("E-mail", customer.email or "—"),
        ("Phone", customer.phone or "—"),
        ("Language", customer.language),
        ("Segment", SEGMENT_LABELS.get(customer.segment.value, customer.segment.value)),
        ("Payment", PAYMENT_LABELS.get(customer.payment_method.value, customer.payment_method.value)
         + (f" ({customer.iban})" if customer.iban else "")),
        ("Consents", _consents(customer)),
    ]
    with ui.grid(columns="auto 1fr").classes("gap-x-4 gap-y-1 w-full").mark("customer-details"):
        for name, value in rows:
            ui.label(name).classes("text-sm text-gray-600")
            ui.label(value).classes("whitespace-pre-line")
    with ui.column().classes("gap-0").mark("customer-products"):
        ui.label("Products and contracts").classes("text-sm text-gray-600")
        if not customer.products:
            ui.label("none")
        for product in customer.products:
            ui.label(f"{product.name} — {product.status}")


def _address_text(address: Address) -> str:
    return f"{address.street} {address.house_number}\n{address.postcode} {address.city}\n{address.country}"


def _consents(customer: Customer) -> str:
    given = [name for name, yes in (("e-mail", customer.consents.email), ("SMS", customer.consents.sms),
                                    ("marketing", customer.consents.marketing)) if yes]
    return ", ".join(given) if given else "none"


def _other_open_cases(customer_id: str, case_id: str) -> None:
    others = [c for c in runtime().store.cases(customer_id=customer_id, active=True) if c.id != case_id]
    with ui.column().classes("w-full gap-1").mark("other-cases"):
        ui.label("Other open cases").classes("text-lg")
        if not others:
            ui.label("No other open cases.")
        for other in others:
            name = runtime().process_version(other.version_hash).bundle.name
            ui.link(f"{name} — started {local_time(other.started_at)}", case_url(other.id)) \
                .mark(f"other-case-{other.id}")


def _contact_history(customer_id: str) -> None:
    contacts = sorted(runtime().store.contacts(customer_id=customer_id), key=lambda c: c.at, reverse=True)
    with ui.column().classes("w-full gap-1").mark("contacts"):
        ui.label("Contact history").classes("text-lg")
        if not contacts:
            ui.label("No contacts recorded.").mark("contacts-none")
        for contact in contacts:
            with ui.column().classes("gap-0 border-b pb-1 w-full").mark(f"contact-{contact.id}"):
                ui.label(f"{local_time(contact.at)} · {contact.channel.value} "
                         f"{DIRECTION_LABELS.get(contact.direction.value, '')} · {contact.agent}") \
                    .classes("text-sm text-gray-600")
                ui.label(contact.reason)
                if contact.note:
                    ui.label(contact.note).classes("whitespace-pre-line text-sm")
                for linked in contact.case_ids:
                    ui.link(f"case {linked}", case_url(linked)).classes("text-sm")
