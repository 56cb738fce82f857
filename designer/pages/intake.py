"""The intake page: where an agent taking a call, e-mail, text or letter finds the customer, records the contact
and starts one or several cases from it.

Top to bottom as the conversation goes: find the customer (one search box whose kind is guessed, or a chosen
"search by") or register a new one; record the contact (channel, direction, reason, note); tick the processes to
start — those that fit the contact first, each with why it fits (`runtime.intake.suggest_processes`), then every
other process an agent may start — and fill in each one's start form. "Start cases" checks every ticked form first
and starts nothing while one is wrong; it then records the contact once and starts each case on its own, so a case
the runtime refuses shows its reason beside it while the others start, and a second click retries only the refused
ones on the same contact. Finding, registering, ranking and starting are `runtime.customers` and `runtime.intake`;
the page only shows them. Everything the customer or agent typed is shown as text.
"""

from __future__ import annotations

from collections import ChainMap
from dataclasses import dataclass
from typing import Any

from nicegui import APIRouter, ui

from codegen.forms.view import FormView
from designer.display import form_words, local_time, said
from designer.frame import frame, runtime
from designer.i18n import N_, _
from designer.pages.customer_sheet import CHANNEL_LABELS, DIRECTION_LABELS, SEGMENT_LABELS, case_url
from models import Bundle
from models.customers import Customer, SearchField, Segment
from models.errors import FlowdeskError
from models.nodes import Channel
from runtime.customers import CustomerError
from runtime.documents import Case, Contact, ContactDirection, User
from runtime.intake import CaseRequest, Intake, StartForm, suggest_processes

GUESS = "guess"
SEARCH_BY = {GUESS: N_("Anything (guessed)"), SearchField.NAME: N_("Name"), SearchField.NUMBER: N_("Customer number"),
             SearchField.PHONE: N_("Phone"), SearchField.EMAIL: N_("E-mail"),
             SearchField.ADDRESS: N_("Postcode + house number")}
#: The fields of a new customer: (path in the customer, label).
NEW_CUSTOMER_FIELDS = (("name", N_("Name")), ("email", N_("E-mail")), ("phone", N_("Phone")),
                       ("address.street", N_("Street")), ("address.house_number", N_("House number")),
                       ("address.postcode", N_("Postcode")), ("address.city", N_("City")))
#: What the agent is told about starting several cases at once.
START_RULE = N_("Every ticked form is checked first: while one is wrong, no case starts. Then each case starts on "
                "its own: if the system refuses one, it says why beside it and the others still start; correct it "
                "and click again to start just that one, on the same contact.")


@dataclass
class ProcessChoice:
    """One process on the page: its tick box, why it fits, its start form and what went wrong starting it."""

    bundle: Bundle
    box: ui.column
    tick: ui.checkbox
    fits: ui.label
    form_area: ui.column
    problem: ui.label
    form_key: tuple[str, str] | None = None  # the version hash and form id the shown form was built from
    form: FormView | None = None
    built: bool = False


class IntakePage:
    """One agent's intake of one contact."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.intake = Intake(runtime())
        self.customer: Customer | None = None
        self.contact: Contact | None = None
        self.started: list[tuple[Bundle, Case]] = []
        self.choices: dict[str, ProcessChoice] = {}

    def build(self) -> None:
        with ui.row().classes("items-center gap-4"):
            ui.label(_("Take a customer contact and start the cases it asks for.")).classes("text-gray-600")
            ui.link(_("Back to the worklist"), "/work").mark("to-worklist")
        ui.label(_("1. Customer")).classes("text-lg")
        with ui.column().classes("w-full gap-2") as self.finder:  # hidden once the contact is recorded
            self._find_section()
            self._register_section()
        self.card = ui.column().classes("gap-0 p-3 rounded bg-slate-50").mark("customer-card")
        self.card.set_visibility(False)
        self._contact_section()
        self._process_section()

    # -- the customer ---------------------------------------------------------------------------

    def _find_section(self) -> None:
        with ui.row().classes("items-end gap-2"):
            self.search_by = ui.select({str(k): _(v) for k, v in SEARCH_BY.items()}, value=GUESS,
                                       label=_("Search by"), on_change=self._search_by_changed).classes("w-56") \
                .mark("search-by")
            self.search_text = ui.input(_("Name, number, phone, e-mail or postcode")).classes("w-80") \
                .mark("search-text").on("keydown.enter", self._search)
            self.house_number = ui.input(_("House number")).classes("w-32").mark("search-house")
            self.house_number.set_visibility(False)
            ui.button(_("Search"), icon="search", on_click=self._search).mark("search")
        self.results = ui.column().classes("w-full gap-1").mark("results")
        self.anonymous = ui.checkbox(_("The caller cannot be identified (start cases without a customer)"),
                                     on_change=self._customer_changed).mark("anonymous")

    def _search_by_changed(self) -> None:
        self.house_number.set_visibility(self.search_by.value == SearchField.ADDRESS.value)

    def _search(self) -> None:
        text, by = self.search_text.value or "", self.search_by.value
        self.results.clear()
        with self.results:
            if not text.strip():
                ui.label(_("Type what the customer told you: a name, customer number, phone, e-mail or postcode.")) \
                    .classes("text-orange-800").mark("search-problem")
                return
            try:
                found = self.intake.search_customers(self.user, text) if by == GUESS else \
                    self.intake.find_customers(self.user, SearchField(by), text, self.house_number.value or "")
            except CustomerError as error:
                ui.label(_("The search failed: {problem}").format(problem=said(error))).classes("text-negative") \
                    .mark("search-problem")
                return
            if not found:
                ui.label(_("No customer found for '{text}'. Check the spelling, search by something else, or register "
                           "a new customer below.").format(text=text.strip())).mark("no-results")
            for customer in found:
                address = customer.address
                with ui.row().classes("items-center gap-4").mark(f"result-{customer.id}"):
                    ui.label(customer.name).classes("font-medium")
                    ui.label(f"{customer.number} · {address.street} {address.house_number}, {address.postcode} "
                             f"{address.city}").classes("text-sm text-gray-600")
                    ui.button(_("Select"), on_click=lambda c=customer: self._select(c)).props("flat dense") \
                        .mark(f"select-{customer.id}")

    def _select(self, customer: Customer) -> None:
        self.customer = customer
        self.results.clear()
        self.anonymous.set_value(False)
        self._customer_changed()

    def _customer_changed(self) -> None:
        if self.anonymous.value:
            self.customer = None
        self.card.clear()
        self.card.set_visibility(self.customer is not None)
        if self.customer is not None:
            with self.card:
                self._customer_card(self.customer)
        self._suggest()

    @staticmethod
    def _customer_card(customer: Customer) -> None:
        address = customer.address
        ui.label(customer.name).classes("text-lg font-medium").mark("card-name")
        for label, value in ((_("Customer number"), customer.number), (_("Phone"), customer.phone or "—"),
                             (_("E-mail"), customer.email or "—"),
                             (_("Address"), f"{address.street} {address.house_number}, {address.postcode} "
                                            f"{address.city}"),
                             (_("Segment"), _(SEGMENT_LABELS.get(customer.segment.value, customer.segment.value)))):
            with ui.row().classes("gap-2"):
                ui.label(label).classes("text-sm text-gray-600 w-36")
                ui.label(value).classes("text-sm")

    def _register_section(self) -> None:
        with ui.expansion(_("Register a new customer"), icon="person_add").classes("w-full").mark("register") \
                as self.register_panel:
            self.new_fields: dict[str, ui.input] = {}
            self.new_errors: dict[str, ui.label] = {}
            with ui.grid(columns=2).classes("w-full gap-x-4 gap-y-0"):
                for path, label in NEW_CUSTOMER_FIELDS:
                    with ui.column().classes("gap-0"):
                        self.new_fields[path] = ui.input(_(label)).classes("w-full").mark(f"new-{path}")
                        self.new_errors[path] = ui.label().classes("text-negative text-caption") \
                            .mark(f"new-error-{path}")
                with ui.column().classes("gap-0"):
                    self.new_segment = ui.select({s.value: _(SEGMENT_LABELS.get(s.value, s.value)) for s in Segment},
                                                 value=Segment.CONSUMER.value, label=_("Segment")).classes("w-full") \
                        .mark("new-segment")
            self.new_problem = ui.label().classes("text-negative").mark("new-problem")
            ui.button(_("Register"), icon="person_add", on_click=self._register).mark("register-customer")
        for label in (*self.new_errors.values(), self.new_problem):
            label.set_visibility(False)

    def _register(self) -> None:
        details: dict[str, Any] = {"segment": self.new_segment.value, "address": {}}
        for path, field in self.new_fields.items():
            where = details["address"] if path.startswith("address.") else details
            where[path.removeprefix("address.")] = (field.value or "").strip()
        try:
            customer = self.intake.register_customer(self.user, details)
        except CustomerError as error:
            for path, label in self.new_errors.items():
                label.set_text(said(error.fields.get(path, "")))
                label.set_visibility(path in error.fields)
            unplaced = {path: message for path, message in error.fields.items() if path not in self.new_errors}
            self.new_problem.set_text("; ".join(f"{path}: {said(message)}" for path, message in unplaced.items())
                                      if error.fields else said(error))
            self.new_problem.set_visibility(bool(unplaced) or not error.fields)
            ui.notify(_("Correct the marked fields; the customer was not registered."), type="warning")
            return
        for label in (*self.new_errors.values(), self.new_problem):
            label.set_visibility(False)
        for field in self.new_fields.values():
            field.set_value("")
        self.register_panel.close()
        ui.notify(_("{customer} registered with customer number {number}.").format(customer=customer.name,
                                                                                   number=customer.number),
                  type="positive")
        self._select(customer)

    # -- the contact ----------------------------------------------------------------------------

    def _contact_section(self) -> None:
        ui.label(_("2. Contact")).classes("text-lg")
        with ui.row().classes("items-end gap-4"):
            self.channel = ui.select({c.value: _(CHANNEL_LABELS[c]) for c in Channel}, value=Channel.PHONE.value,
                                     label=_("Channel"), on_change=self._channel_changed).classes("w-40") \
                .mark("channel")
            self.direction = ui.select({d.value: _(DIRECTION_LABELS.get(d.value, d.value)) for d in ContactDirection},
                                       value=ContactDirection.INBOUND.value, label=_("Direction")).classes("w-48") \
                .mark("direction")
            self.reason = ui.input(_("Reason (why the customer got in touch)"), on_change=self._suggest) \
                .classes("w-96").mark("reason")
        self.note = ui.textarea(_("Note"), on_change=self._suggest).classes("w-full").mark("note")
        self.contact_problem = ui.label().classes("text-negative").mark("contact-problem")
        self.contact_problem.set_visibility(False)

    def _channel_changed(self) -> None:
        for choice in self.choices.values():
            if choice.tick.value:
                self._show_form(choice)
        self._suggest()

    def _draft_contact(self) -> Contact:
        """The contact as entered so far, not recorded: what the suggestions are worked out for."""
        return Contact(id="(not yet recorded)", customer_id=self.customer.id if self.customer else None,
                       channel=Channel(self.channel.value), direction=ContactDirection(self.direction.value),
                       reason=self.reason.value or "", note=self.note.value or "", agent=self.user.id,
                       at=runtime().now())

    # -- the processes --------------------------------------------------------------------------

    def _process_section(self) -> None:
        ui.label(_("3. Cases to start")).classes("text-lg")
        ui.label(_("Suggested for this contact")).classes("text-sm text-gray-600")
        self.no_suggestion = ui.label(_("No process fits the contact yet: write the reason, or pick one below.")) \
            .classes("text-sm").mark("no-suggestion")
        self.suggested_area = ui.column().classes("w-full gap-2").mark("suggested")
        ui.label(_("Other processes")).classes("text-sm text-gray-600")
        self.other_area = ui.column().classes("w-full gap-2").mark("others")
        with self.other_area:
            for bundle in self.intake.startable(self.user):
                self.choices[bundle.key] = self._choice(bundle)
        if not self.choices:
            ui.label(_("No published process can be started at intake.")).mark("no-processes")
        ui.label(_(START_RULE)).classes("text-sm text-gray-600").mark("start-rule")
        with ui.row().classes("items-center gap-4"):
            ui.button(_("Start cases"), icon="play_arrow", on_click=self._start).mark("start-cases")
            self.start_problem = ui.label().classes("text-negative").mark("start-problem")
        self.outcome = ui.column().classes("w-full gap-1").mark("outcome")
        self._suggest()

    def _choice(self, bundle: Bundle) -> ProcessChoice:
        with ui.column().classes("w-full gap-1 border rounded p-2").mark(f"process-{bundle.key}") as box:
            tick = ui.checkbox(bundle.name).mark(f"pick-{bundle.key}")
            fits = ui.label().classes("text-sm text-gray-600").mark(f"fits-{bundle.key}")
            form_area = ui.column().classes("w-full pl-8")
            problem = ui.label().classes("text-negative").mark(f"start-error-{bundle.key}")
        choice = ProcessChoice(bundle, box, tick, fits, form_area, problem)
        tick.on_value_change(lambda: self._show_form(choice))
        form_area.set_visibility(False)
        problem.set_visibility(False)
        return choice

    def _suggest(self) -> None:
        """Order the processes: those that fit the contact first, best first, with why; then the others."""
        if not self.choices:
            return
        bundles = [choice.bundle for choice in self.choices.values()]
        suggestions = suggest_processes(self._draft_contact(), self.customer, bundles)  # no I/O: runs as one types
        for index, suggestion in enumerate(suggestions):
            choice = self.choices[suggestion.process_key]
            choice.box.move(self.suggested_area, index)
            choice.fits.set_text(_("Fits: {reasons}").format(reasons="; ".join(map(said, suggestion.reasons))))
        fitting = {s.process_key for s in suggestions}
        others = [choice for key, choice in self.choices.items() if key not in fitting]
        for index, choice in enumerate(others):
            choice.box.move(self.other_area, index)
        for choice in self.choices.values():
            choice.fits.set_visibility(choice.bundle.key in fitting)
        self.no_suggestion.set_visibility(not suggestions)

    def _show_form(self, choice: ProcessChoice) -> None:
        """Show a ticked process's start form; rebuilt only when the start form changes (another channel's start,
        a newer published version), and then with the values typed so far filled in again."""
        choice.form_area.set_visibility(choice.tick.value)
        if not choice.tick.value:
            return
        start: StartForm | None = self.intake.start_form(self.user, choice.bundle.key, Channel(self.channel.value),
                                                         self.customer.id if self.customer else None)
        form_key = (start.version.hash, start.form.id) if start else None
        if choice.built and form_key == choice.form_key:
            return
        typed = choice.form.values() if choice.form is not None else {}
        choice.form_area.clear()
        choice.built, choice.form_key, choice.form = True, form_key, None
        with choice.form_area:
            if start is None:
                ui.label(_("This process starts without a form.")).classes("text-sm text-gray-600")
            else:
                choice.form = FormView(start.form, start.version.variables, ChainMap(typed, start.values),
                                       start.version.expression, words=form_words())

    # -- starting -------------------------------------------------------------------------------

    def _start(self) -> None:
        picked = [choice for choice in self.choices.values() if choice.tick.value]
        for choice in self.choices.values():
            choice.problem.set_visibility(False)
        if not picked:
            return self._refuse(_("Tick the process (or processes) to start."))
        if self.customer is None and not self.anonymous.value:
            return self._refuse(_("Find or register the customer first, or tick 'The caller cannot be identified'."))
        wrong = [choice for choice in picked if choice.form is not None and choice.form.validate()]
        for choice in wrong:
            self._problem(choice, _("Correct the marked fields of this form."))
        if wrong:
            names = ", ".join(f"'{choice.bundle.name}'" for choice in wrong)
            return self._refuse(_("No case was started: correct the form of {processes} first.")
                                .format(processes=names))
        if self.contact is None and not self._record_contact():
            return self._refuse(_("No case was started: the contact could not be recorded."))
        assert self.contact is not None
        refused = []
        for choice in picked:
            values = choice.form.values() if choice.form is not None else {}
            try:
                (case,) = self.intake.start_cases(self.user, self.contact.id,
                                                  [CaseRequest(choice.bundle.key, values)])
            except FlowdeskError as error:
                self._problem(choice, said(error))
                refused.append(choice.bundle.name)
                self._show_form(choice)  # a newer version may ask for more: its form shows, what was typed kept
                continue
            self.started.append((choice.bundle, case))
            choice.tick.set_value(False)
            choice.form_area.clear()
            choice.built, choice.form = False, None
        self._refuse(_("Not started: {processes} (see why above); the other cases were started.")
                     .format(processes=", ".join(refused)) if refused else "")
        self._show_outcome()

    def _record_contact(self) -> bool:
        try:
            self.contact = self.intake.record_contact(
                self.user, customer_id=self.customer.id if self.customer else None, channel=self.channel.value,
                direction=self.direction.value, reason=self.reason.value or "", note=self.note.value or "")
        except FlowdeskError as error:
            self.contact_problem.set_text(_("The contact cannot be recorded: {problem}").format(problem=said(error)))
            self.contact_problem.set_visibility(True)
            return False
        self.contact_problem.set_visibility(False)
        for element in (self.channel, self.direction, self.reason, self.note):
            element.disable()
        self.finder.set_visibility(False)  # the contact is recorded for this customer (or caller)
        return True

    def _refuse(self, message: str) -> None:
        self.start_problem.set_text(message)
        self.start_problem.set_visibility(bool(message))

    @staticmethod
    def _problem(choice: ProcessChoice, message: str) -> None:
        choice.problem.set_text(message)
        choice.problem.set_visibility(True)

    def _show_outcome(self) -> None:
        assert self.contact is not None
        contact = self.intake.contact(self.user, self.contact.id)
        self.outcome.clear()
        with self.outcome:
            who = self.customer.name if self.customer else _("an unidentified caller")
            ui.label(_("Contact recorded {moment}: {channel} {direction}, {who} — {reason}").format(
                moment=local_time(contact.at), channel=_(CHANNEL_LABELS[contact.channel]).lower(),
                direction=_(DIRECTION_LABELS.get(contact.direction.value, "")), who=who, reason=contact.reason)) \
                .mark("contact-recorded")
            started = {case.id: (bundle.name, case.display) for bundle, case in self.started}
            for case_id in contact.case_ids:
                name, shown = started.get(case_id, (_("Case"), case_id))
                ui.link(_("{process} — case {case}").format(process=name, case=shown), case_url(case_id)) \
                    .mark(f"case-link-{case_id}")
            with ui.row().classes("gap-4"):
                ui.link(_("Go to the worklist"), "/work").mark("outcome-worklist")
                ui.link(_("Take the next contact"), "/work/intake").mark("next-contact")


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/work/intake", title="Flowdesk — intake")
    def intake_page() -> None:
        with frame(N_("Intake")) as user:
            IntakePage(user).build()

    return router
