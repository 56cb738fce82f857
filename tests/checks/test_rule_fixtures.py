"""Every rule against its own fixtures (bpmnlint style).

tests/checks/<rule_module>/valid-*.json must give no finding of that rule;
invalid-*.json must give exactly the findings listed for it in that folder's
expected.json: {"invalid-x.json": [{"element": "id", "related": ["a", "b"]}]}
("related" is compared only where given).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models import Bundle, load_bundle
from models.checks import RULES, check, rule_code
from models.nodes import Edge, EndNode, StartNode

HERE = Path(__file__).parent
RULE_DIRS = {rule.__name__.rsplit(".", 1)[-1]: rule for rule in RULES}


def _fixtures(prefix: str) -> list[tuple[str, Path]]:
    return [
        (folder, path)
        for folder in sorted(RULE_DIRS)
        for path in sorted((HERE / folder).glob(f"{prefix}-*.json"))
    ]


def _known_processes() -> dict[str, Bundle]:
    """The one process fixtures may call as a subprocess."""
    called = Bundle(key="called-process", name="Called", nodes=[StartNode(id="s"), EndNode(id="e")],
                    edges=[Edge(id="f", source="s", target="e")])
    return {called.key: called}


#: Rules no structurally correct flow can break, so `check` (which runs soundness rules only on those) never
#: reports them; tests/soundness shows what they report on a broken flow. Every case of a structurally
#: correct flow can always reach an end unless a join waits forever (a deadlock) or the flow is too
#: intricate to verify (soundness-too-complex).
SAFETY_NETS = {"soundness_no_completion"}


def test_every_rule_has_valid_and_invalid_fixtures():
    for folder in RULE_DIRS:
        names = [p.name for p in (HERE / folder).glob("*.json")]
        assert any(n.startswith("valid-") for n in names), f"{folder} has no valid fixture"
        if folder not in SAFETY_NETS:
            assert any(n.startswith("invalid-") for n in names), f"{folder} has no invalid fixture"


@pytest.mark.parametrize(("folder", "path"), _fixtures("valid"), ids=lambda v: getattr(v, "name", v))
def test_valid_fixture_has_no_finding_of_its_rule(folder: str, path: Path):
    code = rule_code(RULE_DIRS[folder])
    findings = [f for f in check(load_bundle(path.read_bytes(), str(path)), _known_processes()) if f.code == code]
    assert findings == []


@pytest.mark.parametrize(("folder", "path"), _fixtures("invalid"), ids=lambda v: getattr(v, "name", v))
def test_invalid_fixture_gives_exactly_the_expected_findings(folder: str, path: Path):
    code = rule_code(RULE_DIRS[folder])
    expected = json.loads((HERE / folder / "expected.json").read_text())[path.name]
    findings = [f for f in check(load_bundle(path.read_bytes(), str(path)), _known_processes()) if f.code == code]
    assert sorted(f.element for f in findings) == sorted(e["element"] for e in expected)
    for finding in findings:
        assert finding.message, "a finding must say what is wrong"
        want = next(e for e in expected if e["element"] == finding.element)
        if "related" in want:
            assert sorted(finding.related) == sorted(want["related"])
