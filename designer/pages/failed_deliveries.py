"""The failed deliveries block: letters, e-mails and SMS the worker gave up on, across cases, and resending them
all at once once the cause is fixed.

Supervisors see it on the monitor, administrators beside the mail server
settings. What failed is `runtime.views.deliveries`; resending is
`runtime.deliveries.Deliveries.resend_all`, which the runtime allows or not.
"""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from designer.display import local_time, said
from designer.frame import runtime
from designer.i18n import _, ngettext
from designer.pages.customer_sheet import case_url
from runtime.access import UseCase, may
from runtime.deliveries import Deliveries
from runtime.documents import User
from runtime.views.deliveries import FailedDelivery, failed_deliveries

#: The most failed deliveries listed one by one.
SHOWN = 20


def failed_deliveries_block(user: User) -> Callable[[], None]:
    """What failed, newest first, with a link to each case; "Resend all" for whoever may. Returns what redraws it
    when deliveries failed or were resent since, for the page's timer."""
    shown: list[tuple[str, str]] = []  # what the block shows: (entry, reason) each

    def resend_all() -> None:
        report = Deliveries(runtime()).resend_all(user)
        messages = ngettext("{count} message", "{count} messages", report.resent).format(count=report.resent)
        cases = ngettext("{count} case", "{count} cases", report.cases).format(count=report.cases)
        lines = [_("Queued again: {messages} of {cases}.").format(messages=messages, cases=cases)]
        lines += [_("Not resent, it may have arrived (check by hand): {message}.").format(message=said(unsure))
                  for unsure in report.check_by_hand]
        lines += [_("Not resent: {problem}.").format(problem=said(problem)) for problem in report.problems]
        ui.notify("\n".join(lines), type="positive" if not report.problems else "warning", multi_line=True)
        block.refresh()

    @ui.refreshable
    def block() -> None:
        found = failed_deliveries(runtime(), user)
        shown[:] = _fingerprint(found)
        if not found:
            ui.label(_("No letter, e-mail or SMS failed to go out.")).classes("text-sm text-gray-600") \
                .mark("failed-none")
            return
        resendable = sum(failed.resendable for failed in found)
        with ui.row().classes("items-center gap-4"):
            ui.label(ngettext("{count} delivery failed", "{count} deliveries failed", len(found)).format(
                count=len(found))).classes("text-lg") \
                .mark("failed-count")
            if resendable and may(user, UseCase.RESEND_ALL):
                ui.button(_("Resend all {count}").format(count=resendable), icon="send", on_click=resend_all) \
                    .props("outline dense").tooltip(_("after the cause (often the mail server) is fixed")) \
                    .mark("resend-everything")
        for failed in found[:SHOWN]:
            _line(failed)
        if len(found) > SHOWN:
            ui.label(_("… and {count} more (flowdesk resend --list shows all)").format(count=len(found) - SHOWN)) \
                .classes("text-sm")

    def redraw_if_changed() -> None:
        if _fingerprint(failed_deliveries(runtime(), user)) != shown:
            block.refresh()

    with ui.column().classes("w-full gap-1 border rounded p-2").mark("failed-deliveries"):
        block()
    return redraw_if_changed


def _fingerprint(found: list[FailedDelivery]) -> list[tuple[str, str]]:
    return [(failed.entry_id, failed.reason) for failed in found]


def _line(failed: FailedDelivery) -> None:
    with ui.row().classes("items-center gap-2 text-sm").mark(f"failed-{failed.entry_id}"):
        ui.label(local_time(failed.failed_at))
        ui.link(_("case {case}").format(case=failed.case_id), case_url(failed.case_id))
        note = "" if failed.resendable else _(" (it may have arrived: check by hand; never resent)")
        ui.label(f"{said(failed.text)}: {said(failed.reason)}{note}").classes("text-red-700")
