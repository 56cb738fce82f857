"""Reading Flowdesk documents from disk for the command line.

A document is a process bundle or a file of sample customers
(`{"customers": [...]}`); folders stand for the `*.json` files in them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from models import Bundle, BundleLoadError, LoadProblem, load_bundle
from models.checks import Finding, Severity
from models.customers import Customer
from models.nodes import SubprocessNode
from models.serialization import MAX_BUNDLE_BYTES, problems_from_validation, too_large
from models.values import iban_is_valid

_CUSTOMERS = TypeAdapter(list[Customer])


@dataclass
class CheckedDocument:
    """One file as read and checked: a bundle or customers, or why it could not be read."""

    path: Path
    bundle: Bundle | None = None
    customers: list[Customer] | None = None
    load_problems: list[LoadProblem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.load_problems) or any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def summary(self) -> str:
        if self.bundle is not None:
            return f"process '{self.bundle.key}' ({len(self.bundle.nodes)} nodes)"
        return f"{len(self.customers or [])} sample customers"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "process": self.bundle.key if self.bundle else None,
            "load_problems": [{"path": p.path, "message": p.message} for p in self.load_problems],
            "findings": [f.as_dict() for f in self.findings],
        }


def read_documents(paths: list[Path]) -> list[CheckedDocument]:
    """Read every named file, and the *.json files of every named folder, in order."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return [read_document(f) for f in files]


def read_document(path: Path) -> CheckedDocument:
    document = CheckedDocument(path)
    try:
        size = path.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            document.load_problems = [LoadProblem("", too_large(size))]
            return document
        data = path.read_bytes()
    except OSError as error:
        document.load_problems = [LoadProblem("", f"cannot read the file: {error.strerror}")]
        return document
    if _looks_like_customers(data):
        document.customers, document.load_problems = _read_customers(data)
        return document
    try:
        document.bundle = load_bundle(data, str(path))
    except BundleLoadError as error:
        document.load_problems = error.problems
    return document


def _looks_like_customers(data: bytes) -> bool:
    try:
        parsed = json.loads(data)
    except ValueError:
        return False
    return isinstance(parsed, dict) and "customers" in parsed and "key" not in parsed


def _read_customers(data: bytes) -> tuple[list[Customer] | None, list[LoadProblem]]:
    """Sample customers, validated like the store will: fields, types and IBAN check digits."""
    raw = json.loads(data)["customers"]
    try:
        customers = _CUSTOMERS.validate_python(raw)
    except ValidationError as error:
        problems = problems_from_validation(error)
        return None, [LoadProblem(f"customers{p.path}", p.message) for p in problems]
    problems = [
        LoadProblem(f"customers[{i}].iban", f"'{c.iban}' is not a valid IBAN")
        for i, c in enumerate(customers)
        if c.iban and not iban_is_valid(c.iban.replace(" ", ""))
    ]
    ids = [c.id for c in customers]
    problems += [LoadProblem(f"customers[{i}].id", f"id '{c}' is used more than once")
                 for i, c in enumerate(ids) if ids.index(c) != i]
    return (customers if not problems else None), problems


def publication_order(bundles: dict[str, Bundle]) -> list[str]:
    """Process keys in an order that publishes every called process before its callers."""
    order = TopologicalSorter({
        key: {n.process for n in bundle.nodes if isinstance(n, SubprocessNode) and n.process in bundles}
        for key, bundle in bundles.items()
    })
    return list(order.static_order())
