"""/api/v1/contacts: inbound contacts from an e-mail gateway or web form, with the processes that fit them."""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.requests import Request as HttpRequest

from designer.api.bodies import CheckedRoute
from designer.api.common import CREATED, Caller, Flowdesk, IdempotencyKey, path, step_request
from designer.api.models import ContactOut, ContactRecorded, CustomerLookup, CustomerOut, NewContact, SuggestionOut
from designer.api.problems import FieldProblems, Problem
from models.customers import Customer, SearchField
from runtime.customers import CustomerNotFound
from runtime.documents import Contact, User
from runtime.intake import Intake


def find_customers(intake: Intake, user: User, lookup: CustomerLookup) -> list[Customer]:
    """The customers matching every key given (a postcode with its house number counts as one key)."""
    keys = [(SearchField.NUMBER, lookup.number, ""), (SearchField.EMAIL, lookup.email, ""),
            (SearchField.PHONE, lookup.phone, ""), (SearchField.ADDRESS, lookup.postcode, lookup.house_number or ""),
            (SearchField.NAME, lookup.name, "")]
    given = [(field, text, house) for field, text, house in keys if text and text.strip()]
    if not given:
        raise FieldProblems({"customer": "give at least one of number, email, phone, postcode (+ house_number), "
                                         "name"})
    found: dict[str, Customer] | None = None
    for field, text, house in given:
        matches = {c.id: c for c in intake.find_customers(user, field, text, house)}
        found = matches if found is None else {i: c for i, c in found.items() if i in matches}
    return list((found or {}).values())


def contact_out(intake: Intake, user: User, contact: Contact) -> dict:
    """The fields of a `ContactOut` for `contact`: its customer and the processes that fit it."""
    customer = intake.customer(user, contact.customer_id) if contact.customer_id else None
    return dict(contact.model_dump(include=set(ContactOut.model_fields) - {"customer", "suggestions"}),
                customer=CustomerOut.of(customer) if customer else None,
                suggestions=[SuggestionOut.of(s) for s in intake.suggestions(user, contact)])


def routes() -> APIRouter:
    router = APIRouter(tags=["intake"], route_class=CheckedRoute)

    @router.post("/contacts", status_code=201, responses=CREATED | {413: {"model": Problem}})
    def record_contact(body: NewContact, http: HttpRequest, response: Response, user: Caller, flowdesk: Flowdesk,
                       idempotency_key: IdempotencyKey = None) -> ContactRecorded:
        """Record an inbound contact (from an e-mail gateway or web form) and suggest the processes that fit it;
        the customer is given by id, or found by what the sender gave (linked only when exactly one matches)."""
        intake = Intake(flowdesk)
        if body.customer_id is not None and body.customer is not None:
            raise FieldProblems({"customer": "give customer_id or customer (lookup keys), not both"})
        customer_id, matches = body.customer_id, int(body.customer_id is not None)
        if body.customer is not None:
            found = find_customers(intake, user, body.customer)
            matches = len(found)
            customer_id = found[0].id if matches == 1 else None
        try:
            contact = intake.record_contact(user, customer_id=customer_id, channel=body.channel, reason=body.reason,
                                            note=body.note, direction=body.direction,
                                            request=step_request(http, idempotency_key, body.model_dump(mode="json")))
        except CustomerNotFound as error:
            raise FieldProblems({"customer_id": str(error)}) from None
        response.headers["Location"] = path("contacts", contact.id)
        return ContactRecorded(**contact_out(intake, user, contact), customer_matches=matches)

    @router.get("/contacts/{contact_id}", responses={404: {"model": Problem}})
    def contact(contact_id: str, user: Caller, flowdesk: Flowdesk) -> ContactOut:
        """A recorded contact with its customer, its cases and the processes that fit it."""
        intake = Intake(flowdesk)
        return ContactOut(**contact_out(intake, user, intake.contact(user, contact_id)))

    return router
