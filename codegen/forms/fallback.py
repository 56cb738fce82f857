"""A form for data entered where the process defines none: one field per case variable.

The test-run asks for start data on a start without a form, and for a task
without a form; the agent's generated form (`view.FormView`) then shows these
fields, so typed data is read and checked the same way as on a designed form.
"""

from __future__ import annotations

from collections.abc import Iterable

from models.data import DataType, Variable
from models.forms import FieldKind, Form, InputField, RepeatingGroup

_KINDS = {kind.value for kind in FieldKind}


def form_for_variables(form_id: str, variables: Iterable[Variable]) -> Form:
    """A form with a field for every variable (a repeating group for a list of records).

    >>> money = Variable(name="amount", type="money", label="Amount")
    >>> [(f.kind.value, f.label) for f in form_for_variables("start", [money]).fields]
    [('money', 'Amount')]
    """
    elements: list[InputField | RepeatingGroup] = []
    for variable in variables:
        if variable.type is DataType.RECORDS:
            elements.append(RepeatingGroup(id=variable.name, label=variable.display, variable=variable.name,
                                           fields=[_field(field) for field in variable.fields]))
        else:
            elements.append(_field(variable))
    return Form(id=form_id, fields=elements)


def _field(variable: Variable) -> InputField:
    """A field of the kind that writes this type (text for the types no field kind has, such as a date-time)."""
    kind = FieldKind(variable.type.value) if variable.type.value in _KINDS else FieldKind.TEXT
    return InputField(id=variable.name, kind=kind, label=variable.display, variable=variable.name,
                      options=variable.options if kind is FieldKind.CHOICE else [])
