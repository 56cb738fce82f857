"""The `find-customer` command: look a customer up the way an agent does at intake."""

from __future__ import annotations

import argparse
from typing import TextIO

from designer.cli.common import Command, acting, add_actor_argument
from models.customers import Customer, SearchField
from runtime.intake import Intake


def find_customer(args: argparse.Namespace, out: TextIO) -> int:
    """Find customers by name, customer number, phone, e-mail or postcode + house number, typed as people
    say them ("06-12345678", "3511 ax 112"); without --by the kind is guessed. Exit 1 when none is found."""
    with acting(args, read_only=True) as (runtime, user):
        intake = Intake(runtime)
        if args.by is None:
            found = intake.search_customers(user, args.text, limit=args.limit)
        else:
            found = intake.find_customers(user, SearchField(args.by), args.text, args.house_number, limit=args.limit)
    for customer in found:
        print(describe(customer), file=out)
    if not found:
        print(f"no customer matches '{args.text}'", file=out)
    return 0 if found else 1


def describe(customer: Customer) -> str:
    """One line per customer: id, number, name, segment, phone, e-mail, address."""
    address = customer.address
    where = f"{address.street} {address.house_number}, {address.postcode} {address.city}"
    contact = ", ".join(part for part in (customer.phone, customer.email) if part)
    return f"{customer.id}  {customer.number}  {customer.name} ({customer.segment.value})  {contact}  {where}"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", help="what the customer said: a name, number, phone, e-mail or postcode")
    parser.add_argument("--by", choices=[field.value for field in SearchField],
                        help="what TEXT is (default: guessed from it)")
    parser.add_argument("--house-number", default="", help="with --by address: the house number")
    parser.add_argument("--limit", type=int, default=20, help="show at most this many (default 20)")
    add_actor_argument(parser)


COMMAND = Command(find_customer, "find customers by name, number, phone, e-mail or postcode + house number",
                  _arguments)
