"""`flowdesk audit` end to end: a signing key outside the data, checkpoints, anchors, exports checked offline."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from designer.cli import main
from runtime.storage.tinydb_store import TinyDBStore

ROOT = Path(__file__).resolve().parents[1]
COMPLAINT = json.dumps({"invoice_number": "F2026-104233", "invoice_date": "2026-01-01", "disputed_amount": "30.00",
                        "complaint_category": "amount_too_high", "complaint_description": "te hoog"})


def flowdesk(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), out=out), out.getvalue()


@pytest.fixture
def installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], Path, str]:
    """A data folder with one billing complaint, checkpoints signed by a key kept beside (not in) it."""
    keys, data = tmp_path / "keys", ["--data", str(tmp_path / "data")]
    assert flowdesk("audit", "keygen", "--out", str(keys))[0] == 0
    monkeypatch.setenv("FLOWDESK_ANCHOR_KEY", str(keys / "anchor.pem"))
    assert flowdesk("publish", str(ROOT / "examples/billing_complaint.json"), "--note", "v1", *data)[0] == 0
    assert flowdesk("customers", str(ROOT / "examples/customers.json"), *data)[0] == 0
    code, started = flowdesk("start", "billing_complaint", "--customer", "C-1002", "-d", COMPLAINT, *data)
    assert code == 0, started
    assert started.split()[1].startswith("KOEF-2026-")  # start names the case by its reference; exports take ids
    with TinyDBStore.open(tmp_path / "data") as store:
        [case] = store.cases()
    return data, keys, case.id


def test_anchored_trails_verify_with_the_public_key_and_the_anchor_file(installation, tmp_path: Path):
    data, keys, _ = installation
    assert "1 trail(s) anchored" in flowdesk("audit", "checkpoint", *data)[1]
    code, line = flowdesk("audit", "anchor", *data)
    assert code == 0 and json.loads(line)["seq"] == 1
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text(line)
    code, verdict = flowdesk("audit", "verify", "--public-key", str(keys / "anchor.pub"), "--anchors", str(anchors),
                             *data)
    assert code == 0 and "checked against 1 checkpoint(s), signed" in verdict


def test_an_export_verifies_offline_and_a_flipped_byte_is_named(installation, tmp_path: Path):
    data, keys, case_id = installation
    exported, report = tmp_path / "case.json", tmp_path / "case.pdf"
    code, said = flowdesk("audit", "export", case_id, "-o", str(exported), "--pdf", str(report), *data)
    assert code == 0, said
    assert report.read_bytes().startswith(b"%PDF")
    code, verdict = flowdesk("audit", "verify-export", str(exported), "--public-key", str(keys / "anchor.pub"))
    assert code == 0 and f"case {case_id}:" in verdict and "intact" in verdict
    text = exported.read_text()
    exported.write_text(text.replace("Case started", "Case startEd", 1))
    code, verdict = flowdesk("audit", "verify-export", str(exported))
    assert code == 1 and "BROKEN: event 1" in verdict


def test_the_key_is_refused_inside_the_data_folder_and_bad_arguments_are_named(installation, tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch,
                                                                               capsys: pytest.CaptureFixture[str]):
    data, _, _ = installation
    inside = Path(data[1]) / "keys"
    assert flowdesk("audit", "keygen", "--out", str(inside))[0] == 0
    monkeypatch.setenv("FLOWDESK_ANCHOR_KEY", str(inside / "anchor.pem"))
    assert flowdesk("audit", "verify", *data)[0] == 1
    assert "lies in the data folder" in capsys.readouterr().err
    assert flowdesk("audit", "verify-export", str(tmp_path / "missing.json"))[0] == 1
    assert "cannot read" in capsys.readouterr().err
