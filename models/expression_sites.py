"""Every expression in a bundle, with where it sits and what it must give.

Checks compile each one against the names it may use; the runtime compiles
the same list once per published version.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from models.bundle import Bundle
from models.decision_tables import DecisionTable, cell_condition
from models.expressions import ExprType, names_for, type_of_variable
from models.forms import InputField, RepeatingGroup, Section
from models.nodes import AutomaticNode, SendNode, SubprocessNode, TaskNode, WaitNode
from models.phrases import Phrase

BOOLEAN = (ExprType.BOOLEAN,)
TEXT = (ExprType.TEXT,)
DATES = (ExprType.DATE, ExprType.DATETIME)


@dataclass(frozen=True)
class ExpressionSite:
    """One expression: the element it belongs to, a plain description (phrased, for findings in the reader's
    language), its source, the types it may give (empty: any), and the names it may use."""

    element: str
    where: Phrase
    source: str
    accepts: tuple[ExprType, ...]
    names: Mapping[str, ExprType]


def expression_sites(bundle: Bundle, called: Mapping[str, Bundle] | None = None) -> Iterator[ExpressionSite]:
    """All expressions of `bundle`; `called` (process key -> bundle) adds subprocess mappings.

    >>> from models.nodes import Edge
    >>> b = Bundle(key="k", name="K", edges=[Edge(id="f", source="a", target="b", condition="x > 1")])
    >>> [(s.element, str(s.where)) for s in expression_sites(b)]
    [('f', 'the condition')]
    """
    names = names_for(bundle.variables)
    variable_types = {v.name: type_of_variable(v) for v in bundle.variables}
    for edge in bundle.edges:
        if edge.condition:
            yield ExpressionSite(edge.id, Phrase("the condition"), edge.condition, BOOLEAN, names)
    for node in bundle.nodes:
        if isinstance(node, AutomaticNode):
            for assignment in node.assignments:
                yield ExpressionSite(node.id, Phrase("the value for '{variable}'", variable=assignment.variable),
                                     assignment.expression,
                                     _one(variable_types.get(assignment.variable)), names)
        elif isinstance(node, SendNode) and node.recipient:
            yield ExpressionSite(node.id, Phrase("the recipient"), node.recipient, TEXT, names)
        elif isinstance(node, WaitNode) and node.until:
            yield ExpressionSite(node.id, Phrase("the date to wait until"), node.until, DATES, names)
        elif isinstance(node, TaskNode) and node.sla:
            for escalation in node.sla.escalations:
                if escalation.notify:
                    yield ExpressionSite(node.id, Phrase("whom to notify"), escalation.notify, TEXT, names)
        elif isinstance(node, SubprocessNode):
            yield from _subprocess_sites(node, names, variable_types, (called or {}).get(node.process))
    for table in bundle.decision_tables:
        yield from _table_sites(table, names, variable_types)
    for form in bundle.forms:
        yield from _form_sites(form.id, form.fields, names, variable_types)


def _subprocess_sites(node: SubprocessNode, names, variable_types, called: Bundle | None) -> Iterator[ExpressionSite]:
    child_types = {v.name: type_of_variable(v) for v in called.variables} if called else {}
    for mapping in node.inputs:
        yield ExpressionSite(node.id, Phrase("the value passed as '{variable}'", variable=mapping.target),
                             mapping.expression,
                             _one(child_types.get(mapping.target)), names)
    if called is not None:
        child_names = names_for(called.variables)
        for mapping in node.outputs:
            yield ExpressionSite(node.id, Phrase("the value returned into '{variable}'", variable=mapping.target),
                                 mapping.expression,
                                 _one(variable_types.get(mapping.target)), child_names)


def _table_sites(table: DecisionTable, names, variable_types) -> Iterator[ExpressionSite]:
    collected = variable_types.get(table.collect_into or "")
    fields = collected.element.fields if collected is not None and collected.element else {}
    for column in table.inputs:
        yield ExpressionSite(table.id, Phrase("input '{input}'", input=column.label or column.id), column.expression,
                             (), names)
    for rule in table.rules:
        for column, cell in zip(table.inputs, rule.when, strict=True):
            condition = cell_condition(column.expression, cell)
            if condition:
                yield ExpressionSite(table.id, Phrase("rule '{rule}', input '{input}'", rule=rule.id,
                                                      input=column.label or column.id), condition, BOOLEAN, names)
        for output, cell in zip(table.outputs, rule.then, strict=True):
            expect = fields.get(output.id) if table.collect_into else variable_types.get(table.output_variable(output))
            yield ExpressionSite(table.id, Phrase("rule '{rule}', output '{output}'", rule=rule.id,
                                                  output=output.label or output.id), cell, _one(expect), names)


def _form_sites(form_id: str, elements: list, names, variable_types) -> Iterator[ExpressionSite]:
    for element in elements:
        where = Phrase("field '{field}' on form '{form}'", field=element.label, form=form_id)
        if element.visible_when:
            yield ExpressionSite(element.id, Phrase("when {field} shows", field=where), element.visible_when, BOOLEAN,
                                 names)
        if isinstance(element, Section):
            yield from _form_sites(form_id, element.fields, names, variable_types)
        elif isinstance(element, RepeatingGroup):
            row = variable_types.get(element.variable)
            row_fields = row.element.fields if row is not None and row.element else {}
            yield from _form_sites(form_id, element.fields, {**names, **row_fields}, row_fields)
        elif isinstance(element, InputField):
            yield from _field_sites(where, element, names, variable_types)


def _field_sites(where: Phrase, field: InputField, names, variable_types) -> Iterator[ExpressionSite]:
    value_type = variable_types.get(field.variable or "")
    if field.default:
        yield ExpressionSite(field.id, Phrase("the default of {field}", field=where), field.default,
                             _one(value_type), names)
    with_value = {**names, "value": value_type or ExprType.ANY}
    for validation in field.validations:
        yield ExpressionSite(field.id, Phrase("a validation of {field}", field=where), validation.expression,
                             BOOLEAN, with_value)


def _one(expected: ExprType | None) -> tuple[ExprType, ...]:
    return (expected,) if expected is not None else ()
