"""Four eyes on versions: where the installation or the process asks for it, a version goes live only after a
second person approves it; its author never can; approval and rejection are recorded."""

from __future__ import annotations

import pytest

from models.serialization import bundle_document
from runtime.drafts import Drafts
from runtime.errors import AccessDenied, ConflictError, EngineError
from runtime.service import Runtime
from runtime.settings import change_settings
from tests.people import person
from tests.runtime.builders import end, process, start, task

ANN, DAN, VIC = person("ann", "designer"), person("dan", "designer"), person("vic", "approver")


@pytest.fixture
def drafted(runtime: Runtime) -> Drafts:
    change_settings(runtime, person("root", "admin"), four_eyes=True)
    drafts = Drafts(runtime)
    drafts.create_from(ANN, bundle_document(_bundle()))
    return drafts


def _bundle():
    from models import Bundle

    return Bundle.model_validate(process("credit", nodes=[start(), task("check"), end()], flow="s>check check>e"))


def test_publishing_is_refused_and_a_second_person_approves_the_submission(runtime: Runtime, drafted: Drafts):
    draft = drafted.open(ANN, "credit")
    with pytest.raises(EngineError, match="after a second person approves it"):
        drafted.publish(ANN, "credit", draft.revision)
    submitted = drafted.submit(ANN, "credit", draft.revision, note="first version")
    assert submitted.submitted_by == "ann" and [s.key for s in drafted.submissions(VIC)] == ["credit"]
    with pytest.raises(AccessDenied, match="you submitted this version, so another person must approve it"):
        drafted.approve(ANN, "credit")
    with pytest.raises(ConflictError, match="waits for approval"):
        drafted.submit(DAN, "credit", draft.revision)
    version = drafted.approve(VIC, "credit", "looks right")
    assert (version.author, version.approved_by, version.approval_note) == ("ann", "vic", "looks right")
    assert runtime.latest_process_version("credit").version.number == 1
    assert drafted.submissions(VIC) == []
    assert [e.kind for e in drafted.version_log(VIC, "credit")] == ["approved", "submitted"]


def test_a_rejected_version_is_not_published_and_the_reason_is_kept(runtime: Runtime, drafted: Drafts):
    draft = drafted.open(ANN, "credit")
    drafted.submit(ANN, "credit", draft.revision)
    with pytest.raises(EngineError, match="say why"):
        drafted.reject(VIC, "credit", " ")
    drafted.reject(VIC, "credit", "the check has no checklist")
    assert runtime.latest_process_version("credit") is None
    [rejected, _] = drafted.version_log(ANN, "credit")
    assert rejected.kind == "rejected" and "the check has no checklist" in rejected.summary
    with pytest.raises(AccessDenied):
        drafted.approve(person("bob", "agent"), "credit")


def test_a_process_can_ask_for_four_eyes_when_the_installation_does_not(runtime: Runtime):
    bundle = _bundle().model_copy(update={"four_eyes": True})
    with pytest.raises(EngineError, match="submit it for approval"):
        runtime.publish(ANN, bundle)
    assert runtime.publish(ANN, bundle.model_copy(update={"four_eyes": False})).number == 1
