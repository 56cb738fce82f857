"""The `flowdesk` command line: check, publish, run and audit processes headless.

Each command is a function `(args, out) -> exit code` in a module of this
package, registered in `COMMANDS` with its help text and arguments; `main`
only parses and dispatches.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from designer.cli import audit, cases, check, customers, interchange, serve, users, worker
from designer.cli.common import Command, UserError, add_data_argument
from models.errors import FlowdeskError

COMMANDS: dict[str, Command] = {
    "check": check.COMMAND,
    "publish": cases.PUBLISH,
    "customers": cases.CUSTOMERS,
    "find-customer": customers.COMMAND,
    "start": cases.START,
    "tasks": cases.TASKS,
    "complete": cases.COMPLETE,
    "message": cases.MESSAGE,
    "case": cases.CASE,
    "correct": cases.CORRECT,
    "retry": cases.RETRY,
    "migrate": cases.MIGRATE,
    "worker": worker.COMMAND,
    "audit": audit.COMMAND,
    "serve": serve.COMMAND,
    "user": users.COMMAND,
    "import": interchange.IMPORT,
    "export": interchange.EXPORT,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flowdesk",
        description="Flowdesk: design, check, run and audit customer processes.",
        epilog="Run 'flowdesk COMMAND --help' for a command's options.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in COMMANDS.items():
        sub = commands.add_parser(name, help=command.help, description=command.run.__doc__)
        command.arguments(sub)
        if command.uses_data:
            add_data_argument(sub)
        sub.set_defaults(command=command)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = out or sys.stdout
    try:
        return args.command.run(args, out)
    except (UserError, FlowdeskError) as error:
        print(f"flowdesk: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
