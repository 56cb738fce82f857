"""The command line as a door of the access table: every role × every command that acts or reads.

A data folder holds a stored user for each role and cases waiting at a task,
for a message and at an incident. Each command runs as `flowdesk ... --as ROLE`
(through `designer.cli.main`, as the console script calls it) on a fresh copy:
it succeeds exactly where `runtime.access.may` allows its use case, and a
refusal is one line "flowdesk: not allowed: ..." with exit 1 and nothing
changed, as the read models show it.
"""

from __future__ import annotations

import getpass
import io
import json
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from designer.cli import main
from models.customers import Customer
from models.serialization import dump_bundle
from runtime.access import ROLES, UseCase, console_user, may
from runtime.accounts import Accounts
from runtime.casework import CaseWork
from runtime.deliveries import kept_record
from runtime.documents import OutboxEntry, OutboxStatus, User
from runtime.installation import open_runtime
from runtime.intake import Intake
from runtime.settings import change_settings
from runtime.storage.base import Changes
from runtime.views.accounts import account_events, accounts
from runtime.views.cases import CaseFilter, find_cases
from runtime.views.processes import processes
from runtime.views.work import WorkFilter, work_page
from tests.local_servers import Inbox, smtp_server
from tests.runtime.builders import auto, end, message, process, start, task

ROOT = Path(__file__).resolve().parent.parent
CUSTOMERS = ROOT / "examples" / "customers.json"
OPERATOR = console_user("operator")
PASSWORD = "a-password-of-some-length"
NEW_CUSTOMER = "Noor Nieuwkomer"


def desk(version_note: str = "") -> Any:
    """A task in queue q, then a wait for the customer's reply."""
    return process("desk", variables={"note": "text"}, flow="s>work work>wait wait>e", nodes=[
        start(), task("work", name=f"Work{version_note}"), message("wait", "reply"), end()])


SPLIT = process("split", variables={"amount": "money", "share": "money", "parts": "number"},
                nodes=[start(), auto("split", share="amount / parts"), end()], flow="s>split split>e")


@dataclass(frozen=True)
class Seeded:
    """The template data folder and the ids its commands name."""

    folder: Path
    item: str  # the open task of `at_task`
    at_task: str  # a desk case at its task; version 2 of desk exists
    waiting: str  # a desk case waiting for message 'reply'
    stuck: str  # a split case stopped at an incident
    incident: str
    new_bundle: Path  # a process not yet published
    new_customers: Path  # a customer not yet loaded (the sample customers are)
    unsure: str  # an e-mail of `at_task` that may have arrived: its delivery was interrupted


def email(case_id: str, status: OutboxStatus, **more: Any) -> OutboxEntry:
    now = datetime.now(UTC)
    return OutboxEntry(id=f"out-{case_id}", case_id=case_id, node="work", channel="email", language="nl",
                       recipient="sanne@example.nl", subject="Bevestiging", body="<p>Beste Sanne,</p>", status=status,
                       next_attempt_at=now, created_at=now, **more)


@pytest.fixture(scope="module")
def mail_server() -> Iterator[int]:
    """A real SMTP server the installation's settings name, for the e-mails kept before it was set."""
    with smtp_server(Inbox()) as port:
        yield port


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, mail_server: int) -> Seeded:
    folder = tmp_path_factory.mktemp("cli-access") / "data"
    with open_runtime(folder) as runtime:
        people = Accounts(runtime, PasswordHasher(time_cost=1, memory_cost=1024))
        for role in ROLES:
            people.add_user(OPERATOR, role, PASSWORD, roles=[role], name=role.title())
        runtime.publish(OPERATOR, desk())
        runtime.publish(OPERATOR, SPLIT)
        at_task = runtime.start_case(OPERATOR, "desk")
        waiting = runtime.start_case(OPERATOR, "desk")
        items = {row.item.case_id: row.item.id for row in work_page(runtime, OPERATOR, WorkFilter()).rows}
        runtime.complete(OPERATOR, items[waiting.id])
        runtime.publish(OPERATOR, desk(" (v2)"))
        stuck = runtime.start_case(OPERATOR, "split", {"amount": "100.00", "parts": 0})
        samples = json.loads(CUSTOMERS.read_text())["customers"]
        Intake(runtime).load_customers(OPERATOR, [Customer.model_validate(c) for c in samples])
        change_settings(runtime, OPERATOR, mail={"host": "127.0.0.1", "port": mail_server})
        unsure = email(at_task.id, OutboxStatus.FAILED, interrupted=True)
        kept = email(waiting.id, OutboxStatus.KEPT)
        runtime.store.commit(Changes(outbox=[unsure, kept], records=[kept_record(kept, 0)]))
    new_bundle = folder.parent / "fresh.json"
    new_bundle.write_text(dump_bundle(process("fresh", nodes=[start(), task("t"), end()], flow="s>t t>e")))
    new_customers = folder.parent / "new_customers.json"
    new_customers.write_text(json.dumps({"customers": [samples[0] | {"id": "C-9001", "name": NEW_CUSTOMER}]}))
    return Seeded(folder, items[at_task.id], at_task.id, waiting.id, stuck.id, stuck.incidents[0].id, new_bundle,
                  new_customers, unsure.id)


@dataclass(frozen=True)
class Door:
    """A command line and the use case the access table must allow for it; `changes`: it changes the data."""

    argv: Callable[[Seeded], list[str]]
    use_case: UseCase
    changes: bool = True
    stdin: str = ""


COMMANDS: dict[str, Door] = {
    "start": Door(lambda s: ["start", "desk"], UseCase.START_CASE),
    "complete": Door(lambda s: ["complete", s.item, "--key", "k-1"], UseCase.COMPLETE),
    "message": Door(lambda s: ["message", s.waiting, "reply"], UseCase.DELIVER_MESSAGE),
    "correct": Door(lambda s: ["correct", s.stuck, "-d", '{"parts": 4}'], UseCase.CORRECT_DATA),
    "retry": Door(lambda s: ["retry", s.stuck, s.incident], UseCase.RETRY),
    "migrate": Door(lambda s: ["migrate", s.at_task, "--to", "2"], UseCase.MIGRATE),
    "publish": Door(lambda s: ["publish", str(s.new_bundle), "--note", "new"], UseCase.PUBLISH),
    "customers": Door(lambda s: ["customers", str(s.new_customers)], UseCase.ADMINISTER),
    "resend --checked": Door(lambda s: ["resend", s.at_task, s.unsure, "--checked", "arrived"],
                             UseCase.CHECK_DELIVERY),
    "resend --kept": Door(lambda s: ["resend", "--kept"], UseCase.SEND_KEPT),
    "user add": Door(lambda s: ["user", "add", "newbie", "--role", "agent", "--password-stdin"], UseCase.ADMINISTER,
                     stdin=f"{PASSWORD}\n"),
    "user token": Door(lambda s: ["user", "token", "agent"], UseCase.ADMINISTER),
    "audit verify": Door(lambda s: ["audit", "verify"], UseCase.READ_AUDIT, changes=False),
    "tasks": Door(lambda s: ["tasks"], UseCase.SEE_WORK, changes=False),
    "case": Door(lambda s: ["case", s.at_task], UseCase.READ_CASE, changes=False),
    "find-customer": Door(lambda s: ["find-customer", "Sanne de Vries"], UseCase.FIND_CUSTOMER, changes=False),
    "user list": Door(lambda s: ["user", "list"], UseCase.ADMINISTER, changes=False),
}


def state(folder: Path) -> dict[str, Any]:
    """Everything the commands can change, as the read models show it to an administrator."""
    with open_runtime(folder, read_only=True) as runtime:
        intake = Intake(runtime)
        return {
            "processes": [(p.key, p.version_count) for p in processes(runtime, OPERATOR)],
            "cases": [(c.id, c.revision, c.status, c.data, c.version) for c in
                      find_cases(runtime, OPERATOR, CaseFilter(limit=200)).cases],
            "work": [(r.item.id, r.item.assignee, r.item.title) for r in
                     work_page(runtime, OPERATOR, WorkFilter(limit=200)).rows],
            "users": accounts(runtime, OPERATOR),
            "customers": [c.id for c in intake.search_customers(OPERATOR, NEW_CUSTOMER)],
            "administration": len(account_events(runtime, OPERATOR, limit=1000)),
        }


def flowdesk(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
             stdin: str = "") -> tuple[int, str, str]:
    """Run the command line in this process; exit code, stdout and stderr."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue(), capsys.readouterr().err


@pytest.fixture
def data(seeded: Seeded, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(seeded.folder, folder)
    return folder


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("command", COMMANDS)
def test_each_role_may_use_a_command_exactly_where_the_access_table_says(
        command: str, role: str, seeded: Seeded, data: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):
    door = COMMANDS[command]
    allowed = may(User(id=role, name=role, roles=[role]), door.use_case)
    before = state(data)
    code, out, err = flowdesk([*door.argv(seeded), "--as", role, "--data", str(data)], monkeypatch, capsys,
                              door.stdin)
    after = state(data)
    if allowed:
        assert code == 0, err
        assert (after != before) == door.changes
    else:
        assert code == 1
        assert err.startswith(f"flowdesk: not allowed: to {door.use_case.value} you need one of the roles ")
        assert err.endswith(f"; {role.title()} has {role}\n") and err.count("\n") == 1
        assert out == ""
        assert after == before


def test_completing_a_task_someone_else_claimed_is_refused_to_everyone(
        seeded: Seeded, data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    with open_runtime(data) as runtime:
        CaseWork(runtime).claim(Accounts(runtime).known_user("supervisor"), seeded.item)
    before = state(data)
    for acting in (["--as", "agent"], ["--as", "admin"], []):  # [] : the console operator
        code, _, err = flowdesk(["complete", seeded.item, *acting, "--data", str(data)], monkeypatch, capsys)
        assert code == 1
        assert err.startswith("flowdesk: task 'Work' is claimed by Supervisor since ")
        assert err.endswith("; ask them or a supervisor to release or reassign it\n")
    assert state(data) == before
    code, out, _ = flowdesk(["complete", seeded.item, "--as", "supervisor", "--data", str(data)], monkeypatch, capsys)
    assert code == 0 and "waiting for message 'reply'" in out


def test_an_unknown_user_after_as_is_one_clear_line(seeded: Seeded, data: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]):
    before = state(data)
    code, out, err = flowdesk(["start", "desk", "--as", "nobody", "--data", str(data)], monkeypatch, capsys)
    assert (code, out, err) == (1, "", "flowdesk: there is no user 'nobody'\n")
    assert state(data) == before


def test_without_as_the_console_operator_acts_with_the_admin_role_under_their_os_account_name(
        seeded: Seeded, data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    code, out, err = flowdesk(["publish", str(seeded.new_bundle), "--note", "by hand", "--data", str(data)],
                              monkeypatch, capsys)
    assert code == 0, err
    assert out.strip().endswith(f"by {getpass.getuser()}")
    code, out, _ = flowdesk(["user", "token", "agent", "--data", str(data)], monkeypatch, capsys)
    assert code == 0 and out.startswith("agent.")


def test_an_agent_lists_the_tasks_they_see_and_the_counts_of_their_queues(
        seeded: Seeded, data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    with open_runtime(data) as runtime:
        admin = Accounts(runtime).known_user("admin")
        Accounts(runtime).set_roles(admin, "agent", ["agent"], ["q2"])  # not the queue of desk's task
    code, out, _ = flowdesk(["tasks", "--as", "agent", "--data", str(data)], monkeypatch, capsys)
    assert (code, out) == (0, "open work items per queue — none\n")
    code, out, _ = flowdesk(["tasks", "--as", "supervisor", "--data", str(data)], monkeypatch, capsys)
    [line, counts] = out.splitlines()
    assert line.startswith(f"{seeded.item}  'Work' in queue q (case DE-")  # desk's reference, not its id
    assert counts == "open work items per queue — q: 1"
    code, _, err = flowdesk(["tasks", "--queue", "q", "--as", "agent", "--data", str(data)], monkeypatch, capsys)
    assert (code, err) == (1, "flowdesk: not allowed: queue q is not one of yours (q2)\n")
