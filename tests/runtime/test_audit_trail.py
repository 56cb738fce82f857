"""Tampering with a stored audit trail is detected, and the first broken event is named.

On the memory store the test edits the stored JSON directly; on TinyDB it
closes the store, edits the case's partition file on disk (a plain TinyDB
JSON file under the data folder) and opens the store again, as someone with
access to the disk would; on PostgreSQL it rewrites the rows in SQL as the
database's owner, past the append-only trigger (`sql_tamper`). The
`flowdesk audit verify` command reports the same, with exit code 1.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runtime.audit import GENESIS, seal_events, verify_trail
from runtime.service import Runtime
from runtime.storage.base import WorkQuery
from tests.people import AUDITOR, person
from tests.runtime.builders import end, process, send, start, task
from tests.runtime.conftest import Harness
from tests.storage.sql_tamper import rewrite_trail

REPO = Path(__file__).resolve().parents[2]
Events = list[dict[str, Any]]


def make_cases(rt: Runtime) -> tuple[str, str]:
    """Two cases with a trail of five events each: started, task created, completed, mail queued, task created."""
    rt.publish(person("owner"), process("p", variables={"amount": "money"},
                       nodes=[start(), task("check"), send("mail", "m", recipient='"ann@example.nl"'), task("pay"),
                              end()],
                       flow="s>check check>mail mail>pay pay>e",
                       letters=[{"id": "m", "channel": "email", "variants": [{"subject": "S", "body": "B"}]}]))
    ids = []
    for amount in ("10.00", "20.00"):
        case = rt.start_case(person("agent"), "p", {"amount": amount})
        [item] = rt.store.work_items(WorkQuery(case_id=case.id))
        rt.complete(person("agent"), item.id, {"amount": "12.50"})
        ids.append(case.id)
    assert [e.kind for e in rt.store.audit_events(ids[0])] == [
        "case started", "task created", "task completed", "message queued", "task created"]
    assert rt.verify_audit(AUDITOR).intact
    return ids[0], ids[1]


def tamper(harness: Harness, case_id: str, edit: Callable[[Events], Events]) -> Runtime:
    """Change the stored audit events of a case behind the runtime's back; the runtime as it is afterwards."""
    if harness.kind == "memory":
        stored = harness.store._cases[case_id].audit  # the memory store keeps each event as JSON text
        events = sorted((json.loads(text) for text in stored.values()), key=lambda e: e["seq"])
        stored.clear()
        for event in edit(events):
            stored[event["id"]] = json.dumps(event).encode()
        return harness.runtime
    if harness.kind == "postgres":
        rewrite_trail(harness.database, case_id, edit)
        return harness.restart()
    harness.store.close()
    [path] = harness.directory.rglob(f"{case_id}.json")
    tables = json.loads(path.read_text(encoding="utf-8"))
    audit = tables["audit"]  # TinyDB layout: table -> doc id -> document
    doc_ids = {doc["id"]: doc_id for doc_id, doc in audit.items()}
    events = sorted(audit.values(), key=lambda e: e["seq"])
    next_id = max(map(int, audit)) + 1
    tables["audit"] = {doc_ids.get(event["id"]) or str(next_id + n): event for n, event in enumerate(edit(events))}
    path.write_text(json.dumps(tables), encoding="utf-8")
    return harness.restart()


def change_summary(events: Events) -> Events:
    events[2]["summary"] = "Task 'Check' completed by the customer"
    return events


def change_recorded_data(events: Events) -> Events:
    events[2]["changes"] = {"amount": ["10.00", "1250.00"]}
    return events


def backdate(events: Events) -> Events:
    events[3]["at"] = "2026-01-01T08:00:00Z"
    return events


def delete_middle(events: Events) -> Events:
    return events[:2] + events[3:]


def delete_last(events: Events) -> Events:
    return events[:-1]


def delete_last_two(events: Events) -> Events:
    return events[:-2]


def reseal(events: Events) -> Events:
    """Change an event and give it a valid hash for its new content: the next event no longer follows it."""
    from runtime.audit import seal

    events[1]["summary"] = "Task 'Check' created in queue 'vip'"
    events[1]["hash"] = seal(events[1], events[1]["previous_hash"])
    return events


def append_forged(events: Events) -> Events:
    """Add a well-sealed event after the last one, e.g. to claim a task was completed."""
    from runtime.audit import seal

    forged = dict(events[-1], id="ev-forged", seq=len(events) + 1, kind="task completed",
                  summary="Task 'Pay' completed", previous_hash=events[-1]["hash"])
    forged["hash"] = seal(forged, forged["previous_hash"])
    return [*events, forged]


#: (tampering, seq the verification names, index of the event it names or None, words in the message)
TAMPERING = [
    (change_summary, 3, 2, "was changed after it was written"),
    (change_recorded_data, 3, 2, "was changed after it was written"),
    (backdate, 4, 3, "was changed after it was written"),
    (delete_middle, 3, 3, "event 3 is missing: the trail jumps to event 4"),
    (delete_last, 5, None, "the trail ends after event 4, but the case recorded 5 events"),
    (delete_last_two, 4, None, "the trail ends after event 3, but the case recorded 5 events"),
    (reseal, 3, 2, "does not follow the event before it"),
]


@pytest.mark.parametrize(("edit", "seq", "named", "message"), TAMPERING, ids=[t[0].__name__ for t in TAMPERING])
def test_tampering_is_detected_at_the_first_broken_event(harness: Harness, edit, seq, named, message):
    tampered, intact = make_cases(harness.runtime)
    original = harness.store.audit_events(tampered)
    rt = tamper(harness, tampered, edit)

    [problem] = rt.verify_audit(AUDITOR).problems
    assert problem.case_id == tampered
    assert problem.seq == seq
    assert problem.event_id == (None if named is None else original[named].id)
    assert message in problem.message
    assert rt.verify_audit(AUDITOR, intact).intact
    assert [p.case_id for p in rt.verify_audit(AUDITOR, tampered).problems] == [tampered]


def test_an_event_added_after_the_last_one_is_named_as_the_broken_one(harness: Harness):
    tampered, _ = make_cases(harness.runtime)
    rt = tamper(harness, tampered, append_forged)
    [problem] = rt.verify_audit(AUDITOR).problems
    assert problem.case_id == tampered
    assert (problem.seq, problem.event_id) == (6, "ev-forged")
    assert "removed" not in problem.message


def flowdesk(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "designer.cli", *args], capture_output=True, text=True,
                          timeout=60, env=env, cwd=REPO)


@pytest.mark.parametrize("harness", ["tinydb", "postgres"], indirect=True)
def test_the_audit_verify_command_reports_the_broken_event_and_exits_1(harness: Harness):
    tampered, intact = make_cases(harness.runtime)
    harness.store.close()
    where = ["--db", harness.database] if harness.kind == "postgres" else ["--data", str(harness.directory)]

    clean = flowdesk("audit", "verify", *where)
    assert clean.returncode == 0, clean.stderr
    assert "audit trails intact: 2 case(s) checked" in clean.stdout

    tamper(harness, tampered, delete_middle)
    harness.store.close()
    broken = flowdesk("audit", "verify", *where)
    assert broken.returncode == 1
    [line] = broken.stdout.strip().splitlines()
    assert line.startswith(f"case {tampered}: BROKEN at event 3 ")
    assert "event 3 is missing" in line
    assert intact not in broken.stdout

    one = flowdesk("audit", "verify", intact, *where)
    assert one.returncode == 0 and "audit trails intact: 1 case(s) checked" in one.stdout


def test_a_trail_sealed_before_step_seals_still_verifies_event_by_event(harness: Harness):
    """Events written by earlier versions carry no `seal` field and were hashed over the standard library's JSON."""
    import json as standard_json

    from runtime.audit import GENESIS

    tampered, _ = make_cases(harness.runtime)

    def old_format(events: Events) -> Events:
        previous = GENESIS
        for event in events:
            event.pop("seal", None)
            event["previous_hash"] = previous
            content = {k: v for k, v in event.items() if k != "hash"}
            canonical = standard_json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
            event["hash"] = previous = hashlib.sha256(canonical.encode()).hexdigest()
        return events

    rt = tamper(harness, tampered, old_format)
    stored = rt.store.audit_events(tampered)
    assert {event.seal for event in stored} == {1}
    case = rt.store.case(tampered)
    assert verify_trail(case.model_copy(update={"audit_head": stored[-1].hash}), stored) is None
    stored[3] = stored[3].model_copy(update={"summary": "changed"})
    problem = verify_trail(case.model_copy(update={"audit_head": stored[-1].hash}), stored)
    assert problem is not None and (problem.seq, problem.event_id) == (4, stored[3].id)


def test_an_event_the_fast_json_cannot_express_is_sealed_in_the_standard_format(runtime: Runtime):
    # case data is bounded (models.values), so an integer beyond 64 bits only reaches a trail from elsewhere;
    # its step must still seal, and the trail must still verify event by event
    runtime.publish(person("owner"), process("big", variables={"n": "number"}, nodes=[start(), task("t"), end()],
                                             flow="s>t t>e"))
    case = runtime.start_case(person("agent"), "big", {"n": 1})
    contents = [event.model_dump(mode="json", exclude={"hash", "previous_hash", "seal"})
                for event in runtime.store.audit_events(case.id)]
    contents[0]["changes"]["n"][1] = 10**30
    events = [sealed.event() for sealed in seal_events(contents, GENESIS)]
    assert [event.seal for event in events] == [1, 2]
    sealed = case.model_copy(update={"audit_head": events[-1].hash})
    assert verify_trail(sealed, events) is None
    events[0].changes["n"][1] = 10**30 + 1
    problem = verify_trail(sealed, events)
    assert problem is not None and problem.seq == 1
