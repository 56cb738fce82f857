"""The PostgreSQL schema: numbered SQL migrations, applied in order and recorded in `schema_migrations`.

Each file `migrations/NNNN_what.sql` takes the schema from version NNNN-1 to
NNNN. `upgrade` applies those a database lacks, with their records, in one
transaction (all or none) under an advisory lock, so two upgrades at once
cannot interleave. A store opens a database only when its schema is exactly the
version this code knows (`check_schema`): an older one needs
`flowdesk db upgrade`, a newer one a newer Flowdesk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from runtime.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"
_FILE_NAME = re.compile(r"(\d{4})_(\w+)\.sql")
_LOCK = 0x466C6F77  # pg_advisory_xact_lock key for upgrades ("Flow")


class SchemaError(StoreError):
    """The database's schema is not the one this Flowdesk works with; the message says what to run."""


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    sql: str


def migrations(folder: Path = MIGRATIONS) -> list[Migration]:
    """Every migration in order; numbered 1, 2, 3, ... without gaps."""
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _FILE_NAME.fullmatch(path.name)
        if match is None:
            raise SchemaError(f"{path} is not named like 0001_what_it_does.sql")
        found.append(Migration(int(match[1]), match[2], path.read_text(encoding="utf-8")))
    for expected, migration in enumerate(found, start=1):
        if migration.number != expected:
            raise SchemaError(f"migration {expected} is missing in {folder} (found {migration.number} after it)")
    return found


#: The schema version this code reads and writes.
SCHEMA_VERSION = len(migrations())


def display_url(url: str) -> str:
    """The database's address for messages: user, host, port and name, never the password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(an unreadable database address)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host') or 'localhost'}{port}/{parts.get('dbname') or ''}"


def schema_version(connection: psycopg.Connection) -> int:
    """The newest migration applied to the database; 0 when none is."""
    exists = connection.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return 0
    row = connection.execute("SELECT coalesce(max(number), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def check_schema(connection: psycopg.Connection, where: str) -> None:
    """Refuse (SchemaError saying what to do) a database whose schema is not `SCHEMA_VERSION`."""
    found = schema_version(connection)
    if found == SCHEMA_VERSION:
        return
    upgrade = f"run 'flowdesk db upgrade --db {where}'"
    if found == 0:
        raise SchemaError(f"the database {where} has no Flowdesk schema yet; {upgrade} first")
    if found < SCHEMA_VERSION:
        raise SchemaError(f"the database {where} has schema version {found}, this Flowdesk needs version "
                          f"{SCHEMA_VERSION}; back up the database, then {upgrade}")
    raise SchemaError(f"the database {where} has schema version {found}, newer than this Flowdesk knows "
                      f"({SCHEMA_VERSION}); run the Flowdesk release that upgraded it, or a newer one")


def upgrade(connection: psycopg.Connection, where: str, to: int = SCHEMA_VERSION) -> list[Migration]:
    """Apply the migrations the database lacks up to version `to`, in order; returns those applied (none if
    it was current)."""
    applied = []
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations (number integer PRIMARY KEY, "
                           "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
        found = schema_version(connection)
        if found > SCHEMA_VERSION:
            check_schema(connection, where)  # explains
        for migration in migrations()[found:to]:
            connection.execute(migration.sql.encode())
            connection.execute("INSERT INTO schema_migrations (number, name) VALUES (%s, %s)",
                               (migration.number, migration.name))
            applied.append(migration)
    return applied


def upgrade_database(url: str) -> list[Migration]:
    """Connect to the database at `url` and `upgrade` it; StoreError saying why when it cannot be reached."""
    where = display_url(url)
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
            return upgrade(connection, where)
    except psycopg.Error as error:
        reason = (error.diag.message_primary if error.diag else None) or str(error)
        raise StoreError(f"cannot upgrade the database {where}: {reason.strip()}") from None
