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
                yield Problem(variable.name, f"The default of '{variable.display}' is not a valid "
                              f"{variable.type.value}: {error}.", "Correct the default or remove it.")

    def undeclared(element: str, what: str, name: str) -> Iterator[Problem]:
        if name not in declared:
            yield Problem(element, f"{what} writes '{name}', which is not declared in the case data.",
                          _declare_hint(name, declared))

    for node in bundle.nodes:
        if isinstance(node, AutomaticNode):
            for assignment in node.assignments:
                yield from undeclared(node.id, f"Step '{node.display}'", assignment.variable)
        elif isinstance(node, SubprocessNode):
            for mapping in node.outputs:
                yield from undeclared(node.id, f"Subprocess '{node.display}'", mapping.target)
            called = (ctx.known_processes or {}).get(node.process)
            for mapping in node.inputs if called else []:
                if called.variable(mapping.target) is None:
                    yield Problem(node.id, f"Subprocess '{node.display}' passes '{mapping.target}', which "
                                  f"process '{node.process}' does not declare.",
                                  "Pass only variables the called process declares.")
    for table in bundle.decision_tables:
        yield from _table_problems(table, declared)
    for form in bundle.forms:
        yield from _elements_problems(form.id, form.fields, declared)


def _table_problems(table: DecisionTable, declared: dict[str, Variable]) -> Iterator[Problem]:
    name = f"Decision table '{table.name or table.id}'"
    if table.collect_into is None:
        for output in table.outputs:
            target = table.output_variable(output)
            if target not in declared:
                yield Problem(table.id, f"{name} writes '{target}', which is not declared in the case data.",
                              _declare_hint(target, declared))
        return
    collected = yield from _records_variable(table.id, f"{name} collects into", table.collect_into, declared,
                                             "Collect into a records variable whose fields are the output columns.")
    if collected is not None:
        fields = {f.name for f in collected.fields}
        for output in table.outputs:
            if output.id not in fields:
                yield Problem(table.id, f"Output '{output.id}' of {name} is not a field of "
                              f"'{collected.name}'.",
                              f"Add a field '{output.id}' to '{collected.name}', or rename the output.")


def _records_variable(element: str, what: str, name: str, declared: dict[str, Variable],
                      hint: str) -> Generator[Problem, None, Variable | None]:
    """The records variable `name`, after reporting it when it is undeclared or not a list of records."""
    variable = declared.get(name)
    if variable is None:
        yield Problem(element, f"{what} '{name}', which is not declared.", _declare_hint(name, declared))
    elif variable.type is not DataType.RECORDS:
        yield Problem(element, f"{what} '{name}', which is {variable.type.value}, not a list of records.", hint)
    else:
        return variable
    return None


def _elements_problems(form_id: str, elements: list, declared: dict[str, Variable]) -> Iterator[Problem]:
    for element in elements:
        where = f"Field '{element.label}' on form '{form_id}'"
        if isinstance(element, Section):
            yield from _elements_problems(form_id, element.fields, declared)
        elif isinstance(element, RepeatingGroup):
            yield from _group_problems(where, element, declared)
        else:
            yield from _field_problems(where, element, declared)


def _group_problems(where: str, group: RepeatingGroup, declared: dict[str, Variable]) -> Iterator[Problem]:
    variable = yield from _records_variable(group.id, f"{where}, a repeating group, writes", group.variable,
                                            declared, "Bind the group to a records variable.")
    if variable is not None:
        fields = {f.name: f for f in variable.fields}
        for field in group.fields:
            yield from _field_problems(f"Field '{field.label}' in group '{group.label}'",
                                       field, fields, record=variable.name)


def _field_problems(
    where: str, field: InputField, declared: dict[str, Variable], record: str = ""
) -> Iterator[Problem]:
    scope = f"record '{record}'" if record else "the case data"
    if field.variable is None:
        yield Problem(field.id, f"{where} does not say which variable it shows or writes.",
                      "Choose the variable this field belongs to.")
        return
    variable = declared.get(field.variable)
    if variable is None:
        yield Problem(field.id, f"{where} uses '{field.variable}', which is not declared in {scope}.",
                      _declare_hint(field.variable, declared))
    elif variable.type not in FIELD_TYPES[field.kind]:
        yield Problem(field.id, f"{where} is a {field.kind.value.replace('_', ' ')} field, but "
                      f"'{variable.name}' is {variable.type.value}.",
                      "Change the field's kind or bind it to a variable of the fitting type.")
    elif field.kind is FieldKind.CHOICE and field.options:
        unknown = [o.value for o in field.options if o.value not in variable.option_values()]
        if unknown:
            yield Problem(field.id, f"{where} offers {', '.join(unknown)}, which "
                          f"'{variable.name}' does not allow.",
                          "Offer only the variable's options, or leave the field's options empty to use them.")


def _declare_hint(name: str, declared: dict[str, Variable]) -> str:
    close = get_close_matches(name, list(declared), n=1)
    if close:
        return f"Did you mean '{close[0]}'? Otherwise declare '{name}' in the case data."
    return f"Declare '{name}' in the case data."
