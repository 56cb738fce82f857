"""The `flowdesk` command as a user runs it: in a real subprocess, reading real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def flowdesk(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "designer.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(ROOT)})


def test_help_lists_the_commands():
    result = flowdesk("--help")
    assert result.returncode == 0
    assert "check" in result.stdout


def test_check_help_explains_the_command():
    result = flowdesk("check", "--help")
    assert result.returncode == 0
    assert "--json" in result.stdout and "exit 1" in result.stdout


def test_the_examples_are_clean():
    assert len([p for p in EXAMPLES if p.name != "customers.json"]) >= 4
    result = flowdesk("check", *map(str, EXAMPLES))
    assert result.returncode == 0, result.stdout
    assert "error" not in result.stdout


def test_a_broken_process_gives_findings_and_exit_1(tmp_path: Path):
    broken = json.loads((ROOT / "tests/checks/node_unreachable/invalid-orphan-task.json").read_text())
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    result = flowdesk("check", str(path))
    assert result.returncode == 1
    assert "node-unreachable [orphan]: No path from a start leads to 'Forgotten', so it never runs." in result.stdout
    assert "hint: Connect an earlier step to it, or delete it." in result.stdout  # English, phrased or not


def test_json_output_is_machine_readable(tmp_path: Path):
    path = tmp_path / "broken.json"
    path.write_text((ROOT / "tests/checks/node_unreachable/invalid-orphan-task.json").read_text())
    result = flowdesk("check", "--json", str(path))
    assert result.returncode == 1
    [document] = json.loads(result.stdout)
    codes = {(f["code"], f["element"], f["severity"]) for f in document["findings"]}
    assert ("node-unreachable", "orphan", "error") in codes


def test_an_unreadable_file_is_reported_not_crashed_on(tmp_path: Path):
    path = tmp_path / "cut.json"
    path.write_text('{"key": "x", "name": "X", "nodes": [')
    result = flowdesk("check", str(path), str(tmp_path / "missing.json"))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "cut off" in result.stdout
    assert "No such file" in result.stdout


def test_rules_are_listed_with_code_and_help():
    result = flowdesk("check", "--rules")
    assert result.returncode == 0
    assert "node-unreachable (error)" in result.stdout
    assert "soundness-deadlock (error)" in result.stdout


def test_a_case_is_run_from_the_command_line_by_the_people_it_names(tmp_path: Path):
    data = ("--data", str(tmp_path / "data"))
    published = flowdesk("publish", str(ROOT / "examples/billing_complaint.json"), "--note", "first", *data)
    assert published.returncode == 0, published.stderr
    assert flowdesk("customers", str(ROOT / "examples/customers.json"), *data).stdout == "12 customers loaded\n"
    added = subprocess.run([sys.executable, "-m", "designer.cli", "user", "add", "bob", "--role", "agent",
                            "--password-stdin", *data], input="bob-password\n", capture_output=True, text=True,
                           cwd=ROOT, timeout=120, env={"PYTHONPATH": str(ROOT)})
    assert added.returncode == 0, added.stderr
    complaint = {"invoice_number": "F2026-000001", "invoice_date": "2026-01-01", "disputed_amount": "30.00",
                 "complaint_category": "amount_too_high", "complaint_description": "te hoog"}
    started = flowdesk("start", "billing_complaint", "-d", json.dumps(complaint), "--customer", "C-1002", "--as", "bob",
                       *data)
    assert started.returncode == 0, started.stderr
    case_id = started.stdout.split()[1].rstrip(":")
    assert "waiting for item-" in started.stdout and "'Klacht onderzoeken' in queue Facturatie" in started.stdout

    shown = flowdesk("case", case_id, "--as", "bob", *data)
    assert shown.returncode == 0, shown.stderr
    timeline = shown.stdout.split("timeline:\n")[1].splitlines()
    assert timeline[0].split("  ")[2].strip() == "bob" and "Case started" in timeline[0]  # after the moment
    refused = flowdesk("case", case_id, "--as", "carol", *data)
    assert (refused.returncode, refused.stderr) == (1, "flowdesk: there is no user 'carol'\n")
