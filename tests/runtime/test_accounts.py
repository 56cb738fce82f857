"""People in the runtime: signing in (throttled per user and per address), API tokens, user administration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.access import console_user, moment_text
from runtime.accounts import Accounts, SignInRefused, SignInThrottled, TokenRefused
from runtime.clock import ManualClock
from runtime.documents import User
from runtime.errors import AccessDenied, DataError, EngineError, NotFound
from runtime.service import Runtime
from runtime.storage.base import Changes
from runtime.storage.memory import MemoryStore
from runtime.views.accounts import account_events, accounts, api_tokens, sign_in_locks
from tests.runtime.conftest import MONDAY_9_AMSTERDAM, Harness

#: Cheap argon2 parameters, so that hundreds of attempts run fast; a stored hash carries its own.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
ROOT = console_user("operator")
HOME, ELSEWHERE = "192.0.2.10", "198.51.100.7"
BOB_PASSWORD = "bob-password"


def desk(runtime: Runtime) -> Accounts:
    """The runtime's accounts, with bob (an agent) and amy (an admin) stored."""
    accounts = Accounts(runtime, CHEAP)
    accounts.add_user(ROOT, "bob", BOB_PASSWORD, roles=["agent"], name="Bob")
    accounts.add_user(ROOT, "amy", "amy-password", roles=["admin"], name="Amy")
    return accounts


@pytest.fixture
def people(harness: Harness) -> Accounts:
    return desk(harness.runtime)


def attempts_until_locked(accounts: Accounts, clock: ManualClock, password: str = "guess", address: str = HOME,
                          user: str = "bob") -> list[str]:
    """Wrong passwords, each as soon as the last answer allows, until sign-in is locked; the answers."""
    answers = []
    while True:
        with pytest.raises(SignInRefused) as refused:
            accounts.sign_in(user, password, address)
        answers.append(str(refused.value))
        if isinstance(refused.value, SignInThrottled):
            if refused.value.locked:
                return answers
            clock.set(refused.value.until)


# Signing in --------------------------------------------------------------------------


def test_the_right_password_signs_in_and_a_wrong_one_or_unknown_name_gets_the_same_answer(people: Accounts):
    assert people.sign_in(" bob ", BOB_PASSWORD, HOME).id == "bob"
    for name, password in (("bob", "bob-passwore"), ("nobody", BOB_PASSWORD), ("", ""), ("bob", "x" * 5000)):
        with pytest.raises(SignInRefused, match=r"^wrong user name or password$"):
            people.sign_in(name, password, HOME)


def test_thirty_wrong_passwords_lock_the_user_and_the_right_one_is_refused_until_the_lock_ends(
        people: Accounts, harness: Harness):
    answers = []
    for _ in range(30):  # at once, as a script does
        with pytest.raises(SignInRefused) as refused:
            people.sign_in("bob", "guess", HOME)
        answers.append(str(refused.value))
    locked = f"too many attempts; try again at {moment_text(harness.clock.now() + timedelta(minutes=15))} or ask an " \
             "administrator"
    assert answers[:4] == ["wrong user name or password"] * 4
    assert [answer.split(";")[0] for answer in answers[4:9]] == ["too many attempts"] * 5  # hurrying counts
    assert answers[9:] == [locked] * 21  # the tenth failure locked

    for address in (HOME, ELSEWHERE):
        with pytest.raises(SignInThrottled, match=f"^{locked}$") as refused:
            people.sign_in("bob", BOB_PASSWORD, address)  # the right password: refused unchecked
        assert refused.value.locked
    harness.clock.advance(timedelta(minutes=14, seconds=59))
    with pytest.raises(SignInThrottled, match="try again at"):
        people.sign_in("bob", BOB_PASSWORD, HOME)
    harness.clock.advance(timedelta(seconds=1))
    assert people.sign_in("bob", BOB_PASSWORD, HOME).id == "bob"
    with pytest.raises(SignInRefused, match=r"^wrong user name or password$"):  # failures count from none again
        people.sign_in("bob", "guess", HOME)


def test_after_four_failures_each_attempt_waits_twice_as_long_and_hurrying_counts_as_failing(
        people: Accounts, harness: Harness):
    for _ in range(4):
        with pytest.raises(SignInRefused, match=r"^wrong user name or password$"):
            people.sign_in("bob", "guess", HOME)
    harness.clock.advance(timedelta(seconds=1))  # the fourth failure: the next attempt waits a second
    with pytest.raises(SignInRefused, match=r"^wrong user name or password$"):
        people.sign_in("bob", "guess", HOME)
    with pytest.raises(SignInThrottled, match=r"^too many attempts; wait 4 seconds and try again$") as hurried:
        people.sign_in("bob", BOB_PASSWORD, HOME)  # even the right password is not checked before its time
    assert not hurried.value.locked
    with pytest.raises(SignInThrottled, match="wait 8 seconds"):
        people.sign_in("bob", BOB_PASSWORD, HOME)  # hurrying again: the seventh failure
    harness.clock.advance(timedelta(seconds=8))
    assert people.sign_in("bob", BOB_PASSWORD, HOME).id == "bob"


def test_wrong_guesses_from_one_address_lock_that_address_for_everyone(people: Accounts, harness: Harness):
    answers = attempts_until_locked(people, harness.clock, address=HOME, user="someone")  # no such user
    assert len(answers) == 30
    with pytest.raises(SignInThrottled, match="try again at"):
        people.sign_in("bob", BOB_PASSWORD, HOME)  # the right password of a real user, from that address
    assert people.sign_in("bob", BOB_PASSWORD, ELSEWHERE).id == "bob"


def test_an_admin_sees_the_locks_and_the_audit_entry_and_may_lift_a_lock(people: Accounts, harness: Harness):
    answers = attempts_until_locked(people, harness.clock)
    assert answers.count("wrong user name or password") == 6  # waiting as told, 4 waits were hurried
    amy, bob = people.known_user("amy"), people.known_user("bob")
    [lock] = sign_in_locks(harness.runtime, amy)
    assert (lock.subject, lock.who, lock.failures) == ("user", "bob", 10)
    assert lock.until == harness.clock.now() + timedelta(minutes=15)
    [event] = [e for e in account_events(harness.runtime, amy) if e.kind == "sign-in locked"]
    assert event.subject == "user:bob" and "after 10 failed attempts" in event.summary
    with pytest.raises(AccessDenied, match="not allowed: to manage users and API tokens"):
        sign_in_locks(harness.runtime, bob)
    with pytest.raises(AccessDenied):
        people.unlock(bob, "user", "bob")

    harness.clock.advance(timedelta(minutes=2))
    people.unlock(amy, "user", "bob")
    assert sign_in_locks(harness.runtime, amy) == []
    assert people.sign_in("bob", BOB_PASSWORD, HOME).id == "bob"
    assert account_events(harness.runtime, amy)[0].summary == "Sign-in of user bob unlocked"
    with pytest.raises(NotFound, match="sign-in of user bob is not locked"):
        people.unlock(amy, "user", "bob")


def test_failures_are_counted_in_the_store_so_every_app_process_sees_them():
    store, clock = MemoryStore(), ManualClock(MONDAY_9_AMSTERDAM)
    first = desk(Runtime(store, clock))
    second = Accounts(Runtime(store, clock), CHEAP)  # another app process on the same database
    for process in (first, second) * 2:
        with pytest.raises(SignInRefused, match=r"^wrong user name or password$"):
            process.sign_in("bob", "guess", HOME)
    with pytest.raises(SignInThrottled, match="wait 2 seconds"):  # the fifth failure, hurried
        first.sign_in("bob", BOB_PASSWORD, HOME)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pause=st.sampled_from([0, 1, 30, 60, 61, 90]) | st.integers(0, 1000), attempts=st.lists(st.tuples(
    st.integers(0, 30), st.sampled_from([HOME, ELSEWHERE, "203.0.113.1"])), min_size=11, max_size=40))
def test_no_one_gets_more_than_ten_guesses_at_a_password_in_any_fifteen_minutes(
        pause: int, attempts: list[tuple[int, str]]):
    """However wrong guesses are spread over time (`pause` seconds between them, give or take half a minute) and
    over addresses, at most ten are checked (answered "wrong user name or password") in any fifteen minutes; all
    others are refused unchecked. (Fewer than eleven guesses cannot break this.)"""
    clock = ManualClock(MONDAY_9_AMSTERDAM)
    accounts = desk(Runtime(MemoryStore(), clock))
    checked = []
    for jitter, address in attempts:
        clock.advance(timedelta(seconds=pause + jitter))
        try:
            accounts.sign_in("bob", "guess", address)
        except SignInThrottled:
            continue
        except SignInRefused:
            checked.append(clock.now())
    for start in checked:
        assert sum(start <= moment < start + timedelta(minutes=15) for moment in checked) <= 10


# API tokens -------------------------------------------------------------------------


def test_a_token_names_its_user_until_it_is_replaced_revoked_or_expired(people: Accounts, harness: Harness):
    amy = people.known_user("amy")
    first = people.make_token(amy, "bob", "mail gateway", days=30)
    other = people.make_token(amy, "bob", "crm")
    assert first.text.startswith("bob.") and not first.replaced
    assert people.token_user(first.text).id == people.token_user(f" {other.text} ").id == "bob"
    for forged in (first.text[:-1], "bob", "", "bob." + "x" * 500, f"amy.{first.text.split('.', 1)[1]}"):
        with pytest.raises(TokenRefused, match="not valid"):
            people.token_user(forged)

    harness.clock.advance(timedelta(minutes=1))
    again = people.make_token(amy, "bob", "mail gateway", days=30)
    assert again.replaced
    with pytest.raises(TokenRefused):
        people.token_user(first.text)
    assert people.token_user(again.text).id == "bob"

    harness.clock.advance(timedelta(minutes=1))
    people.revoke_token(amy, "bob", "crm")
    with pytest.raises(TokenRefused):
        people.token_user(other.text)
    harness.clock.advance(timedelta(days=30) - timedelta(minutes=1))  # 30 days after it was made
    with pytest.raises(TokenRefused, match="the API token 'mail gateway' of bob expired at"):
        people.token_user(again.text)
    assert [t.name for t in api_tokens(harness.runtime, amy, "bob")] == ["mail gateway"]
    kinds = [event.kind for event in account_events(harness.runtime, amy)]
    assert (kinds.count("token made"), kinds.count("token revoked")) == (3, 1)


def test_only_a_hash_of_a_token_is_stored(harness: Harness):
    accounts = desk(harness.runtime)
    made = accounts.make_token(ROOT, "bob")
    harness.close()
    if harness.kind == "tinydb":
        stored = b"".join(path.read_bytes() for path in harness.directory.rglob("*") if path.is_file())
        assert made.text.split(".", 1)[1].encode() not in stored


def test_users_see_and_revoke_their_own_tokens_but_only_admins_make_tokens_or_touch_others(
        people: Accounts, harness: Harness):
    amy, bob = people.known_user("amy"), people.known_user("bob")
    people.make_token(amy, "amy", "own")
    token = people.make_token(amy, "bob", "crm")
    assert [t.name for t in api_tokens(harness.runtime, bob, "bob")] == ["crm"]
    for refused in (lambda: people.make_token(bob, "bob", "mine"), lambda: api_tokens(harness.runtime, bob, "amy"),
                    lambda: people.revoke_token(bob, "amy", "own")):
        with pytest.raises(AccessDenied, match="not allowed: to manage users and API tokens you need one of the "
                                               "roles admin; Bob has agent"):
            refused()
    assert [t.name for t in api_tokens(harness.runtime, amy, "amy")] == ["own"]
    people.revoke_token(bob, "bob", "crm")
    with pytest.raises(TokenRefused):
        people.token_user(token.text)
    with pytest.raises(NotFound, match="bob has no API token 'crm'"):
        people.revoke_token(bob, "bob", "crm")


def test_a_single_token_from_before_tokens_were_named_keeps_working_and_becomes_the_token_api(harness: Harness):
    accounts = desk(harness.runtime)
    old = "gateway.an-old-token-made-by-the-earlier-flowdesk-user-token"
    from runtime.accounts import token_hash

    harness.store.commit(Changes(users=[User(id="gateway", name="Gateway", roles=["agent"],
                                             api_token_hash=token_hash(old))]))
    [listed] = api_tokens(harness.runtime, ROOT, "gateway")
    assert (listed.name, listed.expires_at) == ("api", None)
    assert accounts.token_user(old).id == "gateway"
    assert harness.store.user("gateway").api_token_hash == ""  # now a named token like the others
    assert accounts.token_user(old).id == "gateway"
    accounts.revoke_token(ROOT, "gateway", "api")
    with pytest.raises(TokenRefused):
        accounts.token_user(old)


def test_token_names_and_lifetimes_are_checked(people: Accounts):
    with pytest.raises(DataError) as wrong:
        people.make_token(ROOT, "bob", "", days=0)
    assert set(wrong.value.errors) == {"name", "days"}
    with pytest.raises(NotFound, match="there is no user 'nobody'"):
        people.make_token(ROOT, "nobody")


# Users ------------------------------------------------------------------------------


def test_an_admin_adds_and_replaces_users_and_sets_their_roles(people: Accounts, harness: Harness):
    amy = people.known_user("amy")
    carol, replaced = people.add_user(amy, "carol", "carol-password", roles=["agent", "agent", "supervisor"],
                                      queues=["billing"], email="carol@example.com")
    assert (carol.roles, carol.queues, replaced) == (["agent", "supervisor"], ["billing"], False)
    assert people.sign_in("carol", "carol-password", HOME).id == "carol"
    with pytest.raises(EngineError, match="user 'carol' exists already; nothing was changed"):
        people.add_user(amy, "carol", "other-password", roles=["agent"])
    people.make_token(amy, "carol", "crm")
    _, replaced = people.add_user(amy, "carol", "new-password", roles=["auditor"], replace=True)
    assert replaced and people.sign_in("carol", "new-password", HOME).roles == ["auditor"]
    assert [t.name for t in api_tokens(harness.runtime, amy, "carol")] == ["crm"]  # tokens stay
    assert people.set_roles(amy, "carol", ["agent"], ["collections"]).queues == ["collections"]
    assert [(a.id, a.roles) for a in accounts(harness.runtime, amy)] == [
        ("amy", ["admin"]), ("bob", ["agent"]), ("carol", ["agent"])]


def test_an_admin_changes_a_users_name_email_and_password_and_the_log_says_so_without_the_password(
        people: Accounts, harness: Harness):
    amy = people.known_user("amy")
    bob = people.change_details(amy, "bob", name=" Bob de Bouwer ", email="bob@example.nl")
    assert (bob.name, bob.email, bob.roles) == ("Bob de Bouwer", "bob@example.nl", ["agent"])
    assert people.change_details(amy, "bob", name="", email="").name == "bob"  # no name: the user name
    people.set_password(amy, "bob", "a-new-password")
    assert people.sign_in("bob", "a-new-password", HOME).id == "bob"
    with pytest.raises(SignInRefused):
        people.sign_in("bob", BOB_PASSWORD, HOME)
    summaries = [event.summary for event in account_events(harness.runtime, amy)]
    assert {"User bob is now called Bob de Bouwer, e-mail bob@example.nl", "User bob is now called bob, without an "
            "e-mail address", "User bob got a new password"} <= set(summaries)
    assert not any("a-new-password" in summary for summary in summaries)
    with pytest.raises(DataError) as wrong:
        people.change_details(amy, "bob", name="x" * 201, email="bob at example")
    assert set(wrong.value.errors) == {"name", "email"}
    with pytest.raises(DataError, match="at least 8 characters"):
        people.set_password(amy, "bob", "short")
    with pytest.raises(NotFound, match="there is no user 'eve'"):
        people.change_details(amy, "eve", name="Eve", email="")
    with pytest.raises(AccessDenied):
        people.set_password(people.known_user("bob"), "amy", "bobs-choice-1")


def test_a_user_that_does_not_fit_is_refused_naming_every_field(people: Accounts):
    with pytest.raises(DataError) as wrong:
        people.add_user(ROOT, "no spaces", "short", roles=["boss"])
    assert set(wrong.value.errors) == {"user", "roles", "password"}
    assert "at least 8 characters" in wrong.value.errors["password"]
    assert "unknown role boss" in wrong.value.errors["roles"]


def test_only_admins_administer_and_a_refusal_changes_nothing(people: Accounts, harness: Harness):
    bob = people.known_user("bob")
    before = accounts(harness.runtime, ROOT)
    for refused in (lambda: people.add_user(bob, "eve", "eve-password", roles=["admin"]),
                    lambda: people.set_roles(bob, "bob", ["admin"], []),
                    lambda: accounts(harness.runtime, bob)):
        with pytest.raises(AccessDenied, match=r"^not allowed: to manage users and API tokens"):
            refused()
    assert accounts(harness.runtime, ROOT) == before


def test_the_last_administrator_keeps_the_admin_role(people: Accounts):
    with pytest.raises(EngineError, match="amy is the last administrator; give another user the admin role first"):
        people.set_roles(ROOT, "amy", ["agent"], [])
    people.set_roles(ROOT, "bob", ["agent", "admin"], [])
    assert people.set_roles(ROOT, "amy", ["agent"], []).roles == ["agent"]
