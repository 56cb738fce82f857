"""What only the PostgreSQL store must show: its schema versions, clear refusals, an audit log the database
itself keeps insert-only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from runtime.documents import WorkItemStatus
from runtime.errors import StoreError
from runtime.storage.base import Changes
from runtime.storage.postgres import SCHEMA_VERSION, PostgresStore, SchemaError, display_url, upgrade
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
    step.audit.append(audit_event("a2", "c1", seq=2).model_copy(update={"summary": "nul \x00 byte"}))
    with pytest.raises(StoreError, match=r"cannot be stored.*U\+0000"):
        store.commit(step)
    assert store.cases() == []
    store.commit(Changes(cases=[(case("c1"), None)]))  # the store goes on working
    store.close()
