"""What only the PostgreSQL store must show: its schema versions, clear refusals, an audit log the database
itself keeps insert-only, and a worklist marker that follows other processes' commits."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from runtime.documents import Record, SealedEvent, WorkItemStatus
from runtime.errors import StoreError
from runtime.storage.base import Changes
from runtime.storage.postgres import SCHEMA_VERSION, PostgresStore, SchemaError, display_url, upgrade
from runtime.storage.postgres.live import APPLICATION_NAME
from tests.storage.pg_cluster import create_database, drop_database
from tests.storage.storage_docs import audit_event, case, new_case_changes, work_item


@pytest.fixture
def empty_database(pg_server: str) -> Iterator[str]:
    """The URL of a new database without any schema."""
    url = create_database(pg_server)
    yield url
    drop_database(pg_server, url)


def test_a_database_without_the_schema_is_refused_until_it_is_upgraded(empty_database: str):
    where = display_url(empty_database)
    with pytest.raises(SchemaError, match=f"has no Flowdesk schema yet; run 'flowdesk db upgrade --db {where}'"):
        PostgresStore.open(empty_database)
    with psycopg.connect(empty_database, autocommit=True) as connection:
        assert [m.number for m in upgrade(connection, where)] == list(range(1, SCHEMA_VERSION + 1))
        assert upgrade(connection, where) == []  # already current: nothing to do
    store = PostgresStore.open(empty_database)
    store.commit(new_case_changes("c1"))
    assert store.case("c1").revision == 1
    store.close()


def test_an_older_schema_is_refused_until_upgraded_and_the_upgrade_keeps_what_is_stored(empty_database: str):
    where = display_url(empty_database)
    with psycopg.connect(empty_database, autocommit=True) as connection:
        upgrade(connection, where, to=1)
        connection.execute("INSERT INTO cases (id, revision, process_key, active, started_at, doc) "
                           "VALUES ('c1', 1, 'p', true, now(), %s)", (case("c1").model_dump_json(),))
        for item in (work_item("w1", queue="billing"), work_item("w2", queue="billing"),
                     work_item("w3", queue="complaints", status=WorkItemStatus.COMPLETED)):
            connection.execute("INSERT INTO work_items (id, case_id, status, queue, process_key, priority, "
                               "created_at, doc) VALUES (%s, 'c1', %s, %s, 'p', 3, now(), %s)",
                               (item.id, str(item.status), item.queue, item.model_dump_json()))
    message = f"has schema version 1, this Flowdesk needs version {SCHEMA_VERSION}; back up the database, then run " \
              f"'flowdesk db upgrade --db {where}'"
    with pytest.raises(SchemaError, match=re.escape(message)):
        PostgresStore.open(empty_database)
    with psycopg.connect(empty_database, autocommit=True) as connection:
        assert [m.number for m in upgrade(connection, where)] == list(range(2, SCHEMA_VERSION + 1))
    with PostgresStore.open(empty_database) as store:
        assert store.count_open_work_items() == {"billing": 2}
        assert store.work_item("w3").status is WorkItemStatus.COMPLETED


def test_schema_3_fills_the_cases_version_and_audit_head_from_their_documents(empty_database: str):
    where = display_url(empty_database)
    with psycopg.connect(empty_database, autocommit=True) as connection:
        upgrade(connection, where, to=2)
        for case_id, number, events, active in (("c1", 1, 4, True), ("c2", 2, 7, True), ("c3", 2, 2, False)):
            doc = case(case_id, version=number, audit_count=events, audit_head=f"head-{case_id}")
            connection.execute("INSERT INTO cases (id, revision, process_key, active, started_at, doc) "
                               "VALUES (%s, 1, 'complaint', %s, now(), %s)", (case_id, active, doc.model_dump_json()))
    with pytest.raises(SchemaError, match="has schema version 2, this Flowdesk needs version 3"):
        PostgresStore.open(empty_database)
    with psycopg.connect(empty_database, autocommit=True) as connection:
        assert [m.number for m in upgrade(connection, where)] == [3]
    with PostgresStore.open(empty_database) as store:
        assert store.audit_heads() == {"c1": (4, "head-c1"), "c2": (7, "head-c2"), "c3": (2, "head-c3")}
        assert store.version_case_counts("complaint") == {1: (1, 1), 2: (2, 1)}


def test_a_schema_newer_than_the_code_is_refused(pg_url: str):
    with psycopg.connect(pg_url, autocommit=True) as connection:
        connection.execute("INSERT INTO schema_migrations (number, name) VALUES (%s, 'from the future')",
                           (SCHEMA_VERSION + 1,))
    with pytest.raises(SchemaError, match=f"schema version {SCHEMA_VERSION + 1}, newer than this Flowdesk knows"):
        PostgresStore.open(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as connection, pytest.raises(SchemaError, match="newer"):
        upgrade(connection, display_url(pg_url))  # an upgrade does not go back either


def test_an_unreachable_database_is_named_without_its_password(pg_server: str):
    server = urlsplit(pg_server)
    url = urlunsplit(server._replace(netloc=f"{server.username}:secret-word@{server.hostname}:{server.port}",
                                     path="/no_such_database"))
    with pytest.raises(StoreError, match=r"cannot open the database postgresql://.*/no_such_database: .*") as refused:
        PostgresStore.open(url)
    assert "secret-word" not in str(refused.value)


def test_the_database_refuses_to_change_or_delete_audit_events(pg_url: str):
    store = PostgresStore.open(pg_url)
    store.commit(new_case_changes("c1"))
    store.close()
    with psycopg.connect(pg_url, autocommit=True) as connection:
        for statement in ("UPDATE audit_events SET seq = 9", "DELETE FROM audit_events", "TRUNCATE audit_events"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                connection.execute(statement)
        assert connection.execute("SELECT count(*) FROM audit_events").fetchone() == (1,)


def test_a_document_jsonb_cannot_hold_is_refused_and_nothing_of_the_step_is_written(pg_url: str):
    store = PostgresStore.open(pg_url)
    step = new_case_changes("c1")
    step.audit.append(SealedEvent.of(audit_event("a2", "c1", seq=2).model_copy(update={"summary": "nul \x00 byte"})))
    with pytest.raises(StoreError, match=r"cannot be stored.*U\+0000"):
        store.commit(step)
    assert store.cases() == []
    store.commit(Changes(cases=[(case("c1"), None)]))  # the store goes on working
    store.close()


def eventually(condition: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_the_worklist_marker_moves_when_another_process_commits_a_work_item_change(pg_url: str):
    with PostgresStore.open(pg_url) as here, PostgresStore.open(pg_url) as there:  # each as in its own process
        here.commit(new_case_changes("c1"))
        shown = here.worklist_marker()
        there.commit(Changes(work_items=[work_item("w2", queue="complaints")]))
        assert eventually(lambda: here.worklist_marker() != shown), "the other process's new item went unnoticed"
        shown = here.worklist_marker()
        there.commit(Changes(records=[Record(kind="setting", key="x")]))  # no work item: nothing to show
        there.commit(Changes(work_items=[work_item("w2", queue="complaints")]))  # written again unchanged
        time.sleep(1)
        assert here.worklist_marker() == shown
        there.commit(Changes(work_items=[work_item("w2", queue="complaints", assignee="bob")]))
        assert eventually(lambda: here.worklist_marker() != shown), "the other process's claim went unnoticed"


def test_after_the_listening_connection_is_lost_the_marker_moves_once_it_is_back(pg_url: str):
    with PostgresStore.open(pg_url) as store:
        shown = store.worklist_marker()
        with psycopg.connect(pg_url, autocommit=True) as admin:
            [ended] = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE application_name = %s AND datname = current_database()",
                                    (APPLICATION_NAME,)).fetchall()
            assert ended == (True,)
            assert eventually(lambda: store.worklist_marker() != shown), "no refresh after reconnecting"
            assert eventually(lambda: admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND datname = current_database()",
                (APPLICATION_NAME,)).fetchone() == (1,)), "not listening again"
        back = store.worklist_marker()
        time.sleep(1)
        assert store.worklist_marker() == back  # once, not over and over
        with PostgresStore.open(pg_url) as other:
            other.commit(new_case_changes("c9"))
        assert eventually(lambda: store.worklist_marker() != back), "not listening after reconnecting"
