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
from designer.display import local_time
from designer.frame import frame, runtime
from designer.pages.diff_view import diff_view
from models.bundle import Bundle
from models.errors import FlowdeskError
from runtime.documents import User
from runtime.drafts import Drafts, Submission
from runtime.errors import NotFound
from runtime.views.processes import process_version


def _review(user: User, submission: Submission) -> None:
    submitted = Bundle.model_validate(submission.document)
    ui.label(f"Submitted by {runtime().display_name(submission.submitted_by)} at "
             f"{local_time(submission.submitted_at)}" + (f": {submission.note}" if submission.note else "")) \
        .mark("submitted-by")
    try:
        published = process_version(runtime(), user, submission.key)
    except NotFound:
        ui.label("A new process: nothing of it is published yet.")
        diff_view(Bundle(key=submitted.key, name=submitted.name), submitted,
                  diff_bundles(Bundle(key=submitted.key, name=submitted.name), submitted),
                  old_title="(nothing published)", new_title="Submitted version")
    else:
        diff_view(published.bundle, submitted, diff_bundles(published.bundle, submitted),
                  old_title=f"Published version {published.version.number}", new_title="Submitted version")
    comment = ui.textarea("Comment (what you checked; for a rejection: why)").classes("w-full").mark("comment")
    with ui.row():
        ui.button("Approve and publish", icon="verified",
                  on_click=lambda: _decide(user, submission, comment.value or "", approve=True)).mark("approve")
        ui.button("Reject", icon="undo", on_click=lambda: _decide(user, submission, comment.value or "",
                                                                  approve=False)).props("outline").mark("reject")


def _decide(user: User, submission: Submission, comment: str, *, approve: bool) -> None:
    drafts = Drafts(runtime())
    try:
        if approve:
            version = drafts.approve(user, submission.key, comment)
            ui.notify(f"Version {version.number} of {version.name} is live.", type="positive")
        else:
            drafts.reject(user, submission.key, comment)
            ui.notify(f"'{submission.name}' was sent back to its author.", type="positive")
    except FlowdeskError as error:
        ui.notify(f"Not done: {error}", type="negative", multi_line=True)
        return
    ui.navigate.to("/approve")


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/approve", title="Flowdesk — approvals")
    def approvals_page() -> None:
        with frame("Versions waiting for approval") as user:
            waiting = Drafts(runtime()).submissions(user)
            if not waiting:
                ui.label("Nothing waits for approval.").mark("nothing-waits")
            for submission in waiting:
                with ui.row().classes("items-center gap-4").mark(f"waiting-{submission.key}"):
                    ui.link(submission.name, f"/approve/{quote(submission.key, safe='')}")
                    ui.label(f"by {runtime().display_name(submission.submitted_by)}, "
                             f"{local_time(submission.submitted_at)}").classes("text-sm text-gray-600")

    @router.page("/approve/{key}", title="Flowdesk — review a version")
    def review_page(key: str) -> None:
        with frame(f"Review the version submitted for '{key}'") as user:
            try:
                submission = Drafts(runtime()).submission(user, key)
            except FlowdeskError as error:
                ui.label(str(error)).mark("no-submission")
                return
            _review(user, submission)

    return router
