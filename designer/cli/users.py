"""`flowdesk user add`: create a user who can sign in to the web app (e.g. the first administrator);
`flowdesk user token`: give a user a new API token."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from designer.api.tokens import new_api_token
from designer.cli.common import Command, UserError, add_data_argument, open_runtime
from runtime.documents import User
from runtime.errors import NotFound
from runtime.storage.base import Changes

ROLES = ("designer", "agent", "supervisor", "auditor", "admin")  # designer.auth.ROLES, without importing NiceGUI


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Add users who sign in to the web app, and give them API tokens."""
    return make_token(args, out) if args.action == "token" else add_user(args, out)


def add_user(args: argparse.Namespace, out: TextIO) -> int:
    """Add a user (or replace one with --replace); the password is asked on the terminal or read from stdin."""
    password = _password(args)
    from designer.auth import hash_password  # imports NiceGUI; only needed here

    with open_runtime(args) as runtime:
        try:
            runtime.store.user(args.name)
            exists = True
        except NotFound:
            exists = False
        if exists and not args.replace:
            raise UserError(f"user '{args.name}' exists already; add --replace to change their roles and password")
        user = User(id=args.name, name=args.full_name or args.name, email=args.email or "",
                    roles=list(dict.fromkeys(args.roles)), queues=list(dict.fromkeys(args.queues)),
                    password_hash=hash_password(password))
        runtime.store.commit(Changes(users=[user]))
    verb = "replaced" if exists else "added"
    queues = f", queues {', '.join(user.queues)}" if user.queues else ""
    print(f"user {user.id} {verb}: roles {', '.join(user.roles)}{queues}", file=out)
    return 0


def make_token(args: argparse.Namespace, out: TextIO) -> int:
    """Give a user a new API token (replacing the old one) and print it once; only its hash is stored."""
    with open_runtime(args) as runtime:
        try:
            user = runtime.store.user(args.name)
        except NotFound:
            raise UserError(f"there is no user '{args.name}'; add them first with 'flowdesk user add'") from None
        token, digest = new_api_token(user.id)
        runtime.store.commit(Changes(users=[user.model_copy(update={"api_token_hash": digest})]))
    print(token, file=out)
    print(f"API token of {user.id} (roles {', '.join(user.roles)}); send it as 'Authorization: Bearer <token>'. "
          "It is shown only now; any earlier token of this user no longer works.", file=sys.stderr)
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            raise UserError("the two passwords differ; nothing was changed")
    if len(password) < 8:
        raise UserError("the password must have at least 8 characters; nothing was changed")
    return password


def _arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a user", description=add_user.__doc__)
    add.add_argument("name", metavar="NAME", help="the user name to sign in with")
    add.add_argument("--role", dest="roles", action="append", required=True, choices=ROLES,
                     help="a role (repeat for several)")
    add.add_argument("--queue", dest="queues", action="append", default=[], metavar="Q",
                     help="a work queue the user works (repeat for several)")
    add.add_argument("--email", metavar="E", help="e-mail address")
    add.add_argument("--full-name", metavar="TEXT", help="name shown in the app (default: NAME)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.add_argument("--replace", action="store_true", help="replace an existing user of that name")
    add_data_argument(add)
    token = actions.add_parser("token", help="give a user a new API token", description=make_token.__doc__)
    token.add_argument("name", metavar="NAME", help="the user")
    add_data_argument(token)


COMMAND = Command(run, "manage the users who sign in to the web app", _arguments, uses_data=False)
