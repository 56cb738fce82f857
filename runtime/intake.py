"""Intake: record a customer contact, suggest the processes that fit it, start cases from it.

An agent identifies the caller (`runtime.customers`), records the contact
(channel, direction, reason, note), sees the published processes ranked by
their intake rules (`models.intake`: channels, reason keywords, customer
segments) with the reason each fits, and starts one or several cases. Each
case is started in its own step, which also adds the case to the contact's
cases (`Runtime.start_case`), so contact and case always point at each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from models import Bundle
from models.customers import Customer, SearchField, plain_words
from models.errors import FlowdeskError
from models.forms import Form
from models.intake import IntakeRules
from models.nodes import Channel, StartNode, StartTrigger
from models.phrases import Phrase
from runtime.access import UseCase, require
from runtime.case_values import Scope
from runtime.customers import CustomerDirectory, StoreCustomers
from runtime.documents import Case, Contact, ContactDirection, User
from runtime.process_version import ProcessVersion
from runtime.service import Request, Runtime
from runtime.transaction import Transaction, new_id

#: How much one matching reason keyword weighs against a matching channel or segment.
KEYWORD_WEIGHT = 3
#: The longest reason and note a contact keeps, in characters.
MAX_REASON, MAX_NOTE = 500, 20_000


class IntakeError(FlowdeskError):
    """A contact cannot be recorded or a case cannot be started from it; the message says why."""


@dataclass(frozen=True)
class Suggestion:
    """A process that fits a contact, how well (`score`), and why, in words an agent understands."""

    process_key: str
    name: str
    score: int
    reasons: tuple[Phrase, ...]
    start_node: str | None  # the start that takes contacts on the contact's channel, if the process has one


@dataclass(frozen=True)
class StartForm:
    """The form an agent fills in to start a case, and the values it reads before the case exists.

    `values` holds the declared defaults, `customer`, `now` and `today`, as the
    case will see them when it starts; `version` compiles the form's expressions.
    """

    version: ProcessVersion
    form: Form
    values: Mapping[str, Any]


@dataclass(frozen=True)
class CaseRequest:
    """One case the agent starts from a contact: the process and the data entered at its start."""

    process_key: str
    data: Mapping[str, Any] = field(default_factory=dict)


def suggest_processes(contact: Contact, customer: Customer | None, bundles: Iterable[Bundle]) -> list[Suggestion]:
    """The processes that fit the contact, best first (then by name), each with the reasons it fits.

    A process is left out when its rules name channels or segments and the contact's
    channel or the customer's segment is not among them, or when it has keywords and
    none occurs in the reason or note (a keyword matches the start of words: 'verhuis'
    matches 'verhuizen'). A process without intake rules is suggested on the channels
    of its intake start; processes without either are not started at intake.
    """
    text = f" {plain_words(contact.reason + ' ' + contact.note)} "
    found = []
    for bundle in bundles:
        rules = bundle.intake or _rules_from_starts(bundle)
        if rules is None:
            continue
        reasons, score = [], 0
        if rules.channels:
            if contact.channel not in rules.channels:
                continue
            reasons.append(Phrase("taken on {channel}", channel=contact.channel))
            score += 1
        if rules.segments and customer is not None:
            if customer.segment not in rules.segments:
                continue
            reasons.append(Phrase("for {segment} customers", segment=customer.segment))
            score += 1
        if rules.keywords:
            matched = [keyword for keyword in rules.keywords if f" {plain_words(keyword)}" in text]
            if not matched:
                continue
            reasons.insert(0, Phrase("the reason mentions {words}", words=[f"'{keyword}'" for keyword in matched]))
            score += KEYWORD_WEIGHT * len(matched)
        found.append(Suggestion(bundle.key, bundle.name, score, tuple(reasons), intake_start(bundle, contact.channel)))
    return sorted(found, key=lambda s: (-s.score, s.name, s.process_key))


def intake_start(bundle: Bundle, channel: Channel) -> str | None:
    """The start node taking contacts on `channel`; else the manual start if there are several starts; else None."""
    starts = [node for node in bundle.nodes if isinstance(node, StartNode)]
    for start in starts:
        if start.trigger is StartTrigger.INTAKE and channel in start.channels:
            return start.id
    if len(starts) > 1:
        return next((start.id for start in starts if start.trigger is StartTrigger.MANUAL), None)
    return None


def _rules_from_starts(bundle: Bundle) -> IntakeRules | None:
    channels = [channel for node in bundle.nodes if isinstance(node, StartNode)
                and node.trigger is StartTrigger.INTAKE for channel in node.channels]
    return IntakeRules(channels=list(dict.fromkeys(channels))) if channels else None


class Intake:
    """The intake desk on one runtime: customers, contacts, suggestions and cases started from contacts.

    Every method takes the acting user and asks `runtime.access` first, like every use case.
    """

    def __init__(self, runtime: Runtime, customers: CustomerDirectory | None = None) -> None:
        self.runtime = runtime
        self._customers = customers or StoreCustomers(runtime.store)

    # Customers ----------------------------------------------------------------------

    def find_customers(self, user: User, field: SearchField, text: str, house_number: str = "",
                       limit: int = 20) -> list[Customer]:
        """Customers whose `field` matches what the agent typed (see `CustomerDirectory.find`)."""
        require(user, UseCase.FIND_CUSTOMER)
        return self._customers.find(field, text, house_number, limit=limit)

    def search_customers(self, user: User, text: str, limit: int = 20) -> list[Customer]:
        """Customers matching one search box, its kind guessed (see `CustomerDirectory.search`)."""
        require(user, UseCase.FIND_CUSTOMER)
        return self._customers.search(text, limit=limit)

    def customer(self, user: User, customer_id: str) -> Customer:
        require(user, UseCase.FIND_CUSTOMER)
        return self._customers.get(customer_id)

    def load_customers(self, user: User, customers: Sequence[Customer]) -> None:
        """Load customers (e.g. sample customers, an export of the customer system) into the store, replacing
        those with the same id."""
        require(user, UseCase.ADMINISTER)
        self.runtime.step(user, lambda tx: [tx.put_customer(customer) for customer in customers])

    def register_customer(self, user: User, details: Mapping[str, Any]) -> Customer:
        """Register a new customer from what the agent entered; CustomerError naming every wrong field."""
        require(user, UseCase.REGISTER_CUSTOMER)
        return self._customers.register(details)

    # Contacts -----------------------------------------------------------------------

    def record_contact(self, user: User, *, customer_id: str | None, channel: Channel | str, reason: str,
                       note: str = "", direction: ContactDirection | str = ContactDirection.INBOUND,
                       request: Request | None = None) -> Contact:
        """Store a contact with an identified customer (or None for an anonymous caller).

        A customer from a back-office system is copied into the store with it, so its
        cases can read `customer.*`.
        """
        require(user, UseCase.RECORD_CONTACT)
        if not reason.strip():
            raise IntakeError("say why the customer got in touch: the reason is empty")
        for name, text, limit in (("reason", reason, MAX_REASON), ("note", note, MAX_NOTE)):
            if len(text) > limit:
                raise IntakeError(f"the {name} has {len(text):,} characters; keep it to {limit:,}")
        try:
            channel, direction = Channel(channel), ContactDirection(direction)
        except ValueError as error:
            raise IntakeError(f"{error}; use a channel of {', '.join(Channel)} and a direction of "
                              f"{', '.join(ContactDirection)}") from None
        customer = self._customers.get(customer_id) if customer_id is not None else None

        def record(tx: Transaction) -> Contact:
            contact = tx.put_contact(Contact(id=new_id("contact"), customer_id=customer_id, channel=channel,
                                             direction=direction, reason=reason.strip(), note=note.strip(),
                                             agent=tx.actor, at=tx.now))
            if customer is not None and not self._customers.stored_locally:
                tx.put_customer(customer)
            return contact

        return self.runtime.step(user, record, request=request)

    def contact(self, user: User, contact_id: str) -> Contact:
        require(user, UseCase.RECORD_CONTACT)
        return self.runtime.store.contact(contact_id)

    def suggestions(self, user: User, contact: Contact) -> list[Suggestion]:
        """The newest published processes that fit the contact, best first."""
        require(user, UseCase.RECORD_CONTACT)
        customer = self._customers.get(contact.customer_id) if contact.customer_id else None
        return suggest_processes(contact, customer, self._published())

    def startable(self, user: User) -> list[Bundle]:
        """The newest version of every process an agent can start at intake (one with an intake or manual start)."""
        require(user, UseCase.START_CASE)
        return sorted((bundle for bundle in self._published() if any(
            isinstance(node, StartNode) and node.trigger in (StartTrigger.INTAKE, StartTrigger.MANUAL)
            for node in bundle.nodes)), key=lambda bundle: (bundle.name, bundle.key))

    def start_form(self, user: User, process_key: str, channel: Channel, customer_id: str | None) -> StartForm | None:
        """The form of the start a case of `process_key` takes from a contact on `channel`; None without one."""
        require(user, UseCase.START_CASE)
        version = self.runtime.latest_process_version(process_key)
        if version is None:
            return None
        starts = version.starts()
        start_id = intake_start(version.bundle, channel) or (starts[0].id if len(starts) == 1 else None)
        start = version.nodes.get(start_id or "")
        form = version.bundle.form(start.form) if isinstance(start, StartNode) and start.form else None
        if form is None:
            return None
        unstarted = Case(id="(new)", process_key=process_key, version=version.version.number,  # reads the defaults
                         version_hash=version.hash, customer_id=customer_id, started_at=self.runtime.now(),
                         started_by="")

        def customer() -> dict[str, Any] | None:
            return self._customers.get(customer_id).model_dump(mode="json") if customer_id else None

        return StartForm(version, form, Scope(version, unstarted, self.runtime.now(), customer))

    def start_cases(self, user: User, contact_id: str, requests: Sequence[CaseRequest]) -> list[Case]:
        """Start a case per request, each in its own step that also links it to the contact.

        If one cannot start, the cases before it stay started; the IntakeError names them.
        """
        require(user, UseCase.START_CASE)
        contact = self.runtime.store.contact(contact_id)
        started: list[Case] = []
        for request in requests:
            version = self.runtime.latest_process_version(request.process_key)
            start = intake_start(version.bundle, contact.channel) if version is not None else None
            try:
                started.append(self.runtime.start_case(user, request.process_key, request.data,
                                                       customer_id=contact.customer_id, contact_id=contact.id,
                                                       start_node=start))
            except FlowdeskError as error:
                done = f" (already started: {', '.join(c.id for c in started)})" if started else ""
                raise IntakeError(f"cannot start '{request.process_key}' from contact {contact.id}: "
                                  f"{error}{done}") from error
        return started

    def _published(self) -> list[Bundle]:
        """The newest version of every published process."""
        return [self.runtime.bundle(version) for version in self.runtime.latest_versions()]
