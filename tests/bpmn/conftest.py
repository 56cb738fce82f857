"""The OMG BPMN 2.0 schema, loaded once for the whole session."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

XSD = Path(__file__).resolve().parents[1] / "fixtures" / "xsd"


def load_schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture(scope="session")
def bpmn_schema() -> etree.XMLSchema:
    return load_schema(XSD / "bpmn" / "BPMN20.xsd")
