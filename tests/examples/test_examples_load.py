"""The example processes in examples/ load as bundles, and the sample customers are valid customers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models import Bundle, load_bundle
from models.customers import Customer
from models.nodes import SubprocessNode
from models.values import iban_is_valid

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CUSTOMERS = EXAMPLES / "customers.json"
BUNDLE_FILES = sorted(p for p in EXAMPLES.glob("*.json") if p != CUSTOMERS)


def load(path: Path) -> Bundle:
    return load_bundle(path.read_bytes(), str(path))


def test_there_are_at_least_four_example_processes():
    assert len(BUNDLE_FILES) >= 4, [p.name for p in BUNDLE_FILES]


@pytest.mark.parametrize("path", BUNDLE_FILES, ids=lambda p: p.name)
def test_example_bundle_loads(path: Path):
    bundle = load(path)
    assert bundle.nodes, f"{path.name} has no flow"


@pytest.mark.parametrize("path", BUNDLE_FILES, ids=lambda p: p.name)
def test_example_file_is_named_after_its_key(path: Path):
    assert json.loads(path.read_text(encoding="utf-8"))["key"] == path.stem


def test_example_keys_are_unique():
    keys = [json.loads(p.read_text(encoding="utf-8"))["key"] for p in BUNDLE_FILES]
    assert len(keys) == len(set(keys)), keys


@pytest.mark.parametrize("path", BUNDLE_FILES, ids=lambda p: p.name)
def test_every_letter_has_a_dutch_and_an_english_variant(path: Path):
    for letter in load(path).letters:
        assert letter.default_language == "nl"
        assert {v.language for v in letter.variants} == {"nl", "en"}, letter.id


@pytest.mark.parametrize("path", BUNDLE_FILES, ids=lambda p: p.name)
def test_every_node_has_a_canvas_position(path: Path):
    bundle = load(path)
    positions = [(n.position.x, n.position.y) for n in bundle.nodes if n.position is not None]
    assert len(positions) == len(bundle.nodes), "every node needs a position"
    assert len(set(positions)) == len(positions), "two nodes are drawn on top of each other"


def test_subprocesses_call_an_example_process():
    keys = {json.loads(p.read_text(encoding="utf-8"))["key"] for p in BUNDLE_FILES}
    for path in BUNDLE_FILES:
        for node in load(path).nodes:
            if isinstance(node, SubprocessNode):
                assert node.process in keys, f"{path.name}: {node.id} calls unknown process {node.process}"


def sample_customers() -> list[dict]:
    return json.loads(CUSTOMERS.read_text(encoding="utf-8"))["customers"]


def test_sample_customers_are_valid_customers_with_unique_ids():
    customers = [Customer.model_validate(c) for c in sample_customers()]
    assert len(customers) >= 10
    assert len({c.id for c in customers}) == len(customers)
    assert len({c.number for c in customers}) == len(customers)


@pytest.mark.parametrize("customer", sample_customers(), ids=lambda c: c["id"])
def test_sample_customer_has_a_valid_iban_and_a_dutch_postcode(customer: dict):
    assert iban_is_valid(customer["iban"]), customer["iban"]
    postcode = customer["address"]["postcode"]
    assert len(postcode) == 7 and postcode[:4].isdigit() and postcode[4] == " " and postcode[5:].isalpha()
    assert customer["language"] in ("nl", "en")
