"""Cursor paging for the API's lists: each page says how many match in all (`total`) and where the next starts.

A cursor is opaque to callers: it holds where the next page starts and a
digest of the query it belongs to, so a cursor sent with other filters is
refused instead of paging through a different list. The read models page by
offset; the cursor only carries it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Query

from designer.api.problems import FieldProblems

#: The longest page one request may ask for (the read models' own limit).
PAGE_LIMIT = 200

Limit = Annotated[int, Query(ge=1, le=PAGE_LIMIT, description="how many to list at most")]
Cursor = Annotated[str | None, Query(max_length=200, description="the `next` of the previous page")]


def _digest(query: Mapping[str, Any]) -> str:
    text = json.dumps(query, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def next_cursor(query: Mapping[str, Any], offset: int) -> str:
    """The cursor of the page starting at `offset` of `query`'s list."""
    text = json.dumps({"at": offset, "query": _digest(query)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursor_offset(query: Mapping[str, Any], cursor: str | None) -> int:
    """Where the page a cursor names starts (0 without one); an `invalid` problem for a cursor of another query.

    >>> cursor_offset({"queue": "billing"}, next_cursor({"queue": "billing"}, 50))
    50
    """
    if cursor is None:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset, digest = int(decoded["at"]), decoded["query"]
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise FieldProblems({"cursor": "not a cursor this API gave; use the `next` of the previous page"}) from None
    if digest != _digest(query) or offset < 0:
        raise FieldProblems({"cursor": "this cursor belongs to a list with other filters; start again without it"})
    return offset
