"""Case references people can read out on the phone: a process's prefix, the year and a number (BC-2026-00123).

A process's prefix is its bundle's `reference_prefix` setting, else one made
from the initials of its name (`default_prefix`), so every process has one
without its owner doing anything. Two published processes must not share a
prefix (the check `reference-prefix-taken`). The runtime counts the numbers
(`runtime.references`); this module only says what a prefix and a reference
look like, so that every door reads and writes them the same way.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Annotated

from pydantic import StringConstraints

if TYPE_CHECKING:
    from models.bundle import Bundle

#: A prefix: an upper-case letter, then at most five more upper-case letters or digits.
_PREFIX = r"[A-Z][A-Z0-9]{0,5}"
#: The bundle setting: a prefix, or empty for the default one.
ReferencePrefix = Annotated[str, StringConstraints(pattern=rf"^({_PREFIX})?$")]
#: A reference as someone may type or read it out: prefix, year and number apart by dashes, spaces, dots or
#: slashes, the number with or without its leading zeros ("koef 2026 1" is KOEF-2026-00001).
_SAID_REFERENCE = re.compile(rf"^({_PREFIX})[\s./-]+([0-9]{{4}})[\s./-]+([0-9]+)$")
#: The most initials a default prefix takes.
_INITIALS = 4


def default_prefix(name: str, key: str = "") -> str:
    """The prefix a process gets without a setting: the initials of its name (at most four), or the first two
    letters of a one-word name; from the key when the name has no letters.

    >>> default_prefix("Billing complaint"), default_prefix("Adreswijziging"), default_prefix("Überweisung ändern")
    ('BC', 'AD', 'UA')
    >>> default_prefix("Klacht over een factuur"), default_prefix("2nd opinion"), default_prefix("—", "refund_b2b")
    ('KOEF', 'O', 'RB')
    """
    for source in (_ascii(name), key.replace("_", " ")):
        words = re.findall(r"[A-Za-z0-9]+", source)
        prefix = (words[0][:2] if len(words) == 1 else "".join(w[0] for w in words[:_INITIALS])).upper()
        prefix = prefix.lstrip("0123456789")
        if prefix:
            return prefix
    return "P"


def is_prefix(text: str) -> bool:
    """Whether `text` may start case references.

    >>> is_prefix("BC"), is_prefix("bc"), is_prefix("B-C"), is_prefix("TOOLONG")
    (True, False, False, False)
    """
    return re.fullmatch(_PREFIX, text) is not None


def reference_prefix(bundle: Bundle) -> str:
    """The prefix of `bundle`'s case references: its setting, else `default_prefix` of its name.

    >>> from models.bundle import Bundle
    >>> reference_prefix(Bundle(key="b", name="Billing complaint")), reference_prefix(
    ...     Bundle(key="b", name="Billing complaint", reference_prefix="BIL"))
    ('BC', 'BIL')
    """
    return bundle.reference_prefix or default_prefix(bundle.name, bundle.key)


def format_reference(prefix: str, year: int, number: int) -> str:
    """The reference of case `number` of `year` under `prefix`; numbers past 99999 just get longer.

    >>> format_reference("BC", 2026, 123), format_reference("BC", 2026, 123456)
    ('BC-2026-00123', 'BC-2026-123456')
    """
    return f"{prefix}-{year:04d}-{number:05d}"


def as_reference(text: str) -> str | None:
    """`text` as a reference in its written form (upper case, dashes, five digits at least), or None when it is
    none.

    >>> as_reference(" bc-2026-00123 "), as_reference("bc 2026 123"), as_reference("case-2186a9ebdb753a1ec5c5")
    ('BC-2026-00123', 'BC-2026-00123', None)
    """
    said = _SAID_REFERENCE.match(text.strip().upper())
    if said is None:
        return None
    prefix, year, number = said.groups()
    return format_reference(prefix, int(year), int(number))


def _ascii(text: str) -> str:
    """`text` without accents (Ü -> U), so initials stay letters a person can type."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
