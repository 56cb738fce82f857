"""`flowdesk user add`, run as a separate process the way an administrator runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from designer.auth import ROLES, password_matches
from designer.cli.users import ROLES as CLI_ROLES
from runtime.storage.tinydb_store import TinyDBStore

REPO = Path(__file__).parents[2]


def flowdesk(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "designer.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=REPO, timeout=60)


def test_user_add_creates_a_user_who_can_sign_in_with_that_password(tmp_path: Path):
    done = flowdesk("user", "add", "carol", "--role", "agent", "--role", "supervisor", "--queue", "billing",
                    "--email", "carol@example.com", "--password-stdin", "--data", str(tmp_path),
                    stdin="correct horse battery\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "user carol added: roles agent, supervisor, queues billing"
    with TinyDBStore.open(tmp_path, read_only=True) as store:
        carol = store.user("carol")
    assert (carol.roles, carol.queues, carol.email) == (["agent", "supervisor"], ["billing"], "carol@example.com")
    assert carol.password_hash.startswith("$argon2id$")
    assert "correct horse" not in carol.password_hash
    assert password_matches(carol, "correct horse battery")
    assert not password_matches(carol, "correct horse")


def test_user_add_refuses_an_existing_name_unless_told_to_replace(tmp_path: Path):
    first = ("user", "add", "root", "--role", "admin", "--password-stdin", "--data", str(tmp_path))
    assert flowdesk(*first, stdin="first password\n").returncode == 0
    again = flowdesk(*first, stdin="second password\n")
    assert again.returncode == 1
    assert "user 'root' exists already; add --replace" in again.stderr
    replaced = flowdesk(*first, "--replace", stdin="second password\n")
    assert replaced.returncode == 0, replaced.stderr
    with TinyDBStore.open(tmp_path, read_only=True) as store:
        assert password_matches(store.user("root"), "second password")


def test_user_add_refuses_a_short_password_and_an_unknown_role(tmp_path: Path):
    short = flowdesk("user", "add", "dan", "--role", "agent", "--password-stdin", "--data", str(tmp_path),
                     stdin="short\n")
    assert short.returncode == 1
    assert "at least 8 characters" in short.stderr
    unknown = flowdesk("user", "add", "dan", "--role", "boss", "--password-stdin", "--data", str(tmp_path),
                       stdin="long enough\n")
    assert unknown.returncode == 2
    assert "invalid choice: 'boss'" in unknown.stderr


def test_the_command_line_offers_exactly_the_app_roles():
    assert CLI_ROLES == ROLES
