"""What was sent for a case: letters, e-mails and SMS with when, channel, recipient, subject and status.

`sent_items(user, case_id)` is a block any case page places; each message can
be viewed (text as text, HTML only inside an iframe with `sandbox=""`, served by
the REST API's document route with a `Content-Security-Policy: sandbox` header,
never with `ui.html`) and downloaded as what went out: PDF, .eml or .txt. An
e-mail kept in the data folder for want of a mail server says so. A failed one
has a Resend button for whoever the runtime lets resend it (`runtime.deliveries`),
and a case with several failed ones a button to resend them all. One whose
delivery was interrupted may have arrived: whoever checked with the customer
settles it, "it arrived" (never sent again) or "send it again". Why a message
failed is said in the reader's language.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from urllib.parse import quote

from nicegui import ui

from codegen.markup import html_to_text
from codegen.sms import segments
from designer.display import local_time, said
from designer.elements.sandboxed_frame import sandboxed_frame
from designer.frame import runtime
from designer.i18n import N_, _, word
from models.errors import FlowdeskError
from runtime.access import UseCase, may
from runtime.deliveries import Deliveries, delivery_text, last_problem, may_resend
from runtime.documents import OutboxEntry, OutboxStatus, User
from runtime.errors import NotFound
from runtime.outbox import email_of
from runtime.service import Request
from runtime.views.cases import sent_items as read_sent_items

CHANNEL_LABELS = {"letter": N_("Letter"), "email": N_("E-mail"), "sms": N_("SMS")}


def document_url(entry: OutboxEntry, *, view: bool = False) -> str:
    """Where the entry's document is downloaded (or, with `view`, shown as a sandboxed page)."""
    url = f"/api/v1/cases/{quote(entry.case_id, safe='')}/sent/{quote(entry.id, safe='')}/document"
    return url + "?view=html" if view else url


def _addressee(entry: OutboxEntry) -> str:
    """The first line of the recipient: the e-mail address, phone number or name on the letter."""
    return next(iter(entry.recipient.splitlines()), "")


def _summary(entry: OutboxEntry) -> str:
    """The subject, else the start of the text (of an HTML body, its readable text)."""
    text = entry.body if entry.channel == "sms" else html_to_text(entry.body)
    return entry.subject or text[:60]


def _when(entry: OutboxEntry) -> str:
    if entry.sent_at is not None:
        return local_time(entry.sent_at)
    return _("queued {moment}").format(moment=local_time(entry.created_at))


def _message_name(entry: OutboxEntry) -> str:
    """How the page names a message: "E-mail to sanne@example.nl"."""
    return _("{channel} to {recipient}").format(channel=_(CHANNEL_LABELS[entry.channel]), recipient=_addressee(entry))


def _show(entry: OutboxEntry) -> None:
    """A dialog with the message as the customer gets it."""
    with ui.dialog() as dialog, ui.card().classes("w-[48rem] max-w-full"):
        ui.label(_message_name(entry)).classes("text-lg")
        if entry.subject:
            ui.label(_("Subject: {subject}").format(subject=entry.subject)).mark("view-subject")
        if entry.channel == "sms":
            ui.label(entry.body).classes("whitespace-pre-wrap border rounded p-2").mark("view-text")
            chars, parts = segments(entry.body)
            ui.label(_("{chars} characters, {parts} SMS").format(chars=chars, parts=parts)) \
                .classes("text-sm text-gray-600")
        else:
            if entry.channel == "email":
                text = email_of(entry).get_body(("plain",)).get_content()
                ui.label(text).classes("whitespace-pre-wrap border rounded p-2").mark("view-text")
            sandboxed_frame(src=document_url(entry, view=True), height="32rem").mark("view-html")
        with ui.row():
            ui.link(_("Download"), document_url(entry)).mark("view-download")
            ui.button(_("Close"), on_click=dialog.close).props("flat")
    dialog.open()


def sent_items(user: User, case_id: str, on_resent: Callable[[], None] = lambda: None) -> None:
    """The block listing what was sent for `case_id`, with view and download per message, and resending what failed
    (after which `on_resent` lets the page show the case as it is now)."""
    deliveries = Deliveries(runtime())

    def resend(action: Callable[[Request | None], object], done: str) -> Callable[[], None]:
        key = f"page-{os.urandom(8).hex()}"  # a second click replays the first: nothing is resent twice

        def click() -> None:
            try:
                action(Request.of(key))
            except FlowdeskError as error:
                ui.notify(_("Not resent: {problem}.").format(problem=said(error)), type="warning", multi_line=True)
            else:
                ui.notify(done, type="positive")
            block.refresh()
            on_resent()

        return click

    @ui.refreshable
    def block() -> None:
        ui.label(_("Sent to the customer")).classes("text-lg")
        try:
            entries = read_sent_items(runtime(), user, case_id)
        except NotFound:
            ui.label(_("There is no case {case}.").format(case=case_id)).mark("no-case")
            return
        if not entries:
            ui.label(_("Nothing has been sent for this case.")).mark("sent-none")
            return
        resendable = {entry.id for entry in entries if may_resend(entry)} if may(user, UseCase.RESEND) else set()
        if len(resendable) > 1:
            count = len(resendable)
            ui.button(_("Resend the {count} that failed").format(count=count), icon="send", on_click=resend(
                lambda request: deliveries.resend_case(user, case_id, request=request),
                _("Queued again: the {count} messages that failed.").format(count=count))) \
                .props("outline dense").mark("resend-all")
        settles = may(user, UseCase.CHECK_DELIVERY)
        for entry in entries:
            _row(entry, resend(lambda request, e=entry: deliveries.resend(user, case_id, e.id, request=request),
                               _("Queued again: {message}.").format(message=said(delivery_text(entry))))
                 if entry.id in resendable else None)
            if settles and entry.status is OutboxStatus.FAILED and entry.interrupted:
                _check_by_hand(entry, *(resend(lambda request, e=entry, arrived=arrived: deliveries.settle(
                    user, case_id, e.id, arrived=arrived, request=request), done) for arrived, done in (
                    (True, _("Marked as arrived: {message}; it is not sent again.").format(
                        message=said(delivery_text(entry)))),
                    (False, _("Queued again: {message}.").format(message=said(delivery_text(entry)))))))

    with ui.column().classes("w-full gap-1").mark("sent-items"):
        block()


def _row(entry: OutboxEntry, on_resend: Callable[[], None] | None) -> None:
    """One message: when, channel, to whom, what, its status; view, download and (if it failed) resend."""
    with ui.row().classes("items-center gap-4 w-full").mark(f"sent-{entry.id}"):
        ui.label(_when(entry)).classes("w-40")
        ui.label(_(CHANNEL_LABELS[entry.channel])).classes("w-16")
        ui.label(_addressee(entry)).classes("w-56")
        ui.label(_summary(entry)).classes("grow")
        status = word(entry.status)
        ui.label(f"{status}: {said(last_problem(entry))}" if entry.last_error else status) \
            .classes("text-red-700" if entry.status is OutboxStatus.FAILED else "").mark(f"status-{entry.id}")
        ui.button(_("View"), on_click=lambda: _show(entry)).props("flat dense").mark(f"view-{entry.id}")
        ui.link(_("Download"), document_url(entry)).mark(f"download-{entry.id}")
        if on_resend is not None:
            ui.button(_("Resend"), icon="send", on_click=on_resend).props("flat dense").mark(f"resend-{entry.id}")


def _check_by_hand(entry: OutboxEntry, arrived: Callable[[], None], send_again: Callable[[], None]) -> None:
    """Under a message that may have arrived: settle it once someone checked with the customer."""
    with ui.row().classes("items-center gap-2 text-sm").mark(f"check-{entry.id}"):
        ui.label(_("It may have arrived. Checked with the customer?"))
        ui.button(_("It arrived"), icon="task_alt", on_click=arrived).props("flat dense").mark(f"arrived-{entry.id}")
        ui.button(_("It did not: send it again"), icon="send", on_click=send_again).props("flat dense") \
            .mark(f"send-again-{entry.id}")
