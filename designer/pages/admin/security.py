"""The sign-in tab and the log tab: users and client addresses locked out after too many failed sign-ins (with
Unlock), and the administration's own audit entries, newest first (`runtime.views.accounts`)."""

from __future__ import annotations

from nicegui import ui

from designer.display import local_time, said
from designer.frame import runtime
from designer.i18n import N_, _
from designer.pages.admin.feedback import attempt, problem_label
from runtime.accounts import Accounts
from runtime.documents import User
from runtime.views.accounts import SignInLock, account_events, sign_in_locks

#: The most entries the log tab shows.
LOG_LIMIT = 200
#: What a lock is on, as the tab says it.
LOCK_SUBJECTS = {"user": N_("user"), "address": N_("address")}


def _lock_subject(lock: SignInLock) -> str:
    return _(LOCK_SUBJECTS[lock.subject]) if lock.subject in LOCK_SUBJECTS else lock.subject


class LocksPanel:
    """Locked sign-ins, each with Unlock, for the administrator `actor`."""

    def __init__(self, actor: User) -> None:
        self.actor = actor
        with ui.column().classes("w-full gap-2"):
            ui.label(_("After ten failed sign-ins a user is locked out for 15 minutes (after thirty, their address); "
                       "a right password is refused meanwhile.")).classes("text-sm text-gray-600")
            self.problem = problem_label()
            self.show()

    @ui.refreshable_method
    def show(self) -> None:
        locks = sign_in_locks(runtime(), self.actor)
        if not locks:
            ui.label(_("No sign-in is locked.")).mark("no-locks")
        for lock in locks:
            with ui.row().classes("items-center gap-4").mark(f"lock-{lock.subject}-{lock.who}"):
                ui.label(_("{subject} {who}: locked until {moment} after {count} failed attempts").format(
                    subject=_lock_subject(lock), who=lock.who, moment=local_time(lock.until), count=lock.failures))
                ui.button(_("Unlock"), icon="lock_open", on_click=lambda chosen=lock: self._unlock(chosen)) \
                    .props("flat dense").mark(f"unlock-{lock.who}")

    def _unlock(self, lock: SignInLock) -> None:
        if attempt(lambda: Accounts(runtime()).unlock(self.actor, lock.subject, lock.who), self.problem):
            ui.notify(_("Sign-in of {subject} {who} unlocked.").format(subject=_lock_subject(lock), who=lock.who),
                      type="positive")
        self.show.refresh()


class LogPanel:
    """The administration's audit entries: users, roles, tokens, passwords, sign-in locks, settings, test e-mails."""

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.show()

    @ui.refreshable_method
    def show(self) -> None:
        events = account_events(runtime(), self.actor, limit=LOG_LIMIT)
        if not events:
            ui.label(_("Nothing was administered yet.")).mark("log-empty")
        with ui.grid(columns="auto auto 1fr").classes("w-full gap-x-4 gap-y-1").mark("admin-log"):
            for event in events:
                ui.label(local_time(event.at)).classes("text-sm text-gray-600")
                ui.label(event.actor).classes("text-sm")
                ui.label(said(event.phrase)).mark("log-entry")
