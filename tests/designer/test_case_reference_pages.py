"""What agents and auditors read of a case: its reference instead of its id, labels, "—" for what is not set yet,
and a drop zone that says how big a file may be."""

from __future__ import annotations

import pytest
from nicegui import app, ui
from nicegui.testing import User

from runtime.documents import Case
from runtime.service import Runtime
from tests.designer.helpers import sign_in

pytestmark = pytest.mark.anyio


def seeded_case() -> Case:
    [case] = app.state.runtime.store.cases()
    return case


def runtime() -> Runtime:
    return app.state.runtime


async def test_the_case_page_opens_by_its_reference_and_shows_labels_and_dashes_for_what_is_unset(user: User):
    case = seeded_case()
    assert case.reference.startswith("KOEF-")  # the initials of "Klacht over een factuur"
    await sign_in(user, "bob", "bob-demo", target=f"/work/case/{case.reference.lower()}")
    await user.should_see(f"Case {case.reference}")
    with user.scope(marker="case-data"):
        await user.should_see("Betwist bedrag")  # the variable's label, not disputed_amount
        await user.should_not_see("disputed_amount")
    justified = user.find(marker="value-complaint_justified").elements.pop()  # a yes/no nobody answered yet
    assert justified.text == "—"
    assert user.find(marker="value-invoice_number").elements.pop().text == "F2026-104233"


async def test_the_upload_box_is_a_drop_zone_that_says_its_limit_in_words(user: User):
    case = seeded_case()
    await sign_in(user, "bob", "bob-demo", target=f"/work/case/{case.id}")
    await user.should_see(marker="customer-sheet")
    upload = user.find(kind=ui.upload).elements.pop()
    header = upload.slots["header"].template  # in place of the uploader's own "0.0B / 0.00%" header
    assert "Attach a file: drop it here, or click to choose" in header and "At most 10 MB" in header
    assert upload.props["no-thumbnails"] is True and upload.props["max-file-size"] == 10 * 1024 * 1024


async def test_the_auditor_finds_a_case_by_its_reference(user: User):
    case = seeded_case()
    await sign_in(user, "abe", "abe-demo", target="/audit")
    await user.should_see(marker="cases")
    user.find(marker="find-case-id").type(case.reference.lower())
    user.find(marker="find").click()
    [table] = user.find(marker="cases").elements
    assert [(row["id"], row["reference"], row["process"]) for row in table.rows] == [
        (case.id, case.reference, "Klacht over een factuur")]
    user.find(marker="find-case-id").clear().type("KOEF-1999-00001")
    user.find(marker="find").click()
    await user.should_see("0 cases found")
    await user.open(f"/audit/case/{case.id}")
    await user.should_see(marker="trail-reference")


async def test_an_agent_opens_a_case_from_the_worklist_by_the_reference_a_caller_reads_out(user: User):
    case = seeded_case()
    await sign_in(user, "bob", "bob-demo", target="/work")
    await user.should_see(marker="go-to-case")
    user.find(marker="go-to-case").type("KOEF-1999-00001").trigger("keydown.enter")
    await user.should_see("There is no case KOEF-1999-00001.")
    user.find(marker="go-to-case").clear().type(f" {case.reference.lower()} ")
    user.find(marker="go-to-case-open").click()
    await user.should_see(f"Case {case.reference}")
    await user.should_see(marker="customer-sheet")
