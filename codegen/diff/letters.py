"""Letters, e-mails and SMS: per language, the subject, body and plain-text body as a word-level diff.

A letter is matched by its id, a language variant by its language. A changed
text carries `segments` (`codegen.diff.text`) so a page can highlight the
words that went and came; for an SMS the body is the message itself.
"""

from __future__ import annotations

from collections.abc import Iterator

from codegen.diff.changes import Change, ChangeKind, Part
from codegen.diff.compare import authored, changed_settings, match, settings
from codegen.diff.text import word_diff
from models.bundle import Bundle
from models.letters import Letter, LetterVariant

#: The texts of a language variant, compared word by word.
TEXTS = ("subject", "body", "text_body")


def diff_letters(old: Bundle, new: Bundle) -> Iterator[Change]:
    """Letters added, removed or changed (name, channel, default language); per language its texts."""
    matched = match(old.letters, new.letters, key=_letter_id)
    for letter in matched.removed:
        yield Change(Part.LETTERS, ChangeKind.REMOVED, letter.id, _label(letter), before=authored(letter))
    for before, after in matched.changed:
        yield from changed_settings(Part.LETTERS, after.id, _label(after), settings(before), settings(after),
                                    skip=("variants",))
        yield from _variant_changes(before, after)
    for letter in matched.added:
        yield Change(Part.LETTERS, ChangeKind.ADDED, letter.id, _label(letter), after=authored(letter))


def _variant_changes(old: Letter, new: Letter) -> Iterator[Change]:
    matched = match(old.variants, new.variants, key=_language)
    label = _label(new)
    for variant in matched.removed:
        yield Change(Part.LETTERS, ChangeKind.REMOVED, new.id, label, before=authored(variant),
                     **_item(variant))
    for before, after in matched.changed:
        for text in TEXTS:
            was, now = getattr(before, text), getattr(after, text)
            if was != now:
                yield Change(Part.LETTERS, ChangeKind.CHANGED, new.id, label, text, was, now,
                             segments=word_diff(was, now), **_item(after))
    for variant in matched.added:
        yield Change(Part.LETTERS, ChangeKind.ADDED, new.id, label, after=authored(variant), **_item(variant))


def _item(variant: LetterVariant) -> dict[str, str]:
    return {"item": variant.language, "item_kind": "language", "item_label": variant.language}


def _label(letter: Letter) -> str:
    return letter.name or letter.id


def _letter_id(letter: Letter) -> str:
    return letter.id


def _language(variant: LetterVariant) -> str:
    return variant.language
