"""Moving open cases to a newer version from the browser: the proposed map, the dry run, then the move."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from nicegui import app
from nicegui.testing import User

from models import load_bundle
from runtime.service import Runtime
from tests.designer.helpers import sign_in
from tests.people import person

pytestmark = pytest.mark.anyio
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def runtime() -> Runtime:
    return app.state.runtime


def publish_version_two_without_the_investigation() -> None:
    """Version 2 of the billing complaint renames the investigation step's id: its cases need a choice."""
    text = (EXAMPLES / "billing_complaint.json").read_text().replace('"task_investigate"', '"task_review"')
    runtime().publish(person("ann", "designer"), load_bundle(text), note="step renamed")
    for _ in range(3):
        runtime().start_case(person("bob"), "billing_complaint", json.loads(json.dumps({
            "invoice_number": "F2026-104233", "invoice_date": "2026-02-01", "complaint_category": "charged_twice",
            "complaint_description": "dubbel", "disputed_amount": "80.00"})), customer_id="C-1001")


async def test_the_designer_tries_then_moves_the_open_cases(user: User):
    publish_version_two_without_the_investigation()
    await sign_in(user, "ann", "ann-demo", target="/design/billing_complaint/migrate")
    await user.should_see(marker="map-task_investigate", retries=30)
    user.find(marker="dry-run").click()
    await user.should_see("1 open case(s) on version 1: 1 can move")
    user.find(marker="move").click()
    for _ in range(100):
        if runtime().store.case(runtime().store.case_ids()[0]).version == 2:
            break
        await asyncio.sleep(0.05)
    [first, *_] = runtime().store.case_ids()
    case = runtime().store.case(first)
    assert case.version == 2 and [t.node for t in case.tokens] == ["task_review"]
    assert runtime().store.audit_events(first)[-1].kind == "case migrated"
    await user.should_see("1 case(s) moved to version 2")
