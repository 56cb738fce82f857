"""Hostile XML is refused before it can cost anything, with a message saying what was refused."""

from __future__ import annotations

import pytest

from codegen.bpmn.importer import import_bpmn
from codegen.bpmn.safe_xml import MAX_DEPTH, MAX_XML_BYTES, XmlRefused, parse_xml
from codegen.dmn import import_dmn

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol9 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol9;</definitions>"""

ATTACKS = {
    "entity expansion bomb": (BOMB, "declares a document type"),
    "external entity (file)": (b'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><definitions>&x;</definitions>',
                               "declares a document type"),
    "external entity (network)": (b'<!DOCTYPE d [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]><d>&x;</d>',
                                  "declares a document type"),
    "external DTD": (b'<!DOCTYPE d SYSTEM "http://127.0.0.1:9/d.dtd"><d/>', "declares a document type"),
    "parameter entity": (b'<!DOCTYPE d [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><d/>',
                         "declares a document type"),
    "undeclared entity": (b"<d>&nbsp;</d>", "uses an entity at line 1"),
    "deep nesting": (b"<a>" * (MAX_DEPTH + 1) + b"</a>" * (MAX_DEPTH + 1), f"more than {MAX_DEPTH} levels deep"),
    "very deep nesting": (b"<a>" * 5000 + b"</a>" * 5000, f"more than {MAX_DEPTH} levels deep"),
    "DTD in UTF-16": ('<!DOCTYPE d [<!ENTITY x "y">]><d>&x;</d>'.encode("utf-16"), "declares a document type"),
    "not XML": (b"%PDF-1.7 binary", "not well-formed XML at line 1"),
    "empty": (b"   ", "the file is empty"),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_hostile_xml_is_refused_with_a_clear_message(attack: str):
    data, words = ATTACKS[attack]
    with pytest.raises(XmlRefused, match=words) as refused:
        parse_xml(data, "upload.bpmn")
    assert str(refused.value).startswith("upload.bpmn: ")


@pytest.mark.parametrize("reader", [import_bpmn, import_dmn])
def test_bpmn_and_dmn_imports_refuse_the_same_attacks(reader):
    with pytest.raises(XmlRefused, match="document type"):
        reader(BOMB, "bomb.xml")


def test_a_file_over_the_size_limit_is_refused_unread():
    data = b"<a>" + b" " * MAX_XML_BYTES + b"</a>"
    with pytest.raises(XmlRefused, match=f"at most {MAX_XML_BYTES:,} bytes"):
        parse_xml(data)


def test_plain_xml_with_predefined_entities_and_character_references_is_read():
    assert parse_xml(b"<a>fish &amp; chips &#8364;5</a>").text == "fish & chips \u20ac5"
