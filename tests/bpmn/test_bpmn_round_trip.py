"""Export to BPMN 2.0 and import again gives the same bundle; every export is valid against the OMG schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree

from codegen.bpmn.exporter import export_bpmn
from codegen.bpmn.importer import import_bpmn
from models import Bundle, load_bundle
from models.serialization import bundle_document
from tests.bpmn.bundles import bundles

EXAMPLES = sorted(p for p in (Path(__file__).resolve().parents[2] / "examples").glob("*.json")
                  if p.name != "customers.json")


def assert_valid(schema: etree.XMLSchema, xml: bytes) -> None:
    document = etree.fromstring(xml)
    assert schema.validate(document), [f"line {e.line}: {e.message}" for e in schema.error_log][:5]


def round_trip(bundle: Bundle) -> dict:
    [imported] = import_bpmn(export_bpmn(bundle), "exported.bpmn")
    return imported.document


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_exports_valid_bpmn_and_comes_back_the_same(path: Path, bpmn_schema: etree.XMLSchema):
    bundle = load_bundle(path.read_bytes(), str(path))
    xml = export_bpmn(bundle)
    assert_valid(bpmn_schema, xml)
    assert round_trip(bundle) == bundle_document(bundle)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bundles())
def test_any_bundle_exports_valid_bpmn_and_comes_back_the_same(bpmn_schema: etree.XMLSchema, bundle: Bundle):
    xml = export_bpmn(bundle)
    assert_valid(bpmn_schema, xml)
    assert round_trip(bundle) == bundle_document(bundle)
