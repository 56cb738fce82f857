"""Accounts as administrators see them: users with their roles, queues and API tokens, sign-in locks, the
administration's audit entries and the queues a user can be given (for the admin pages and `flowdesk user ...`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from runtime import installation_log
from runtime.access import UseCase, require, require_tokens_of
from runtime.accounts import (
    SIGN_IN_KIND,
    TOKEN_KIND,
    Accounts,
    ApiToken,
    SignInState,
    held_tokens,
)
from runtime.documents import User
from runtime.installation_log import LogEntry
from runtime.views.names import queue_names

if TYPE_CHECKING:
    from runtime.service import Runtime


@dataclass(frozen=True)
class Account:
    """A user as administrators see them (no password hash)."""

    id: str
    name: str
    email: str
    roles: list[str]
    queues: list[str]
    tokens: list[ApiToken]  # by name


@dataclass(frozen=True)
class SignInLock:
    """A user or client address whose sign-in is locked until `until` after `failures` failed attempts."""

    subject: str  # "user" or "address"
    who: str
    failures: int
    until: datetime


def accounts(runtime: Runtime, user: User) -> list[Account]:
    """Every user, by id, with their tokens."""
    require(user, UseCase.ADMINISTER)
    records = runtime.store.records(TOKEN_KIND)
    return [Account(u.id, u.name, u.email, list(u.roles), list(u.queues), _by_name(held_tokens(records, u).values()))
            for u in runtime.store.users()]


def api_tokens(runtime: Runtime, user: User, holder_id: str) -> list[ApiToken]:
    """The API tokens `holder_id` holds, by name; users may see their own."""
    require_tokens_of(user, holder_id)
    holder = Accounts(runtime).known_user(holder_id)
    return _by_name(held_tokens(runtime.store.records(TOKEN_KIND), holder).values())


def sign_in_locks(runtime: Runtime, user: User) -> list[SignInLock]:
    """Users and addresses whose sign-in is locked now, the longest locked first."""
    require(user, UseCase.ADMINISTER)
    now = runtime.now()
    states = [SignInState.model_validate(record.data).at(now) for record in runtime.store.records(SIGN_IN_KIND)]
    locks = [SignInLock(s.subject.value, s.who, s.failures, s.locked_until) for s in states if s.locked_until]
    return sorted(locks, key=lambda lock: (-lock.until.timestamp(), lock.subject, lock.who))


def account_events(runtime: Runtime, user: User, limit: int = 100) -> list[LogEntry]:
    """The newest entries of the administration's audit (users, roles, tokens, sign-in locks), newest first."""
    require(user, UseCase.ADMINISTER)
    return installation_log.entries(runtime.store, installation_log.ACCOUNTS, limit)


def queue_choices(runtime: Runtime, user: User) -> dict[str, str]:
    """The queues of the published processes by id, with their names, sorted by name: what a user can work."""
    require(user, UseCase.ADMINISTER)
    return dict(sorted(queue_names(runtime).items(), key=lambda queue: (queue[1].casefold(), queue[0])))


def _by_name(tokens: Iterable[ApiToken]) -> list[ApiToken]:
    return sorted(tokens, key=lambda token: token.name)
