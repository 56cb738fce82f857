"""The storage contract runs against every store: `store` is each of them in turn.

`reopen(store)` gives the store as a restarted process would see it: the
embedded and PostgreSQL stores are closed and opened again (on the same
folder or database); the memory store has nothing to reopen and is returned
as is. Every store opened is closed after the test.

The PostgreSQL tests each get a new database (a copy of one upgraded to the
current schema) on the server of `pg_cluster.server_url`; without one they
skip, saying how to enable them, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from runtime.storage.base import Store
from runtime.storage.memory import MemoryStore
from runtime.storage.postgres import PostgresStore, upgrade
from runtime.storage.tinydb_store import TinyDBStore
from tests.storage.pg_cluster import Unavailable, create_database, drop_database, server_url

Reopen = Callable[[Store], Store]
STORES = ["memory", "tinydb", "postgres"]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The URL of a PostgreSQL server where tests may create databases."""
    try:
        with server_url() as url:
            yield url
    except Unavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL tests, but {error}")
        pytest.skip(str(error))


@pytest.fixture(scope="session")
def pg_template(pg_server: str) -> Iterator[str]:
    """The name of a database with the current schema, to copy for each test."""
    url = create_database(pg_server)
    with psycopg.connect(url, autocommit=True) as connection:
        upgrade(connection, url)
    yield psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    drop_database(pg_server, url)


@pytest.fixture
def pg_url(pg_server: str, pg_template: str) -> Iterator[str]:
    """The URL of a new database with the current schema, dropped after the test."""
    url = create_database(pg_server, template=pg_template)
    yield url
    drop_database(pg_server, url)


class Opened:
    """Opens stores of one kind in one folder (or database) and remembers them for closing."""

    def __init__(self, kind: str, directory: Path, database: str = "") -> None:
        self.kind = kind
        self.directory = directory
        self.database = database
        self.stores: list[Store] = []

    def open(self) -> Store:
        if self.kind == "memory":
            store: Store = MemoryStore()
        elif self.kind == "tinydb":
            store = TinyDBStore.open(self.directory)
        else:
            store = PostgresStore.open(self.database, pool_size=8)
        self.stores.append(store)
        return store

    def reopen(self, store: Store) -> Store:
        if isinstance(store, MemoryStore):
            return store
        store.close()
        return self.open()


@pytest.fixture(params=STORES)
def opened(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    database = request.getfixturevalue("pg_url") if request.param == "postgres" else ""
    opened = Opened(request.param, tmp_path / "data", database)
    yield opened
    for store in opened.stores:
        store.close()


@pytest.fixture
def store(opened: Opened) -> Store:
    return opened.open()


@pytest.fixture
def reopen(opened: Opened) -> Reopen:
    return opened.reopen
