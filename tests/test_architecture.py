"""The layers DESIGN.md draws hold: designer -> runtime -> codegen -> models, and the doors never reach the store.

import-linter checks the imports (the contracts are in pyproject.toml); a check of the syntax trees makes sure no
door touches a runtime's `.store` even through an object it was handed.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("models", "codegen", "runtime", "designer")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"], cwd=root,
                          capture_output=True, text=True, timeout=300, env={"PYTHONPATH": str(root), "PATH": ""})


def test_the_layer_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_the_contracts_catch_a_wrong_way_import(tmp_path: Path):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "models" / "wrong_way.py").write_text("from runtime.service import Runtime\n")
    (tmp_path / "designer" / "into_the_store.py").write_text("from runtime.storage.memory import MemoryStore\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "models.wrong_way -> runtime.service" in result.stdout
    assert "designer.into_the_store -> runtime.storage.memory" in result.stdout
    assert "Contracts: 0 kept, 2 broken." in result.stdout


def test_no_door_touches_the_store():
    touches = []
    for path in sorted((ROOT / "designer").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and node.attr == "store":
                touches.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert touches == [], "designer/ reads or writes the store directly: " + ", ".join(touches)
