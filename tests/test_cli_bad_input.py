"""Bad input to the `flowdesk` command, as a user types it: one clear line, exit code 1, never a traceback.

Each case runs the real command in a subprocess on a real data folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models import load_bundle
from runtime.service import Runtime
from runtime.storage.tinydb_store import TinyDBStore
from tests.people import person
from tests.test_cli import ROOT, flowdesk

DEEP = 100_000
SAMPLE = {"invoice_number": "F2026-104233", "invoice_date": "2026-01-01", "disputed_amount": "30.00",
          "complaint_category": "amount_too_high", "complaint_description": "te hoog"}


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused command prints on stderr."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    [line] = result.stderr.splitlines()
    return line


def bundle_calling(key: str, called: str) -> dict:
    return {"key": key, "name": key.upper(),
            "nodes": [{"id": "s", "kind": "start"}, {"id": "call", "kind": "subprocess", "process": called},
                      {"id": "e", "kind": "end"}],
            "edges": [{"id": "f1", "source": "s", "target": "call"}, {"id": "f2", "source": "call", "target": "e"}]}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data folder with the billing complaint process published."""
    folder = tmp_path / "data"
    store = TinyDBStore.open(folder)
    try:
        bundle = load_bundle((ROOT / "examples/billing_complaint.json").read_bytes())
        Runtime(store).publish(person("ann"), bundle)
    finally:
        store.close()
    return folder


def start(data: Path, *values: str | bytes) -> subprocess.CompletedProcess[str]:
    return flowdesk("start", "billing_complaint", "--data", str(data), *values)


def test_start_refuses_data_nested_too_deep(data: Path):
    line = refused(start(data, "-d", "[" * 60_000 + "]" * 60_000))
    assert line.startswith("flowdesk: --data-json: the JSON is nested 60,000 levels deep; at most 40 are allowed")


@pytest.mark.parametrize("amount", ['"1e309"', '"1e999999999"', "1e309", "1e999999999"])
def test_start_refuses_an_amount_too_large_naming_the_field(data: Path, amount: str):
    line = refused(start(data, "-d", f'{{"disputed_amount": {amount}}}'))
    assert "disputed_amount" in line and "too large" in line


def test_start_refuses_text_that_is_not_unicode(data: Path):
    line = refused(start(data, "-d", b'{"complaint_description": "\xff"}'))  # argv bytes that are not UTF-8
    assert line == ("flowdesk: --data-json: complaint_description: the text is not valid Unicode "
                    "(a lone surrogate \\udcff at character 1)")
    line = refused(start(data, "-d", '{"complaint_description": "\\ud800"}'))  # the same, spelled as a JSON escape
    assert "complaint_description: the text is not valid Unicode" in line


@pytest.mark.parametrize("command", ["check", "publish", "customers"])
def test_file_commands_refuse_files_nested_too_deep(tmp_path: Path, command: str):
    path = tmp_path / "deep.json"
    path.write_text('{"customers": ' + "[" * DEEP + "]" * DEEP + "}")
    extra = {"check": [], "publish": ["--note", "n", "--data", str(tmp_path / "data")],
             "customers": ["--data", str(tmp_path / "data")]}[command]
    result = flowdesk(command, str(path), *extra)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert f"nested {DEEP + 1:,} levels deep; at most 40 are allowed" in result.stdout


def test_a_customers_file_with_a_huge_number_names_where(tmp_path: Path):
    path = tmp_path / "customers.json"
    path.write_text('{"customers": [{"id": "C-1", "name": "Ann", "segment": ' + "9" * 5000 + "}]}")
    result = flowdesk("customers", str(path), "--data", str(tmp_path / "data"))
    assert result.returncode == 1
    assert "customers[0].segment: a number of 5,000 characters is too long" in result.stdout


def test_check_reports_and_publish_refuses_processes_that_call_each_other(tmp_path: Path):
    for key, called in (("a", "b"), ("b", "a")):
        (tmp_path / f"{key}.json").write_text(json.dumps(bundle_calling(key, called)))
    files = [str(tmp_path / "a.json"), str(tmp_path / "b.json")]
    checked = flowdesk("check", *files)
    assert checked.returncode == 1
    assert "subprocess-cycle [call]" in checked.stdout and "a → b → a" in checked.stdout
    line = refused(flowdesk("publish", *files, "--note", "n", "--data", str(tmp_path / "data")))
    assert "(a → b → a)" in line or "(b → a → b)" in line
    assert "nothing was published" in line


@pytest.mark.parametrize("command", ["tasks", "case"])
def test_output_to_a_closed_pipe_ends_quietly(data: Path, command: str):
    store = TinyDBStore.open(data)
    try:
        runtime = Runtime(store)
        case = runtime.start_case(person("bob"), "billing_complaint", SAMPLE)
    finally:
        store.close()
    reading, writing = os.pipe()
    os.close(reading)  # the reader is gone before the command writes a byte, as `| head` that has had enough
    arguments = [command, case.id] if command == "case" else [command]
    process = subprocess.run([sys.executable, "-m", "designer.cli", *arguments, "--data", str(data)],
                             cwd=ROOT, stdout=writing, stderr=subprocess.PIPE, text=True, timeout=120,
                             env={"PYTHONPATH": str(ROOT)})
    os.close(writing)
    assert process.returncode == 141
    assert process.stderr == ""
