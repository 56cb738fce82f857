"""The admin area in the simulated user: users, roles, queues by name, API tokens, sign-in locks, the log and the
installation settings with a test e-mail through a real local SMTP server — all while the app runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from nicegui import app, ui
from nicegui.testing import User

from runtime.accounts import SIGN_IN_KIND, SignInState, Subject
from runtime.documents import Record
from runtime.service import Runtime
from runtime.settings import installation_settings
from runtime.storage.base import Changes
from tests.designer.helpers import sign_in
from tests.local_servers import Inbox, free_port

pytestmark = pytest.mark.anyio


def runtime() -> Runtime:
    return app.state.runtime


def texts(user: User, marker: str) -> list[str]:
    return [element.text for element in user.find(marker=marker).elements]


async def open_admin(user: User, tab: str = "users") -> None:
    await sign_in(user, "root", "root-demo", target=f"/admin?tab={tab}")
    await user.should_see(marker="admin-tabs", retries=30)


def choose(user: User, marker: str, *options: str) -> None:
    """Pick `options` (their labels) in the select marked `marker`, as a person clicks them (in the open dialog)."""
    user.find(marker=marker).click()
    with user.scope(marker="user-dialog"):
        for option in options:
            user.find(option).click()


async def test_the_users_tab_lists_each_user_with_roles_and_queue_names(user: User):
    await open_admin(user)
    await user.should_see(marker="user-bob")
    [bob] = texts(user, "roles-bob")
    assert bob.startswith("agent — queues ") and "Facturatie" in bob and "billing" not in bob
    assert texts(user, "roles-root") == ["admin"]


async def test_an_admin_adds_a_user_with_roles_and_queues_by_name_who_then_signs_in(user: User):
    await open_admin(user)
    user.find(marker="add-user").click()
    await user.should_see(marker="user-dialog")
    user.find(marker="user-id").type("carol")
    user.find(marker="user-name").type("Carol Jansen")
    user.find(marker="user-email").type("carol@example.nl")
    user.find(marker="user-password").type("carol-password")
    choose(user, "user-roles", "agent")
    choose(user, "user-queues", "Facturatie", "Debiteurenbeheer")
    user.find(marker="save-user").click()
    await user.should_see("User carol saved.")
    await user.should_see(marker="user-carol")
    assert texts(user, "roles-carol") == ["agent — queues Facturatie, Debiteurenbeheer"]
    carol = runtime().store.user("carol")
    assert (carol.name, carol.email, carol.queues) == ("Carol Jansen", "carol@example.nl", ["billing", "collections"])

    await sign_in(user, "carol", "carol-password", target="/work")
    await user.should_see(marker="who", content="Carol Jansen (agent)")


async def test_a_user_that_does_not_fit_is_refused_field_by_field_and_what_was_typed_stays(user: User):
    await open_admin(user)
    user.find(marker="add-user").click()
    user.find(marker="user-id").type("no spaces please")
    user.find(marker="user-email").type("carol at home")
    user.find(marker="user-password").type("short")
    user.find(marker="save-user").click()
    await user.should_see(marker="problem")
    [problem] = [text for text in texts(user, "problem") if text]
    assert problem.splitlines()[0].startswith("User name: 'no spaces please' cannot name a user")
    assert "Roles: give at least one role" in problem and "Password: a password needs at least 8" in problem
    assert "E-mail: 'carol at home' is not an e-mail address" in problem
    assert user.find(marker="user-id").elements.pop().value == "no spaces please"
    assert "no spaces please" not in [u.id for u in runtime().store.users()]


async def test_an_admin_changes_a_users_name_email_roles_and_queues_and_the_log_says_so(user: User):
    await open_admin(user)
    user.find(marker="edit-bob").click()
    await user.should_see(marker="user-dialog")
    name = user.find(marker="user-name").elements.pop()
    name.value = "Bob de Bouwer"
    user.find(marker="user-email").type("bob@example.nl")
    choose(user, "user-roles", "supervisor")  # added to agent
    user.find(marker="user-queues").elements.pop().value = ["fraud"]
    user.find(marker="save-user").click()
    await user.should_see("User bob saved.")
    bob = runtime().store.user("bob")
    assert (bob.name, bob.email, bob.roles, bob.queues) == ("Bob de Bouwer", "bob@example.nl",
                                                           ["agent", "supervisor"], ["fraud"])
    user.find(marker="tab-log").click()
    await user.should_see("User bob is now called Bob de Bouwer, e-mail bob@example.nl")
    await user.should_see("User bob now has roles agent, supervisor, queues Fraudeonderzoek")  # the queue's name


async def test_an_admin_chooses_a_users_language_and_the_user_then_reads_the_app_in_it(user: User):
    await open_admin(user)
    user.find(marker="edit-bob").click()
    await user.should_see(marker="user-dialog")
    user.find(marker="user-language").elements.pop().value = "nl"
    user.find(marker="save-user").click()
    await user.should_see("User bob saved.")
    assert runtime().store.user("bob").language == "nl"
    await sign_in(user, "bob", "bob-demo", target="/work")
    await user.should_see("Openstaand werk", retries=30)
    await user.should_see(marker="who", content="Bob Agent (behandelaar)")


async def test_the_last_administrator_keeps_the_admin_role(user: User):
    await open_admin(user)
    user.find(marker="edit-root").click()
    user.find(marker="user-roles").elements.pop().value = ["agent"]
    user.find(marker="save-user").click()
    await user.should_see("Root is the last administrator; give another user the admin role first")
    assert runtime().store.user("root").roles == ["admin"]


async def test_an_admin_sets_a_new_password_which_then_signs_in(user: User):
    await open_admin(user)
    user.find(marker="password-bob").click()
    user.find(marker="new-password").type("bobs-new-password")
    user.find(marker="new-password-again").type("bobs-other-password")
    user.find(marker="save-password").click()
    await user.should_see("The two passwords differ; nothing was changed.")
    user.find(marker="new-password-again").clear().type("bobs-new-password")
    user.find(marker="save-password").click()
    await user.should_see("bob has a new password.")
    await sign_in(user, "bob", "bobs-new-password", target="/work")
    await user.should_see(marker="who", content="Bob Agent (agent)")


async def test_a_new_token_is_shown_once_works_for_the_api_and_stops_when_revoked(user: User):
    await open_admin(user)
    user.find(marker="manage-tokens-bob").click()
    await user.should_see(marker="no-tokens")
    user.find(marker="token-name").clear().type("crm")
    user.find(marker="token-days").elements.pop().value = 30
    user.find(marker="make-token").click()
    await user.should_see(marker="new-token-note", content="it is shown only this once")
    text = user.find(marker="new-token").elements.pop().value
    assert text.startswith("bob.") and len(text) > 40
    await user.should_see(marker="token-crm")
    assert texts(user, "tokens-bob") == ["crm"]
    with_token = {"Authorization": f"Bearer {text}"}
    assert (await user.http_client.get("/api/v1/work-items", headers=with_token)).status_code == 200

    user.find(marker="revoke-crm").click()
    await user.should_see("Token 'crm' of bob revoked: it no longer works.")
    assert (await user.http_client.get("/api/v1/work-items", headers=with_token)).status_code == 401
    assert texts(user, "tokens-bob") == ["—"]


async def test_a_locked_sign_in_is_listed_and_an_admin_unlocks_it(user: User):
    now = runtime().now()
    locked = SignInState(subject=Subject.USER, who="bob", failures=10, last_failure=now,
                         locked_until=now + timedelta(minutes=15))
    runtime().store.commit(Changes(records=[Record(kind=SIGN_IN_KIND, key=locked.key,
                                                   data=locked.model_dump(mode="json"))]))
    await open_admin(user, tab="sign-in")
    await user.should_see(marker="lock-user-bob")
    await user.should_see("user bob: locked until")
    user.find(marker="unlock-bob").click()
    await user.should_see("Sign-in of user bob unlocked.")
    await user.should_see(marker="no-locks")
    user.find(marker="tab-log").click()
    await user.should_see("Sign-in of user bob unlocked")


async def test_settings_are_saved_while_the_app_runs_and_a_test_email_goes_through_the_saved_server(
        user: User, smtp: tuple[Inbox, int]):
    inbox, port = smtp
    await open_admin(user, tab="settings")
    await user.should_see(marker="mail-route", content="No mail server is configured: e-mails are kept as .eml")
    user.find(marker="four-eyes").click()
    user.find("Send e-mails through this mail server (SMTP)").click()
    user.find(marker="mail-host").type("127.0.0.1")
    user.find(marker="mail-port").elements.pop().value = port
    user.find(marker="save-settings").click()
    await user.should_see("Settings saved; the next e-mail goes out as they say.")
    await user.should_see(marker="mail-route", content=f"E-mails go out through 127.0.0.1:{port}, set in the "
                                                        "installation settings.")
    settings = installation_settings(runtime())
    assert settings.four_eyes and settings.mail is not None and settings.mail.port == port

    user.find(marker="test-to").type("beheer@example.nl")
    user.find(marker="send-test").click()
    await user.should_see(marker="test-result", content="A test e-mail went to beheer@example.nl", retries=50)
    [(recipients, message)] = inbox.messages
    assert recipients == ["beheer@example.nl"] and message["Subject"] == "Flowdesk test e-mail"

    user.find("No mail server: keep e-mails as files in the data folder").click()
    user.find(marker="save-settings").click()
    await user.should_see(marker="mail-route", content="No mail server is configured")
    assert installation_settings(runtime()).mail is None


async def test_a_test_email_to_a_server_that_does_not_answer_says_so(user: User):
    nobody = free_port()
    await open_admin(user, tab="settings")
    user.find("Send e-mails through this mail server (SMTP)").click()
    user.find(marker="mail-host").type("127.0.0.1")
    user.find(marker="mail-port").elements.pop().value = nobody
    user.find(marker="save-settings").click()
    await user.should_see("Settings saved")
    user.find(marker="test-to").type("beheer@example.nl")
    user.find(marker="send-test").click()
    await user.should_see(marker="test-result", content=f"The test e-mail was not sent: the mail server "
                                                        f"127.0.0.1:{nobody} refused the connection", retries=50)


async def test_a_wrong_setting_is_named_and_nothing_is_saved(user: User):
    await open_admin(user, tab="settings")
    user.find("Send e-mails through this mail server (SMTP)").click()
    user.find(marker="save-settings").click()  # no host
    await user.should_see(marker="problem", content="Host: String should have at least 1 character")
    assert installation_settings(runtime()).mail is None


async def test_only_administrators_open_the_admin_area(user: User):
    await sign_in(user, "sue", "sue-demo", target="/admin")
    await user.should_see(marker="not-allowed", content="it needs one of the roles admin")
    await user.should_not_see(kind=ui.tabs)
