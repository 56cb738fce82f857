"""`flowdesk user ...`: the users who sign in to the web app, their roles and queues, their API tokens, and
sign-in locks; everything through `runtime.accounts` (administration needs the admin role, which the console
operator has; `--as USER` acts as a stored user)."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import TextIO

from designer.cli.common import Command, UserError, acting, add_actor_argument, add_data_argument
from designer.display import local_time
from runtime.access import ROLES
from runtime.accounts import DEFAULT_TOKEN_DAYS, DEFAULT_TOKEN_NAME, Accounts, ApiToken, Subject
from runtime.views.accounts import account_events, accounts, api_tokens, sign_in_locks


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Manage the users who sign in to the web app and their API tokens."""
    return ACTIONS[args.action][0](args, out)


def add_user(args: argparse.Namespace, out: TextIO) -> int:
    """Add a user (or replace one with --replace: roles, queues, password; their API tokens stay); the password
    is asked on the terminal or read from stdin."""
    password = _password(args)  # before opening the data folder: nobody waits for the typing
    with acting(args) as (runtime, user):
        added, replaced = Accounts(runtime).add_user(user, args.name, password, roles=args.roles, queues=args.queues,
                                                     name=args.full_name or "", email=args.email or "",
                                                     replace=args.replace)
    queues = f", queues {', '.join(added.queues)}" if added.queues else ""
    print(f"user {added.id} {'replaced' if replaced else 'added'}: roles {', '.join(added.roles)}{queues}", file=out)
    return 0


def set_roles(args: argparse.Namespace, out: TextIO) -> int:
    """Give a user these roles and queues instead of the ones they have."""
    with acting(args) as (runtime, user):
        changed = Accounts(runtime).set_roles(user, args.name, args.roles, args.queues)
    queues = f", queues {', '.join(changed.queues)}" if changed.queues else ""
    print(f"user {changed.id}: roles {', '.join(changed.roles)}{queues}", file=out)
    return 0


def make_token(args: argparse.Namespace, out: TextIO) -> int:
    """Make a user a new API token and print it once (only its hash is kept); a token of the same name is
    replaced."""
    with acting(args) as (runtime, user):
        new = Accounts(runtime).make_token(user, args.name, args.token_name, args.days)
    print(new.text, file=out)
    replaced = f"; the earlier token '{new.token.name}' no longer works" if new.replaced else ""
    print(f"API token '{new.token.name}' of {new.token.holder}, {_validity(new.token)}; send it as "
          f"'Authorization: Bearer <token>'. It is shown only now{replaced}.", file=sys.stderr)
    return 0


def list_tokens(args: argparse.Namespace, out: TextIO) -> int:
    """List a user's API tokens (anyone may list their own)."""
    with acting(args, read_only=True) as (runtime, user):
        tokens = api_tokens(runtime, user, args.name)
        now = runtime.now()
    for token in tokens:
        made = f"made {local_time(token.created_at)} by {token.created_by}, " if token.created_at else ""
        print(f"{token.name}  {made}{'EXPIRED, ' if token.expired(now) else ''}{_validity(token)}", file=out)
    if not tokens:
        print(f"{args.name} has no API tokens", file=out)
    return 0


def revoke_token(args: argparse.Namespace, out: TextIO) -> int:
    """Revoke one of a user's API tokens: it stops working at once (anyone may revoke their own)."""
    with acting(args) as (runtime, user):
        token = Accounts(runtime).revoke_token(user, args.name, args.token_name)
    print(f"API token '{token.name}' of {token.holder} revoked", file=out)
    return 0


def list_users(args: argparse.Namespace, out: TextIO) -> int:
    """List the users with their roles, queues and API tokens."""
    with acting(args, read_only=True) as (runtime, user):
        found = accounts(runtime, user)
    for account in found:
        queues = f", queues {', '.join(account.queues)}" if account.queues else ""
        tokens = f", tokens {', '.join(t.name for t in account.tokens)}" if account.tokens else ""
        print(f"{account.id}  {account.name}  roles {', '.join(account.roles)}{queues}{tokens}", file=out)
    return 0


def list_locks(args: argparse.Namespace, out: TextIO) -> int:
    """List the users and client addresses whose sign-in is locked after too many failed attempts."""
    with acting(args, read_only=True) as (runtime, user):
        locks = sign_in_locks(runtime, user)
    for lock in locks:
        print(f"{lock.subject} {lock.who}  locked until {local_time(lock.until)} after {lock.failures} failed "
              "attempts", file=out)
    if not locks:
        print("no sign-in is locked", file=out)
    return 0


def unlock(args: argparse.Namespace, out: TextIO) -> int:
    """Lift the sign-in lock of a user (or of a client address, with --address) before it ends by itself."""
    if (args.name is None) == (args.address is None):
        raise UserError("name a user or give --address, not both")
    subject, who = (Subject.USER, args.name) if args.name is not None else (Subject.ADDRESS, args.address)
    with acting(args) as (runtime, user):
        Accounts(runtime).unlock(user, subject, who)
    print(f"sign-in of {subject.value} {who} unlocked", file=out)
    return 0


def show_log(args: argparse.Namespace, out: TextIO) -> int:
    """The administration's audit entries, newest first: users, roles, tokens and sign-in locks."""
    with acting(args, read_only=True) as (runtime, user):
        events = account_events(runtime, user, limit=args.limit)
    for event in events:
        print(f"{local_time(event.at)}  {event.actor:<12} {event.summary}", file=out)
    return 0


def _validity(token: ApiToken) -> str:
    if token.expires_at is None:
        return "valid until revoked (made before tokens had an expiry date)"
    return f"valid until {local_time(token.expires_at)}"


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass(f"password for {args.name}: ")
    if getpass.getpass("again: ") != password:
        raise UserError("the two passwords differ; nothing was changed")
    return password


def _roles_and_queues(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", dest="roles", action="append", required=True, choices=ROLES,
                        help="a role (repeat for several)")
    parser.add_argument("--queue", dest="queues", action="append", default=[], metavar="Q",
                        help="a work queue the user works (repeat for several; none: every queue)")


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the user name to sign in with")
    _roles_and_queues(parser)
    parser.add_argument("--email", metavar="E", help="e-mail address")
    parser.add_argument("--full-name", metavar="TEXT", help="name shown in the app (default: NAME)")
    parser.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    parser.add_argument("--replace", action="store_true", help="replace an existing user of that name")


def _roles_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the user")
    _roles_and_queues(parser)


def _token_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the user")
    parser.add_argument("--name", dest="token_name", default=DEFAULT_TOKEN_NAME, metavar="TOKEN",
                        help=f"the token's name, e.g. the system using it (default '{DEFAULT_TOKEN_NAME}')")
    parser.add_argument("--days", type=int, default=DEFAULT_TOKEN_DAYS,
                        help=f"how many days it works (default {DEFAULT_TOKEN_DAYS})")


def _revoke_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the user")
    parser.add_argument("token_name", metavar="TOKEN", help="the token's name (see 'flowdesk user tokens NAME')")


def _unlock_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", nargs="?", help="the user whose sign-in is locked")
    parser.add_argument("--address", metavar="ADDRESS", help="the client address whose sign-in is locked")


def _log_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, default=50, help="show at most this many (default 50)")


def _name_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the user")


#: Each action: what runs, its help, its arguments.
ACTIONS: dict[str, tuple[Callable[[argparse.Namespace, TextIO], int], str,
                         Callable[[argparse.ArgumentParser], None]]] = {
    "add": (add_user, "add a user (or replace one)", _add_arguments),
    "roles": (set_roles, "set a user's roles and queues", _roles_arguments),
    "token": (make_token, "make a user a new API token", _token_arguments),
    "tokens": (list_tokens, "list a user's API tokens", _name_argument),
    "revoke": (revoke_token, "revoke one of a user's API tokens", _revoke_arguments),
    "list": (list_users, "list the users", lambda parser: None),
    "locks": (list_locks, "list locked sign-ins", lambda parser: None),
    "unlock": (unlock, "lift a sign-in lock", _unlock_arguments),
    "log": (show_log, "show the administration's audit entries", _log_arguments),
}


def _arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, (action, help_text, arguments) in ACTIONS.items():
        sub = actions.add_parser(name, help=help_text, description=action.__doc__)
        arguments(sub)
        add_actor_argument(sub)
        add_data_argument(sub)


COMMAND = Command(run, "manage users, their roles and API tokens, and sign-in locks", _arguments, uses_data=False)
