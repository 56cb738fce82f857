"""A published version ready to run: its bundle, lookups and compiled expressions.

Built once per version hash and shared by every case on that version, so a
step never re-parses the model or an expression.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from codegen.forms.validator import PreparedForm
from models.bundle import Bundle
from models.data import Variable
from models.decision_tables import DecisionTable, cell_condition
from models.expressions import CompiledExpression, ExprType, compile_expression, names_for, type_of_variable
from models.nodes import Edge, NodeBase
from models.values import normalise_value, to_json_value
from runtime.documents import Version


class ProcessVersion:
    """The runnable form of one published version."""

    def __init__(self, version: Version, bundle: Bundle) -> None:
        self.version = version
        self.bundle = bundle
        self.nodes: dict[str, NodeBase] = {node.id: node for node in bundle.nodes}
        self.variables: dict[str, Variable] = {v.name: v for v in bundle.variables}
        self.outgoing: dict[str, list[Edge]] = defaultdict(list)
        self.incoming: dict[str, list[Edge]] = defaultdict(list)
        for edge in bundle.edges:  # model order, which decisions follow
            self.outgoing[edge.source].append(edge)
            self.incoming[edge.target].append(edge)
        self._compiled: dict[tuple, CompiledExpression] = {}
        self._forms: dict[str, PreparedForm | None] = {}

    @classmethod
    def of_draft(cls, bundle: Bundle) -> ProcessVersion:
        """An unpublished bundle made runnable (number 0), for the designer's previews, test bench and test-runs."""
        version = Version(process_key=bundle.key, number=0, hash="draft", name=bundle.name, author="",
                          published_at=datetime.now(UTC))
        return cls(version, bundle)

    @property
    def hash(self) -> str:
        return self.version.hash

    @cached_property
    def defaults(self) -> dict[str, Any]:
        """The declared default of every variable that has one, in canonical form: what expressions and letters
        read while nobody has set the variable."""
        return {v.name: normalise_value(v, v.default) for v in self.bundle.variables if v.default is not None}

    def data_read(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """A case's `data` (JSON) as the process reads it: with the declared default of what nobody set."""
        return to_json_value(self.defaults) | dict(data)

    @cached_property
    def names(self) -> dict[str, ExprType]:
        return names_for(self.bundle.variables)

    def variable_type(self, name: str) -> ExprType | None:
        variable = self.variables.get(name)
        return type_of_variable(variable) if variable else None

    def expression(self, source: str, expect: ExprType | None = None,
                   extra: Mapping[str, ExprType] | None = None) -> CompiledExpression:
        """The compiled expression, compiled on first use and kept for the version's lifetime.

        `extra` adds names beside the case data, such as `value` in a field's validation.
        """
        key = (source, expect, tuple(sorted(extra.items(), key=lambda item: item[0])) if extra else ())
        compiled = self._compiled.get(key)
        if compiled is None:
            names = {**self.names, **extra} if extra else self.names
            compiled = self._compiled[key] = compile_expression(source, names, expect=expect)
        return compiled

    def prepared_form(self, form_id: str | None) -> PreparedForm | None:
        """The form ready to check submissions, prepared on first use and kept (None without such a form)."""
        if not form_id:
            return None
        if form_id not in self._forms:
            form = self.bundle.form(form_id)
            self._forms[form_id] = PreparedForm(form, self.variables) if form is not None else None
        return self._forms[form_id]

    def table_condition(self, table: DecisionTable, column: int, cell: str) -> CompiledExpression | None:
        condition = cell_condition(table.inputs[column].expression, cell)
        return self.expression(condition, ExprType.BOOLEAN) if condition else None

    def starts(self) -> list[NodeBase]:
        return [node for node in self.bundle.nodes if node.kind == "start"]
