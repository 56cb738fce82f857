"""Reading Flowdesk documents from disk for the command line.

A document is a process bundle or a file of sample customers
(`{"customers": [...]}`); folders stand for the `*.json` files in them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
from pydantic import TypeAdapter, ValidationError

from models import Bundle, BundleLoadError, LoadProblem
from models.checks import Finding, Severity
from models.customers import Customer
from models.json_input import JsonInputError, read_json, too_large
from models.serialization import MAX_BUNDLE_BYTES, bundle_from_document, problems_from_validation
from models.subprocess_calls import SubprocessCycleError, call_graph
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
            document.load_problems = [LoadProblem("", too_large(size, MAX_BUNDLE_BYTES))]
            return document
        data = read_json(path.read_bytes(), max_bytes=MAX_BUNDLE_BYTES)
    except OSError as error:
        document.load_problems = [LoadProblem("", f"cannot read the file: {error.strerror}")]
        return document
    except JsonInputError as error:
        document.load_problems = [error.problem]
        return document
    if _looks_like_customers(data):
        document.customers, document.load_problems = _read_customers(data["customers"])
        return document
    try:
        document.bundle = bundle_from_document(data, str(path))
    except BundleLoadError as error:
        document.load_problems = error.problems
    return document


def _looks_like_customers(data: Any) -> bool:
    return isinstance(data, dict) and "customers" in data and "key" not in data


def _read_customers(raw: Any) -> tuple[list[Customer] | None, list[LoadProblem]]:
    """Sample customers, validated like the store will: fields, types and IBAN check digits."""
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
    first_use: dict[str, int] = {}
    problems += [LoadProblem(f"customers[{i}].id", f"id '{c.id}' is used more than once")
                 for i, c in enumerate(customers) if first_use.setdefault(c.id, i) != i]
    return (customers if not problems else None), problems


def publication_order(bundles: dict[str, Bundle]) -> list[str]:
    """Process keys in an order that publishes every called process before its callers.

    Raises `SubprocessCycleError` naming the circle (a → b → a) when processes call each other.
    """
    graph = call_graph(bundles)
    try:
        return list(reversed(list(nx.topological_sort(graph))))
    except nx.NetworkXUnfeasible:
        circle = [caller for caller, _ in nx.find_cycle(graph)]
        raise SubprocessCycleError([*circle, circle[0]]) from None
