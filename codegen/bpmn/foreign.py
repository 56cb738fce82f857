"""Conditions and timer values written for other engines, translated to ours where that is exact.

Other tools write conditions in FEEL (Camunda 8, DMN), JUEL (`${amount > 1000}`,
Camunda 7, Flowable) or Python (SpiffWorkflow), and timers as ISO 8601
durations and dates. Flowdesk translates what means the same in CEL: boolean
combinations of comparisons between names, literals and arithmetic. Anything
else (function calls, FEEL ranges, `empty`, months) is not guessed at: the
caller keeps the original text and reports it for a person to rewrite.

>>> translate_condition("${amount > 1000 and segment eq 'gold'}").cel
'amount > 1000 && segment == "gold"'
>>> translate_condition('= status = "open"').cel
'status == "open"'
>>> translate_condition("${execution.getVariable('x')}").cel is None
True
>>> str(iso_duration("P5D")), str(iso_duration("PT90M")), iso_duration("P1M")
('5 days', '90 minutes', None)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from models.durations import Duration, DurationUnit
from models.expressions.errors import ExpressionError
from models.expressions.parser import parse
from models.phrases import Phrase

__all__ = ["Translation", "cel_date", "iso_duration", "iso_text", "translate_condition"]


@dataclass(frozen=True)
class Translation:
    """The CEL for a foreign expression (None when it cannot be translated exactly) and what it compares.

    `literal_types` maps each name compared directly with a literal to that
    literal's kind ("number", "text", "boolean"), and a name that is the whole
    condition (`approved`, `not approved`) to "boolean": the import uses it to
    declare the case variables a condition reads.
    """

    cel: str | None
    language: str
    literal_types: dict[str, str] = field(default_factory=dict)
    phrased_reason: Phrase | str = ""  # why there is no CEL

    @property
    def reason(self) -> str:
        """Why there is no CEL, in English."""
        return str(self.phrased_reason)


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<num>\d+(?:\.\d+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    | (?P<op>==|!=|<=|>=|&&|\|\||[<>=!()+\-*/%])
    )""", re.VERBOSE)

#: Words each language uses, as CEL; a word not here (and not a name) cannot be translated.
_WORDS: dict[str, dict[str, str]] = {
    "feel": {"and": "&&", "or": "||", "not": "!", "true": "true", "false": "false", "null": "null"},
    "juel": {"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=",
             "ge": ">=", "true": "true", "false": "false", "null": "null"},
    "python": {"and": "&&", "or": "||", "not": "!", "True": "true", "False": "false", "None": "null"},
}
#: Operators written the same in every language and in CEL (`=` is equality in FEEL only).
_SAME = frozenset(("==", "!=", "<=", ">=", "<", ">", "&&", "||", "!", "(", ")", "+", "-", "*", "/", "%"))
#: Words that are never names in any of them.
_RESERVED = frozenset(w for words in _WORDS.values() for w in words) | {"is", "in", "empty", "div", "mod"}


def language_of(text: str, declared: str = "") -> tuple[str, str]:
    """(language, the expression without its wrapper) from the `language` attribute or the text's form."""
    stripped = text.strip()
    declared = declared.lower()
    if match := re.fullmatch(r"[$#]\{(.*)\}", stripped, re.DOTALL):
        return "juel", match.group(1)
    if stripped.startswith("="):
        return "feel", stripped[1:]
    for language in ("feel", "python", "juel"):
        if language in declared:
            return language, stripped
    return "", stripped


def translate_condition(text: str, declared_language: str = "") -> Translation:
    """The CEL meaning the same as `text`, a FEEL, JUEL or Python comparison (or CEL itself)."""
    language, body = language_of(text, declared_language)
    if "cel" in declared_language.lower():
        return _checked(body.strip(), "cel", {})
    tokens = _tokens(body)
    if tokens is None or not tokens:
        return Translation(None, language, phrased_reason=Phrase("it is not a simple comparison"))
    words = _WORDS.get(language) or {k: v for w in _WORDS.values() for k, v in w.items()}
    out: list[str] = []
    types: dict[str, str] = {}
    for i, (kind, value) in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
        if kind == "str":
            out.append(json.dumps(_unquote(value), ensure_ascii=False))
        elif kind == "num":
            out.append(value)
        elif kind == "op" and value == "=":
            if language != "feel":
                return Translation(None, language,
                                   phrased_reason=Phrase("'=' assigns in this language; a condition compares"))
            out.append("==")
        elif kind == "op":
            out.append(value)
        elif value in words:
            out.append(words[value])
        elif value in _RESERVED or following == ("op", "("):
            return Translation(None, language,
                               phrased_reason=Phrase("'{word}' has no exact counterpart here", word=value))
        else:
            out.append(value)
            _note_literal_type(tokens, i, types)
    names = [value for kind, value in tokens if kind == "name" and words.get(value) != "!"]
    rest = [value for kind, value in tokens if kind != "name" and value not in ("!", "(", ")")]
    if len(names) == 1 and not rest and names[0] not in words and "." not in names[0]:
        types[names[0]] = "boolean"  # the name is the whole condition
    return _checked(" ".join(out).replace("( ", "(").replace(" )", ")").replace("! ", "!"), language, types)


def _checked(cel: str, language: str, types: dict[str, str]) -> Translation:
    try:
        parse(cel)
    except ExpressionError as error:
        return Translation(None, language, phrased_reason=error.message)
    return Translation(cel, language, types)


def _tokens(text: str) -> list[tuple[str, str]] | None:
    tokens, at = [], 0
    text = text.strip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            return None
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        at = match.end()
    return tokens


def _unquote(literal: str) -> str:
    inner = literal[1:-1]
    return re.sub(r"\\(.)", r"\1", inner)


_LITERAL_TYPE = {"num": "number", "str": "text"}
_BOOLEAN_WORDS = frozenset(("true", "false", "True", "False"))
_COMPARISONS = frozenset(("==", "!=", "<", ">", "<=", ">=", "=", "eq", "ne", "lt", "gt", "le", "ge"))


def _note_literal_type(tokens: list[tuple[str, str]], i: int, types: dict[str, str]) -> None:
    """When the name at `i` is compared with a literal (`name < 5`, `"x" == name`), note the literal's kind."""
    name = tokens[i][1]
    for op_at, literal_at in ((i + 1, i + 2), (i - 1, i - 2)):
        if not (min(op_at, literal_at) >= 0 and max(op_at, literal_at) < len(tokens)):
            continue
        if tokens[op_at][1] not in _COMPARISONS:
            continue
        kind, value = tokens[literal_at]
        found = "boolean" if value in _BOOLEAN_WORDS else _LITERAL_TYPE.get(kind)
        if found and "." not in name:
            types.setdefault(name, found)


# --------------------------------------------------------------------------- ISO 8601

_ISO_DURATION = re.compile(
    r"^P(?:(?P<Y>\d+)Y)?(?:(?P<MO>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?"
    r"(?:T(?:(?P<H>\d+)H)?(?:(?P<MI>\d+)M)?(?:(?P<S>\d+)S)?)?$"
)
#: The largest amount a Flowdesk duration is written with (six digits).
_LARGEST = 999_999
_MINUTES = {"W": 7 * 24 * 60, "D": 24 * 60, "H": 60, "MI": 1}
_UNIT_OF = {"W": DurationUnit.WEEKS, "D": DurationUnit.DAYS, "H": DurationUnit.HOURS, "MI": DurationUnit.MINUTES}


def iso_duration(text: str) -> Duration | None:
    """An ISO 8601 duration as a Flowdesk duration, when it is a whole number of minutes; else None.

    Months and years have no fixed length, so they are not translated. With one
    designator the unit is kept (`P7D` is 7 days); with several, the largest
    unit that measures it exactly is used (`P1DT12H` is 36 hours).

    >>> str(iso_duration("P1DT12H")), str(iso_duration("PT120S")), iso_duration("PT30S")
    ('36 hours', '2 minutes', None)
    """
    match = _ISO_DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT") or text.strip().endswith("T"):
        return None
    parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
    if parts.get("Y") or parts.get("MO"):
        return None
    seconds = parts.pop("S", 0)
    if seconds % 60:
        return None
    parts["MI"] = parts.get("MI", 0) + seconds // 60
    given = [k for k, v in parts.items() if v]
    total = sum(_MINUTES[k] * v for k, v in parts.items())
    if total <= 0:
        return None
    if len(given) == 1:
        (unit,) = given
    else:
        unit = next(u for u in ("W", "D", "H", "MI") if total % _MINUTES[u] == 0)
    amount = total // _MINUTES[unit]
    return Duration(amount=amount, unit=_UNIT_OF[unit]) if amount <= _LARGEST else None


_ISO_OF_UNIT = {
    DurationUnit.MINUTES: "PT{}M", DurationUnit.HOURS: "PT{}H", DurationUnit.DAYS: "P{}D",
    DurationUnit.WEEKS: "P{}W", DurationUnit.WORKING_HOURS: "PT{}H", DurationUnit.WORKING_DAYS: "P{}D",
}


def iso_text(duration: Duration) -> str:
    """The ISO 8601 form of a duration; working time is written as calendar time (ISO has no working days).

    >>> iso_text(Duration.parse("5 working days")), iso_text(Duration.parse("30 minutes"))
    ('P5D', 'PT30M')
    """
    return _ISO_OF_UNIT[duration.unit].format(duration.amount)


def cel_date(text: str) -> str | None:
    """An ISO 8601 date or date-time as a CEL expression for a wait's `until`; None when it is neither."""
    value = text.strip()
    try:
        date.fromisoformat(value)
    except ValueError:
        pass
    else:
        return f'date("{value}")'
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return f'datetime("{value}")' if moment.tzinfo is not None else None
