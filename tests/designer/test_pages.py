"""The web app's pages as a user meets them, through NiceGUI's user simulation (no browser)."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from tests.designer.helpers import sign_in

pytestmark = pytest.mark.anyio


async def test_a_page_without_a_session_shows_the_sign_in_form(user: User):
    await user.open("/design")
    await user.should_see("Sign in to Flowdesk")
    await user.should_not_see("Processes")


async def test_signing_in_leads_to_the_page_first_asked_for(user: User):
    await sign_in(user, "ann", "ann-demo", target="/design")
    await user.should_see("Processes")
    await user.should_see("Ann Designer (designer)")
    await user.should_see(marker="process-billing_complaint")
    await user.should_see(marker="process-move_house")


async def test_a_wrong_password_says_so_and_signs_nobody_in(user: User):
    await sign_in(user, "ann", "not-her-password", target="/design")
    await user.should_see("Wrong user name or password.")
    await user.open("/design")
    await user.should_see("Sign in to Flowdesk")


async def test_an_unknown_user_gets_the_same_message(user: User):
    await sign_in(user, "mallory", "whatever-it-is")
    await user.should_see("Wrong user name or password.")


async def test_the_navigation_shows_only_the_areas_of_the_users_roles(user: User):
    await sign_in(user, "bob", "bob-demo", target="/work")
    await user.should_see(marker="nav-work")
    for hidden in ("nav-design", "nav-monitor", "nav-audit"):
        await user.should_not_see(marker=hidden)


async def test_the_admin_sees_every_area(user: User):
    await sign_in(user, "root", "root-demo", target="/monitor")
    for shown in ("nav-design", "nav-work", "nav-monitor", "nav-audit"):
        await user.should_see(marker=shown)


async def test_the_start_page_opens_the_first_area_of_the_user(user: User):
    await sign_in(user, "sue", "sue-demo")
    await user.should_see("Open work")  # supervisors start on the work page


async def test_an_agent_opening_the_design_pages_is_told_it_is_not_allowed(user: User):
    await sign_in(user, "bob", "bob-demo", target="/work")
    await user.should_see("Open work")
    await user.open("/design")
    await user.should_see("Not allowed")
    await user.should_see(marker="not-allowed")
    await user.should_not_see("Processes")


async def test_the_work_page_lists_open_work_with_counts_per_queue(user: User):
    await sign_in(user, "bob", "bob-demo", target="/work")
    await user.should_see("Facturatie: 1")
    table = user.find(kind=ui.table).elements.pop()
    assert [row["queue"] for row in table.rows] == ["billing"]
    assert table.rows[0]["process"] == "billing_complaint"


async def test_the_auditor_verifies_the_trails_of_every_case(user: User):
    await sign_in(user, "abe", "abe-demo", target="/audit")
    await user.should_see("1 case found", retries=30)
    user.find(marker="verify").click()
    await user.should_see("All 1 case trails are intact")


async def test_signing_out_ends_the_session(user: User):
    await sign_in(user, "abe", "abe-demo", target="/audit")
    await user.should_see("Audit: cases, trails and versions", retries=30)
    user.find("Sign out").click()
    await user.should_see("Sign in to Flowdesk")
    await user.open("/audit")
    await user.should_see("Sign in to Flowdesk")


async def test_names_people_typed_are_shown_as_text_not_html(user: User):
    from nicegui import app

    from runtime.accounts import Accounts
    from tests.people import person

    Accounts(app.state.runtime).add_user(person("root"), "eve", "eve-secret", roles=["auditor"], name="<b>Eve</b>")
    await sign_in(user, "eve", "eve-secret", target="/audit")
    await user.should_see("<b>Eve</b> (auditor)")
    assert all(type(e) is ui.label for e in user.find(marker="who").elements)
