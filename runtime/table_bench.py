"""The decision-table test bench: which sample values a table needs, and what it decides for them.

A business owner tries a table of a draft before publishing. The bench asks
for every case variable and customer field the table reads, checks the typed
values as case data is checked when a case starts (`runtime.engine.validate_data`),
and decides through the runtime's own table evaluation (`runtime.decision_tables`),
so a draft's table behaves on the bench exactly as it will in a running case.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from codegen.forms.rules import KIND_RULES
from models.bundle import Bundle
from models.customers import CUSTOMER_FIELDS
from models.data import DataType
from models.decision_tables import DecisionTable, HitPolicy
from models.editing.edits import expression_names
from models.errors import FlowdeskError
from models.expression_sites import expression_sites
from models.expressions import ExpressionError, compile_expression
from models.forms import FieldKind
from models.phrases import Phrase, phrase_of
from models.values import to_json_value
from runtime.case_values import Scope
from runtime.decision_tables import matching_rules, table_outputs
from runtime.documents import Case
from runtime.engine import validate_data
from runtime.errors import DataError
from runtime.process_version import ProcessVersion

#: Kinds of case data whose samples are read as a form field of that kind reads them (a decimal comma too).
_TYPED_AS = {DataType.MONEY: FieldKind.MONEY, DataType.NUMBER: FieldKind.NUMBER}

#: Where customer fields appear among the sample values: "customer.segment".
CUSTOMER = "customer"


@dataclass(frozen=True)
class SampleField:
    """One value the bench asks for: a case variable (`name`) or a customer field (`customer.<path>`)."""

    name: str
    label: str
    type: DataType
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class BenchResult:
    """What the table decided: the rows whose conditions hold (top to bottom), the rows the hit
    policy took, and the values set; or `error` saying why it cannot decide (English; `problem`: the same
    as phrased, for a page to say in its reader's language)."""

    matching: tuple[str, ...] = ()
    decisive: tuple[str, ...] = ()
    outputs: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    problem: Phrase | str = ""

    @classmethod
    def failed(cls, problem: Phrase | str, matching: tuple[str, ...] = ()) -> BenchResult:
        """The table could not decide, for `problem`."""
        return cls(matching=matching, error=str(problem), problem=problem)


def sample_fields(bundle: Bundle, table: DecisionTable) -> list[SampleField]:
    """The case variables and customer fields `table` reads, in the order of the case data.

    Lists of records cannot be typed on the bench and are left out; expressions
    that do not compile are the checks' business and are skipped here.

    >>> bundle = Bundle.model_validate({"key": "p", "name": "P", "variables": [
    ...     {"name": "amount", "type": "money"}, {"name": "note", "type": "text"}], "decision_tables": [
    ...     {"id": "t", "inputs": [{"id": "a", "expression": "amount"}, {"id": "s", "expression": "customer.segment"}],
    ...      "outputs": [{"id": "note"}], "rules": [{"id": "r", "when": ["> 10", '"premium"'], "then": ['"ok"']}]}]})
    >>> [(f.name, f.type.value) for f in sample_fields(bundle, bundle.decision_tables[0])]
    [('amount', 'money'), ('customer.segment', 'text')]
    """
    read: set[str] = set()
    sources: list[str] = []
    for site in expression_sites(bundle):
        if site.element != table.id:
            continue
        try:
            read |= compile_expression(site.source, site.names).names
        except ExpressionError:
            continue
        sources.append(site.source)
    fields = [SampleField(v.name, v.display, v.type, tuple(v.option_values()))
              for v in bundle.variables if v.name in read and v.type is not DataType.RECORDS]
    if CUSTOMER in read:
        fields += [SampleField(path, path, _customer_field_type(path)) for path in expression_names(bundle)
                   if path.startswith(f"{CUSTOMER}.")
                   and any(re.search(rf"(?<![\w.]){re.escape(path)}(?![\w.])", source) for source in sources)]
    return fields


def run_bench(bundle: Bundle, table_id: str, entered: Mapping[str, Any], now: datetime) -> BenchResult:
    """Decide `table_id` for the sample values `entered` (by `SampleField.name`; empty means no value).

    Values are JSON-like as typed (text, or yes/no as booleans), e.g.
    `{"disputed_amount": "80.00", "customer.segment": "premium"}`.
    """
    table = bundle.decision_table(table_id)
    if table is None:
        return BenchResult.failed(Phrase("There is no decision table '{table}'.", table=table_id))
    version = ProcessVersion.of_draft(bundle)
    data: dict[str, Any] = {}
    customer: dict[str, Any] = {}
    for name, value in entered.items():
        if value is None or value == "":
            continue
        if name.startswith(f"{CUSTOMER}."):
            *parents, leaf = name.split(".")[1:]
            place = customer
            for parent in parents:
                place = place.setdefault(parent, {})
            place[leaf] = value
        else:
            data[name] = _as_typed(version, name, value)
    try:
        values = validate_data(version, data)
    except FlowdeskError as error:
        return BenchResult.failed(Phrase("Check the sample values: {problems}",
                                         problems=error.phrases if isinstance(error, DataError) else phrase_of(error)))
    case = Case(id="bench", process_key=bundle.key, version=0, version_hash="draft", data=to_json_value(values),
                started_at=now, started_by="bench")
    scope = Scope(version, case, now, lambda: customer)
    try:
        matching = matching_rules(version, table, scope)
    except FlowdeskError as error:
        return BenchResult.failed(phrase_of(error))
    matched = tuple(rule.id for rule in matching)
    try:
        outputs = table_outputs(version, table, matching, scope)
    except FlowdeskError as error:
        return BenchResult.failed(phrase_of(error), matched)
    decisive = matched if table.hit_policy is HitPolicy.COLLECT else matched[:1]
    return BenchResult(matching=matched, decisive=decisive, outputs=to_json_value(outputs))


def _as_typed(version: ProcessVersion, name: str, value: Any) -> Any:
    """A sample amount or number read as a form field of its kind reads it (80,00 as well as 80.00); anything else,
    and what that reading refuses, as entered (the case data's check then says what is wrong)."""
    variable = version.variables.get(name)
    kind = _TYPED_AS.get(variable.type) if variable is not None else None
    if kind is None or not isinstance(value, str):
        return value
    try:
        return KIND_RULES[kind].parse(value)
    except ValueError:
        return value


def _customer_field_type(path: str) -> DataType:
    """The type of customer field `customer.<path>`."""
    spec: Any = CUSTOMER_FIELDS
    for part in path.split(".")[1:]:
        spec = spec[part]
    return spec
