"""`flowdesk diff` as a user runs it: two published versions in a real data folder, or two bundle files."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from designer.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "billing_complaint.json"


def second_version() -> dict[str, Any]:
    """The billing complaint with a changed letter sentence, a task in another queue and a new form field."""
    document = json.loads(EXAMPLE.read_text())
    letter = document["letters"][0]["variants"][0]
    letter["body"] = letter["body"].replace("Binnen 5 werkdagen", "Binnen 3 werkdagen")
    next(n for n in document["nodes"] if n["id"] == "task_investigate")["queue"] = "billing_supervisors"
    document["variables"].append({"name": "meter_photo", "type": "boolean"})
    document["forms"][0]["fields"][0]["fields"].append(
        {"id": "meter_photo", "kind": "boolean", "label": "Meter photo attached", "variable": "meter_photo"})
    return document


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """A data folder with versions 1 and 2 of the billing complaint."""
    data = tmp_path / "data"
    v2 = tmp_path / "v2.json"
    v2.write_text(json.dumps(second_version()))
    for bundle in (EXAMPLE, v2):
        assert flowdesk("publish", str(bundle), "--note", "review", "--data", str(data))[0] == 0
    return data


def flowdesk(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), out), out.getvalue()


def test_the_readable_list_names_each_change_by_part(published: Path):
    code, text = flowdesk("diff", "billing_complaint", "1", "2", "--data", str(published))
    assert code == 0
    lines = text.splitlines()
    assert lines[0].startswith("billing_complaint: version 1 (") and lines[0].endswith(": 4 changes")
    assert "  ~ Step 'Klacht onderzoeken': queue billing → billing_supervisors" in lines
    assert "  + Form 'Klacht vastleggen', field 'Meter photo attached' (boolean) added" in lines
    assert any(line.startswith("  ~ Letter 'Ontvangstbevestiging klacht', language 'nl': body ")
               and "Binnen [-5-]{+3+} werkdagen" in line for line in lines)
    assert lines.index("Steps") < lines.index("Forms") < lines.index("Letters, e-mails and SMS")


def test_json_names_the_versions_and_every_change(published: Path):
    code, text = flowdesk("diff", "billing_complaint", "v1", "v2", "--json", "--data", str(published))
    assert code == 0
    result = json.loads(text)
    assert (result["from"]["version"], result["to"]["version"]) == (1, 2)
    assert len(result["from"]["hash"]) == 64
    assert result["counts"] == {"variables": 1, "nodes": 1, "forms": 1, "letters": 1}
    letter = next(c for c in result["changes"] if c["part"] == "letters")
    assert {"op": "insert", "text": "3"} in letter["segments"]
    assert result["node_map"]["choices"] == []


def test_a_version_against_itself_has_no_changes(published: Path):
    code, text = flowdesk("diff", "billing_complaint", "2", "2", "--data", str(published))
    assert (code, text.splitlines()[0].endswith(": no changes")) == (0, True)


def test_two_bundle_files_are_compared_without_a_data_folder(tmp_path: Path):
    v2 = tmp_path / "v2.json"
    document = second_version()
    document["nodes"] = [n for n in document["nodes"] if n["id"] != "task_investigate"]
    document["edges"] = [e for e in document["edges"] if "task_investigate" not in (e["source"], e["target"])]
    v2.write_text(json.dumps(document))
    code, text = flowdesk("diff", "--files", str(EXAMPLE), str(v2))
    assert code == 0
    assert "  - Step 'Klacht onderzoeken' (task) removed" in text.splitlines()
    assert "task_investigate (task, removed; waits for its work item): task_supervisor_approval" in text


@pytest.mark.parametrize(("arguments", "message"), [
    (["nope", "1", "2"], "there is no published process 'nope'; published are: billing_complaint"),
    (["billing_complaint", "1", "7"], "process 'billing_complaint' has no version 7; its versions are 1, 2"),
    (["billing_complaint", "one", "2"], "'one' is not a version number; write e.g. 1 or v1"),
    (["billing_complaint", "1"], "name a process and two of its version numbers"),
])
def test_a_wrong_process_or_version_is_one_clear_line(published: Path, capsys: pytest.CaptureFixture[str],
                                                      arguments: list[str], message: str):
    assert flowdesk("diff", *arguments, "--data", str(published))[0] == 1
    assert message in capsys.readouterr().err


def test_an_unreadable_file_or_missing_data_folder_is_said_without_a_traceback(tmp_path: Path):
    cut = tmp_path / "cut.json"
    cut.write_text('{"key": "x", "name": "X", "nodes": [')
    for arguments, message in [(["--files", str(EXAMPLE), str(cut)], f"{cut}: cannot be read"),
                               (["billing_complaint", "1", "2", "--data", str(tmp_path / "none")],
                                "is not a Flowdesk data folder")]:
        result = subprocess.run([sys.executable, "-m", "designer.cli", "diff", *arguments], cwd=ROOT,
                                capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(ROOT)})
        assert result.returncode == 1
        assert message in result.stderr and "Traceback" not in result.stderr
