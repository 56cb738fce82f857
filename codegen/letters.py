"""Rendering letter, e-mail and SMS templates safely.

Templates are authored by business staff and filled with customer data, so
they run in Jinja2's immutable sandbox with `StrictUndefined` (a missing
placeholder is an error, never a blank in a sent letter), HTML autoescaping
for letters and e-mails, and limits on output size, loop length and render
time. Case data is passed as data: a customer named `{{7*7}}` is printed as
typed, because values are never parsed as template code.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from models.errors import FlowdeskError
from models.letters import Letter, LetterChannel
from models.templates import FLOWDESK_FILTERS

MAX_OUTPUT_CHARS = 200_000
MAX_RENDER_SECONDS = 2.0
MAX_RANGE = 10_000


class LetterRenderError(FlowdeskError):
    """A template could not be rendered; the message says which letter and why."""


@dataclass(frozen=True)
class RenderedLetter:
    channel: LetterChannel
    language: str
    subject: str
    body: str
    text_body: str


class _Budget:
    """Render time left; checked as output is produced and on every loop step of `range`."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise LetterRenderError(f"rendering took longer than {MAX_RENDER_SECONDS:g} seconds")


#: The budget of the render running in this thread (or task); `range` in templates checks it.
_BUDGET: ContextVar[_Budget] = ContextVar("letter_render_budget")


def _bounded_range(*args: int) -> Iterator[int]:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise LetterRenderError(f"a loop may repeat at most {MAX_RANGE:,} times")
    budget = _BUDGET.get()
    for number in numbers:
        budget.check()
        yield number


def _environment(autoescape: bool) -> ImmutableSandboxedEnvironment:
    environment = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=autoescape)
    environment.globals["range"] = _bounded_range
    environment.filters.update(zip(FLOWDESK_FILTERS, (format_money, format_date), strict=True))
    return environment


@lru_cache(maxsize=512)
def _template(source: str, html: bool) -> Template:
    """A template compiled once; the same text is rendered for many cases."""
    return _environment(html).from_string(source)


def format_money(value: Any) -> str:
    """An amount the Dutch way: 1.234,50.

    >>> format_money(Decimal("1234.5"))
    '1.234,50'
    """
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    whole, cents = f"{abs(amount):,.2f}".split(".")
    return f"{'-' if amount < 0 else ''}{whole.replace(',', '.')},{cents}"


def format_date(value: Any) -> str:
    """A date as 31-12-2025."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return value.strftime("%d-%m-%Y")


def render_template(source: str, context: Mapping[str, Any], *, html: bool, what: str = "template") -> str:
    """Render one template text with the sandbox and limits; errors name `what` and the cause."""
    budget = _Budget(MAX_RENDER_SECONDS)
    token = _BUDGET.set(budget)
    try:
        template = _template(source, html)
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise LetterRenderError(f"the {what} would be longer than {MAX_OUTPUT_CHARS:,} characters")
            budget.check()
            chunks.append(chunk)
    except LetterRenderError as error:
        raise LetterRenderError(f"cannot render the {what}: {error}") from None
    except UndefinedError as error:
        raise LetterRenderError(f"the {what} uses a placeholder with no value: {error.message}") from None
    except SecurityError as error:
        raise LetterRenderError(f"the {what} tries something templates may not do: {error}") from None
    except TemplateError as error:
        raise LetterRenderError(f"the {what} has an error: {error.message}") from None
    except (TypeError, ValueError, ArithmeticError) as error:
        raise LetterRenderError(f"the {what} could not be filled in: {error}") from None
    finally:
        _BUDGET.reset(token)
    return "".join(chunks)


def render_letter(letter: Letter, language: str | None, context: Mapping[str, Any]) -> RenderedLetter:
    """The letter in the customer's language (else the default), filled with `context`."""
    variant = letter.variant(language)
    html = letter.channel is not LetterChannel.SMS
    name = letter.name or letter.id

    def render(source: str, part: str, as_html: bool) -> str:
        return render_template(source, context, html=as_html, what=f"{part} of '{name}'") if source else ""

    return RenderedLetter(
        channel=letter.channel,
        language=variant.language,
        subject=render(variant.subject, "subject", False),
        body=render(variant.body, "text", html),
        text_body=render(variant.text_body, "plain-text part", False),
    )
