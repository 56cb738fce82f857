"""A case exported as a file proves itself offline: intact it verifies, one flipped byte fails it, naming where."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from codegen.trail_report import trail_report_pdf
from runtime.anchors import AnchorError, SigningKey, load_public_key
from runtime.errors import AccessDenied
from runtime.exports import export_bytes, export_cases, export_summary, verify_export
from runtime.service import Runtime
from runtime.storage.base import WorkQuery
from runtime.storage.memory import MemoryStore
from tests.people import AUDITOR, person
from tests.runtime.builders import end, process, send, start, task


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    SigningKey.generate(tmp_path / "anchor.pem", tmp_path / "anchor.pub")
    return tmp_path


def installation(key: SigningKey | None) -> tuple[Runtime, str]:
    rt = Runtime(MemoryStore(), signing_key=key)
    rt.publish(person("owner"), process(
        "p", variables={"amount": "money"}, nodes=[start(), task("check"), send("mail", "m",
                                                                                  recipient='"an@example.nl"'), end()],
        flow="s>check check>mail mail>e",
        letters=[{"id": "m", "channel": "email", "variants": [{"subject": "Uw klacht", "body": "Wij keken ernaar."}]}]))
    case = rt.start_case(person("agent"), "p", {"amount": "12.50"})
    [item] = rt.store.work_items(WorkQuery(case_id=case.id))
    rt.complete(person("agent"), item.id, {"amount": "15.00"})
    return rt, case.id


def test_an_export_verifies_with_the_trusted_key_and_is_on_the_trail(keys: Path):
    rt, case_id = installation(SigningKey.load(keys / "anchor.pem"))
    export = export_cases(rt, AUDITOR, [case_id])
    verdict = verify_export(export_bytes(export), load_public_key(keys / "anchor.pub"))
    assert verdict.intact, verdict
    [case] = verdict.cases
    assert case.anchored == case.events  # the checkpoint after the export anchors the export's own event
    assert verdict.trusted and case.signed_by == verdict.key
    assert rt.store.audit_events(case_id)[-1].kind == "trail exported"


@pytest.mark.parametrize(("where", "expected"), [
    (lambda e: e["cases"][0]["events"][2].update(summary=e["cases"][0]["events"][2]["summary"] + "!"),
     "event 3"),
    (lambda e: e["cases"][0]["bundle"].update(name="Another process"), "its content was changed"),
    (lambda e: e["cases"][0]["sent"][0]["entry"].update(body="Wij gaven u gelijk."), "was changed"),
    (lambda e: e["cases"][0]["anchor"].update(cases=99), "checkpoint 1 in the file was changed"),
    (lambda e: e["cases"][0]["events"].pop(), "the last ones were removed"),
])
def test_a_changed_export_fails_naming_where(keys: Path, where, expected: str):
    rt, case_id = installation(SigningKey.load(keys / "anchor.pem"))
    export = export_cases(rt, AUDITOR, [case_id])
    where(export)
    verdict = verify_export(export_bytes(export), load_public_key(keys / "anchor.pub"))
    assert not verdict.intact
    assert any(expected in problem for problem in verdict.cases[0].problems), verdict.cases[0].problems


def test_one_flipped_byte_anywhere_in_an_event_fails(keys: Path):
    rt, case_id = installation(SigningKey.load(keys / "anchor.pem"))
    data = bytearray(export_bytes(export_cases(rt, AUDITOR, [case_id])))
    at = data.index(b"Task 'Check' completed")
    data[at + 5] ^= 0x01
    verdict = verify_export(bytes(data), load_public_key(keys / "anchor.pub"))
    assert any(problem.startswith("event ") for problem in verdict.cases[0].problems)


def test_unsigned_or_foreign_keys_and_damaged_files_are_named(keys: Path, tmp_path: Path):
    rt, case_id = installation(None)
    verdict = verify_export(export_bytes(export_cases(rt, AUDITOR, [case_id])))
    assert "checkpoint 1 is not signed" in verdict.cases[0].problems
    other = tmp_path / "other"
    other.mkdir()
    SigningKey.generate(other / "k.pem", other / "k.pub")
    signed, signed_case = installation(SigningKey.load(keys / "anchor.pem"))
    foreign = verify_export(export_bytes(export_cases(signed, AUDITOR, [signed_case])),
                            load_public_key(other / "k.pub"))
    assert any("not the trusted key" in p for p in foreign.problems)
    assert not verify_export(b"{not json").intact
    assert "cannot be read as a case export" in verify_export(b"[]").problems[0]


def test_only_auditors_export_and_at_most_a_bounded_selection(keys: Path):
    rt, case_id = installation(None)
    with pytest.raises(AccessDenied):
        export_cases(rt, person("bob", "agent"), [case_id])
    with pytest.raises(AnchorError, match="choose 1 to 500 cases"):
        export_cases(rt, AUDITOR, [])


def test_the_readable_report_names_the_case_its_version_and_every_event(keys: Path):
    rt, case_id = installation(SigningKey.load(keys / "anchor.pem"))
    export = json.loads(export_bytes(export_cases(rt, AUDITOR, [case_id])))
    pdf = trail_report_pdf(export_summary(export), ["All 1 case(s) verify."], title="Audit trail")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert case_id in text
    assert "Task 'Check' completed" in text and "Audit trail exported by auditor" in text
    assert "email 'Uw klacht'" in text
