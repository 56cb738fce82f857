"""`flowdesk case` takes a case's reference (BC-2026-00123) as well as its id, and shows both."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from designer.cli import main
from runtime.access import console_user
from runtime.installation import open_runtime
from tests.runtime.builders import end, process, start, task

OPERATOR = console_user("operator")


def flowdesk(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), out=out), out.getvalue()


def test_a_case_is_shown_by_its_reference_in_any_letter_case_and_by_its_id(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]):
    folder = tmp_path / "data"
    with open_runtime(folder) as runtime:
        runtime.publish(OPERATOR, process("billing_complaint", nodes=[start(), task("t", name="Check"), end()],
                                          flow="s>t t>e"))
        case = runtime.start_case(OPERATOR, "billing_complaint")
    assert case.reference.startswith("BC-")
    code, by_reference = flowdesk("case", case.reference.lower(), "--data", str(folder))
    assert code == 0
    assert by_reference.startswith(f"case {case.reference} ({case.id}): billing_complaint version 1, active")
    assert f"'Check' in queue q (case {case.reference}," in by_reference
    assert flowdesk("case", case.id, "--data", str(folder)) == (0, by_reference)
    assert flowdesk("case", "BC-1999-00001", "--data", str(folder))[0] == 1
    assert capsys.readouterr().err == "flowdesk: no case 'BC-1999-00001'\n"
