"""People: signing in, API tokens, and the administration of users, their roles and queues.

Signing in (`Accounts.sign_in`) and looking up an API token (`Accounts.token_user`)
establish who acts, so they take no acting user. Every other use case takes the
acting `User` and asks `runtime.access` (administration needs
`UseCase.ADMINISTER`; anyone may see and revoke their own tokens), and each
change is one `Runtime.step` that also writes an "account_event" record: the
administration's own audit entries (`runtime.views.accounts.account_events`).

Passwords are kept as argon2id hashes. An API token is `<user id>.<256 random
bits>`, shown once; the store keeps only its SHA-256 (enough for 256 random
bits, unlike a chosen password), as the key of an "api_token" record with the
token's name, holder and expiry, so checking a token reads one record. A user
holds any number of named tokens; making one with a name they already have
replaces it. A user stored before tokens were named has a single
`User.api_token_hash`: that token keeps working and becomes their token "api",
without expiry, the first time it is used or their tokens or account change.

Sign-in attempts are throttled per user and per client address (`THROTTLES`).
The counts live in "sign_in" records, so every app process sharing the store
sees the same ones: after a few failures each attempt must wait twice as long as
the one before, and too many lock sign-in for a while (a right password is
refused then too), an entry for the administrators, who see every lock
(`runtime.views.accounts.sign_in_locks`) and may lift one (`Accounts.unlock`).
Only stored users are counted per user, so a made-up name writes no record of
its own (it still counts for its address).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel

from models.errors import FlowdeskError
from models.phrases import Phrase
from models.values import EMAIL_PATTERN
from runtime import installation_log
from runtime.access import ROLES, UseCase, moment_text, require, require_language_of, require_tokens_of, system_user
from runtime.documents import Record, User
from runtime.errors import DataError, EngineError, NotFound
from runtime.service import Runtime
from runtime.settings import LANGUAGES
from runtime.transaction import Transaction
from runtime.views.names import queue_names

TOKEN_KIND, SIGN_IN_KIND = "api_token", "sign_in"
#: The name of a token made without one, and of a user's single token from before tokens were named.
DEFAULT_TOKEN_NAME = "api"
#: How long a new token works by default, and at most, in days.
DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS = 90, 730
MIN_PASSWORD, MAX_PASSWORD = 8, 1024
MAX_NAME, MAX_EMAIL = 200, 320
#: The longest text taken as a token (a real one has about 45 characters after the user id).
MAX_TOKEN = 200
_USER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_TOKEN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}")
#: Who writes the sign-in counts and upgrades old tokens: nobody is signed in yet.
GATEKEEPER = system_user("sign-in")
PASSWORDS = PasswordHasher()
WRONG_PASSWORD = Phrase("wrong user name or password")
UNKNOWN_TOKEN = "the API token is not valid (unknown or revoked); ask an administrator for a new one"


class SignInRefused(FlowdeskError):
    """Wrong user name or password (never which of the two); the attempt counted as a failure."""


class SignInThrottled(SignInRefused):
    """Too many failed attempts: no attempt is checked before `until` (`locked`: an administrator may lift it)."""

    def __init__(self, message: Phrase, until: datetime, *, locked: bool) -> None:
        super().__init__(message)
        self.until = until
        self.locked = locked


class TokenRefused(FlowdeskError):
    """An API token that names nobody: unknown, revoked, expired, or its user is gone."""


class Subject(StrEnum):
    """What sign-in attempts are counted for."""

    USER = "user"
    ADDRESS = "address"


#: How the log names what sign-in attempts were counted for.
SUBJECT_WORDS = {Subject.USER: Phrase("user"), Subject.ADDRESS: Phrase("address")}


@dataclass(frozen=True)
class Throttle:
    """How failed sign-ins in a row slow the next ones: the first `free` cost nothing, each one after that makes
    the next attempt wait twice as long (1 s, 2 s, 4 s, ... at most `max_wait`), and the `lock_after`-th locks
    for `lock_for`. Failures are forgotten `lock_for` after the last one, when a lock ends, and on success."""

    free: int
    lock_after: int
    lock_for: timedelta = timedelta(minutes=15)
    max_wait: timedelta = timedelta(minutes=1)

    def wait(self, failures: int) -> timedelta:
        """How long after the `failures`-th failure in a row the next attempt must wait.

        >>> [Throttle(free=3, lock_after=10).wait(n).seconds for n in (1, 3, 4, 5, 9, 30)]
        [0, 0, 1, 2, 32, 60]
        """
        if failures <= self.free:
            return timedelta(0)
        return min(timedelta(seconds=2 ** min(failures - self.free - 1, 30)), self.max_wait)


#: Per address the counts are higher: several people may share one (an office behind one router).
THROTTLES: dict[Subject, Throttle] = {
    Subject.USER: Throttle(free=3, lock_after=10),
    Subject.ADDRESS: Throttle(free=10, lock_after=30),
}


class SignInState(BaseModel):
    """Failed sign-ins in a row of one user or from one address: the data of a "sign_in" record."""

    subject: Subject
    who: str
    failures: int = 0
    last_failure: datetime | None = None
    locked_until: datetime | None = None

    def at(self, now: datetime) -> SignInState:
        """The state as it counts at `now`: failures end with a lock that is over, or `lock_for` after the last."""
        throttle = THROTTLES[self.subject]
        over = (now >= self.locked_until if self.locked_until is not None
                else self.last_failure is not None and now - self.last_failure >= throttle.lock_for)
        return SignInState(subject=self.subject, who=self.who) if over else self

    def next_attempt(self) -> datetime | None:
        """From when an attempt is checked again (None: at once)."""
        if self.locked_until is not None or self.last_failure is None:
            return self.locked_until
        return self.last_failure + THROTTLES[self.subject].wait(self.failures)

    def failed(self, now: datetime) -> SignInState:
        """The state after one more failure at `now`, locked when it is one too many."""
        throttle, failures = THROTTLES[self.subject], self.failures + 1
        locked_until = now + throttle.lock_for if failures >= throttle.lock_after else None
        return self.model_copy(update={"failures": failures, "last_failure": now, "locked_until": locked_until})

    @property
    def key(self) -> str:
        return f"{self.subject.value}:{self.who}"


class ApiToken(BaseModel):
    """What is known of an API token besides its hash: the data of an "api_token" record."""

    holder: str
    name: str
    created_at: datetime | None = None  # None: a single token from before tokens were named
    created_by: str = ""
    expires_at: datetime | None = None  # None: never (only tokens from before tokens were named)

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


@dataclass(frozen=True)
class NewToken:
    """A token just made: `text` is shown once and never kept; `replaced` when it took an older one's name."""

    text: str
    token: ApiToken
    replaced: bool


def token_hash(token: str) -> str:
    """What the store keeps of a token.

    >>> len(token_hash("gateway.abc")), token_hash("gateway.abc") == token_hash("gateway.abc")
    (64, True)
    """
    return hashlib.sha256(token.encode()).hexdigest()


def held_tokens(records: Iterable[Record], holder: User) -> dict[str, ApiToken]:
    """The tokens `holder` holds, by hash: their "api_token" records among `records`, and a single token from
    before tokens were named (named "api", no expiry)."""
    held = {record.key: ApiToken.model_validate(record.data) for record in records}
    held = {digest: token for digest, token in held.items() if token.holder == holder.id}
    if holder.api_token_hash and holder.api_token_hash not in held:
        held[holder.api_token_hash] = ApiToken(holder=holder.id, name=DEFAULT_TOKEN_NAME)
    return held


def password_matches(user: User, password: str) -> bool:
    """Whether `password` is `user`'s (argon2; the hash carries its own parameters)."""
    if not user.password_hash:
        return False
    try:
        return PASSWORDS.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class Accounts:
    """Sign-in, API tokens and user administration on one runtime.

    `hasher` sets the argon2 parameters of new password hashes (tests choose cheap ones; a stored hash is always
    checked with its own).
    """

    def __init__(self, runtime: Runtime, hasher: PasswordHasher = PASSWORDS) -> None:
        self.runtime = runtime
        self.hasher = hasher

    # Who acts -----------------------------------------------------------------------

    def sign_in(self, user_id: str, password: str, address: str) -> User:
        """The user whose name and password these are, signing in from client `address`.

        Refused with `SignInRefused` (wrong name or password, never which) or, after
        too many failures of the user or from the address, `SignInThrottled` saying
        until when; a right password is refused then too, unchecked.
        """
        name = user_id.strip()
        user = self._stored(name) if _USER_ID.fullmatch(name) else None
        counted = [(Subject.ADDRESS, address.strip() or "unknown")] + ([(Subject.USER, user.id)] if user else [])
        checked: list[bool] = []  # the password is checked once, even when the step runs again

        def password_right() -> bool:
            if not checked:
                checked.append(self._password_right(user, password))
            return checked[0]

        def attempt(tx: Transaction) -> User | SignInRefused:
            read = [_sign_in_record(tx, subject, who) for subject, who in counted]
            locked = [state.locked_until for _, state in read if state.locked_until is not None]
            if locked:
                return _locked(max(locked))
            waits = [moment for _, state in read if (moment := state.next_attempt()) and moment > tx.now]
            if not waits and user is not None and password_right():
                for record, _ in read:
                    if record is not None:
                        tx.remove_record(record)
                return user
            failed = [_put_sign_in_state(tx, record, state.failed(tx.now)) for record, state in read]
            locked = [state.locked_until for state in failed if state.locked_until is not None]
            for state in failed:
                if state.locked_until is not None:  # locked by this failure: a lock refuses before counting
                    minutes = THROTTLES[state.subject].lock_for // timedelta(minutes=1)
                    _event(tx, "sign-in locked", state.key, Phrase(
                        "Sign-in of {subject} {who} locked for {minutes} minutes after {count} failed attempts",
                        subject=SUBJECT_WORDS[state.subject], who=state.who, minutes=minutes, count=state.failures))
            if locked:
                return _locked(max(locked))
            if waits:  # hurrying counted as failing: say how long to wait from now
                return _waiting(max(moment for state in failed if (moment := state.next_attempt())), tx.now)
            return SignInRefused(WRONG_PASSWORD)

        outcome = self.runtime.step(GATEKEEPER, attempt)
        if isinstance(outcome, SignInRefused):
            raise outcome
        return outcome

    def token_user(self, token: str) -> User:
        """The user an API token belongs to; `TokenRefused` when it is unknown, revoked or expired."""
        token = token.strip()
        if not token or len(token) > MAX_TOKEN:
            raise TokenRefused(UNKNOWN_TOKEN)
        digest = token_hash(token)
        try:
            record = self.runtime.store.record(TOKEN_KIND, digest)
        except NotFound:
            return self._single_token_user(token, digest)
        api_token = ApiToken.model_validate(record.data)
        if api_token.expired(self.runtime.now()):
            raise TokenRefused(f"the API token '{api_token.name}' of {api_token.holder} expired at "
                               f"{moment_text(api_token.expires_at or self.runtime.now())}; ask an administrator "
                               "for a new one")
        user = self._stored(api_token.holder)
        if user is None:
            raise TokenRefused(UNKNOWN_TOKEN)
        return user

    def known_user(self, user_id: str) -> User:
        """The stored user `user_id`, for a door that already knows who acts (a session, the CLI's --as)."""
        user = self._stored(user_id)
        if user is None:
            raise no_such_user(user_id)
        return user

    def session_user(self, user_id: str) -> User | None:
        """The user a session names, or None when they are gone."""
        return self._stored(user_id)

    # Users --------------------------------------------------------------------------

    def add_user(self, actor: User, user_id: str, password: str, *, roles: Sequence[str], queues: Sequence[str] = (),
                 name: str = "", email: str = "", replace: bool = False) -> tuple[User, bool]:
        """Add a user who signs in with `password` (or, with `replace`, replace one: roles, queues, password; their
        API tokens stay); returns the user and whether one was replaced."""
        require(actor, UseCase.ADMINISTER)
        problems = _user_problems(user_id, roles) | _password_problems(password) | _details_problems(name.strip(),
                                                                                                     email.strip())
        if problems:
            raise DataError(problems)
        password_hash = self.hasher.hash(password)
        names = queue_names(self.runtime)

        def add(tx: Transaction) -> tuple[User, bool]:
            old = tx.stored_user(user_id)
            if old is not None and not replace:
                raise EngineError(f"user '{user_id}' exists already; nothing was changed (replace them to change "
                                  "their roles and password)")
            user = User(id=user_id, name=name.strip() or user_id, email=email.strip(), roles=list(dict.fromkeys(roles)),
                        queues=list(dict.fromkeys(queues)), password_hash=password_hash)
            if old is not None:
                self._name_single_token(tx, old)
                _keep_an_administrator(self.runtime, old, user.roles)
            tx.put_user(user)
            if old is not None:
                _event(tx, "user replaced", user.id, Phrase("User {user} replaced: {access}", user=user.id,
                                                            access=_access_text(user, names)))
            else:
                _event(tx, "user added", user.id, Phrase("User {user} added: {access}", user=user.id,
                                                         access=_access_text(user, names)))
            return user, old is not None

        return self.runtime.step(actor, add)

    def set_roles(self, actor: User, user_id: str, roles: Sequence[str], queues: Sequence[str]) -> User:
        """Give a user these roles and queues (instead of the ones they had)."""
        require(actor, UseCase.ADMINISTER)
        problems = _user_problems(user_id, roles)
        if problems:
            raise DataError(problems)
        names = queue_names(self.runtime)

        def set_roles(tx: Transaction) -> User:
            user = _holder(tx, user_id)
            _keep_an_administrator(self.runtime, user, roles)
            changed = tx.put_user(user.model_copy(update={"roles": list(dict.fromkeys(roles)),
                                                          "queues": list(dict.fromkeys(queues))}))
            _event(tx, "roles set", user.id, Phrase("User {user} now has {access}", user=user.id,
                                                    access=_access_text(changed, names)))
            return changed

        return self.runtime.step(actor, set_roles)

    def set_language(self, actor: User, user_id: str, language: str | None) -> User:
        """The language the app speaks to `user_id` (one of `LANGUAGES`; None: the installation's default). Anyone
        chooses their own; administrators anyone's."""
        require_language_of(actor, user_id)
        if language is not None and language not in LANGUAGES:
            raise DataError({"language": f"'{language}' is not a language of the app; choose one of "
                                         f"{', '.join(LANGUAGES)} (or none: the installation's default)"})

        def set_language(tx: Transaction) -> User:
            user = _holder(tx, user_id)
            if user.language == language:
                return user
            changed = tx.put_user(user.model_copy(update={"language": language}))
            _event(tx, "language set", user.id, Phrase("User {user} now reads the app in {language}", user=user.id,
                                                       language=language or Phrase("the installation default "
                                                                                   "language")))
            return changed

        return self.runtime.step(actor, set_language)

    def change_details(self, actor: User, user_id: str, *, name: str, email: str) -> User:
        """Change the name the app shows for a user (empty: their user name) and their e-mail address."""
        require(actor, UseCase.ADMINISTER)
        name, email = name.strip(), email.strip()
        problems = _details_problems(name, email)
        if problems:
            raise DataError(problems)

        def change(tx: Transaction) -> User:
            user = _holder(tx, user_id)
            changed = tx.put_user(user.model_copy(update={"name": name or user.id, "email": email}))
            _event(tx, "details changed", user.id,
                   Phrase("User {user} is now called {name}, e-mail {email}", user=user.id, name=changed.name,
                          email=email) if email else
                   Phrase("User {user} is now called {name}, without an e-mail address", user=user.id,
                          name=changed.name))
            return changed

        return self.runtime.step(actor, change)

    def set_password(self, actor: User, user_id: str, password: str) -> User:
        """Give a user a new password (their API tokens stay)."""
        require(actor, UseCase.ADMINISTER)
        problems = _password_problems(password)
        if problems:
            raise DataError(problems)
        password_hash = self.hasher.hash(password)

        def set_password(tx: Transaction) -> User:
            user = _holder(tx, user_id)
            changed = tx.put_user(user.model_copy(update={"password_hash": password_hash}))
            _event(tx, "password set", user.id, Phrase("User {user} got a new password", user=user.id))
            return changed

        return self.runtime.step(actor, set_password)

    # API tokens ---------------------------------------------------------------------

    def make_token(self, actor: User, holder_id: str, name: str = DEFAULT_TOKEN_NAME,
                   days: int = DEFAULT_TOKEN_DAYS) -> NewToken:
        """Make `holder_id` a new API token named `name`, valid for `days`; one of the same name is replaced."""
        require(actor, UseCase.ADMINISTER)
        problems = _token_problems(name, days)
        if problems:
            raise DataError(problems)

        def make(tx: Transaction) -> NewToken:
            holder = _holder(tx, holder_id)
            self._name_single_token(tx, holder)
            old = self._token_named(tx, holder, name)
            if old is not None:
                tx.remove_record(old)
            text = f"{holder.id}.{secrets.token_urlsafe(32)}"
            token = ApiToken(holder=holder.id, name=name, created_at=tx.now, created_by=tx.actor,
                             expires_at=tx.now + timedelta(days=days))
            tx.new_record(TOKEN_KIND, token_hash(text), token.model_dump(mode="json"))
            _event(tx, "token made", holder.id,
                   Phrase("API token '{name}' of {user} made, valid for {days} days (replacing the earlier one)",
                          name=name, user=holder.id, days=days) if old else
                   Phrase("API token '{name}' of {user} made, valid for {days} days", name=name, user=holder.id,
                          days=days))
            return NewToken(text, token, old is not None)

        return self.runtime.step(actor, make)

    def revoke_token(self, actor: User, holder_id: str, name: str) -> ApiToken:
        """Revoke `holder_id`'s token named `name`: it stops working at once. Users may revoke their own."""
        require_tokens_of(actor, holder_id)

        def revoke(tx: Transaction) -> ApiToken:
            holder = _holder(tx, holder_id)
            self._name_single_token(tx, holder)
            record = self._token_named(tx, holder, name)
            if record is None:
                raise NotFound(f"{holder.id} has no API token '{name}'")
            tx.remove_record(record)
            _event(tx, "token revoked", holder.id, Phrase("API token '{name}' of {user} revoked", name=name,
                                                               user=holder.id))
            return ApiToken.model_validate(record.data)

        return self.runtime.step(actor, revoke)

    # Sign-in locks ------------------------------------------------------------------

    def unlock(self, actor: User, subject: Subject | str, who: str) -> None:
        """Lift the sign-in lock of a user or an address (and forget its failures) before it ends by itself."""
        require(actor, UseCase.ADMINISTER)
        subject = Subject(subject)

        def unlock(tx: Transaction) -> None:
            record, state = _sign_in_record(tx, subject, who)
            if record is None or state.locked_until is None:
                raise NotFound(f"sign-in of {subject.value} {who} is not locked")
            tx.remove_record(record)
            _event(tx, "sign-in unlocked", state.key, Phrase("Sign-in of {subject} {who} unlocked",
                                                               subject=SUBJECT_WORDS[subject], who=who))

        self.runtime.step(actor, unlock)

    # Helpers ------------------------------------------------------------------------

    def _stored(self, user_id: str) -> User | None:
        try:
            return self.runtime.store.user(user_id)
        except NotFound:
            return None

    def _password_right(self, user: User | None, password: str) -> bool:
        if len(password) > MAX_PASSWORD:
            return False
        if user is None:
            self.hasher.hash(password)  # take as long as for a stored user
            return False
        return password_matches(user, password)

    def _single_token_user(self, token: str, digest: str) -> User:
        """The user whose token from before tokens were named this is; it becomes their token "api"."""
        holder_id, _, secret = token.rpartition(".")
        user = self._stored(holder_id) if holder_id and secret else None
        if user is None or not user.api_token_hash or not hmac.compare_digest(user.api_token_hash, digest):
            raise TokenRefused(UNKNOWN_TOKEN)

        def name_it(tx: Transaction) -> None:
            stored = tx.stored_user(user.id)
            if stored is not None:
                self._name_single_token(tx, stored)

        self.runtime.step(GATEKEEPER, name_it)
        return user

    def _name_single_token(self, tx: Transaction, user: User) -> None:
        """Make a single token from before tokens were named the user's token "api", without expiry."""
        if not user.api_token_hash:
            return
        if tx.record(TOKEN_KIND, user.api_token_hash) is None:
            token = ApiToken(holder=user.id, name=DEFAULT_TOKEN_NAME)
            tx.new_record(TOKEN_KIND, user.api_token_hash, token.model_dump(mode="json"))
        tx.put_user(user.model_copy(update={"api_token_hash": ""}))

    def _token_named(self, tx: Transaction, holder: User, name: str) -> Record | None:
        """The working copy of `holder`'s token record named `name`, if any."""
        for digest, token in held_tokens(self.runtime.store.records(TOKEN_KIND), holder).items():
            record = tx.record(TOKEN_KIND, digest)
            if token.name == name and record is not None and not record.removed:
                return record
        return None


def no_such_user(user_id: str) -> NotFound:
    return NotFound(f"there is no user '{user_id}'")


def _holder(tx: Transaction, user_id: str) -> User:
    user = tx.stored_user(user_id)
    if user is None:
        raise no_such_user(user_id)
    return user


def _keep_an_administrator(runtime: Runtime, user: User, roles: Iterable[str]) -> None:
    """Refuse taking the admin role from the last user who has it: nobody could administer in the app then."""
    if "admin" not in user.roles or "admin" in roles:
        return
    if not any("admin" in other.roles for other in runtime.store.users() if other.id != user.id):
        raise EngineError(f"{user.id} is the last administrator; give another user the admin role first")


def _user_problems(user_id: str, roles: Sequence[str]) -> dict[str, str]:
    problems = {}
    if not _USER_ID.fullmatch(user_id):
        problems["user"] = (f"'{user_id[:80]}' cannot name a user: use up to 64 letters, digits, '.', '_', '@' and "
                            "'-', starting with a letter or digit")
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        problems["roles"] = (f"unknown role {', '.join(unknown)}; " if unknown else "give at least one role; ") + \
            f"the roles are {', '.join(ROLES)}"
    return problems


def _password_problems(password: str) -> dict[str, str]:
    if len(password) < MIN_PASSWORD:
        return {"password": f"a password needs at least {MIN_PASSWORD} characters, this one has {len(password)}"}
    if len(password) > MAX_PASSWORD:
        return {"password": f"a password may have at most {MAX_PASSWORD} characters, this one has {len(password)}"}
    return {}


def _details_problems(name: str, email: str) -> dict[str, str]:
    problems = {}
    if len(name) > MAX_NAME:
        problems["name"] = f"a name may have at most {MAX_NAME} characters, this one has {len(name)}"
    if email and (len(email) > MAX_EMAIL or not EMAIL_PATTERN.fullmatch(email)):
        problems["email"] = f"'{email[:80]}' is not an e-mail address such as name@example.nl"
    return problems


def _token_problems(name: str, days: int) -> dict[str, str]:
    problems = {}
    if not _TOKEN_NAME.fullmatch(name):
        problems["name"] = (f"'{name[:80]}' cannot name a token: use up to 40 letters, digits, spaces, '.', '_' "
                            "and '-', starting with a letter or digit")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        problems["days"] = f"a token is valid for 1 to {MAX_TOKEN_DAYS} days, not {days}"
    return problems


def _access_text(user: User, names: Mapping[str, str]) -> Phrase:
    """A user's roles and queues for the log, the queues by the names people read (as the cases' events name them);
    a queue no published process has keeps its id."""
    if user.queues:
        return Phrase("roles {roles}, queues {queues}", roles=user.roles,
                      queues=[names.get(queue, queue) for queue in user.queues])
    return Phrase("roles {roles}", roles=user.roles)


def _sign_in_record(tx: Transaction, subject: Subject, who: str) -> tuple[Record | None, SignInState]:
    """The "sign_in" record of a user or address (None when there is none) and its state as it counts now."""
    record = tx.record(SIGN_IN_KIND, f"{subject.value}:{who}")
    if record is None:
        return None, SignInState(subject=subject, who=who)
    return record, SignInState.model_validate(record.data).at(tx.now)


def _put_sign_in_state(tx: Transaction, record: Record | None, state: SignInState) -> SignInState:
    tx.write_record(record, SIGN_IN_KIND, state.key, state.model_dump(mode="json"))
    return state


def _event(tx: Transaction, kind: str, subject: str, summary: Phrase) -> None:
    """An entry of the administration's audit (`runtime.installation_log.ACCOUNTS`)."""
    installation_log.write(tx, installation_log.ACCOUNTS, kind, subject, summary)


def _locked(until: datetime) -> SignInThrottled:
    return SignInThrottled(Phrase("too many attempts; try again at {until} or ask an administrator", until=until),
                           until, locked=True)


def _waiting(until: datetime, now: datetime) -> SignInThrottled:
    seconds = math.ceil((until - now).total_seconds())
    waiting = Phrase("too many attempts; wait 1 second and try again") if seconds == 1 else \
        Phrase("too many attempts; wait {seconds} seconds and try again", seconds=seconds)
    return SignInThrottled(waiting, until, locked=False)

