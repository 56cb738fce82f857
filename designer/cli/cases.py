"""Commands that publish processes and run cases: publish, customers, start, tasks, complete,
message, case, correct, retry, migrate. Each acts as `--as USER` or the console operator
(`common.acting`), through the runtime's use cases and read models."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from designer.cli.check import print_document
from designer.cli.common import Command, UserError, acting, add_actor_argument, json_argument
from designer.display import local_time
from designer.documents import publication_order, read_documents
from runtime.access import UseCase, may
from runtime.documents import Case, User
from runtime.intake import Intake
from runtime.service import PublishError, Request, Runtime
from runtime.views.cases import CaseView, case_named, case_view
from runtime.views.work import PAGE_LIMIT, Tab, WorkFilter, WorkRow, queue_counts, work_page


def publish(args: argparse.Namespace, out: TextIO) -> int:
    """Check each bundle and publish it as the next version; called processes are published first."""
    documents = read_documents([Path(f) for f in args.files])
    for document in (d for d in documents if d.customers is not None):
        print(f"{document.path}: skipped (sample customers; load them with 'flowdesk customers')", file=out)
    documents = [d for d in documents if d.customers is None]
    unreadable = [d for d in documents if d.load_problems]
    for document in unreadable:
        print_document(document, out)
    if unreadable:
        return 1
    bundles = {d.bundle.key: d.bundle for d in documents}
    failed = False
    with acting(args) as (runtime, user):
        for key in publication_order(bundles):
            try:
                version = runtime.publish(user, bundles[key], note=args.note)
            except PublishError as error:
                print(f"{key}: not published — {error}", file=out)
                failed = True
                continue
            print(f"{key}: published version {version.number} ({version.hash[:12]}) by {version.author}", file=out)
    return 1 if failed else 0


def import_customers(args: argparse.Namespace, out: TextIO) -> int:
    """Load customers from a file of sample customers ({"customers": [...]}) into the store."""
    [document] = read_documents([Path(args.file)])
    if document.customers is None:
        print_document(document, out)
        return 1
    with acting(args) as (runtime, user):
        Intake(runtime).load_customers(user, document.customers)
    print(f"{len(document.customers)} customers loaded", file=out)
    return 0


def start(args: argparse.Namespace, out: TextIO) -> int:
    """Start a case on the newest published version of a process."""
    data = json_argument(args.data_json)
    with acting(args) as (runtime, user):
        case = runtime.start_case(user, args.process, data, customer_id=args.customer, start_node=args.start)
        print_outcome(runtime, user, case, out)
    return 0


def tasks(args: argparse.Namespace, out: TextIO) -> int:
    """List the open work items you see (as --as USER sees them), soonest deadline first."""
    wanted = WorkFilter(tab=Tab.MINE if args.mine else None, queues=tuple(args.queue) or None, process=args.process,
                        limit=args.limit)
    with acting(args, read_only=True) as (runtime, user):
        page = work_page(runtime, user, wanted)
        counts = queue_counts(runtime, user)
    for row in page.rows:
        print(_item_line(row), file=out)
    if page.has_next:
        print(f"… and {page.total - len(page.rows)} more (--limit shows more)", file=out)
    summary = ", ".join(f"{queue}: {count}" for queue, count in counts.items()) or "none"
    print(f"open work items per queue — {summary}", file=out)
    return 0


def complete(args: argparse.Namespace, out: TextIO) -> int:
    """Complete a work item with the data entered, and run the case on."""
    data = json_argument(args.data_json)
    with acting(args) as (runtime, user):
        case = runtime.complete(user, args.item, data, checklist=args.tick,
                                request=Request.of(args.key, args.item, data, args.tick))
        print_outcome(runtime, user, case, out)
    return 0


def message(args: argparse.Namespace, out: TextIO) -> int:
    """Deliver a message (such as a customer's reply) to the case waiting for it."""
    data = json_argument(args.data_json)
    with acting(args) as (runtime, user):
        case = runtime.send_message(user, args.case, args.name, data)
        print_outcome(runtime, user, case, out)
    return 0


def show_case(args: argparse.Namespace, out: TextIO) -> int:
    """Show a case, named by its id or its reference: where it stands, its data, and its timeline."""
    with acting(args, read_only=True) as (runtime, user):
        view = case_view(runtime, user, case_named(runtime, user, args.case).id)
    print_case(view.case, view, out)
    print("timeline:", file=out)
    for event in view.events:
        print(f"  {local_time(event.at)}  {event.actor:<12} {event.summary}", file=out)
        for name, (before, after) in event.changes.items():
            print(f"  {'':31}{name}: {before!r} → {after!r}", file=out)
    return 0


def correct(args: argparse.Namespace, out: TextIO) -> int:
    """Correct a case's data by hand (audited), e.g. before retrying an incident."""
    data = json_argument(args.data_json)
    with acting(args) as (runtime, user):
        case = runtime.correct_data(user, args.case, data)
        print_outcome(runtime, user, case, out)
    return 0


def retry(args: argparse.Namespace, out: TextIO) -> int:
    """Retry the node where an incident stopped a case."""
    with acting(args) as (runtime, user):
        case = runtime.retry(user, args.case, args.incident)
        print_outcome(runtime, user, case, out)
    return 0


def migrate(args: argparse.Namespace, out: TextIO) -> int:
    """Move an open case to a newer version, mapping nodes that changed (old=new)."""
    mapping = {}
    for pair in args.map or []:
        old, sep, new = pair.partition("=")
        if not sep or not old or not new:
            raise UserError(f"--map takes OLD=NEW node ids, not '{pair}'")
        mapping[old] = new
    with acting(args) as (runtime, user):
        case = runtime.migrate(user, args.case, args.to, mapping)
        print_outcome(runtime, user, case, out)
    return 0


def print_outcome(runtime: Runtime, user: User, case: Case, out: TextIO) -> None:
    """The case after `user` changed it; its open tasks only when they may read cases (a designer who migrated
    one sees where it stands, not its work)."""
    print_case(case, case_view(runtime, user, case.id) if may(user, UseCase.READ_CASE) else None, out)


def print_case(case: Case, view: CaseView | None, out: TextIO) -> None:
    customer = f", customer {case.customer_id}" if case.customer_id else ""
    outcome = f" — {case.outcome}" if case.outcome else ""
    named = f"{case.reference} ({case.id})" if case.reference else case.id
    print(f"case {named}: {case.process_key} version {case.version}, {case.status.value}{outcome}{customer}",
          file=out)
    for task in view.open_tasks if view is not None else []:
        print(f"  waiting for {_item_line(task.row)}", file=out)
    for token in case.tokens:
        if token.waiting_for and token.waiting_for.startswith("message:"):
            print(f"  waiting for message '{token.waiting_for.removeprefix('message:')}' at {token.node}", file=out)
    for incident in case.incidents:
        resend = f" (flowdesk resend {case.id} {incident.outbox_entry})" if incident.outbox_entry else ""
        print(f"  INCIDENT {incident.id} at {incident.node}: {incident.message}{resend}", file=out)
    if case.data:
        print("  data: " + ", ".join(f"{k}={v!r}" for k, v in case.data.items()), file=out)


def _item_line(row: WorkRow) -> str:
    item = row.item
    sla = f" ({row.sla.value})" if row.sla else ""
    due = f", due {local_time(item.due_at)}{sla}" if item.due_at else ""
    who = f", claimed by {row.assignee_name}" if item.assignee else ""
    return (f"{item.id}  '{item.title}' in queue {row.queue_name} (case {row.case_shown}, priority {item.priority}"
            f"{due}{who})")


def _page_size(text: str) -> int:
    """A --limit: a whole number from 1 to the read model's page limit."""
    if not text.isdigit() or not 1 <= int(text) <= PAGE_LIMIT:
        raise argparse.ArgumentTypeError(f"give a number from 1 to {PAGE_LIMIT}, not '{text}'")
    return int(text)


def _data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-json", "-d", dest="data_json", metavar="JSON",
                        help="""values as a JSON object, e.g. '{"amount": "12.50"}'""")


def _publish_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="bundle files or folders of them")
    parser.add_argument("--note", required=True, help="what changed, for the version history")
    add_actor_argument(parser)


def _start_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("process", help="the process key")
    _data_option(parser)
    parser.add_argument("--customer", metavar="ID", help="the customer the case is about")
    parser.add_argument("--start", metavar="NODE", help="which start, if the process has several")
    add_actor_argument(parser)


def _tasks_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--queue", action="append", default=[], help="only this queue (repeatable; one of yours)")
    parser.add_argument("--process", metavar="KEY", help="only this process")
    parser.add_argument("--mine", action="store_true", help="only the items assigned to you")
    parser.add_argument("--limit", type=_page_size, default=50, help=f"at most this many (default 50, at most "
                                                                     f"{PAGE_LIMIT})")
    add_actor_argument(parser)


def _item_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("item", help="the work item id")
    _data_option(parser)
    parser.add_argument("--key", help="idempotency key: repeating the same request changes nothing")
    parser.add_argument("--tick", action="append", default=[], metavar="CHECKLIST_ITEM",
                        help="tick this item of the task's checklist (repeat for each; required ones must be ticked)")
    add_actor_argument(parser)


def _message_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", help="the case id")
    parser.add_argument("name", help="the message name, e.g. 'mandate received'")
    _data_option(parser)
    add_actor_argument(parser)


def _case_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", help="the case id or its reference, e.g. BC-2026-00123")
    add_actor_argument(parser)


def _correct_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", help="the case id")
    _data_option(parser)
    add_actor_argument(parser)


def _retry_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", help="the case id")
    parser.add_argument("incident", help="the incident id (see 'flowdesk case')")
    add_actor_argument(parser)


def _migrate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", help="the case id")
    parser.add_argument("--to", type=int, required=True, metavar="VERSION", help="the version number to move to")
    parser.add_argument("--map", action="append", metavar="OLD=NEW", help="a node that changed id (repeatable)")
    add_actor_argument(parser)


def _customers_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help='a JSON file {"customers": [...]}, e.g. examples/customers.json')
    add_actor_argument(parser)


PUBLISH = Command(publish, "check and publish process bundles as new versions", _publish_arguments)
CUSTOMERS = Command(import_customers, "load customers from a file", _customers_arguments)
START = Command(start, "start a case", _start_arguments)
TASKS = Command(tasks, "list open work items", _tasks_arguments)
COMPLETE = Command(complete, "complete a work item", _item_arguments)
MESSAGE = Command(message, "deliver a message to a waiting case", _message_arguments)
CASE = Command(show_case, "show a case and its timeline", _case_arguments)
CORRECT = Command(correct, "correct a case's data by hand", _correct_arguments)
RETRY = Command(retry, "retry a case's incident", _retry_arguments)
MIGRATE = Command(migrate, "move an open case to a newer version", _migrate_arguments)

