"""Reading and writing bundle JSON, with errors people can act on.

Loading never shows a traceback: every problem comes back as a
`LoadProblem` with the JSON path (`nodes[3].kind`) and a plain message,
phrased (`models.phrases`) so that the web app can say it in its reader's language.
The text is read by `models.json_input.read_json`, the one reader of every
door, so a bundle file gets the same limits as any other JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from models.bundle import SCHEMA_VERSION, Bundle
from models.errors import BundleLoadError, LoadProblem
from models.json_input import MAX_JSON_BYTES, JsonInputError, format_path, read_json
from models.migrations import SchemaVersionError, upgrade
from models.nodes import NODE_KINDS
from models.phrases import Phrase, phrase_of

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
    "missing": Phrase("this is required but missing"),
    "extra_forbidden": Phrase("is not a setting Flowdesk knows; check the spelling or remove it"),
    "string_type": Phrase("expected text"),
    "int_type": Phrase("expected a whole number"),
    "int_parsing": Phrase("expected a whole number"),
    "int_from_float": Phrase("expected a whole number"),
    "float_type": Phrase("expected a number"),
    "float_parsing": Phrase("expected a number"),
    "bool_type": Phrase("expected true or false"),
    "bool_parsing": Phrase("expected true or false"),
    "list_type": Phrase("expected a list ([...])"),
    "dict_type": Phrase("expected an object ({{...}})"),
    "model_type": Phrase("expected an object ({{...}})"),
    "model_attributes_type": Phrase("expected an object ({{...}})"),
}
#: Pydantic's bounds of numbers as sentences: per error type, the context entry holding the limit and the phrase.
_BOUNDS: dict[str, tuple[str, Callable[[Any], Phrase]]] = {
    "greater_than_equal": ("ge", lambda limit: Phrase("must be at least {limit}", limit=limit)),
    "greater_than": ("gt", lambda limit: Phrase("must be more than {limit}", limit=limit)),
    "less_than_equal": ("le", lambda limit: Phrase("must be at most {limit}", limit=limit)),
    "less_than": ("lt", lambda limit: Phrase("must be less than {limit}", limit=limit)),
}


def problems_from_validation(error: ValidationError) -> list[LoadProblem]:
    """Pydantic's errors as plain-language problems with JSON paths, each phrased for the web app to say too."""
    problems: list[LoadProblem] = []
    for item in error.errors(include_url=False):
        path = json_path(tuple(item["loc"]))
        if item["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path += ".kind"
        said = _plain_message(item)
        problems.append(LoadProblem(path, str(said), said if isinstance(said, Phrase) else None))
        if len(problems) == MAX_PROBLEMS:
            more = Phrase("more problems not shown; fix these first")
            problems.append(LoadProblem("", str(more), more))
            break
    return problems


def _plain_message(item: dict[str, Any]) -> Phrase | str:
    """What pydantic found, as a phrase; a message of its own no phrase here knows stays its English text."""
    kind = item["type"]
    context = item.get("ctx") or {}
    if kind == "union_tag_invalid":
        return Phrase("'{tag}' is not a kind Flowdesk knows; use one of {expected}",
                      tag=context.get("tag"), expected=context.get("expected_tags", ""))
    if kind == "union_tag_not_found":
        return Phrase("the 'kind' is missing")
    if kind == "enum":
        return Phrase("'{value}' is not allowed; use one of {expected}",
                      value=item.get("input"), expected=context.get("expected"))
    if kind == "string_pattern_mismatch":
        return Phrase("'{value}' is not a valid id or name: use letters, digits, '_' (and '-', '.' in ids)",
                      value=item.get("input"))
    if kind == "string_too_long":
        return Phrase("too long: at most {limit} characters", limit=context.get("max_length"))
    if kind in ("string_too_short", "too_short"):
        return Phrase("must not be empty")
    if kind == "value_error":
        error = context.get("error", item["msg"])
        return phrase_of(error) if isinstance(error, BaseException) else str(error)
    if kind in _BOUNDS:
        limit, phrased = _BOUNDS[kind]
        return phrased(context.get(limit))
    return _MESSAGES.get(kind, item["msg"])
