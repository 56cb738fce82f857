"""Messages for people as an English template with named values, so that a door can say them in another language.

The runtime refuses and explains in English: `str(phrase)` is the sentence the command line and the REST API
show. A `Phrase` keeps what the sentence is made of, so the web app can look the template up in its message
catalogue (the template is the message id; gettext tools extract it from `Phrase("…")` calls) and fill in the
same values its reader's way: a moment in their time zone, a number with their separators, a nested phrase
in their language. A refusal carries its phrase as the exception's argument: `AccessDenied(Phrase(...))`.

>>> str(Phrase("task '{title}' is {claim}", title="Check", claim=Phrase("claimed by {who}", who="Amy")))
"task 'Check' is claimed by Amy"
>>> str(Phrase("{count} characters, at most {limit}; roles {roles}", count=12000, limit=10000, roles=[]))
'12,000 characters, at most 10,000; roles none'
>>> str(Phrase("at least {minimum}, at most {maximum} ({fraction})", minimum=Decimal("0.010"), maximum=9000.0,
...            fraction=0.25))
'at least 0.01, at most 9,000 (0.25)'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

__all__ = ["Phrase", "either", "english", "kept_phrase", "moment_text", "one_by_one", "phrase_of", "together"]


class Phrase:
    """A sentence: its English `template` (placeholders in braces, `str.format` style) and the `values` for them."""

    __slots__ = ("template", "values")

    def __init__(self, template: str, /, **values: Any) -> None:
        self.template = template
        self.values: Mapping[str, Any] = values

    def __str__(self) -> str:  # a text value as it is: the engine phrases every step it audits
        return self.template.format_map({name: value if type(value) is str else english(value)
                                         for name, value in self.values.items()})

    def __repr__(self) -> str:
        return f"Phrase({', '.join([repr(self.template), *(f'{k}={v!r}' for k, v in self.values.items())])})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Phrase) and (self.template, dict(self.values)) == (other.template, dict(other.values))

    def __hash__(self) -> int:
        return hash(self.template)

    def as_data(self) -> dict[str, Any]:
        """The phrase as JSON data, to keep with what it describes (an audit event); `from_data` reads it back.

        >>> Phrase.from_data(Phrase("'{task}' by {who}", task="Bellen", who=Phrase("you")).as_data())
        Phrase("'{task}' by {who}", task='Bellen', who=Phrase('you'))
        """
        return {"template": self.template, "values": {name: _data(value) for name, value in self.values.items()}}

    def english_and_data(self) -> tuple[str, dict[str, Any]]:
        """`str(self)` and `self.as_data()` in one walk over the values: the engine keeps both with every event.

        >>> Phrase("{a} at {b}", a="x", b=Phrase("{n} pm", n=3)).english_and_data()
        ('x at 3 pm', {'template': '{a} at {b}', 'values': {'a': 'x', 'b': {'phrase': {'template': '{n} pm', \
'values': {'n': 3}}}}})
        """
        texts: dict[str, Any] = {}
        data: dict[str, Any] = {}
        for name, value in self.values.items():
            if type(value) is str:
                texts[name] = data[name] = value
            elif type(value) is Phrase:
                texts[name], kept = value.english_and_data()
                data[name] = {"phrase": kept}
            else:
                texts[name], data[name] = english(value), _data(value)
        return self.template.format_map(texts), {"template": self.template, "values": data}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Phrase:
        return cls(str(data["template"]), **{name: _value(value) for name, value in data.get("values", {}).items()})


def _data(value: Any) -> Any:
    if type(value) is str:  # most values: checked first, as the engine keeps a phrase with every step it audits
        return value
    if isinstance(value, Phrase):
        return {"phrase": value.as_data()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_data(v) for v in value]
    raise TypeError(f"a phrase kept as data holds text, numbers, lists and phrases, not {type(value).__name__}")


def _value(data: Any) -> Any:
    if isinstance(data, dict) and "phrase" in data:
        return Phrase.from_data(data["phrase"])
    if isinstance(data, list):
        return [_value(v) for v in data]
    return data


def either(options: Iterable[Phrase | str]) -> Phrase | str:
    """Options joined by "or", as a phrase so the joining word is said in the reader's language.

    >>> str(either([Phrase("a number"), Phrase("money"), "text"]))
    'a number or money or text'
    """
    first, *others = options
    for other in others:
        first = Phrase("{some} or {last}", some=first, last=other)
    return first


def together(parts: Iterable[Any]) -> Any:
    """Values joined by "and", as a phrase so the joining word is said in the reader's language (and the values
    their way: numbers with their separators).

    >>> str(together([2, 4])), str(together([1, 2, 3])), together([3])
    ('2 and 4', '1, 2 and 3', 3)
    """
    *some, last = parts
    if not some:
        return last
    first, *others = some
    for other in others:
        first = Phrase("{some}, {next}", some=first, next=other)
    return Phrase("{some} and {last}", some=first, last=last)


def one_by_one(parts: Iterable[Phrase | str]) -> Phrase | str:
    """Sentences one after the other, split by semicolons, as one phrase (each part said in the reader's language).

    >>> str(one_by_one([Phrase("name: must not be empty"), "email: expected text"]))
    'name: must not be empty; email: expected text'
    """
    first, *others = parts
    for other in others:
        first = Phrase("{some}; {next}", some=first, next=other)
    return first


def phrase_of(error: BaseException) -> Phrase | str:
    """What `error` says: its phrase when it was raised with one (`ValueError(Phrase(...))`), else its text.

    >>> phrase_of(ValueError(Phrase("{value} is not a date", value="'x'"))), phrase_of(ValueError("plain"))
    (Phrase('{value} is not a date', value="'x'"), 'plain')
    """
    said = error.args[0] if len(error.args) == 1 else None
    return said if isinstance(said, Phrase) else str(error)


def kept_phrase(data: Any, text: str) -> Phrase | str:
    """A phrase kept with what it describes (`Phrase.as_data`), else `text`: what was stored before phrases were kept,
    or a kept phrase that cannot be read back.

    >>> kept_phrase(Phrase("{who} signed in", who="amy").as_data(), "amy signed in"), kept_phrase(None, "old text")
    (Phrase('{who} signed in', who='amy'), 'old text')
    """
    if not isinstance(data, Mapping):
        return text
    try:
        return Phrase.from_data(data)
    except (KeyError, TypeError, ValueError):
        return text


def english(value: Any) -> str:
    """A value as an English sentence says it: a moment in the server's local time, numbers with thousands
    commas (an exact decimal as written: 0.01, 10), lists joined with commas ("none" when empty), an enumeration
    by its value (small_business: "small business")."""
    if isinstance(value, Phrase | str):
        return str(value)
    if isinstance(value, datetime):
        return moment_text(value)
    if isinstance(value, Enum):
        return str(value.value).replace("_", " ")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float) and math.isfinite(value):
        return english(Decimal(repr(value)))  # by its shortest spelling, 9,000 rather than 9,000.0
    if isinstance(value, Decimal):
        return f"{value.normalize():,f}"
    if isinstance(value, Mapping):
        return ", ".join(f"{name}: {english(v)}" for name, v in value.items())
    if isinstance(value, Iterable):
        return ", ".join(english(v) for v in value) or "none"
    return str(value)


def moment_text(at: datetime) -> str:
    """A moment as messages say it, in the server's local time: "10:12" today, else "02-03-2026 10:12"."""
    local = at.astimezone()
    today = datetime.now(local.tzinfo).date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%d-%m-%Y %H:%M")
