"""`flowdesk user ...`, run as a separate process the way an administrator runs it."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from designer.cli import main
from runtime.accounts import Accounts, TokenRefused, password_matches
from runtime.installation import open_runtime

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
    with open_runtime(tmp_path, read_only=True) as runtime:
        carol = Accounts(runtime).known_user("carol")
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
    assert again.stderr == "flowdesk: user 'root' exists already; nothing was changed (replace them to change their " \
                           "roles and password)\n"
    replaced = flowdesk(*first, "--replace", stdin="second password\n")
    assert replaced.returncode == 0, replaced.stderr
    assert replaced.stdout.strip() == "user root replaced: roles admin"
    with open_runtime(tmp_path, read_only=True) as runtime:
        assert password_matches(Accounts(runtime).known_user("root"), "second password")


def test_user_add_refuses_a_short_password_and_an_unknown_role(tmp_path: Path):
    short = flowdesk("user", "add", "dan", "--role", "agent", "--password-stdin", "--data", str(tmp_path),
                     stdin="short\n")
    assert short.returncode == 1
    assert short.stderr == "flowdesk: password: a password needs at least 8 characters, this one has 5\n"
    unknown = flowdesk("user", "add", "dan", "--role", "boss", "--password-stdin", "--data", str(tmp_path),
                       stdin="long enough\n")
    assert unknown.returncode == 2
    assert "invalid choice: 'boss'" in unknown.stderr


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The command line in this process (faster than a subprocess for many commands); exit code, stdout, stderr."""
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_named_tokens_are_made_listed_and_revoked(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch):
    data = ("--data", str(tmp_path))
    monkeypatch.setattr(sys, "stdin", io.StringIO("gateway-password\n"))
    assert run(capsys, "user", "add", "gateway", "--role", "agent", "--password-stdin", *data)[0] == 0
    code, token, err = run(capsys, "user", "token", "gateway", "--name", "mail", "--days", "30", *data)
    assert code == 0, err
    assert token.startswith("gateway.") and "API token 'mail' of gateway, valid until " in err
    assert run(capsys, "user", "token", "gateway", *data)[0] == 0  # the default name: api
    listed = run(capsys, "user", "tokens", "gateway", *data)[1].splitlines()
    assert [line.split()[0] for line in listed] == ["api", "mail"]
    assert all(" made " in line and ", valid until " in line for line in listed)
    assert run(capsys, "user", "revoke", "gateway", "mail", *data)[1] == "API token 'mail' of gateway revoked\n"
    with open_runtime(tmp_path, read_only=True) as runtime, pytest.raises(TokenRefused, match="not valid"):
        Accounts(runtime).token_user(token.strip())
    assert "API token 'mail' of gateway revoked" in run(capsys, "user", "log", *data)[1].splitlines()[0]


def test_a_user_lists_their_own_tokens_but_may_not_make_one(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch):
    data = ("--data", str(tmp_path))
    monkeypatch.setattr(sys, "stdin", io.StringIO("bob-password\n"))
    run(capsys, "user", "add", "bob", "--role", "agent", "--password-stdin", *data)
    assert run(capsys, "user", "tokens", "bob", "--as", "bob", *data)[1] == "bob has no API tokens\n"
    assert run(capsys, "user", "token", "bob", "--as", "bob", *data) == (
        1, "", "flowdesk: not allowed: to manage users and API tokens you need one of the roles admin; bob has agent\n")
