"""Fixtures every test folder may use.

The PostgreSQL fixtures give each test a new database (a copy of one upgraded
to the current schema) on the server of `pg_cluster.server_url`; without a
server they skip, saying how to enable them, except in CI (CI=true), where
they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest

from runtime.storage.postgres import upgrade
from tests.local_servers import Inbox, smtp_server
from tests.storage.pg_cluster import Unavailable, create_database, drop_database, server_url


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on localhost: what it received, and its port."""
    inbox = Inbox()
    with smtp_server(inbox) as port:
        yield inbox, port


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
