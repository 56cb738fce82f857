"""`flowdesk db upgrade` and `flowdesk db copy`: a new database gets the schema, and an embedded store with a
few thousand cases moves into it whole (records too: settings, tokens, checkpoints), with audit trails that
still verify."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest

from designer.cli import main
from models.customers import Address, Customer
from runtime.clock import ManualClock
from runtime.documents import Attachment, Contact, Record, User, WorkItemStatus
from runtime.service import Runtime
from runtime.storage.base import Changes, Store, WorkQuery
from runtime.storage.postgres import PostgresStore
from runtime.storage.tinydb_store import TinyDBStore
from tests.people import person
from tests.runtime.builders import end, process, send, start, task, timer
from tests.runtime.conftest import MONDAY_9_AMSTERDAM
from tests.storage.pg_cluster import create_database, drop_database

CASES = 2000


@pytest.fixture
def empty_database(pg_server: str):
    url = create_database(pg_server)
    yield url
    drop_database(pg_server, url)


def test_db_upgrade_prepares_a_new_database_once_and_every_command_then_works_on_it(
        empty_database: str, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch):
    assert main(["tasks", "--db", empty_database]) == 1
    assert "run 'flowdesk db upgrade --db postgresql://" in capsys.readouterr().err
    assert main(["db", "upgrade", "--db", empty_database]) == 0
    assert "applied migration 1: documents" in capsys.readouterr().out
    monkeypatch.setenv("FLOWDESK_DB", empty_database)
    assert main(["db", "upgrade"]) == 0
    assert "(nothing to do)" in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0
    assert "audit trails intact: 0 case(s) checked" in capsys.readouterr().out


def fill(store: Store) -> None:
    """Cases at every stage (open, waiting for a timer, completed with an e-mail), customers, a contact that
    lists cases, users, attachments, records of several kinds (one removed) and an audit checkpoint."""
    clock = ManualClock(MONDAY_9_AMSTERDAM)
    rt = Runtime(store, clock)
    owner, bob = person("owner"), person("bob")
    rt.publish(owner, process("p", variables={"n": "number"}, nodes=[
        start(), task("check"), send("mail", "m", '"an@example.nl"'), timer("pause", duration="2 hours"),
        task("close"), end()], flow="s>check check>mail mail>pause pause>close close>e",
        letters=[{"id": "m", "channel": "email", "variants": [{"subject": "Case {{ n }}", "body": "<p>{{ n }}</p>"}]}]),
        note="first")
    customers = [Customer(id=f"k{n}", number=f"N-{n}", name=f"Klant {n}", address=Address(
        street="Dorpsstraat", house_number=str(n), postcode="1234 AB", city="Ede")) for n in range(20)]
    store.commit(Changes(customers=customers, users=[User(id="bob", name="Bob", roles=["agent"], queues=["q"])]))
    contact = Contact(id="call-1", customer_id="k1", channel="phone", reason="vraag", agent="bob", at=clock.now())
    store.commit(Changes(contacts=[contact]))
    for n in range(CASES):
        case = rt.start_case(bob, "p", {"n": n}, customer_id=f"k{n % 20}", contact_id="call-1" if n < 3 else None)
        if n % 2:
            [item] = store.work_items(WorkQuery(case_id=case.id))
            rt.complete(bob, item.id, {})
        if n % 500 == 0:
            content = f"photo of case {n}".encode()
            store.put_attachment_content(f"file-{n}", content)
            store.commit(Changes(attachments=[Attachment(
                id=f"file-{n}", case_id=case.id, filename="photo.jpg", size=len(content), added_by="bob",
                sha256=hashlib.sha256(content).hexdigest(), added_at=clock.now())]))
        clock.advance(timedelta(seconds=30))
    clock.advance(timedelta(hours=3))
    assert rt.fire_due_jobs(limit=10) == 10  # a few timers fired: their cases wait at the last task
    store.commit(Changes(records=[Record(kind="setting", key="installation", data={"four_eyes": True}),
                                  Record(kind="api_token", key="digest", data={"user": "bob"}),
                                  Record(kind="draft", key="gone")]))
    store.commit(Changes(records=[store.record("draft", "gone").model_copy(update={"removed": True})]))
    assert rt.checkpoint() is not None


def everything(store: Store) -> dict:
    """What the copy must hold exactly as the original."""
    cases = store.cases()
    return {
        "versions": [(v, store.bundle_document(v.hash)) for v in store.versions()],
        "cases": cases,
        "per case": [(store.audit_events(c.id), store.case_jobs(c.id), store.outbox(case_id=c.id),
                      [store.work_items(WorkQuery(case_id=c.id, status=s)) for s in WorkItemStatus],
                      [(a, store.attachment_content(c.id, a.id)) for a in store.attachments(c.id)]) for c in cases],
        "worklist": store.work_items(WorkQuery(limit=100)),
        "open": store.count_open_work_items(),
        "people": (store.customers(), store.contacts(), store.users()),
        "records": {kind: found for kind in store.record_kinds() if (found := store.records(kind))},
    }


def test_db_copy_moves_a_few_thousand_cases_whole_and_their_trails_verify(
        tmp_path: Path, empty_database: str, capsys: pytest.CaptureFixture):
    data = tmp_path / "data"
    with TinyDBStore.open(data) as embedded:
        fill(embedded)
        original = everything(embedded)
    assert main(["db", "upgrade", "--db", empty_database]) == 0
    capsys.readouterr()
    assert main(["db", "copy", "--from", str(data), "--to", empty_database]) == 0
    output = capsys.readouterr()
    progress = output.err.splitlines()
    assert progress[0].endswith(f"0 / {CASES:,} cases") and progress[-1] == f"[{'#' * 30}] {CASES:,} / {CASES:,} cases"
    records = 3 + CASES + 1  # those `fill` commits, each case's reference and the counter that numbered them
    assert f"copied 1 versions, {CASES} cases, 20 customers, 1 contacts, 1 users and {records} records" in output.out
    copy = PostgresStore.open(empty_database)
    try:
        assert everything(copy) == original
    finally:
        copy.close()
    assert main(["audit", "verify", "--db", empty_database]) == 0
    assert f"audit trails intact: {CASES} case(s) checked" in capsys.readouterr().out
    assert main(["db", "copy", "--from", str(data), "--to", empty_database]) == 1  # only into an empty database
    assert "is not empty; copy into a new database" in capsys.readouterr().err
