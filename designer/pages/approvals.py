"""Approving versions (four eyes): what waits, what it changes, and approve or reject it with a comment.

/approve lists every version submitted for approval; /approve/{key} shows what
the submitted version changes against the published one (`diff_view`) and lets
an approver approve it (it goes live at once, with their name in the version
record) or reject it with the reason. The runtime refuses an author approving
their own version and says why; the page only shows what it answered.
"""

from __future__ import annotations

from urllib.parse import quote

from nicegui import APIRouter, ui

from codegen.diff import diff_bundles
from designer.display import local_time, said
from designer.frame import frame, runtime
from designer.i18n import N_, _
from designer.pages.diff_view import diff_view
from models.bundle import Bundle
from models.errors import FlowdeskError
from runtime.documents import User
from runtime.drafts import Drafts, Submission
from runtime.errors import NotFound
from runtime.views.names import process_names
from runtime.views.processes import process_version


def _review(user: User, submission: Submission) -> None:
    submitted = Bundle.model_validate(submission.document)
    submitted_by = _("Submitted by {who} at {moment}").format(who=runtime().display_name(submission.submitted_by),
                                                              moment=local_time(submission.submitted_at))
    ui.label(submitted_by + (f": {submission.note}" if submission.note else "")).mark("submitted-by")
    try:
        published = process_version(runtime(), user, submission.key)
    except NotFound:
        ui.label(_("A new process: nothing of it is published yet."))
        diff_view(Bundle(key=submitted.key, name=submitted.name), submitted,
                  diff_bundles(Bundle(key=submitted.key, name=submitted.name), submitted),
                  old_title=_("(nothing published)"), new_title=_("Submitted version"))
    else:
        diff_view(published.bundle, submitted, diff_bundles(published.bundle, submitted),
                  old_title=_("Published version {number}").format(number=published.version.number),
                  new_title=_("Submitted version"))
    comment = ui.textarea(_("Comment (what you checked; for a rejection: why)")).classes("w-full").mark("comment")
    with ui.row():
        ui.button(_("Approve and publish"), icon="verified",
                  on_click=lambda: _decide(user, submission, comment.value or "", approve=True)).mark("approve")
        ui.button(_("Reject"), icon="undo", on_click=lambda: _decide(user, submission, comment.value or "",
                                                                  approve=False)).props("outline").mark("reject")


def _decide(user: User, submission: Submission, comment: str, *, approve: bool) -> None:
    drafts = Drafts(runtime())
    try:
        if approve:
            version = drafts.approve(user, submission.key, comment)
            ui.notify(_("Version {number} of {process} is live.").format(number=version.number, process=version.name),
                      type="positive")
        else:
            drafts.reject(user, submission.key, comment)
            ui.notify(_("'{process}' was sent back to its author.").format(process=submission.name), type="positive")
    except FlowdeskError as error:
        ui.notify(_("Not done: {problem}").format(problem=said(error)), type="negative", multi_line=True)
        return
    ui.navigate.to("/approve")


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/approve", title="Flowdesk — approvals")
    def approvals_page() -> None:
        with frame(N_("Versions waiting for approval")) as user:
            waiting = Drafts(runtime()).submissions(user)
            if not waiting:
                ui.label(_("Nothing waits for approval.")).mark("nothing-waits")
            for submission in waiting:
                with ui.row().classes("items-center gap-4").mark(f"waiting-{submission.key}"):
                    ui.link(submission.name, f"/approve/{quote(submission.key, safe='')}")
                    ui.label(_("by {who}, {moment}").format(who=runtime().display_name(submission.submitted_by),
                                                            moment=local_time(submission.submitted_at))) \
                        .classes("text-sm text-gray-600")

    @router.page("/approve/{key}", title="Flowdesk — review a version")
    def review_page(key: str) -> None:
        with frame(N_("Review the version submitted for '{process}'"),
                   process=process_names(runtime()).get(key, key)) as user:
            try:
                submission = Drafts(runtime()).submission(user, key)
            except FlowdeskError as error:
                ui.label(said(error)).mark("no-submission")
                return
            _review(user, submission)

    return router
