"""Reading XML from files people upload, refusing what could harm the server.

BPMN and DMN files come from other tools and from strangers. Everything that
makes XML dangerous is refused before it can cost anything: a file larger than
`MAX_XML_BYTES` is refused unread; a document type declaration (DTD) is refused
as soon as the parser meets it, so no entity is ever declared, let alone
expanded (no "billion laughs", no external entities, no network); elements
nested deeper than `MAX_DEPTH` or more than `MAX_ELEMENTS` of them stop the
parse. The parser is libxml2 (lxml) with entity resolution, DTD loading, network
access and its own "huge tree" allowance all switched off.
"""

from __future__ import annotations

from io import BytesIO

from lxml import etree

from models.errors import FlowdeskError
from models.phrases import Phrase

__all__ = ["MAX_DEPTH", "MAX_ELEMENTS", "MAX_XML_BYTES", "XmlRefused", "parse_xml"]

#: Largest file read, in bytes (real BPMN files with diagrams are well under 1 MB).
MAX_XML_BYTES = 5_000_000
#: Deepest nesting of elements accepted (BPMN needs about 10).
MAX_DEPTH = 64
#: Most elements accepted in one file.
MAX_ELEMENTS = 200_000


class XmlRefused(FlowdeskError):
    """The file is not XML we accept; the message says why and where (phrased, for the designer to say)."""

    def __init__(self, message: Phrase | str, source: str = "") -> None:
        self.source = source
        super().__init__(Phrase("{source}: {problem}", source=source, problem=message) if source else message)


def parse_xml(data: bytes, source: str = "") -> etree._Element:
    """The root element of `data`, or XmlRefused naming what is wrong.

    >>> parse_xml(b"<a><b/></a>").tag
    'a'
    >>> try:
    ...     parse_xml(b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', "in.bpmn")
    ... except XmlRefused as refused:
    ...     print(str(refused).split(";")[0])
    in.bpmn: the file declares a document type (DTD)
    """
    if not isinstance(data, bytes):
        raise XmlRefused(Phrase("expected the file's bytes"), source)
    if len(data) > MAX_XML_BYTES:
        raise XmlRefused(Phrase("the file is {size} bytes; at most {limit} bytes are read", size=len(data),
                                limit=MAX_XML_BYTES), source)
    if not data.strip():
        raise XmlRefused(Phrase("the file is empty"), source)
    events = etree.iterparse(
        BytesIO(data), events=("start", "end"), resolve_entities=False, load_dtd=False, no_network=True,
        huge_tree=False, remove_comments=True, remove_pis=True, dtd_validation=False,
    )
    depth = elements = 0
    root = None
    try:
        for event, element in events:
            if event == "end":
                depth -= 1
                continue
            if root is None:
                root = element
                if element.getroottree().docinfo.doctype:
                    raise XmlRefused(Phrase(
                        "the file declares a document type (DTD); BPMN and DMN files never need one, and DTDs "
                        "can hide entity bombs or read other files, so it is refused"), source)
            depth += 1
            elements += 1
            if depth > MAX_DEPTH:
                raise XmlRefused(_too_deep(element.sourceline), source)
            if elements > MAX_ELEMENTS:
                raise XmlRefused(Phrase("the file has more than {limit} elements", limit=MAX_ELEMENTS), source)
    except etree.XMLSyntaxError as error:
        raise XmlRefused(_syntax_message(error), source) from None
    if root is None:
        raise XmlRefused(Phrase("the file holds no XML element"), source)
    return root


def _too_deep(line: int | None) -> Phrase:
    return Phrase("elements are nested more than {limit} levels deep (line {line})", limit=MAX_DEPTH, line=str(line))


def _syntax_message(error: etree.XMLSyntaxError) -> Phrase:
    """libxml2's own words for the first thing wrong, with where it is."""
    last = error.error_log.last_error if error.error_log else None
    message = (last.message if last else str(error.msg or error)).strip()
    line, column = (last.line, last.column) if last else (error.lineno, error.offset)
    if "excessive depth" in message.lower():
        return _too_deep(line)
    if "entity" in message.lower():
        return Phrase("the file uses an entity at line {line} ({message}); only the five predefined XML entities "
                      "and character references are allowed", line=str(line), message=message)
    return Phrase("not well-formed XML at line {line}, column {column}: {message}", line=str(line),
                  column=str(column), message=message)
