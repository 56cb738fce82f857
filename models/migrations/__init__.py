"""Upgrading older bundle documents to the current schema, one step per version.

`STEPS[n]` turns a schema-n document into a schema-(n+1) document; each step's
docstring says what changed. Old documents stay loadable forever: when the
schema changes, add a step here and keep a fixture of the old shape in
tests/fixtures/schema/.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Document = dict[str, Any]

#: Schema version -> the function that upgrades a document of that version by one.
STEPS: dict[int, Callable[[Document], Document]] = {}


class SchemaVersionError(ValueError):
    """The document's schema version is not one this code can read."""


def upgrade(document: Document, current: int) -> Document:
    """Bring `document` up to schema `current`, applying each step in turn."""
    version = document.get("schema_version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SchemaVersionError(f"schema_version must be a whole number from 1 to {current}")
    if version > current:
        raise SchemaVersionError(
            f"this bundle was written by a newer Flowdesk (schema {version}; this one reads up to "
            f"{current}); upgrade Flowdesk to open it"
        )
    while version < current:
        document = STEPS[version](document)
        version += 1
        document["schema_version"] = version
    return document
