"""Running a compiled expression: values in by static type, result out by static type.

Everything expensive happened at compile time; `evaluate` converts only the
names the expression reads, runs the prepared CEL program and converts the
result. Whatever goes wrong at this point becomes an `EvaluationError` with a
plain reason — most often a value that is not filled in yet — never a raw
exception from the CEL library.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from models.expressions.cel_library import cel
from models.expressions.convert import Converter, WrongKind
from models.expressions.errors import EvaluationError
from models.expressions.library import FAULT_MESSAGES, fault_code
from models.expressions.types import ExprType
from models.phrases import Phrase

if TYPE_CHECKING:
    from cel import Program

#: One value the CEL program needs: (name in `values`, CEL variable, converter, fields read from it).
#: With fields, the variable carries just `name.f1.f2`; without, the whole value.
Input = tuple[str, str, Converter | None, tuple[str, ...]]

#: Names the runtime fills from its clock; reading one that was not passed is an error, not "no value".
CLOCK_NAMES = frozenset(("now", "today"))

_NATIVE_FUNCTION_ERRORS = {
    "int": Phrase("the text is not a whole number"),
    "double": Phrase("the text is not a number"),
    "timestamp": Phrase("a date is out of range"),
    "duration": Phrase("the text is not a duration (write e.g. 48h)"),
    "matches": Phrase("the pattern is not a valid regular expression"),
    "getMilliseconds": Phrase("a period of time is too long"),
}


class CompiledExpression:
    """An expression checked against the names it may use and ready to run.

    `type` is what `evaluate` returns (money as Decimal, numbers as int or float,
    dates as `datetime.date`); `names` are the top-level names it reads.
    """

    __slots__ = ("_functions", "_inputs", "_output", "_program", "cel_source", "names", "source", "type")

    source: str
    type: ExprType
    names: frozenset[str]
    cel_source: str

    def __init__(self, *, source: str, type: ExprType, cel_source: str, program: Program,
                 inputs: tuple[Input, ...], functions: dict[str, Any], output: Converter | None) -> None:
        self.source = source
        self.type = type
        self.names = frozenset(name for name, _, _, _ in inputs)
        self.cel_source = cel_source
        self._program = program
        self._inputs = inputs
        self._functions = functions
        self._output = output

    def __repr__(self) -> str:
        return f"CompiledExpression({self.source!r}, type={self.type})"

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        """The value of the expression for `values` (canonical Python values by name).

        A name that is missing from `values` or None has no value yet; that only
        matters if the expression actually needs it (`x == null` does not).
        """
        arguments: dict[str, Any] = {}
        for name, key, convert, fields in self._inputs:
            value = values.get(name)
            if value is None:
                if name in CLOCK_NAMES and name not in values:
                    raise self._failure(f"'{name}' is not available here",
                                        "the runtime passes the current time as 'now' and 'today'")
                arguments[key] = None
            elif convert is None:
                arguments[key] = value
            else:
                try:
                    arguments[key] = convert(value)
                except WrongKind as error:
                    raise self._failure(f"'{_label(name, fields)}' {error}", None) from error
        try:
            if self._functions:
                result = self._program.execute(cel().Context(arguments, self._functions))
            else:
                result = self._program.execute(arguments)
        except Exception as error:
            raise self._explain(error, values) from error
        if self._output is None:
            return result
        try:
            return self._output(result)
        except ValueError as error:
            raise self._failure(str(error), None) from error

    # -- turning failures into plain words -----------------------------------------

    def _failure(self, reason: Phrase | str, hint: Phrase | None) -> EvaluationError:
        shown = " ".join(self.source.split())
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return EvaluationError(Phrase("cannot work out `{expression}`: {reason}", expression=shown, reason=reason),
                               source=self.source, hint=hint)

    def _explain(self, error: Exception, values: Mapping[str, Any]) -> EvaluationError:
        text = str(error)
        code = fault_code(text)
        missing = self._missing(values)
        if code is not None and code != "no_value":
            return self._failure(FAULT_MESSAGES.get(code, Phrase("a value could not be worked out")), None)
        if isinstance(error, ZeroDivisionError):
            return self._failure(FAULT_MESSAGES["division_by_zero"], None)
        if isinstance(error, OverflowError):
            return self._failure(FAULT_MESSAGES["too_large"], None)
        if isinstance(error, IndexError):
            return self._failure(Phrase("a list has no item at that position"),
                                 Phrase("check {example} first", example="size(list)"))
        if missing and (code == "no_value" or isinstance(error, TypeError | KeyError | RuntimeError)):
            return self._failure(_no_value(missing), Phrase("check for a value first, e.g. {example}",
                                                            example="x != null && ..."))
        if code == "no_value":
            return self._failure(FAULT_MESSAGES["no_value"], None)
        for function, reason in _NATIVE_FUNCTION_ERRORS.items():
            if f"Function '{function}' error" in text:
                return self._failure(reason, None)
        return self._failure(Phrase("the values do not fit this expression"), None)

    def _missing(self, values: Mapping[str, Any]) -> list[str]:
        """Referenced names and fields without a value, else empty fields inside referenced records."""
        missing: dict[str, None] = {}
        for name, _, _, fields in self._inputs:
            value = values.get(name)
            if value is None:
                missing[name] = None
            elif fields and _read(value, fields) is None:
                missing[_label(name, fields)] = None
        if not missing:
            for name, _, _, fields in self._inputs:
                if not fields:
                    missing.update(dict.fromkeys(_empty_fields(name, values.get(name))))
        return list(missing)


def _label(name: str, fields: tuple[str, ...]) -> str:
    return ".".join((name, *fields))


def _read(value: Any, fields: tuple[str, ...]) -> Any:
    for field in fields:
        value = value.get(field) if isinstance(value, Mapping) else getattr(value, field, None)
        if value is None:
            return None
    return value


def _empty_fields(path: str, value: Any) -> list[str]:
    if isinstance(value, Mapping):
        found: list[str] = []
        for key, item in value.items():
            if item is None:
                found.append(f"{path}.{key}")
            elif isinstance(item, Mapping):
                found.extend(_empty_fields(f"{path}.{key}", item))
        return found
    if isinstance(value, list):
        fields: dict[str, None] = {}
        for item in value:
            if isinstance(item, Mapping):
                fields.update(dict.fromkeys(_empty_fields(path, item)))
        return list(fields)
    return []


def _no_value(names: list[str]) -> Phrase:
    shown: list[Phrase | str] = [f"'{n}'" for n in names[:3]]
    if len(names) > 3:
        shown.append(Phrase("{count} more", count=len(names) - 3))
    if len(shown) == 1:
        return Phrase("{name} has no value yet", name=shown[0])
    return Phrase("{names} and {last} have no value yet", names=shown[:-1], last=shown[-1])
