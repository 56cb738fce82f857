"""The auditor's workspace in NiceGUI's user simulation: find cases, read a trail, verify, export, read versions."""

from __future__ import annotations

import pytest
from nicegui import app
from nicegui.testing import User

from runtime.exports import verify_export
from runtime.service import Runtime
from tests.designer.helpers import sign_in

pytestmark = pytest.mark.anyio


def runtime() -> Runtime:
    return app.state.runtime


def seeded_case() -> str:
    [case_id] = runtime().store.case_ids()
    return case_id


async def test_the_auditor_finds_the_case_and_reads_its_trail_on_its_diagram(user: User):
    await sign_in(user, "abe", "abe-demo", target="/audit")
    await user.should_see(marker="cases")
    [table] = user.find(marker="cases").elements
    assert [row["id"] for row in table.rows] == [seeded_case()]
    await user.open(f"/audit/case/{seeded_case()}")
    await user.should_see("The trail verifies")
    version = runtime().store.case(seeded_case()).version_hash
    await user.should_see(f"content hash {version}")
    entries = user.find(marker="trail-entry").elements
    assert len(entries) == runtime().store.case(seeded_case()).audit_count
    [canvas] = user.find(marker="trail-diagram").elements
    assert "task_investigate" in canvas.props["nodeFills"]  # where the complaint waits


async def test_verifying_exporting_and_the_anchor(user: User):
    runtime().checkpoint()
    await sign_in(user, "abe", "abe-demo", target="/audit")
    await user.should_see(marker="verify", retries=30)
    user.find(marker="verify").click()
    await user.should_see("case trails are intact and match 1 checkpoint(s)")
    await user.should_see(marker="anchor-hash")
    [table] = user.find(marker="cases").elements
    table.selected = list(table.rows)
    user.find(marker="export-json").click()
    exported = await user.download.next()
    assert verify_export(exported.content).cases[0].case_id == seeded_case()
    assert runtime().store.audit_events(seeded_case())[-1].kind == "trail exported"
    user.find(marker="export-pdf").click()
    assert (await user.download.next()).content.startswith(b"%PDF")


async def test_versions_of_a_process_with_their_cases(user: User):
    await sign_in(user, "abe", "abe-demo", target="/audit/process/billing_complaint")
    await user.should_see(marker="versions")
    await user.should_see("Versions of 'Klacht over een factuur'")  # the process's name, not its key
    [table] = user.find(marker="versions").elements
    assert table.rows[0]["number"] == 1 and table.rows[0]["started"] == 1 and table.rows[0]["open"] == 1
    await user.should_see(marker="version-diagram")


async def test_agents_do_not_enter_the_audit_area(user: User):
    await sign_in(user, "bob", "bob-demo", target="/audit")
    await user.should_see(marker="not-allowed", retries=30)
    await user.should_not_see(marker="cases")


async def test_the_auditor_compares_two_versions_changes_highlighted(user: User):
    import json
    from pathlib import Path

    from models import load_bundle
    from tests.people import person

    document = json.loads((Path(__file__).resolve().parents[2] / "examples" / "billing_complaint.json").read_text())
    letter = next(letter for letter in document["letters"] if letter["channel"] == "email")
    letter["variants"][0]["subject"] = letter["variants"][0]["subject"] + " (herzien)"
    runtime().publish(person("ann", "designer"), load_bundle(json.dumps(document)), note="subject")
    await sign_in(user, "abe", "abe-demo", target="/audit/process/billing_complaint")
    await user.should_see(marker="compare", retries=30)
    user.find(marker="compare").click()
    await user.should_see(marker="diff-letters")
    with user.scope(marker="diff-letters"):
        await user.should_see("herzien")
    assert [e.text for e in user.find(marker="segment-insert").elements] != []
