"""What someone holding the database owner's password can do to a Flowdesk database behind the app's back, for the
tamper tests: rewrite a case's audit trail in SQL (switching off, for that moment, the trigger that keeps the table
append-only, as an owner may) and the case's row, remove a case, remove records.

Each function is one transaction that leaves the schema as it found it, so only the audit chains and the signed
checkpoints can tell.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import psycopg

Document = dict[str, Any]
_TRIGGER = "audit_events_append_only"


def rewrite_trail(url: str, case_id: str, edit: Callable[[list[Document]], list[Document]]) -> None:
    """Replace the case's audit events (as dicts, in order) by what `edit` makes of them."""
    rewrite_case(url, case_id, lambda case, events: edit(events))


def rewrite_case(url: str, case_id: str, edit: Callable[[Document, list[Document]], list[Document]]) -> None:
    """Give `edit` the case's document (to change in place; the columns that mirror it follow) and its audit
    events (as dicts, in order); the events it returns replace them."""
    with psycopg.connect(url) as connection:
        [case] = connection.execute("SELECT doc FROM cases WHERE id = %s", (case_id,)).fetchone()
        events = [row[0] for row in connection.execute(
            "SELECT doc FROM audit_events WHERE case_id = %s ORDER BY seq, id", (case_id,))]
        events = edit(case, events)
        connection.execute("UPDATE cases SET doc = %s, audit_count = %s, audit_head = %s WHERE id = %s",
                           (json.dumps(case), case["audit_count"], case["audit_head"], case_id))
        connection.execute(f"ALTER TABLE audit_events DISABLE TRIGGER {_TRIGGER}")
        connection.execute("DELETE FROM audit_events WHERE case_id = %s", (case_id,))
        for event in events:
            connection.execute("INSERT INTO audit_events (case_id, id, seq, doc) VALUES (%s, %s, %s, %s)",
                               (case_id, event["id"], event["seq"], json.dumps(event)))
        connection.execute(f"ALTER TABLE audit_events ENABLE TRIGGER {_TRIGGER}")


def remove_case(url: str, case_id: str) -> None:
    """Delete the case and everything of it."""
    with psycopg.connect(url) as connection:
        connection.execute(f"ALTER TABLE audit_events DISABLE TRIGGER {_TRIGGER}")
        for table in ("audit_events", "work_items", "jobs", "outbox", "attachments"):
            connection.execute(f"DELETE FROM {table} WHERE case_id = %s", (case_id,))
        connection.execute("DELETE FROM cases WHERE id = %s", (case_id,))
        connection.execute(f"ALTER TABLE audit_events ENABLE TRIGGER {_TRIGGER}")


def remove_records(url: str, kind: str) -> None:
    """Delete every record of `kind`, removed ones too."""
    with psycopg.connect(url) as connection:
        connection.execute("DELETE FROM records WHERE kind = %s", (kind,))
