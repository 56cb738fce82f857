"""Word-level differences of two texts (letters, instructions), as segments a page can highlight.

The texts are cut into words, whitespace and punctuation marks, and compared
with `difflib.SequenceMatcher` (a long text rewritten throughout line by line
first, so the time stays bounded); a run of changed words with only spaces between
them becomes one deletion and one insertion, as people read it. Joining the
segments that are not inserted gives the old text back, joining those not
deleted the new one.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

Op = Literal["equal", "insert", "delete"]

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")

#: Words of unchanged text a one-line snippet keeps on each side of a change.
CONTEXT_WORDS = 4
#: Most pairs of words compared at once (difflib's time grows with it): a rewrite beyond goes line by line.
WORD_BUDGET = 200_000
#: Most pairs of lines compared at once; a text rewritten beyond is one deletion and one insertion.
LINE_BUDGET = 1_000_000
#: Characters of a deleted or inserted run a one-line snippet shows before it cuts with "…".
CHANGED_LENGTH = 60


@dataclass(frozen=True)
class TextSegment:
    """A piece of text that is in both versions (equal), only in the new (insert) or only in the old (delete)."""

    op: Op
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"op": self.op, "text": self.text}


def word_diff(before: str, after: str) -> tuple[TextSegment, ...]:
    """The segments that turn `before` into `after`, word by word.

    >>> [(s.op, s.text) for s in word_diff("reply within 5 working days", "reply within 10 days")]
    [('equal', 'reply within '), ('delete', '5 working'), ('insert', '10'), ('equal', ' days')]
    """
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    # An edit is usually in one place: match the unchanged start and end directly, the rest with difflib.
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    middle_old, middle_new = old[start:len(old) - end], new[start:len(new) - end]
    if len(middle_old) * len(middle_new) <= WORD_BUDGET:
        middle = _compare_words(middle_old, middle_new)
    else:
        middle = _compare_lines("".join(middle_old), "".join(middle_new))
    raw = [TextSegment("equal", "".join(old[:start])), *middle, TextSegment("equal", "".join(old[len(old) - end:]))]
    return _merge([segment for segment in raw if segment.text])


def _compare_words(old: list[str], new: list[str]) -> list[TextSegment]:
    segments = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            segments.append(TextSegment("delete", "".join(old[i1:i2])))
        if op in ("insert", "replace"):
            segments.append(TextSegment("insert", "".join(new[j1:j2])))
        if op == "equal":
            segments.append(TextSegment("equal", "".join(old[i1:i2])))
    return segments


def _compare_lines(before: str, after: str) -> list[TextSegment]:
    """A large rewrite: line by line first, word by word only within changed lines small enough for it."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if len(old) * len(new) > LINE_BUDGET:
        return [TextSegment("delete", before), TextSegment("insert", after)]
    segments = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        was, now = "".join(old[i1:i2]), "".join(new[j1:j2])
        if op == "equal":
            segments.append(TextSegment("equal", was))
            continue
        old_words, new_words = _TOKENS.findall(was), _TOKENS.findall(now)
        if len(old_words) * len(new_words) <= WORD_BUDGET:
            segments.extend(_compare_words(old_words, new_words))
        else:
            segments += [TextSegment("delete", was), TextSegment("insert", now)]
    return segments


def _merge(raw: list[TextSegment]) -> tuple[TextSegment, ...]:
    """Join changes separated only by whitespace into one deletion followed by one insertion."""
    merged: list[TextSegment] = []
    deleted, inserted = "", ""

    def flush() -> None:
        nonlocal deleted, inserted
        merged.extend(TextSegment(op, text) for op, text in (("delete", deleted), ("insert", inserted)) if text)
        deleted = inserted = ""

    for index, segment in enumerate(raw):
        if segment.op == "delete":
            deleted += segment.text
        elif segment.op == "insert":
            inserted += segment.text
        elif (deleted or inserted) and not segment.text.strip() and index + 1 < len(raw):
            deleted += segment.text  # spaces between two changes belong to both versions of the changed run
            inserted += segment.text
        else:
            flush()
            merged.append(segment)
    flush()
    return tuple(merged)


def snippet(segments: tuple[TextSegment, ...]) -> str:
    """The changes on one line, with a few words of context: `…within [-5 working-]{+10+} days`.

    >>> snippet(word_diff("Dear customer, we reply within 5 working days.", "Dear customer, we reply within 10 days."))
    '…customer, we reply within [-5 working-]{+10+} days.'
    """
    parts: list[str] = []
    for index, segment in enumerate(segments):
        text = " ".join(segment.text.split())
        if segment.op != "equal" and len(text) > CHANGED_LENGTH:
            text = text[:CHANGED_LENGTH - 1] + "…"
        if segment.op == "delete":
            parts.append(f"[-{text}-]")
        elif segment.op == "insert":
            parts.append(f"{{+{text}+}}")
        else:
            parts.append(_context(segment.text, first=index == 0, last=index == len(segments) - 1))
    return "".join(parts).strip()


def _context(text: str, *, first: bool, last: bool) -> str:
    """Unchanged text cut to a few words next to the changes, "…" where words were left out."""
    words = text.split()
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() else ""
    keep_before = 0 if first else CONTEXT_WORDS  # words after the previous change
    keep_after = 0 if last else CONTEXT_WORDS  # words before the next change
    if len(words) <= keep_before + keep_after:
        return lead + " ".join(words) + trail
    head = " ".join(words[:keep_before])
    tail = " ".join(words[len(words) - keep_after:]) if keep_after else ""
    return f"{lead}{head}{' … ' if head and tail else '…'}{tail}{trail}"
