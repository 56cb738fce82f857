"""The PostgreSQL store (`PostgresStore`) and its schema (`upgrade`, `check_schema`): for installations whose
app and worker processes share one database."""

from runtime.storage.postgres.copy import Copied, copy_store
from runtime.storage.postgres.schema import (
    SCHEMA_VERSION,
    Migration,
    SchemaError,
    check_schema,
    display_url,
    upgrade,
    upgrade_database,
)
from runtime.storage.postgres.store import PostgresStore

__all__ = ["SCHEMA_VERSION", "Copied", "Migration", "PostgresStore", "SchemaError", "check_schema", "copy_store",
           "display_url", "upgrade", "upgrade_database"]
