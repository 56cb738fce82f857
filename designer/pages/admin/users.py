"""The users tab: who signs in, with which roles and queues, and their API tokens.

One line per user with Edit (name, e-mail, roles, queues), Password and
Tokens; "Add user" above. Queues are offered by name, from the published
processes. A new token's text is shown once, in the dialog that made it: only
its hash is kept. Every change is a use case of `runtime.accounts.Accounts`,
whose refusals (a field that does not fit, the last administrator) are shown
as it words them, with what was typed kept.
"""

from __future__ import annotations

from datetime import datetime

from nicegui import ui

from designer.display import local_time
from designer.frame import runtime
from designer.pages.admin.feedback import attempt, problem_label, show_problem
from models.errors import FlowdeskError
from runtime.access import ROLES
from runtime.accounts import DEFAULT_TOKEN_DAYS, DEFAULT_TOKEN_NAME, MAX_TOKEN_DAYS, Accounts, ApiToken
from runtime.documents import User
from runtime.views.accounts import Account, accounts, api_tokens, queue_choices


class UsersPanel:
    """The users of the installation, as the administrator `actor` manages them."""

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.accounts = Accounts(runtime())
        with ui.column().classes("w-full gap-2") as self.root:  # dialogs live here, not in what `show` redraws
            ui.button("Add user", icon="person_add", on_click=lambda: self._user_dialog(None)).mark("add-user")
            self.show()

    @ui.refreshable_method
    def show(self) -> None:
        queues = queue_choices(runtime(), self.actor)
        with ui.grid(columns="auto auto auto 1fr auto auto").classes("w-full items-center gap-x-4 gap-y-1") \
                .mark("users"):
            for heading in ("User name", "Name", "E-mail", "Roles and queues", "API tokens", ""):
                ui.label(heading).classes("text-sm text-gray-600")
            for account in accounts(runtime(), self.actor):
                ui.label(account.id).mark(f"user-{account.id}")
                ui.label(account.name)
                ui.label(account.email or "—")
                ui.label(_roles_text(account, queues)).mark(f"roles-{account.id}")
                ui.label(", ".join(t.name for t in account.tokens) or "—").mark(f"tokens-{account.id}")
                with ui.row().classes("gap-0"):
                    for label, opens, marker, spoken in (
                            ("Edit", self._user_dialog, "edit", f"Edit {account.id}"),
                            ("Password", self._password_dialog, "password", f"New password for {account.id}"),
                            ("Tokens", self._tokens_dialog, "manage-tokens", f"API tokens of {account.id}")):
                        ui.button(label, on_click=lambda a=account, opens=opens: opens(a)).props("flat dense") \
                            .props(f'aria-label="{spoken}"').mark(f"{marker}-{account.id}")

    # Dialogs ------------------------------------------------------------------------------------

    def _user_dialog(self, account: Account | None) -> None:
        """Add a user (`account` None) or change one: name, e-mail, roles, queues."""
        queues = queue_choices(runtime(), self.actor)
        with self.root, ui.dialog() as dialog, ui.card().classes("w-[32rem] max-w-full").mark("user-dialog"):
            ui.label(f"Change {account.id}" if account else "Add a user").classes("text-lg")
            user_id = ui.input("User name (to sign in with)").classes("w-full").mark("user-id")
            if account is not None:
                user_id.set_value(account.id)
                user_id.disable()
            name = ui.input("Name shown in the app", value=account.name if account else "").classes("w-full") \
                .mark("user-name")
            email = ui.input("E-mail", value=account.email if account else "").classes("w-full").mark("user-email")
            roles = ui.select(list(ROLES), multiple=True, label="Roles", value=list(account.roles) if account else [])\
                .classes("w-full").props("use-chips").mark("user-roles")
            chosen = [q for q in account.queues if q in queues] if account else []
            queue_select = ui.select(queues, multiple=True, label="Queues (none: every queue)", value=chosen) \
                .classes("w-full").props("use-chips").mark("user-queues")
            password = ui.input("Password (at least 8 characters)", password=True, password_toggle_button=True) \
                .classes("w-full").mark("user-password")
            password.set_visibility(account is None)
            problem = problem_label()

            def save() -> None:
                if account is None:
                    done = attempt(lambda: self.accounts.add_user(
                        self.actor, (user_id.value or "").strip(), password.value or "", roles=roles.value or [],
                        queues=queue_select.value or [], name=name.value or "", email=email.value or ""), problem)
                else:
                    done = attempt(lambda: self._change(account, name.value or "", email.value or "",
                                                        roles.value or [], queue_select.value or []), problem)
                if done:
                    ui.notify(f"User {account.id if account else user_id.value} saved.", type="positive")
                    dialog.close()
                    self.show.refresh()

            with ui.row():
                ui.button("Save", on_click=save).mark("save-user")
                ui.button("Cancel", on_click=dialog.close).props("flat")
        dialog.open()

    def _change(self, account: Account, name: str, email: str, roles: list[str], queues: list[str]) -> None:
        """Save what changed of an account: roles and queues first (the last administrator keeps theirs), then
        name and e-mail."""
        if (roles, queues) != (account.roles, account.queues):
            self.accounts.set_roles(self.actor, account.id, roles, queues)
        if (name.strip(), email.strip()) != (account.name, account.email):
            self.accounts.change_details(self.actor, account.id, name=name, email=email)

    def _password_dialog(self, account: Account) -> None:
        with self.root, ui.dialog() as dialog, ui.card().classes("w-[28rem] max-w-full").mark("password-dialog"):
            ui.label(f"A new password for {account.id}").classes("text-lg")
            first = ui.input("New password", password=True, password_toggle_button=True).classes("w-full") \
                .mark("new-password")
            again = ui.input("The same again", password=True).classes("w-full").mark("new-password-again")
            problem = problem_label()

            def save() -> None:
                if first.value != again.value:
                    problem.set_text("The two passwords differ; nothing was changed.")
                    problem.set_visibility(True)
                    return
                if attempt(lambda: self.accounts.set_password(self.actor, account.id, first.value or ""), problem):
                    ui.notify(f"{account.id} has a new password.", type="positive")
                    dialog.close()

            with ui.row():
                ui.button("Set password", on_click=save).mark("save-password")
                ui.button("Cancel", on_click=dialog.close).props("flat")
        dialog.open()

    def _tokens_dialog(self, account: Account) -> None:
        """The user's API tokens with Revoke each, and making a new one (its text shown once, here)."""
        with self.root, ui.dialog() as dialog, ui.card().classes("w-[40rem] max-w-full").mark("tokens-dialog"):
            ui.label(f"API tokens of {account.id}").classes("text-lg")

            @ui.refreshable
            def listed() -> None:
                tokens = api_tokens(runtime(), self.actor, account.id)
                if not tokens:
                    ui.label(f"{account.id} has no API tokens.").mark("no-tokens")
                now = runtime().now()
                for token in tokens:
                    with ui.row().classes("items-center gap-4 w-full").mark(f"token-{token.name}"):
                        ui.label(token.name).classes("font-mono w-32")
                        ui.label(_token_text(token, now)).classes("grow text-sm")
                        ui.button("Revoke", on_click=lambda t=token: revoke(t)).props("flat dense color=negative") \
                            .mark(f"revoke-{token.name}")

            def revoke(token: ApiToken) -> None:
                if attempt(lambda: self.accounts.revoke_token(self.actor, account.id, token.name), problem):
                    ui.notify(f"Token '{token.name}' of {account.id} revoked: it no longer works.", type="positive")
                    listed.refresh()
                    self.show.refresh()

            def make() -> None:
                try:
                    new = self.accounts.make_token(self.actor, account.id, (token_name.value or "").strip(),
                                                   int(days.value or 0))
                except FlowdeskError as error:
                    show_problem(problem, error)
                    return
                problem.set_visibility(False)
                shown.set_value(new.text)
                replaced = f" It replaces the earlier token '{new.token.name}'." if new.replaced else ""
                note.set_text(f"Token '{new.token.name}', valid until {local_time(new.token.expires_at)}. Copy it "
                              f"now: it is shown only this once (only its hash is kept).{replaced} Send it as "
                              "'Authorization: Bearer <token>'.")
                made_box.set_visibility(True)
                listed.refresh()
                self.show.refresh()

            listed()
            ui.separator()
            ui.label("Make a new token").classes("text-sm text-gray-600")
            with ui.row().classes("items-end gap-2 w-full"):
                token_name = ui.input("Name (e.g. the system using it)", value=DEFAULT_TOKEN_NAME).classes("grow") \
                    .mark("token-name")
                days = ui.number("Valid for days", value=DEFAULT_TOKEN_DAYS, min=1, max=MAX_TOKEN_DAYS, precision=0) \
                    .classes("w-36").mark("token-days")
                ui.button("Make token", icon="key", on_click=make).mark("make-token")
            with ui.column().classes("w-full gap-1") as made_box:
                shown = ui.input("The new token").props("readonly").classes("w-full font-mono").mark("new-token")
                note = ui.label().classes("text-sm").mark("new-token-note")
                ui.button("Copy", icon="content_copy",
                          on_click=lambda: ui.clipboard.write(shown.value or "")).props("flat dense")
            made_box.set_visibility(False)
            problem = problem_label()
            ui.button("Close", on_click=dialog.close).props("flat").mark("close-tokens")
        dialog.open()


def _roles_text(account: Account, queues: dict[str, str]) -> str:
    works = ", ".join(queues.get(q, q) for q in account.queues) if account.queues else ""
    return ", ".join(account.roles) + (f" — queues {works}" if works else "")


def _token_text(token: ApiToken, now: datetime) -> str:
    made = f"made {local_time(token.created_at)} by {token.created_by}; " if token.created_at else ""
    if token.expires_at is None:
        return f"{made}valid until revoked (made before tokens had an expiry date)"
    return f"{made}{'EXPIRED at' if token.expired(now) else 'valid until'} {local_time(token.expires_at)}"
