"""The customer data sheet beside a case: who the customer is, their other open cases and their contact history.

An agent working a case should not have to look the customer up elsewhere:
`customer_sheet` shows the customer's details (name, number, address, e-mail,
phone, language, segment, products, payment method, consents), links to
the customer's other open cases and every recorded contact, newest first.
Everything comes from the runtime's read model (`runtime.views.cases.customer_sheet`) and is shown as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from nicegui import ui

from designer.display import PAYMENT_LABELS, PRODUCT_STATUS_LABELS, SEGMENT_LABELS, local_time
from designer.frame import runtime
from designer.i18n import N_, _
from models.customers import Address, Customer
from models.nodes import Channel
from runtime.documents import Case, Contact, User
from runtime.views.cases import customer_sheet as read_customer_sheet

DIRECTION_LABELS = {"in": N_("from the customer"), "out": N_("to the customer")}
CHANNEL_LABELS = {Channel.PHONE: N_("Phone"), Channel.EMAIL: N_("E-mail"), Channel.SMS: N_("SMS"),
                  Channel.WEB: N_("Web"), Channel.LETTER: N_("Letter")}
#: Languages a customer may speak, by their code, as the pages name them.
LANGUAGE_LABELS = {"nl": N_("Dutch"), "en": N_("English"), "de": N_("German"), "fr": N_("French")}


def case_url(case_id: str) -> str:
    return f"/work/case/{quote(case_id, safe='')}"


def customer_sheet(user: User, case: Case) -> None:
    """The data sheet of the case's customer, their other open cases and contact history."""
    sheet = read_customer_sheet(runtime(), user, case)
    with ui.column().classes("w-full gap-1").mark("customer-sheet"):
        ui.label(_("Customer")).classes("text-lg")
        if sheet.customer_id is None:
            ui.label(_("This case has no customer.")).mark("no-customer")
            return
        if sheet.customer is None:
            ui.label(_("Customer {customer} is not in the customer directory.").format(customer=sheet.customer_id)) \
                .classes("text-orange-800").mark("no-customer")
            return
        _details(sheet.customer)
    _other_open_cases(sheet.other_cases)
    _contact_history(sheet.contacts, sheet.names)


def _details(customer: Customer) -> None:
    ui.label(customer.name).classes("text-xl font-medium").mark("customer-name")
    rows = [
        (_("Customer number"), customer.number),
        (_("Address"), _address_text(customer.address)),
        *([(_("Postal address"), _address_text(customer.postal_address))] if customer.postal_address else []),
        (_("E-mail"), customer.email or "—"),
        (_("Phone"), customer.phone or "—"),
        (_("Language"), _label(LANGUAGE_LABELS, customer.language)),
        (_("Segment"), _label(SEGMENT_LABELS, customer.segment.value)),
        (_("Payment"), _label(PAYMENT_LABELS, customer.payment_method.value)
         + (f" ({customer.iban})" if customer.iban else "")),
        (_("Consents"), _consents(customer)),
    ]
    with ui.grid(columns="auto 1fr").classes("gap-x-4 gap-y-1 w-full").mark("customer-details"):
        for name, value in rows:
            ui.label(name).classes("text-sm text-gray-600")
            ui.label(value).classes("whitespace-pre-line")
    with ui.column().classes("gap-0").mark("customer-products"):
        ui.label(_("Products and contracts")).classes("text-sm text-gray-600")
        if not customer.products:
            ui.label(_("none"))
        for product in customer.products:
            ui.label(f"{product.name} — {_label(PRODUCT_STATUS_LABELS, product.status)}")


def _label(labels: dict[str, str], value: str) -> str:
    """`value`'s label in the reader's language; the value itself when it has none."""
    return _(labels[value]) if value in labels else value


def _address_text(address: Address) -> str:
    return f"{address.street} {address.house_number}\n{address.postcode} {address.city}\n{address.country}"


def _consents(customer: Customer) -> str:
    given = [name for name, yes in ((_("e-mail"), customer.consents.email), (_("SMS"), customer.consents.sms),
                                    (_("marketing"), customer.consents.marketing)) if yes]
    return ", ".join(given) if given else _("none")


def _other_open_cases(others: list[tuple[Case, str]]) -> None:
    with ui.column().classes("w-full gap-1").mark("other-cases"):
        ui.label(_("Other open cases")).classes("text-lg")
        if not others:
            ui.label(_("No other open cases."))
        for other, process_name in others:
            ui.link(_("{process} {case} — started {moment}").format(
                process=process_name, case=other.display, moment=local_time(other.started_at)), case_url(other.id)) \
                .mark(f"other-case-{other.id}")


def _contact_history(contacts: list[Contact], names: Mapping[str, str]) -> None:
    with ui.column().classes("w-full gap-1").mark("contacts"):
        ui.label(_("Contact history")).classes("text-lg")
        if not contacts:
            ui.label(_("No contacts recorded.")).mark("contacts-none")
        for contact in contacts:
            with ui.column().classes("gap-0 border-b pb-1 w-full").mark(f"contact-{contact.id}"):
                agent = names.get(contact.agent, contact.agent)
                ui.label(f"{local_time(contact.at)} · {_(CHANNEL_LABELS[contact.channel]).lower()} "
                         f"{_label(DIRECTION_LABELS, contact.direction.value)} · {agent}") \
                    .classes("text-sm text-gray-600")
                ui.label(contact.reason)
                if contact.note:
                    ui.label(contact.note).classes("whitespace-pre-line text-sm")
                for linked in contact.case_ids:
                    ui.link(_("case {case}").format(case=names.get(linked, linked)), case_url(linked)) \
                        .classes("text-sm")
