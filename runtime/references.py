"""Numbering cases: each new case gets the next reference of its process's prefix and year (BC-2026-00123).

The last number given is a `Record` per prefix and year (kind `case_counter`),
read and written by the very step that starts the case. When two steps, in one
app process or in several sharing a database, take the same number, the store
refuses the second commit (the record moved on since it was read) and
`Runtime.step` runs that step again, which then takes the next number. So no
number is given twice, and none is skipped by a step that fails, because
nothing of it is committed. Counting per prefix rather than per process key
keeps that true when a prefix one process gave up is later taken by another
(the check `reference-prefix-taken` keeps two current processes apart).

Beside it, a record per reference (kind `case_reference`) names its case: a
reference is found without reading any case, and as it is created new in the
case's own commit, a second case with the same reference would be refused too.
"""

from __future__ import annotations

from datetime import datetime

from models.references import as_reference, format_reference
from runtime.documents import Case
from runtime.errors import NotFound
from runtime.storage.base import Store
from runtime.transaction import Transaction

#: The record holding the last number given per prefix and year, keyed "BC-2026".
COUNTER = "case_counter"
#: The record naming the case of a reference, keyed by the reference.
REFERENCE = "case_reference"


def give_reference(tx: Transaction, case: Case, prefix: str, local_now: datetime) -> str:
    """Give `case` (being started in `tx`) the next reference of `prefix` in the year of `local_now`."""
    year = local_now.year
    counter = tx.record(COUNTER, f"{prefix}-{year}")
    number = (counter.data["last"] if counter is not None else 0) + 1
    if counter is None:
        tx.new_record(COUNTER, f"{prefix}-{year}", {"last": number})
    else:
        counter.data["last"] = number
        counter.updated_by, counter.updated_at = tx.actor, tx.now
        tx.put_record(counter)
    case.reference = format_reference(prefix, year, number)
    tx.new_record(REFERENCE, case.reference, {"case": case.id})
    return case.reference


def case_of_reference(store: Store, text: str) -> str | None:
    """The id of the case whose reference `text` is (in any letter case), or None."""
    reference = as_reference(text)
    if reference is None:
        return None
    try:
        return str(store.record(REFERENCE, reference).data["case"])
    except NotFound:
        return None
