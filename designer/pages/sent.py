"""What was sent for a case: letters, e-mails and SMS with when, channel, recipient, subject and status.

`sent_items(user, case_id)` is a block any case page places; each message can
be viewed (text as text, HTML only inside an iframe with `sandbox=""`, served by
the REST API's document route with a `Content-Security-Policy: sandbox` header,
never with `ui.html`) and downloaded as what went out: PDF, .eml or .txt.
"""

from __future__ import annotations

from urllib.parse import quote

from nicegui import ui

from codegen.markup import html_to_text
from codegen.sms import segments
from designer.display import local_time
from designer.elements.sandboxed_frame import sandboxed_frame
from designer.frame import runtime
from designer.i18n import N_, _
from runtime.documents import OutboxEntry, OutboxStatus, User
from runtime.errors import NotFound
from runtime.outbox import email_of
from runtime.views.cases import sent_items as read_sent_items

CHANNEL_LABELS = {"letter": N_("Letter"), "email": N_("E-mail"), "sms": N_("SMS")}
STATUS_LABELS = {OutboxStatus.PENDING: N_("queued"), OutboxStatus.SENDING: N_("sending"), OutboxStatus.SENT: N_("sent"),
                 OutboxStatus.FAILED: N_("failed")}


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


def _show(entry: OutboxEntry) -> None:
    """A dialog with the message as the customer gets it."""
    with ui.dialog() as dialog, ui.card().classes("w-[48rem] max-w-full"):
        ui.label(_("{channel} to {recipient}").format(channel=_(CHANNEL_LABELS[entry.channel]),
                                                       recipient=_addressee(entry))).classes("text-lg")
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


def sent_items(user: User, case_id: str) -> None:
    """The block listing what was sent for `case_id`, with view and download per message."""
    with ui.column().classes("w-full gap-1").mark("sent-items"):
        ui.label(_("Sent to the customer")).classes("text-lg")
        try:
            entries = read_sent_items(runtime(), user, case_id)
        except NotFound:
            ui.label(_("There is no case {case}.").format(case=case_id)).mark("no-case")
            return
        if not entries:
            ui.label(_("Nothing has been sent for this case.")).mark("sent-none")
            return
        for entry in entries:
            with ui.row().classes("items-center gap-4 w-full").mark(f"sent-{entry.id}"):
                ui.label(_when(entry)).classes("w-40")
                ui.label(_(CHANNEL_LABELS[entry.channel])).classes("w-16")
                ui.label(_addressee(entry)).classes("w-56")
                ui.label(_summary(entry)).classes("grow")
                status = _(STATUS_LABELS[entry.status])
                ui.label(f"{status}: {entry.last_error}" if entry.last_error else status) \
                    .classes("text-red-700" if entry.status is OutboxStatus.FAILED else "")
                ui.button(_("View"), on_click=lambda e=entry: _show(e)).props("flat dense").mark(f"view-{entry.id}")
                ui.link(_("Download"), document_url(entry)).mark(f"download-{entry.id}")
