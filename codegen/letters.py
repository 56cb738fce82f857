"""Rendering letter, e-mail and SMS templates safely.

Templates are authored by business staff and filled with customer data, so
they run in Jinja2's immutable sandbox with `StrictUndefined` (a missing
placeholder is an error, never a blank in a sent letter; a value that is
empty in this case is an error too, never the word "None", though
`{% if note %}` and `note|default("...")` may test it), HTML autoescaping
for letters and e-mails, and limits on output size, loop length and render
time. Case data is passed as data: a customer named `{{7*7}}` is printed as
typed, because values are never parsed as template code.

On top of the sandbox, a template is vetted when it is compiled: it may read
data, test it, loop over it and pass it through an allow-list of filters, and
it may call nothing but `range()` and `loop.cycle()`. Attribute walks into
Python (`__globals__`, `__subclasses__`), `format`/`format_map`, the `attr`
filter, includes, imports and macros are refused with a message naming the
construct. Every loop step and every produced text is counted against the
budgets, so loop and size bombs stop with a clear message too.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import (
    StrictUndefined,
    Template,
    TemplateError,
    Undefined,
    UndefinedError,
    meta,
    nodes,
    pass_environment,
    pass_eval_context,
)
from jinja2.compiler import CodeGenerator, Frame
from jinja2.filters import FILTERS, do_join, do_replace, do_sum
from jinja2.nodes import EvalContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from codegen.formatting import LetterFormats
from codegen.markup import letter_html
from models.errors import FlowdeskError
from models.letters import Letter, LetterChannel
from models.phrases import Phrase, phrase_of
from models.templates import ALLOWED_FILTERS, FLOWDESK_FILTERS, FORMATTING_ATTRIBUTES, construct_problem

MAX_OUTPUT_CHARS = 200_000
MAX_RENDER_SECONDS = 2.0
MAX_RANGE = 10_000
#: Loop steps in one render, all loops together.
MAX_LOOP_STEPS = 100_000
#: The largest exponent `**` may use (on numbers other than -1, 0 and 1).
MAX_EXPONENT = 100
#: Numbers in a template may have at most this many bits (about 300 digits).
MAX_NUMBER_BITS = 1_000

#: What a template, unnamed, is called in messages (`render_template`'s `what`).
TEMPLATE = Phrase("template")
#: The parts of a letter, as messages name them (`render_letter`).
PARTS: dict[str, Callable[[str], Phrase]] = {
    "subject": lambda letter: Phrase("subject of '{letter}'", letter=letter),
    "text": lambda letter: Phrase("text of '{letter}'", letter=letter),
    "plain-text part": lambda letter: Phrase("plain-text part of '{letter}'", letter=letter),
}
TOO_LONG = Phrase("a text or list would be longer than {limit}", limit=MAX_OUTPUT_CHARS)


class LetterRenderError(FlowdeskError):
    """A template could not be rendered; the message says which letter and why (a `Phrase`, for a page to say
    in its reader's language; `str()` is the English the command line shows)."""


class _NoValue(StrictUndefined):
    """What a template sees for data that is empty (None) in this case.

    Like a missing name it cannot be printed, computed with or looped over, so a
    letter never says "None"; unlike one it is simply false in `{% if %}`, and
    `default` replaces it, the two ways a letter shows a value only when there is one.
    """

    __slots__ = ()

    def __bool__(self) -> bool:
        return False


#: How Jinja2 and `_NoValue` say a placeholder has no value, as phrases (the placeholder kept as it is written).
_NO_VALUE_SAID = (
    (re.compile(r"'(?P<name>[^']*)' is undefined"), lambda name: Phrase("'{name}' is undefined", name=name)),
    (re.compile(r"\{\{ (?P<name>.*) \}\} is empty in this case"),
     lambda name: Phrase("{{{{ {name} }}}} is empty in this case", name=name)),
)


def _no_value(message: str) -> Phrase | str:
    """Why a placeholder has no value, phrased when it is one of the known sentences, else Jinja2's own text.

    >>> str(_no_value("{{ customer.note }} is empty in this case")), _no_value("'refund' is undefined")
    ('{{ customer.note }} is empty in this case', Phrase("'{name}' is undefined", name='refund'))
    """
    for pattern, phrase in _NO_VALUE_SAID:
        found = pattern.fullmatch(message)
        if found:
            return phrase(found["name"])
    return message


def _empty_as_no_value(value: Any, path: str) -> Any:
    """`value` with every None in it (also inside records and the customer) replaced by `_NoValue`."""
    if value is None:
        return _NoValue(hint=f"{{{{ {path} }}}} is empty in this case", name=path)
    if isinstance(value, Mapping):
        return {key: _empty_as_no_value(item, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [_empty_as_no_value(item, f"{path}[{index}]") for index, item in enumerate(value)]
    return value


@dataclass(frozen=True)
class RenderedLetter:
    channel: LetterChannel
    language: str
    subject: str
    #: Letters and e-mails: sanitised HTML (see `codegen.markup.letter_html`); SMS: plain text.
    body: str
    text_body: str
    #: Letters: the lines of the address block (name, street + number, postcode + city); else empty.
    address: tuple[str, ...] = ()


class _Budget:
    """Render time and loop steps left; checked as output is produced and on every loop step."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.loop_steps = 0

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise LetterRenderError(Phrase("rendering took longer than {seconds} seconds",
                                           seconds=f"{MAX_RENDER_SECONDS:g}"))

    def step(self) -> None:
        self.loop_steps += 1
        if self.loop_steps > MAX_LOOP_STEPS:
            raise LetterRenderError(Phrase("loops may repeat at most {count} times in all", count=MAX_LOOP_STEPS))
        self.check()


#: The budget of the render running in this thread (or task); loops in templates check it.
_BUDGET: ContextVar[_Budget] = ContextVar("letter_render_budget")
#: How the render running in this thread (or task) writes money, dates and numbers; the filters read it.
_FORMATS: ContextVar[LetterFormats] = ContextVar("letter_formats")


def _money(value: Any) -> str:
    return _FORMATS.get().money(_defined(value))


def _date(value: Any) -> str:
    return _FORMATS.get().date(_defined(value))


def _number(value: Any) -> str:
    return _FORMATS.get().number(_defined(value))


def _defined(value: Any) -> Any:
    """`value`; a missing placeholder raises its own error ("'x' is undefined"), not "expected an amount"."""
    if isinstance(value, Undefined):
        str(value)  # StrictUndefined raises UndefinedError naming the placeholder
    return value


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise LetterRenderError(Phrase("a loop may repeat at most {count} times", count=MAX_RANGE))
    return numbers


def _budgeted_loop(iterable: Iterable[Any]) -> Iterator[Any]:
    """What every `{% for %}` iterates: the same items, each step counted against the budget."""
    budget = _BUDGET.get()
    for item in iterable:
        budget.step()
        yield item


def _bounded(value: Any) -> Any:
    """`value`, unless it is a text, list or number too large for a letter."""
    if isinstance(value, str | list | tuple) and len(value) > MAX_OUTPUT_CHARS:
        raise LetterRenderError(TOO_LONG)
    if isinstance(value, int) and value.bit_length() > MAX_NUMBER_BITS:
        raise LetterRenderError(Phrase("a number would be too large"))
    return value


def _refuse_size(estimate: int) -> None:
    if estimate > MAX_OUTPUT_CHARS:
        raise LetterRenderError(TOO_LONG)


@pass_eval_context
def _checked_replace(eval_ctx: EvalContext, value: Any, old: Any, new: Any, count: int | None = None) -> str:
    text = str(value)
    _refuse_size(len(text) + text.count(str(old)) * len(str(new)))
    return do_replace(eval_ctx, value, old, new, count)


@pass_eval_context
def _checked_join(eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
    items = list(value)
    _refuse_size(sum(len(str(item)) for item in items) + len(str(d)) * len(items))
    return do_join(eval_ctx, items, d, attribute)


@pass_environment
def _numeric_sum(environment: Any, iterable: Iterable[Any], attribute: Any = None, start: Any = 0) -> Any:
    """`sum`, of numbers only (adding up lists could build a huge list)."""
    if not isinstance(start, int | float | Decimal):
        raise LetterRenderError(Phrase("the filter 'sum' adds up numbers only"))
    return do_sum(environment, iterable, attribute, start)


class _VettingCodeGenerator(CodeGenerator):
    """Refuses what templates may not do before compiling; bounds loops and `~` joins."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        problem = construct_problem(node)
        if problem is not None:
            raise LetterRenderError(problem.message)
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.EnvironmentAttribute("budgeted_loop"), [loop.iter], [], None, None,
                                   lineno=loop.lineno)
            loop.iter.set_environment(self.environment)
        super().visit_Template(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded(")
        super().visit_Concat(node, frame)
        self.write(")")


class _LetterEnvironment(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with operators that could exhaust memory or time checked first."""

    code_generator_class = _VettingCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *, autoescape: bool) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=autoescape)
        self.globals = {"range": _bounded_range}
        self.filters = {name: FILTERS[name] for name in ALLOWED_FILTERS}
        self.filters |= {"replace": _checked_replace, "join": _checked_join, "sum": _numeric_sum}
        self.filters.update(zip(FLOWDESK_FILTERS, (_money, _date, _number), strict=True))
        self.budgeted_loop = _budgeted_loop
        self.bounded = _bounded

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return attr not in FORMATTING_ATTRIBUTES and super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "%" and isinstance(left, str):
            raise SecurityError("'%' formatting of text is not allowed; use placeholders and filters")
        if operator_name == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT \
                and not (isinstance(left, int | float) and abs(left) <= 1):
            raise LetterRenderError(Phrase("a power may have an exponent of at most {limit}", limit=MAX_EXPONENT))
        if operator_name == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and isinstance(times, int):
                    _refuse_size(len(sequence) * times)
        return _bounded(self.binop_table[operator_name](left, right))


_ENVIRONMENTS = {html: _LetterEnvironment(autoescape=html) for html in (False, True)}


@lru_cache(maxsize=512)
def _template(source: str, html: bool) -> Template:
    """A template compiled once; the same text is rendered for many cases."""
    return _ENVIRONMENTS[html].from_string(source)


@lru_cache(maxsize=512)
def _names(source: str, html: bool) -> frozenset[str]:
    """The names a template reads from its context: only their values are prepared (`_empty_as_no_value`), not
    every variable of the case and the whole customer for each part of each letter."""
    return frozenset(meta.find_undeclared_variables(_ENVIRONMENTS[html].parse(source)))


def render_template(source: str, context: Mapping[str, Any], *, html: bool, formats: LetterFormats,
                    what: Phrase | str = TEMPLATE) -> str:
    """Render one template text with the sandbox and limits; errors name `what` and the cause.

    `formats` writes what the filters `money`, `date` and `number` print (the letter's language).

    >>> render_template("Dear {{ name }}", {"name": "{{7*7}}"}, html=False, formats=LetterFormats("nl"))
    'Dear {{7*7}}'
    >>> render_template("{{ amount|money }} on {{ day|date }}", {"amount": 42.5, "day": "2026-12-06"}, html=False,
    ...                 formats=LetterFormats("en"))
    '€42.50 on 6 December 2026'
    >>> render_template("{{ ''.__class__ }}", {}, html=False, formats=LetterFormats("nl"), what="subject")
    Traceback (most recent call last):
    codegen.letters.LetterRenderError: cannot render the subject: '__class__' (line 1) is not case data: ...
    """
    budget = _Budget(MAX_RENDER_SECONDS)
    token = _BUDGET.set(budget)
    formats_token = _FORMATS.set(formats)
    try:
        template = _template(source, html)
        values = {name: _empty_as_no_value(context[name], name) for name in _names(source, html) if name in context}
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(**values):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise LetterRenderError(Phrase("the {what} would be longer than {limit} characters", what=what,
                                                limit=MAX_OUTPUT_CHARS))
            budget.check()
            chunks.append(chunk)
    except LetterRenderError as error:
        raise LetterRenderError(Phrase("cannot render the {what}: {problem}", what=what,
                                       problem=phrase_of(error))) from None
    except UndefinedError as error:
        raise LetterRenderError(Phrase("the {what} uses a placeholder with no value: {problem}", what=what,
                                       problem=_no_value(error.message or ""))) from None
    except SecurityError as error:
        raise LetterRenderError(Phrase("the {what} tries something templates may not do: {problem}", what=what,
                                       problem=str(error))) from None
    except TemplateError as error:
        raise LetterRenderError(Phrase("the {what} has an error: {problem}", what=what,
                                       problem=error.message or "")) from None
    except RecursionError:
        raise LetterRenderError(Phrase("the {what} is nested too deeply", what=what)) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as error:
        raise LetterRenderError(Phrase("the {what} could not be filled in: {problem}", what=what,
                                       problem=phrase_of(error))) from None
    finally:
        _FORMATS.reset(formats_token)
        _BUDGET.reset(token)
    return "".join(chunks)


def address_lines(customer: Mapping[str, Any]) -> tuple[str, ...]:
    """The address block of a letter: name, street + house number, postcode + city, of the postal address if the
    customer has one, else of the address; () without an address.

    >>> address_lines({"name": "Sanne de Vries", "address": {"street": "Oudegracht", "house_number": "1",
    ...                "postcode": "3511 AA", "city": "Utrecht"}})
    ('Sanne de Vries', 'Oudegracht 1', '3511 AA Utrecht')
    """
    address = customer.get("postal_address") or customer.get("address") or {}
    if not address:
        return ()
    return (str(customer.get("name", "")), f"{address['street']} {address['house_number']}",
            f"{address['postcode']} {address['city']}")


def render_letter(letter: Letter, language: str | None, context: Mapping[str, Any]) -> RenderedLetter:
    """The letter in the customer's language (else the default), filled with `context`.

    Money, dates and numbers are written as the chosen variant's language writes them (`codegen.formatting`).

    Letters and e-mails get their body as sanitised HTML; a letter also gets the address
    block of `context["customer"]`.
    """
    variant = letter.variant(language)
    html = letter.channel is not LetterChannel.SMS
    name = letter.name or letter.id
    formats = LetterFormats(variant.language, plain_spaces=letter.channel is LetterChannel.SMS)

    def render(source: str, part: str, as_html: bool) -> str:
        return render_template(source, context, html=as_html, formats=formats,
                               what=PARTS[part](name)) if source else ""

    body = render(variant.body, "text", html)
    is_letter = letter.channel is LetterChannel.LETTER
    return RenderedLetter(
        channel=letter.channel,
        language=variant.language,
        subject=render(variant.subject, "subject", False),
        body=letter_html(body) if html else body,
        text_body=render(variant.text_body, "plain-text part", False),
        address=address_lines(context.get("customer") or {}) if is_letter else (),
    )
