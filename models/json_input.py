"""Reading JSON that comes from outside: files, command-line arguments, request bodies.

Every door that takes JSON from a person or another system reads it with
`read_json`, so the same limits and the same messages hold everywhere. Hostile
input cannot exhaust memory or the stack: the size and the bracket nesting are
checked before anything is parsed. What Python's parser would let through but
Flowdesk cannot keep is refused with the JSON path of the value: numbers that
are not finite (`1e309`, `NaN`) or absurdly long, and text with lone surrogates
(`"\\ud800"`), which is not Unicode and could not be stored or sent.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from models.errors import FlowdeskError, LoadProblem

#: The largest JSON document read, in bytes (characters, for text).
MAX_JSON_BYTES = 5_000_000
#: The deepest bracket nesting read; real bundles and case data stay under 15.
MAX_NESTING = 40
#: The longest number literal read; no amount or number Flowdesk keeps needs more.
MAX_NUMBER_CHARS = 100

#: Keys longer than this are shortened in paths.
MAX_KEY_SHOWN = 40

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")
#: A \\u escape of a UTF-16 surrogate: the only way JSON text can spell an unpaired one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class JsonInputError(FlowdeskError):
    """JSON from outside cannot be read; `problem` says where (a JSON path) and what."""

    def __init__(self, message: str, path: str = "", source: str = "") -> None:
        self.problem = LoadProblem(path, message)
        self.source = source
        super().__init__(f"{source}: {self.problem}" if source else str(self.problem))


def read_json(text: str | bytes, *, source: str = "", max_bytes: int = MAX_JSON_BYTES) -> Any:
    """The JSON data in `text`, or `JsonInputError` saying what is wrong and where.

    `source` names the input in the message (a file name, `--data`); bytes
    must be UTF-8 (a byte-order mark is allowed).

    >>> read_json('{"amount": "12.50", "lines": [1, 2]}')
    {'amount': '12.50', 'lines': [1, 2]}
    >>> read_json('{"amount": 1e309}', source="--data")
    Traceback (most recent call last):
    ...
    models.json_input.JsonInputError: --data: amount: the number 1e309 is too large
    >>> read_json('{"note": "\\\\ud800"}')
    Traceback (most recent call last):
    ...
    models.json_input.JsonInputError: note: the text is not valid Unicode (a lone surrogate \\ud800 at character 1)
    """
    if len(text) > max_bytes:
        raise JsonInputError(too_large(len(text), max_bytes), source=source)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise JsonInputError(f"the input is not UTF-8 text (byte {error.start} cannot be read)",
                                 source=source) from None
    if text.count("[") + text.count("{") > MAX_NESTING:  # else it cannot be nested too deeply
        depth, _ = _nesting(text)
        if depth > MAX_NESTING:
            raise JsonInputError(f"the JSON is nested {depth:,} levels deep; at most {MAX_NESTING} are allowed",
                                 source=source)
    numbers = _NumberReader()
    try:
        data = json.loads(text, parse_int=numbers.integer, parse_float=numbers.decimal,
                          parse_constant=numbers.constant)
    except json.JSONDecodeError as error:
        message = f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        if _nesting(text)[1]:
            message += " (the file seems to be cut off: it ends inside a text or an unclosed bracket)"
        raise JsonInputError(message, source=source) from None
    if numbers.refused or _may_hold_surrogates(text):
        for path, problem in _value_problems(data):
            raise JsonInputError(problem, format_path(path), source)
    return data


def too_large(size: int, limit: int = MAX_JSON_BYTES) -> str:
    """The message for input over its size limit."""
    return f"the input is {size:,} bytes; at most {limit:,} bytes are allowed"


def format_path(parts: tuple[int | str, ...]) -> str:
    """Keys and list indexes as a JSON path people read: `nodes[3].task`.

    A key that is not a plain name is quoted as JSON (so a path is one line of
    printable text, whatever the input), and shortened when long.

    >>> format_path(("customers", 2, "address", "city"))
    'customers[2].address.city'
    >>> format_path(("data", "two words\\n"))
    'data["two words\\\\n"]'
    """
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            path += f".{part}" if path else part
        else:
            shown = part if len(part) <= MAX_KEY_SHOWN else part[:MAX_KEY_SHOWN] + "…"
            path += f"[{json.dumps(shown)}]"
    return path


def lone_surrogate(text: str) -> str | None:
    """A message if `text` holds a lone surrogate (not Unicode; cannot be stored or sent), else None.

    >>> lone_surrogate("caf\\u00e9") is None
    True
    >>> lone_surrogate("ab\\udc80")
    'the text is not valid Unicode (a lone surrogate \\\\udc80 at character 3)'
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return (f"the text is not valid Unicode (a lone surrogate \\u{ord(text[error.start]):04x} "
                f"at character {error.start + 1})")
    return None


@dataclass(frozen=True)
class _Refused:
    """Stands in for a number the parser met but Flowdesk does not take; `message` says why."""

    message: str


class _NumberReader:
    """Parser hooks that turn unusable numbers into `_Refused` markers, found afterwards with their path."""

    def __init__(self) -> None:
        self.refused = False

    def integer(self, literal: str) -> int | _Refused:
        if len(literal) > MAX_NUMBER_CHARS:
            return self._refuse(literal)
        return int(literal)

    def decimal(self, literal: str) -> float | _Refused:
        if len(literal) > MAX_NUMBER_CHARS:
            return self._refuse(literal)
        number = float(literal)
        return number if math.isfinite(number) else self._refuse(literal)

    def constant(self, name: str) -> _Refused:
        self.refused = True
        return _Refused(f"{name} is not a number JSON allows")

    def _refuse(self, literal: str) -> _Refused:
        self.refused = True
        if len(literal) > MAX_NUMBER_CHARS:
            return _Refused(f"a number of {len(literal):,} characters is too long; "
                            f"at most {MAX_NUMBER_CHARS} are allowed")
        return _Refused(f"the number {literal} is too large")


def _may_hold_surrogates(text: str) -> bool:
    return lone_surrogate(text) is not None or _SURROGATE_ESCAPE.search(text) is not None


def _value_problems(data: Any) -> Iterator[tuple[tuple[int | str, ...], str]]:
    """(path, message) for each refused number and each text (or key) that is not Unicode, in document order."""
    stack: list[tuple[tuple[int | str, ...], Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _Refused):
            yield path, value.message
        elif isinstance(value, str):
            if (problem := lone_surrogate(value)) is not None:
                yield path, problem
        elif isinstance(value, dict):
            for key in value:
                if (problem := lone_surrogate(key)) is not None:
                    yield path, f"a name in this object: {problem}"
            stack.extend(((*path, key), item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in reversed(list(enumerate(value))))


def _nesting(text: str) -> tuple[int, bool]:
    """Deepest bracket nesting outside strings, and whether the text ends unfinished.

    Found by scanning, not parsing, so hostile input cannot exhaust the stack.
    """
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest, in_string or depth > 0
