"""Every door that parses outside input, fed random deep, huge and malformed JSON and Unicode.

The rule for all of them: a value Flowdesk can keep, or a FlowdeskError that says
what is wrong — never another exception (a traceback), whatever the input. The
doors: the JSON reader, the bundle loader, `flowdesk check/publish/customers`
files, the command line's `-d` JSON (in-process, through `main`), the case-data
value parsers, and starting a case with such data.
"""

from __future__ import annotations

import io
import json
import math
import unicodedata
from collections.abc import Iterator
from contextlib import redirect_stderr, suppress
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.cli import main
from designer.cli.common import UserError, json_argument
from designer.documents import read_document
from models import FlowdeskError, load_bundle
from models.data import DataType, Variable
from models.json_input import read_json
from models.values import normalise_value, to_json_value
from runtime.service import Runtime
from runtime.storage.memory import MemoryStore
from runtime.storage.tinydb_store import TinyDBStore
from tests.people import person

ROOT = Path(__file__).resolve().parent.parent
BILLING = load_bundle((ROOT / "examples/billing_complaint.json").read_bytes())

#: Any character, lone surrogates included.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT
           | st.integers(1, 400).map(lambda digits: int("9" * digits)))
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(ANY_TEXT, inner, max_size=4), max_leaves=20)


def _dumped(value: Any) -> str:
    """JSON text for `value`, NaN and Infinity included; huge ints as their digits."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except ValueError:  # an int too long for str(): write it out in pieces
        return "9" * 5000


@st.composite
def hostile_json(draw: st.DrawFn) -> str:
    """JSON text that is deep, huge, malformed or not Unicode, or a mix."""
    kind = draw(st.sampled_from(["value", "deep", "number", "escape", "cut", "noise"]))
    if kind == "deep":
        depth = draw(st.integers(1, 120_000))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}"), ('[{"b":[', "]}]")]))
        return opener * depth + draw(st.sampled_from(["1", '"x"', "", "null"])) + closer * draw(
            st.sampled_from([depth, depth // 2]))
    if kind == "number":
        digits = draw(st.integers(1, 6000))
        return draw(st.sampled_from([
            '{"amount": ' + "9" * digits + "}", f'{{"amount": 1e{digits}}}', f'{{"amount": "1e{digits}"}}',
            f'{{"amount": -{digits}.5e-{digits}}}', '{"amount": NaN}', '{"amount": -Infinity}']))
    if kind == "escape":
        code = draw(st.integers(0xD800, 0xDFFF))
        return draw(st.sampled_from([f'{{"note": "\\u{code:04x}"}}', f'{{"\\u{code:04x}": 1}}',
                                     f'["ok", "\\ud83d\\ude00", "\\u{code:04x}x"]']))
    text = _dumped(draw(JSON_VALUES))
    if kind == "cut":
        return text[: draw(st.integers(0, len(text)))]
    if kind == "noise":
        where = draw(st.integers(0, len(text)))
        return text[:where] + draw(ANY_TEXT) + text[where:]
    return text


def as_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def assert_keepable(data: Any) -> None:
    """What a door lets in can be written as strict JSON: finite numbers, valid Unicode."""
    json.dumps(data, allow_nan=False, ensure_ascii=False).encode("utf-8")
    for number in _numbers(data):
        assert math.isfinite(number)


def _numbers(data: Any) -> Iterator[float]:
    if isinstance(data, float):
        yield data
    elif isinstance(data, list):
        for item in data:
            yield from _numbers(item)
    elif isinstance(data, dict):
        for item in data.values():
            yield from _numbers(item)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.one_of(hostile_json(), ANY_TEXT))
def test_the_json_reader_gives_keepable_data_or_a_flowdesk_error(text: str):
    for given_input in (text, as_bytes(text)):
        try:
            data = read_json(given_input, source="input")
        except FlowdeskError as error:
            assert str(error).startswith("input: ")
            assert_keepable(str(error))  # the message itself can be printed and stored
        else:
            assert_keepable(data)


@FUZZ
@given(st.binary(max_size=200))
def test_the_json_reader_takes_any_bytes(data: bytes):
    with suppress(FlowdeskError):
        assert_keepable(read_json(data))


@FUZZ
@given(hostile_json())
def test_the_bundle_loader_gives_a_bundle_or_a_load_error(text: str):
    try:
        load_bundle(as_bytes(text), "fuzz.json")
    except FlowdeskError as error:
        assert str(error).startswith("fuzz.json: cannot load the process bundle")


@FUZZ
@given(st.one_of(hostile_json(), hostile_json().map(lambda inner: '{"customers": ' + inner + "}"),
                 JSON_VALUES.map(lambda value: _dumped({"customers": [value]}))))
def test_a_file_for_check_publish_or_customers_is_read_or_its_problems_listed(tmp_path: Path, text: str):
    path = tmp_path / "document.json"
    path.write_bytes(as_bytes(text))
    document = read_document(path)
    assert (document.bundle is not None) + (document.customers is not None) + bool(document.load_problems) == 1
    for problem in document.load_problems:
        assert_keepable(str(problem))


@FUZZ
@given(st.one_of(hostile_json(), ANY_TEXT))
def test_the_command_line_json_gives_an_object_or_a_user_error(text: str):
    with suppress(UserError, FlowdeskError):
        assert_keepable(json_argument(text))


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    store = TinyDBStore.open(folder)
    try:
        Runtime(store).publish(person("ann"), BILLING)
    finally:
        store.close()
    return folder


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(hostile_json(), JSON_VALUES.map(lambda value: _dumped({"disputed_amount": value,
                                                                          "invoice_date": value}))))
def test_flowdesk_start_with_hostile_data_exits_1_with_a_printable_message(data_folder: Path, text: str):
    errors = io.StringIO()
    with redirect_stderr(errors):
        code = main(["start", "billing_complaint", f"--data-json={text}", "--data", str(data_folder)],
                    out=io.StringIO())
    printed = errors.getvalue()
    if code == 1:
        assert printed.startswith("flowdesk: ") and printed.endswith("\n")
        assert not any(unicodedata.category(char) in ("Cc", "Cs") for char in printed if char not in "\n\t")
    else:
        assert code == 0 and printed == ""


DATA_TYPES = [Variable(name="v", type=kind, options=[{"value": "a"}] if kind is DataType.CHOICE else [],
                       fields=[{"name": "f", "type": "money"}] if kind is DataType.RECORDS else [])
              for kind in DataType]
NUMBER_TEXTS = st.from_regex(r"-?[0-9]{0,400}(\.[0-9]{0,30})?([eE][+-]?[0-9]{1,12})?", fullmatch=True)


@FUZZ
@given(st.sampled_from(DATA_TYPES), st.one_of(JSON_VALUES, NUMBER_TEXTS, st.dates().map(str),
                                               st.lists(st.dictionaries(st.just("f"), JSON_VALUES), max_size=3)))
def test_every_value_parser_gives_a_keepable_value_or_a_value_error(variable: Variable, value: Any):
    try:
        kept = normalise_value(variable, value)
    except ValueError as error:
        assert_keepable(str(error))
        assert len(str(error)) < 500  # a message never repeats a huge input
    else:
        assert_keepable(to_json_value(kept))


@FUZZ
@given(st.dictionaries(st.sampled_from([v.name for v in BILLING.variables] + ["unknown"]),
                       st.one_of(JSON_VALUES, NUMBER_TEXTS), max_size=4))
def test_starting_a_case_with_any_data_starts_it_or_says_what_is_wrong(data: dict[str, Any]):
    runtime = Runtime(MemoryStore())
    runtime.publish(person("ann"), BILLING)
    try:
        runtime.start_case(person("bob"), "billing_complaint", data)
    except FlowdeskError as error:
        assert_keepable(str(error))
