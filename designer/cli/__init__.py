"""The `flowdesk` command line: check, publish, run and audit processes headless.

Each command is a function `(args, out) -> exit code` in a module of this
package, registered in `COMMANDS` with its help text and arguments; `main`
only parses and dispatches.
"""

from __future__ import annotations

import argparse
import os
import sys
import unicodedata
from collections.abc import Sequence
from typing import TextIO

from designer.cli import audit, cases, check, customers, db, deliveries, diff, interchange, serve, users, worker
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
    "resend": deliveries.COMMAND,
    "migrate": cases.MIGRATE,
    "worker": worker.COMMAND,
    "audit": audit.COMMAND,
    "diff": diff.COMMAND,
    "serve": serve.COMMAND,
    "user": users.COMMAND,
    "db": db.COMMAND,
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


#: The exit code of a command whose reader went away (`flowdesk tasks | head`), as for Unix tools
#: ended by SIGPIPE (128 + 13).
EXIT_READER_GONE = 141


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = out or sys.stdout
    try:
        code = args.command.run(args, out)
        out.flush()  # a closed pipe shows here, not at exit
        return code
    except (UserError, FlowdeskError) as error:
        print(f"flowdesk: {_printable(str(error))}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader has all it wanted; end quietly. Python flushes stdout once more at exit,
        # so point it at /dev/null first, or that flush would complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_READER_GONE


def _printable(message: str) -> str:
    """`message` with control characters and lone surrogates (from input it quotes) escaped, line breaks and
    tabs kept, so what someone typed cannot steer the terminal."""
    return "".join(char if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cs")
                   else ascii(char)[1:-1] for char in message)


if __name__ == "__main__":
    sys.exit(main())
