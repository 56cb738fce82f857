"""The failed deliveries block: letters, e-mails and SMS the worker gave up on, across cases, and resending them
all at once once the cause is fixed.

Supervisors see it on the monitor, administrators beside the mail server
settings. What failed is `runtime.views.deliveries`; resending is
`runtime.deliveries.Deliveries.resend_all`, which the runtime allows or not.
"""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from designer.display import local_time
from designer.frame import runtime
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
        lines = [f"Queued again: {report.resent} message{'s' if report.resent != 1 else ''} of {report.cases} "
                 f"case{'s' if report.cases != 1 else ''}."]
        lines += [f"Not resent, it may have arrived (check by hand): {unsure}." for unsure in report.check_by_hand]
        lines += [f"Not resent: {problem}." for problem in report.problems]
        ui.notify("\n".join(lines), type="positive" if not report.problems else "warning", multi_line=True)
        block.refresh()

    @ui.refreshable
    def block() -> None:
        found = failed_deliveries(runtime(), user)
        shown[:] = _fingerprint(found)
        if not found:
            ui.label("No letter, e-mail or SMS failed to go out.").classes("text-sm text-gray-600") \
                .mark("failed-none")
            return
        resendable = sum(failed.resendable for failed in found)
        with ui.row().classes("items-center gap-4"):
            ui.label(f"{len(found)} {'delivery' if len(found) == 1 else 'deliveries'} failed").classes("text-lg") \
                .mark("failed-count")
            if resendable and may(user, UseCase.RESEND_ALL):
                ui.button(f"Resend all {resendable}", icon="send", on_click=resend_all).props("outline dense") \
                    .tooltip("after the cause (often the mail server) is fixed").mark("resend-everything")
        for failed in found[:SHOWN]:
            _line(failed)
        if len(found) > SHOWN:
            ui.label(f"… and {len(found) - SHOWN} more (flowdesk resend --list shows all)").classes("text-sm")

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
        ui.link(f"case {failed.case_id}", case_url(failed.case_id))
        note = "" if failed.resendable else " (it may have arrived: check by hand; never resent)"
        ui.label(f"{failed.text}: {failed.reason}{note}").classes("text-red-700")
