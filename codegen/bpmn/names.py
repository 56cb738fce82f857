"""Namespaces and identifiers shared by the BPMN import and export.

BPMN ids are XML ids (they may not start with a digit, and must be unique in
the whole file); Flowdesk ids may start with a digit but allow fewer
characters. `element_id` turns any BPMN id or name into a Flowdesk id;
`xml_id` turns a Flowdesk id into an XML id that `element_id` turns back.
"""

from __future__ import annotations

import re

from models.phrases import Phrase

__all__ = ["BPMN", "BPMNDI", "CEL_LANGUAGE", "DC", "DI", "FLOWDESK", "IdAllocator", "element_id", "file_named", "local",
           "xml_id"]

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: Flowdesk's own settings in `extensionElements`.
FLOWDESK = "https://flowdesk.example/schema/bpmn/1"
#: The `language` of conditions and dates written in Flowdesk's expression language.
CEL_LANGUAGE = "https://cel.dev"

_ID_LIMIT = 80
_NOT_ID = re.compile(r"[^A-Za-z0-9_.-]+")


def file_named(source: str) -> Phrase | str:
    """An uploaded file as a message names it: its name, else "the file"."""
    return source or Phrase("the file")


def local(tag: object) -> str:
    """The local name of an lxml tag (`{ns}task` -> `task`); "" for comments and the like."""
    return tag.split("}", 1)[-1] if isinstance(tag, str) else ""


def element_id(text: str, fallback: str = "x") -> str:
    """A Flowdesk id made from a BPMN id or a name: other characters become '_', it starts with a letter or digit.

    >>> element_id("sid-38422FAE"), element_id("_1a"), element_id("Back office"), element_id("__")
    ('sid-38422FAE', '1a', 'Back_office', 'x')
    >>> all(element_id(xml_id(i)) == i for i in ("0", "0_", "a.b-c", "9" * 80))
    True
    """
    cleaned = _NOT_ID.sub("_", text.strip()).lstrip("_.-")[:_ID_LIMIT]
    return cleaned or fallback


def xml_id(flowdesk_id: str) -> str:
    """An XML id for a Flowdesk id; `element_id(xml_id(x)) == x` for every Flowdesk id.

    >>> xml_id("2nd_check"), xml_id("check")
    ('_2nd_check', 'check')
    """
    return f"_{flowdesk_id}" if flowdesk_id[0].isdigit() else flowdesk_id


class IdAllocator:
    """Hands out ids not taken yet: the wanted one, else with `_2`, `_3`... appended."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken: set[str] = set(taken or ())

    def claim(self, wanted: str) -> str:
        candidate, n = wanted, 1
        while candidate in self.taken:
            n += 1
            suffix = f"_{n}"
            candidate = wanted[: _ID_LIMIT - len(suffix)] + suffix
        self.taken.add(candidate)
        return candidate
