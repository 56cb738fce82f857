"""Server-side checking of a filled-in form, by a pydantic model built from the form at run time.

The model has one field per input (by field id) and, per repeating group, a
list of row models. Before pydantic checks the fields, the form's visibility
expressions decide what the agent saw: a hidden field, section or group is
neither checked nor submitted. Each field then meets the rules of its kind
(`rules.py`: required, type, min/max, pattern, options) and its validation
expressions. Errors come back per field, in plain language, keyed by field
path (`amount`, `lines[2].price`); a submission with any error saves nothing.
The agent's form (`view.py`) runs this same check as the server.
"""

from __future__ import annotations

import json
from collections import ChainMap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WrapValidator,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from codegen.forms.rules import Bounds, FieldRules, exact, field_rules, is_editable, is_empty
from models.data import Variable
from models.errors import FlowdeskError
from models.expressions import CompiledExpression, ExpressionError, ExprType, type_of_variable
from models.forms import Form, InputField, RepeatingGroup, Section
from models.phrases import Phrase, phrase_of

#: Compiles an expression with extra names (e.g. `value`) on top of the case data:
#: `ProcessVersion.expression(source, expect, extra)`.
Compiler = Callable[[str, ExprType | None, Mapping[str, ExprType]], CompiledExpression]


@dataclass(frozen=True)
class Submission:
    """A form checked over the case's values.

    `values`: variable -> canonical value of every visible field that is right
    (a group's variable -> its rows); `errors`: field path -> what is wrong, in English
    (`phrases`: the same as phrased, for a page to say in its reader's language);
    `hidden`: paths of the fields, sections, groups and row fields not shown.
    """

    values: dict[str, Any]
    errors: dict[str, str]
    hidden: frozenset[str] = field(default_factory=frozenset)
    phrases: dict[str, Phrase | str] = field(default_factory=dict)


def check_submission(form: Form, variables: Mapping[str, Variable], entered: Mapping[str, Any],
                     case_values: Mapping[str, Any], compile_: Compiler) -> Submission:
    """Check `entered` (variable -> value) on `form`; variables not entered keep their case value.

    For callers without a published version (the designer's previews, the agent's form): the
    prepared form is kept by content. A published version keeps its own (`PreparedForm`).

    >>> from models.expressions import compile_expression, names_for
    >>> amount = Variable(name="amount", type="money")
    >>> form = Form(id="f", fields=[InputField(id="amount", kind="money", label="Amount", variable="amount",
    ...                                        required=True, min=1)])
    >>> def compile_(source, expect, extra):
    ...     return compile_expression(source, names_for([amount], extra=extra), expect=expect)
    >>> check_submission(form, {"amount": amount}, {"amount": "0,50"}, {}, compile_).errors
    {'amount': "'Amount' must be at least 1"}
    >>> check_submission(form, {"amount": amount}, {"amount": "1.234,50"}, {}, compile_).values
    {'amount': Decimal('1234.50')}
    """
    prepared = _prepared_by_content(form.model_dump_json(), _variables_json(variables))
    return prepared.check(entered, case_values, compile_)


def validate_submission(form: Form, variables: Mapping[str, Variable], entered: Mapping[str, Any],
                        case_values: Mapping[str, Any], compile_: Compiler) -> dict[str, str]:
    """Field path -> what is wrong, for the form filled with `entered` over the case's current values."""
    return check_submission(form, variables, entered, case_values, compile_).errors


class PreparedForm:
    """A form ready to check submissions: its pydantic model and each field's rules, built once.

    Building the model is most of a first check; a published version keeps one per form
    (`ProcessVersion.prepared_form`), so a submission pays only for checking its values.
    `variables` are the case variables the form's fields write.
    """

    def __init__(self, form: Form, variables: Mapping[str, Variable]) -> None:
        self.form = form
        self.variables = frozenset(e.variable for e in form.walk() if getattr(e, "variable", None))
        self.groups = [(group, _editable_rules(group, variables.get(group.variable))) for group in form.walk()
                       if isinstance(group, RepeatingGroup)]
        self.top_level = [(element, field_rules(element, variables.get(element.variable)))
                          for element in top_level(form)]
        self.model, self.fields = self._model(variables)

    def check(self, entered: Mapping[str, Any], case_values: Mapping[str, Any], compile_: Compiler) -> Submission:
        """Check `entered` (variable -> value); variables not entered keep their value in `case_values`."""
        context = _Context(case_values, compile_)
        try:
            checked = self.model.model_validate(entered, context=context)
        except ValidationError as failure:
            phrases = _errors(failure)
            return Submission({}, {path: str(problem) for path, problem in phrases.items()},
                              frozenset(context.hidden), phrases)
        values = {}
        for name, element in self.fields.items():
            value = getattr(checked, name)
            if value is not _HIDDEN:
                values[element.variable] = value
        return Submission(values, {}, frozenset(context.hidden))

    def _model(self, variables: Mapping[str, Variable]) -> tuple[type[BaseModel],
                                                                 dict[str, InputField | RepeatingGroup]]:
        """The pydantic model of the form and its field name -> element."""
        definitions: dict[str, Any] = {}
        elements: dict[str, InputField | RepeatingGroup] = {}
        rules = {id(element): found for element, found in self.top_level}
        groups = {id(group): editable for group, editable in self.groups}
        for element in self.form.walk():
            name = f"f{len(elements)}"
            if isinstance(element, RepeatingGroup):
                row_model = _row_model(element, variables.get(element.variable), groups[id(element)])
                check = WrapValidator(_group_check(element, row_model))
                definitions[name] = (Annotated[list[row_model], check],
                                     Field(default=None, alias=element.id, validate_default=True))
                elements[name] = element
            elif id(element) in rules:
                variable = variables.get(element.variable)
                check = AfterValidator(_field_check(rules[id(element)], _type(variable), {}))
                definitions[name] = (Annotated[Any, check], Field(default=None, alias=element.id,
                                                                  validate_default=True))
                elements[name] = element

        def prepare(cls: type[BaseModel], entered: Any, handler: Callable, info: ValidationInfo) -> Any:
            return _prepare_form(self, entered, handler, info.context)

        model = create_model(f"Form_{self.form.id}", __config__=ConfigDict(extra="ignore"),
                             __validators__={"prepare": model_validator(mode="wrap")(prepare)}, **definitions)
        return model, elements


# -- the model -------------------------------------------------------------------------------------

class _Hidden:
    def __repr__(self) -> str:
        return "<hidden>"


#: Stands in for the value of a field the agent did not see.
_HIDDEN = _Hidden()


class _Context:
    """What the model's validators share while checking one submission."""

    def __init__(self, case_values: Mapping[str, Any], compile_: Compiler) -> None:
        self.case_values = case_values
        self.compile = compile_
        self.scopes: list[Mapping[str, Any]] = []
        self.hidden: set[str] = set()
        self.rows_hidden: list[set[str]] = []


def _variables_json(variables: Mapping[str, Variable]) -> str:
    return json.dumps([v.model_dump(mode="json") for _, v in sorted(variables.items())])


@lru_cache(maxsize=256)
def _prepared_by_content(form_json: str, variables_json: str) -> PreparedForm:
    """The prepared form of a form and case data given as JSON (what `check_submission` keeps)."""
    variables = {v["name"]: Variable.model_validate(v) for v in json.loads(variables_json)}
    return PreparedForm(Form.model_validate_json(form_json), variables)


def _editable_rules(group: RepeatingGroup, variable: Variable | None) -> list[tuple[InputField, FieldRules]]:
    """The rules of each field an agent enters in a row of `group` (`variable`: the group's list of records)."""
    record_fields = {f.name: f for f in variable.fields} if variable else {}
    return [(element, field_rules(element, record_fields.get(element.variable)))
            for element in group.fields if is_editable(element)]


def _row_model(group: RepeatingGroup, variable: Variable | None,
               editable: list[tuple[InputField, FieldRules]]) -> type[BaseModel]:
    """The model of one row of `group`, whose fields the agent enters are `editable` (with their rules)."""
    record_fields = {f.name: f for f in variable.fields} if variable else {}
    row_types = {name: type_of_variable(f) for name, f in record_fields.items()}
    definitions: dict[str, Any] = {}
    for number, (element, rules) in enumerate(editable):
        check = AfterValidator(_field_check(rules, _type(record_fields.get(element.variable)), row_types))
        definitions[f"f{number}"] = (Annotated[Any, check], Field(default=None, alias=element.id,
                                                                  validate_default=True))

    def prepare(cls: type[BaseModel], row: Any, handler: Callable, info: ValidationInfo) -> Any:
        return _prepare_row(group, editable, row_types, row, handler, info.context)

    return create_model(f"Row_{group.id}", __config__=ConfigDict(extra="ignore"),
                        __validators__={"prepare": model_validator(mode="wrap")(prepare)}, **definitions)


def top_level(form: Form) -> list[InputField]:
    """The fields the agent enters outside repeating groups, in display order."""
    in_groups = {id(f) for e in form.walk() if isinstance(e, RepeatingGroup) for f in e.fields}
    return [e for e in form.walk() if isinstance(e, InputField) and id(e) not in in_groups and is_editable(e)]


def _type(variable: Variable | None) -> ExprType:
    return type_of_variable(variable) if variable else ExprType.ANY


# -- visibility: what the agent saw ---------------------------------------------------------------

def _prepare_form(prepared: PreparedForm, entered: Any, handler: Callable, context: _Context) -> Any:
    if not isinstance(entered, Mapping):
        raise _refused(Phrase("expected the form's values by variable name"))

    def value_of(variable: str) -> Any:
        return entered[variable] if variable in entered else context.case_values.get(variable)

    readable: dict[str, Any] = {}
    for group, editable in prepared.groups:
        rows = value_of(group.variable)
        readable[group.variable] = [_readable_row(editable, row) for row in rows] if isinstance(rows, list) else None
    for element, rules in prepared.top_level:
        readable[element.variable] = _readable(rules, value_of(element.variable))
    scope = ChainMap(readable, context.case_values)
    data: dict[str, Any] = {}
    _visit(prepared.form.fields, True, scope, value_of, context, data)
    context.scopes.append(scope)
    try:
        return handler(data)
    finally:
        context.scopes.pop()


def _visit(elements: list, shown: bool, scope: Mapping[str, Any], value_of: Callable[[str], Any], context: _Context,
           data: dict[str, Any]) -> None:
    """Note in `data` what the agent saw of `elements` (`_HIDDEN` for the rest, also noted in `context.hidden`).
    A function of its own, not a closure calling itself: that closure would keep each submission alive as cyclic
    garbage."""
    for element in elements:
        seen = shown and _visible(element, scope, {}, context)
        if not seen:
            context.hidden.add(element.id)
        if isinstance(element, Section):
            _visit(element.fields, seen, scope, value_of, context, data)
        elif isinstance(element, RepeatingGroup) or is_editable(element):
            data[element.id] = value_of(element.variable) if seen else _HIDDEN


def _prepare_row(group: RepeatingGroup, editable: list[tuple[InputField, FieldRules]],
                 row_types: Mapping[str, ExprType], row: Any, handler: Callable, context: _Context) -> Any:
    hidden: set[str] = set()
    context.rows_hidden.append(hidden)
    if not isinstance(row, Mapping):
        raise _refused(Phrase("this row is not a record of fields"))
    scope = ChainMap(_readable_row(editable, row), context.scopes[-1])
    data = {}
    for element in group.fields:
        seen = _visible(element, scope, row_types, context)
        if not seen:
            hidden.add(element.id)
        if is_editable(element):
            data[element.id] = row.get(element.variable) if seen else _HIDDEN
    context.scopes.append(scope)
    try:
        return handler(data)
    finally:
        context.scopes.pop()


def _readable(rules: FieldRules, value: Any) -> Any:
    """The value as expressions see it, or None while it cannot be read (its own check says why)."""
    if is_empty(value):
        return None
    try:
        return rules.kind.parse(value)
    except ValueError:
        return None


def _readable_row(editable: list[tuple[InputField, FieldRules]], row: Any) -> Any:
    if not isinstance(row, Mapping):
        return {}
    readable = dict(row)
    for element, rules in editable:
        readable[element.variable] = _readable(rules, row.get(element.variable))
    return readable


def _visible(element: InputField | Section | RepeatingGroup, scope: Mapping[str, Any],
             extra: Mapping[str, ExprType], context: _Context) -> bool:
    """Whether the element shows; a condition that cannot be worked out yet (a value missing) hides it."""
    if not element.visible_when:
        return True
    try:
        return bool(context.compile(element.visible_when, ExprType.BOOLEAN, extra).evaluate(scope))
    except FlowdeskError:
        return False


# -- the checks -----------------------------------------------------------------------------------

def _field_check(rules: FieldRules, value_type: ExprType, row_types: Mapping[str, ExprType]) -> Callable:
    def check(value: Any, info: ValidationInfo) -> Any:
        if value is _HIDDEN:
            return _HIDDEN
        result = _checked(rules, value, value_type, row_types, info.context)
        if isinstance(result, _Problem):
            raise _refused(result.message)
        return result

    return check


@dataclass(frozen=True)
class _Problem:
    message: Phrase | str


def _checked(rules: FieldRules, value: Any, value_type: ExprType, row_types: Mapping[str, ExprType],
             context: _Context) -> Any:
    """The canonical value, or the problem with it."""
    label = rules.label
    if is_empty(value):
        return _Problem(Phrase("'{field}' is required", field=label)) if rules.field.required else None
    try:
        value = rules.kind.parse(value)
    except ValueError as error:
        return _Problem(phrase_of(error))
    problem = _rule_problem(rules, value, context)
    if problem:
        return _Problem(problem)
    scope = ChainMap({"value": value, rules.field.variable: value}, context.scopes[-1])
    extra = {**row_types, "value": value_type}
    for validation in rules.field.validations:
        try:
            holds = context.compile(validation.expression, ExprType.BOOLEAN, extra).evaluate(scope)
        except ExpressionError as error:  # its hint is for the form's author, not the agent
            return _Problem(Phrase("'{field}' cannot be checked: {problem}", field=label,
                                   problem=error.message_phrase))
        if not holds:
            return _Problem(validation.message)
    return value


def _rule_problem(rules: FieldRules, value: Any, context: _Context) -> Phrase | None:
    label = rules.label
    if rules.kind.bounds is Bounds.VALUE:
        if rules.minimum is not None and exact(value) < rules.minimum:
            return Phrase("'{field}' must be at least {minimum}", field=label, minimum=rules.minimum)
        if rules.maximum is not None and exact(value) > rules.maximum:
            return Phrase("'{field}' must be at most {maximum}", field=label, maximum=rules.maximum)
    if rules.min_length is not None and len(value) < rules.min_length:
        return Phrase("'{field}' needs at least {count} characters", field=label, count=rules.min_length)
    if rules.max_length is not None and len(value) > rules.max_length:
        return Phrase("'{field}' may have at most {count} characters", field=label, count=rules.max_length)
    if rules.pattern:
        return _pattern_problem(rules, value, context)
    if rules.options is not None and value not in [o.value for o in rules.options]:
        return Phrase("'{field}' must be one of the options offered ({options})", field=label,
                      options=[o.display for o in rules.options])
    return None


def _pattern_problem(rules: FieldRules, value: str, context: _Context) -> Phrase | None:
    """Patterns run as the expression language's `matches`: RE2, in linear time, whatever the pattern."""
    try:
        matches = context.compile(f"value.matches({json.dumps(rules.pattern)})", ExprType.BOOLEAN,
                                  {"value": ExprType.TEXT}).evaluate({"value": value})
    except ExpressionError as error:
        return Phrase("'{field}' cannot be checked: its pattern is broken ({problem}); tell the process owner",
                      field=rules.label, problem=error.message_phrase)
    return None if matches else Phrase("'{field}' is not in the expected form", field=rules.label)


def _group_check(group: RepeatingGroup, row_model: type[BaseModel]) -> Callable:
    row_fields = {name: element for name, element in
                  zip(row_model.model_fields, [f for f in group.fields if is_editable(f)], strict=True)}
    form_variables = {f.variable for f in group.fields}

    def check(rows: Any, handler: Callable, info: ValidationInfo) -> Any:
        context: _Context = info.context
        if rows is _HIDDEN:
            return _HIDDEN
        rows = [] if is_empty(rows) else rows
        if not isinstance(rows, list):
            raise _refused(Phrase("'{field}' expects a list of rows", field=group.label))
        if len(rows) < group.min_items:
            raise _refused(Phrase("'{field}' needs at least {count} row(s)", field=group.label,
                                  count=group.min_items))
        if len(rows) > group.max_items:
            raise _refused(Phrase("'{field}' may have at most {count} rows", field=group.label,
                                  count=group.max_items))
        first = len(context.rows_hidden)
        try:
            checked = handler(rows)
        finally:
            for number, hidden in enumerate(context.rows_hidden[first:], start=1):
                context.hidden.update(f"{group.id}[{number}].{element}" for element in hidden)
            del context.rows_hidden[first:]
        result = []
        for row, model in zip(rows, checked, strict=True):
            kept = {k: v for k, v in row.items() if k not in form_variables}
            for name, element in row_fields.items():
                value = getattr(model, name)
                if value is not _HIDDEN:
                    kept[element.variable] = value
            result.append(kept)
        return result

    return check


def _refused(message: Phrase | str) -> PydanticCustomError:
    """A field's problem for pydantic to report; `_errors` takes its phrase back out."""
    return PydanticCustomError("flowdesk", "{message}", {"message": message})


def _errors(failure: ValidationError) -> dict[str, Phrase | str]:
    errors: dict[str, Phrase | str] = {}
    for error in failure.errors(include_url=False):
        path = ""
        for part in error["loc"]:
            path += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        phrased = error.get("ctx", {}).get("message")
        errors.setdefault(path or "(form)", phrased if isinstance(phrased, Phrase) else error["msg"])
    return errors
