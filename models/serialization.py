"""Reading and writing bundle JSON, with errors people can act on.

Loading never shows a traceback: every problem comes back as a
`LoadProblem` with the JSON path (`nodes[3].kind`) and a plain message.
The text is read by `models.json_input.read_json`, the one reader of every
door, so a bundle file gets the same limits as any other JSON.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from models.bundle import SCHEMA_VERSION, Bundle
from models.errors import BundleLoadError, LoadProblem
from models.json_input import MAX_JSON_BYTES, JsonInputError, format_path, read_json
from models.migrations import SchemaVersionError, upgrade
from models.nodes import NODE_KINDS

MAX_BUNDLE_BYTES = MAX_JSON_BYTES
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
    try:
        document = read_json(text, max_bytes=MAX_BUNDLE_BYTES)
    except JsonInputError as error:
        raise BundleLoadError([error.problem], source) from None
    return bundle_from_document(document, source)


def bundle_from_document(document: Any, source: str = "") -> Bundle:
    """Upgrade and validate a bundle already read as JSON data (see `load_bundle`)."""
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


def json_path(location: tuple[int | str, ...]) -> str:
    """`("nodes", 3, "task", "queue")` as `nodes[3].queue`.

    Pydantic puts the union member's tag after a list index; people never
    wrote it, so it is left out.

    >>> json_path(("forms", 0, "fields", 2, "section", "fields", 0, "field", "min"))
    'forms[0].fields[2].fields[0].min'
    """
    return format_path(tuple(part for index, part in enumerate(location)
                             if not (index and isinstance(location[index - 1], int) and part in _UNION_TAGS)))


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
