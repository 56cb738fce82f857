"""Reading and writing bundle JSON, with errors people can act on.

Loading never shows a traceback: every problem comes back as a
`LoadProblem` with the JSON path (`nodes[3].kind`) and a plain message.
Input is bounded in size and nesting before it is parsed.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from models.bundle import SCHEMA_VERSION, Bundle
from models.errors import BundleLoadError, LoadProblem
from models.migrations import SchemaVersionError, upgrade
from models.nodes import NODE_KINDS

MAX_BUNDLE_BYTES = 5_000_000
MAX_NESTING = 40
MAX_PROBLEMS = 25


def load_bundle(text: str | bytes, source: str = "") -> Bundle:
    """Parse, upgrade and validate a bundle document.

    >>> load_bundle('{"key": "k", "name": "K"}').key
    'k'
    >>> load_bundle('{"key": "k"}')
    Traceback (most recent call last):
    ...
    models.errors.BundleLoadError: cannot load the process bundle:
      - name: this is required but missing
    """
    document = _parse_json(text, source)
    if not isinstance(document, dict):
        raise BundleLoadError([LoadProblem("", "a bundle must be a JSON object ({...})")], source)
    try:
        document = upgrade(document, SCHEMA_VERSION)
    except SchemaVersionError as error:
        raise BundleLoadError([LoadProblem("schema_version", str(error))], source) from None
    try:
        return Bundle.model_validate(document)
    except ValidationError as error:
        raise BundleLoadError(problems_from_validation(error), source) from None


def dump_bundle(bundle: Bundle) -> str:
    """The bundle as stable, readable JSON (same bundle, same text)."""
    return json.dumps(bundle_document(bundle), indent=2, ensure_ascii=False) + "\n"


def bundle_document(bundle: Bundle) -> dict[str, Any]:
    """The bundle as plain JSON data, leaving out settings still at their default."""
    return bundle.model_dump(mode="json", exclude_defaults=True) | {
        "schema_version": bundle.schema_version,
        "key": bundle.key,
        "name": bundle.name,
    }


def too_large(size: int) -> str:
    return f"the file is {size:,} bytes; a bundle may be at most {MAX_BUNDLE_BYTES:,} bytes"


def _parse_json(text: str | bytes, source: str) -> Any:
    if len(text) > MAX_BUNDLE_BYTES:
        raise BundleLoadError([LoadProblem("", too_large(len(text)))], source)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            message = f"the file is not UTF-8 text (byte {error.start} cannot be read)"
            raise BundleLoadError([LoadProblem("", message)], source) from None
    depth, unfinished = _nesting(text)
    if depth > MAX_NESTING:
        message = f"the JSON is nested {depth} levels deep; at most {MAX_NESTING} are allowed"
        raise BundleLoadError([LoadProblem("", message)], source)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        message = f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        if unfinished:
            message += " (the file seems to be cut off: it ends inside a text or an unclosed bracket)"
        raise BundleLoadError([LoadProblem("", message)], source) from None


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


def json_path(location: tuple[int | str, ...]) -> str:
    """`("nodes", 3, "task", "queue")` as `nodes[3].queue`.

    Pydantic puts the union member's tag after a list index; people never
    wrote it, so it is left out.

    >>> json_path(("forms", 0, "fields", 2, "section", "fields", 0, "field", "min"))
    'forms[0].fields[2].fields[0].min'
    """
    path = ""
    previous: int | str | None = None
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not (isinstance(previous, int) and part in _UNION_TAGS):
            path += f".{part}" if path else part
        previous = part
    return path


_UNION_TAGS = frozenset(NODE_KINDS) | {"field", "section", "group"}

_MESSAGES = {
    "missing": "this is required but missing",
    "extra_forbidden": "is not a setting Flowdesk knows; check the spelling or remove it",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list ([...])",
    "dict_type": "expected an object ({...})",
    "model_type": "expected an object ({...})",
    "model_attributes_type": "expected an object ({...})",
}


def problems_from_validation(error: ValidationError) -> list[LoadProblem]:
    """Pydantic's errors as plain-language problems with JSON paths."""
    problems: list[LoadProblem] = []
    for item in error.errors(include_url=False):
        path = json_path(tuple(item["loc"]))
        if item["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path += ".kind"
        problems.append(LoadProblem(path, _plain_message(item)))
        if len(problems) == MAX_PROBLEMS:
            problems.append(LoadProblem("", "more problems not shown; fix these first"))
            break
    return problems


def _plain_message(item: dict[str, Any]) -> str:
    kind = item["type"]
    context = item.get("ctx") or {}
    if kind == "union_tag_invalid":
        tag = context.get("tag")
        expected = context.get("expected_tags", "")
        return f"'{tag}' is not a kind Flowdesk knows; use one of {expected}"
    if kind == "union_tag_not_found":
        return "the 'kind' is missing"
    if kind == "enum":
        return f"'{item.get('input')}' is not allowed; use one of {context.get('expected')}"
    if kind == "string_pattern_mismatch":
        return (
            f"'{item.get('input')}' is not a valid id or name: "
            "use letters, digits, '_' (and '-', '.' in ids)"
        )
    if kind == "string_too_long":
        return f"too long: at most {context.get('max_length')} characters"
    if kind in ("string_too_short", "too_short"):
        return "must not be empty"
    if kind == "value_error":
        return str(context.get("error", item["msg"]))
    if kind in ("greater_than_equal", "less_than_equal"):
        return item["msg"].lower()
    return _MESSAGES.get(kind, item["msg"])
