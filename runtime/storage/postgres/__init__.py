"""The PostgreSQL store (`PostgresStore`) and its schema (`upgrade`, `check_schema`): for installations whose
app and worker processes share one database."""

from runtime.storage.postgres.schema import SCHEMA_VERSION, SchemaError, check_schema, display_url, upgrade
from runtime.storage.postgres.store import PostgresStore

__all__ = ["SCHEMA_VERSION", "PostgresStore", "SchemaError", "check_schema", "display_url", "upgrade"]
