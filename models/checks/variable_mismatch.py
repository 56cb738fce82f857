"""Whatever writes case data must write a declared variable of a fitting type.

Declared defaults must be valid values of their variable.

Assignments, decision-table outputs, form fields, repeating groups and
subprocess mappings name the variable they write; it must be declared in the
case data, and a form field must fit its variable's type (a money field
writes a money variable, a choice field a choice variable, and so on).
"""

from collections.abc import Generator, Iterator
from difflib import get_close_matches

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.data import DataType, Variable
from models.decision_tables import DecisionTable
from models.forms import FieldKind, InputField, RepeatingGroup, Section
from models.nodes import AutomaticNode, SubprocessNode
from models.phrases import Phrase
from models.values import normalise_value

#: Variable types each kind of form field can read and write.
FIELD_TYPES: dict[FieldKind, set[DataType]] = {
    FieldKind.TEXT: {DataType.TEXT},
    FieldKind.LONG_TEXT: {DataType.TEXT},
    FieldKind.NUMBER: {DataType.NUMBER},
    FieldKind.MONEY: {DataType.MONEY},
    FieldKind.DATE: {DataType.DATE},
    FieldKind.BOOLEAN: {DataType.BOOLEAN},
    FieldKind.CHOICE: {DataType.CHOICE},
    FieldKind.EMAIL: {DataType.EMAIL, DataType.TEXT},
    FieldKind.PHONE: {DataType.PHONE, DataType.TEXT},
    FieldKind.IBAN: {DataType.IBAN, DataType.TEXT},
    FieldKind.CUSTOMER_LOOKUP: {DataType.TEXT},
    FieldKind.CASE_VALUE: set(DataType),
}


def check(ctx: CheckContext) -> Iterator[Problem]:
    bundle = ctx.bundle
    declared = {v.name: v for v in bundle.variables}
    for variable in bundle.variables:
        if variable.default is not None:
            try:
                normalise_value(variable, variable.default)
            except ValueError as error:
                yield Problem(variable.name, Phrase("The default of '{name}' is not a valid {type}: {error}.",
                                                    name=variable.display, type=variable.type, error=str(error)),
                              Phrase("Correct the default or remove it."))

    for node in bundle.nodes:
        if isinstance(node, AutomaticNode):
            for assignment in node.assignments:
                yield from _undeclared(node.id, Phrase("Step '{name}'", name=node.display), assignment.variable,
                                       declared)
        elif isinstance(node, SubprocessNode):
            for mapping in node.outputs:
                yield from _undeclared(node.id, Phrase("Subprocess '{name}'", name=node.display), mapping.target,
                                       declared)
            called = (ctx.known_processes or {}).get(node.process)
            for mapping in node.inputs if called else []:
                if called.variable(mapping.target) is None:
                    yield Problem(node.id, Phrase("Subprocess '{name}' passes '{target}', which process '{process}' "
                                                  "does not declare.", name=node.display, target=mapping.target,
                                                  process=node.process),
                                  Phrase("Pass only variables the called process declares."))
    for table in bundle.decision_tables:
        yield from _table_problems(table, declared)
    for form in bundle.forms:
        yield from _elements_problems(form.id, form.fields, declared)


def _undeclared(element: str, what: Phrase, name: str, declared: dict[str, Variable]) -> Iterator[Problem]:
    if name not in declared:
        yield Problem(element, Phrase("{what} writes '{name}', which is not declared in the case data.", what=what,
                                      name=name), _declare_hint(name, declared))


def _table_problems(table: DecisionTable, declared: dict[str, Variable]) -> Iterator[Problem]:
    name = Phrase("Decision table '{table}'", table=table.name or table.id)
    if table.collect_into is None:
        for output in table.outputs:
            yield from _undeclared(table.id, name, table.output_variable(output), declared)
        return
    collected = yield from _records_variable(
        table.id, Phrase("{table} collects into", table=name), table.collect_into, declared,
        Phrase("Collect into a records variable whose fields are the output columns."))
    if collected is not None:
        fields = {f.name for f in collected.fields}
        for output in table.outputs:
            if output.id not in fields:
                yield Problem(table.id, Phrase("Output '{output}' of {table} is not a field of '{records}'.",
                                               output=output.id, table=name, records=collected.name),
                              Phrase("Add a field '{output}' to '{records}', or rename the output.",
                                     output=output.id, records=collected.name))


def _records_variable(element: str, what: Phrase, name: str, declared: dict[str, Variable],
                      hint: Phrase) -> Generator[Problem, None, Variable | None]:
    """The records variable `name`, after reporting it when it is undeclared or not a list of records."""
    variable = declared.get(name)
    if variable is None:
        yield Problem(element, Phrase("{what} '{name}', which is not declared.", what=what, name=name),
                      _declare_hint(name, declared))
    elif variable.type is not DataType.RECORDS:
        yield Problem(element, Phrase("{what} '{name}', which is {type}, not a list of records.", what=what,
                                      name=name, type=variable.type), hint)
    else:
        return variable
    return None


def _elements_problems(form_id: str, elements: list, declared: dict[str, Variable]) -> Iterator[Problem]:
    for element in elements:
        where = Phrase("Field '{field}' on form '{form}'", field=element.label, form=form_id)
        if isinstance(element, Section):
            yield from _elements_problems(form_id, element.fields, declared)
        elif isinstance(element, RepeatingGroup):
            yield from _group_problems(where, element, declared)
        else:
            yield from _field_problems(where, element, declared)


def _group_problems(where: Phrase, group: RepeatingGroup, declared: dict[str, Variable]) -> Iterator[Problem]:
    variable = yield from _records_variable(group.id, Phrase("{field}, a repeating group, writes", field=where),
                                            group.variable, declared,
                                            Phrase("Bind the group to a records variable."))
    if variable is not None:
        fields = {f.name: f for f in variable.fields}
        for field in group.fields:
            yield from _field_problems(Phrase("Field '{field}' in group '{group}'", field=field.label,
                                              group=group.label),
                                       field, fields, record=variable.name)


def _field_problems(
    where: Phrase, field: InputField, declared: dict[str, Variable], record: str = ""
) -> Iterator[Problem]:
    scope = Phrase("record '{record}'", record=record) if record else Phrase("the case data")
    if field.variable is None:
        yield Problem(field.id, Phrase("{field} does not say which variable it shows or writes.", field=where),
                      Phrase("Choose the variable this field belongs to."))
        return
    variable = declared.get(field.variable)
    if variable is None:
        yield Problem(field.id, Phrase("{field} uses '{name}', which is not declared in {scope}.", field=where,
                                       name=field.variable, scope=scope),
                      _declare_hint(field.variable, declared))
    elif variable.type not in FIELD_TYPES[field.kind]:
        yield Problem(field.id, Phrase("{field} is a {kind} field, but '{name}' is {type}.", field=where,
                                       kind=field.kind, name=variable.name, type=variable.type),
                      Phrase("Change the field's kind or bind it to a variable of the fitting type."))
    elif field.kind is FieldKind.CHOICE and field.options:
        unknown = [o.value for o in field.options if o.value not in variable.option_values()]
        if unknown:
            yield Problem(field.id, Phrase("{field} offers {options}, which '{name}' does not allow.", field=where,
                                           options=unknown, name=variable.name),
                          Phrase("Offer only the variable's options, or leave the field's options empty to use "
                                 "them."))


def _declare_hint(name: str, declared: dict[str, Variable]) -> Phrase:
    close = get_close_matches(name, list(declared), n=1)
    if close:
        return Phrase("Did you mean '{close}'? Otherwise declare '{name}' in the case data.", close=close[0],
                      name=name)
    return Phrase("Declare '{name}' in the case data.", name=name)
