"""Storage: one interface (base.Store), an in-memory store, the embedded TinyDB store and the PostgreSQL store."""

from __future__ import annotations

from pathlib import Path

from runtime.errors import StoreError
from runtime.storage.base import Store

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(data: Path, db_url: str | None = None, *, read_only: bool = False) -> Store:
    """The PostgreSQL database at `db_url` when one is given, else the embedded store in the folder `data`.

    `read_only` applies to the embedded store (a reader beside its one writer); on PostgreSQL any number of
    processes read and write.
    """
    if db_url:
        if not db_url.startswith(POSTGRES_SCHEMES):
            raise StoreError(f"'{db_url}' is not a PostgreSQL address; write it like "
                             "postgresql://USER@HOST:5432/DATABASE")
        from runtime.storage.postgres import PostgresStore  # psycopg is loaded only for a server database

        return PostgresStore.open(db_url)
    from runtime.storage.tinydb_store import TinyDBStore

    return TinyDBStore.open(data, read_only=read_only)
