"""Four eyes in the app: the designer submits, an approver reviews what changes and approves; the author cannot."""

from __future__ import annotations

import json

import pytest
from nicegui import app
from nicegui.testing import User

from runtime.drafts import Drafts
from runtime.service import Runtime
from runtime.settings import change_settings
from tests.designer.helpers import sign_in
from tests.people import person

pytestmark = pytest.mark.anyio


def runtime() -> Runtime:
    return app.state.runtime


def submit_a_changed_letter() -> None:
    """Four eyes on; ann changes the billing complaint's e-mail subject and submits it."""
    change_settings(runtime(), person("root", "admin"), four_eyes=True)
    drafts, ann = Drafts(runtime()), runtime().store.user("ann")
    draft = drafts.open(ann, "billing_complaint")
    document = json.loads(json.dumps(draft.document))
    letter = next(letter for letter in document["letters"] if letter["channel"] == "email")
    letter["variants"][0]["subject"] += " (herzien)"
    saved = drafts.save(ann, "billing_complaint", document, draft.revision)
    drafts.submit(ann, "billing_complaint", saved.revision, note="subject")


async def test_an_approver_sees_the_changes_and_approves_and_the_version_goes_live(user: User):
    submit_a_changed_letter()
    await sign_in(user, "vic", "vic-demo", target="/approve")
    await user.should_see(marker="waiting-billing_complaint", retries=30)
    await user.open("/approve/billing_complaint")
    with user.scope(marker="diff-letters"):
        await user.should_see("herzien")
    user.find(marker="comment").type("Onderwerp gecontroleerd")
    user.find(marker="approve").click()
    await user.should_see("Nothing waits for approval.")
    version = runtime().latest_process_version("billing_complaint").version
    assert (version.number, version.author, version.approved_by) == (2, "ann", "vic")


async def test_the_author_cannot_approve_their_own_version(user: User):
    submit_a_changed_letter()
    await sign_in(user, "ann", "ann-demo", target="/approve/billing_complaint")
    await user.should_see(marker="approve", retries=30)
    user.find(marker="approve").click()
    await user.should_see("you submitted this version, so another person must approve it")
    assert runtime().latest_process_version("billing_complaint").version.number == 1
