"""Pure edits of a bundle's letters: letters, their language variants and their texts.

Each takes a bundle document and returns a changed copy (commit it with
`Draft.apply`); the letter models then judge the result, e.g. that an e-mail
has a subject in every language. A new language starts as a copy of the default
language's texts, so it is translated rather than written from nothing.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from models.editing.edits import Document, EditRejected, add_entry, add_node, key_from_label, replace_entry
from models.letters import Letter, LetterChannel

#: A language code as customers' records hold it: "nl", "en", "pt-BR".
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")

#: The texts of a variant that the designer edits.
PARTS = ("subject", "body", "text_body")

#: What a new letter starts with, per language (others: English): a greeting, the case's reference and a closing,
#: so the owner writes only what is particular to it.
_SKELETONS = {
    "nl": ("Beste {{ customer.name }},", "Uw referentie: {{ case.reference }}", "Met vriendelijke groet,"),
    "en": ("Dear {{ customer.name }},", "Our reference: {{ case.reference }}", "Kind regards,"),
}


def starting_body(channel: LetterChannel, language: str) -> str:
    """The first text of a new letter or e-mail (greeting, reference, room for the message, closing), or SMS
    (the greeting).

    >>> print(starting_body(LetterChannel.EMAIL, "en"))
    <p>Our reference: {{ case.reference }}</p>
    <p>Dear {{ customer.name }},</p>
    <p></p>
    <p>Kind regards,</p>
    <BLANKLINE>
    >>> starting_body(LetterChannel.SMS, "nl-BE")
    'Beste {{ customer.name }}, '
    """
    greeting, reference, closing = _SKELETONS.get(language.split("-")[0], _SKELETONS["en"])
    if channel is LetterChannel.SMS:
        return f"{greeting} "
    return "".join(f"<p>{line}</p>\n" for line in (reference, greeting, "", closing))


def add_letter(document: Mapping[str, Any], letter_id: str, name: str, channel: str,
               language: str = "nl") -> Document:
    """A copy of `document` with a new letter, e-mail or SMS in one language.

    >>> from models.editing.edits import new_process
    >>> doc = add_letter(new_process("p", "P"), "welcome", "Welcome", "email")
    >>> doc["letters"][0]["variants"][0]["subject"]
    'Welcome'
    """
    try:
        kind = LetterChannel(channel)
    except ValueError:
        raise EditRejected(f"'{channel}' is not a channel; choose one of "
                           f"{', '.join(c.value for c in LetterChannel)}.") from None
    variant = {"language": _language(language), "body": starting_body(kind, language.strip())}
    if kind is LetterChannel.EMAIL:
        variant["subject"] = name.strip() or letter_id.strip()
    entry = {"id": letter_id, "name": name, "channel": kind.value, "default_language": variant["language"],
             "variants": [variant]}
    return add_entry(document, "letters", entry)


def add_send_step(document: Mapping[str, Any], x: float, y: float, name: str, channel: str,
                  language: str = "nl") -> tuple[Document, str]:
    """A copy of `document` with a new letter, e-mail or SMS called `name` (its id made from the name, its text
    `starting_body`) and a new send step at (x, y) that sends it. Returns it and the step's id.

    >>> from models.editing.edits import new_process
    >>> doc, step = add_send_step(new_process("p", "P"), 300, 80, "Confirmation", "email", "en")
    >>> step, doc["nodes"][-1]["letter"], doc["letters"][0]["variants"][0]["subject"]
    ('send_1', 'confirmation', 'Confirmation')
    """
    if not name.strip():
        raise EditRejected("Name the letter, e.g. 'Confirmation of your complaint'.")
    letter_id = key_from_label(name, "letter")
    return add_node(add_letter(document, letter_id, name.strip(), channel, language), "send", x, y, letter=letter_id)


def add_variant(document: Mapping[str, Any], letter_id: str, language: str) -> Document:
    """A copy of `document` in which the letter also has `language`, starting from the default language's texts.

    >>> from models.editing.edits import new_process
    >>> doc = add_variant(add_letter(new_process("p", "P"), "sms", "SMS", "sms"), "sms", "en")
    >>> [(v["language"], v["body"]) for v in doc["letters"][0]["variants"]]
    [('nl', 'Beste {{ customer.name }}, '), ('en', 'Beste {{ customer.name }}, ')]
    """
    letter = _letter(document, letter_id)
    language = _language(language)
    if any(v["language"] == language for v in letter["variants"]):
        raise EditRejected(f"'{letter_id}' has a '{language}' version already.")
    default = next(v for v in letter["variants"] if v["language"] == letter["default_language"])
    letter["variants"].append(copy.deepcopy(default) | {"language": language})
    return replace_entry(document, "letters", letter_id, letter)


def remove_variant(document: Mapping[str, Any], letter_id: str, language: str) -> Document:
    """A copy of `document` without the letter's `language` version (never its default language)."""
    letter = _letter(document, letter_id)
    if language == letter["default_language"]:
        raise EditRejected(f"'{language}' is the default language of '{letter_id}'; make another language the "
                           "default first.")
    kept = [v for v in letter["variants"] if v["language"] != language]
    if len(kept) == len(letter["variants"]):
        raise EditRejected(f"'{letter_id}' has no '{language}' version.")
    letter["variants"] = kept
    return replace_entry(document, "letters", letter_id, letter)


def set_text(document: Mapping[str, Any], letter_id: str, language: str, part: str, text: str) -> Document:
    """A copy of `document` in which one text (`subject`, `body` or `text_body`) of one language version is `text`.

    >>> from models.editing.edits import new_process
    >>> doc = add_letter(new_process("p", "P"), "sms", "SMS", "sms")
    >>> set_text(doc, "sms", "nl", "body", "Hoi {{ customer.name }}")["letters"][0]["variants"][0]["body"]
    'Hoi {{ customer.name }}'
    """
    if part not in PARTS:
        raise EditRejected(f"'{part}' is not a text of a letter; use one of {', '.join(PARTS)}.")
    letter = _letter(document, letter_id)
    variant = next((v for v in letter["variants"] if v["language"] == language), None)
    if variant is None:
        raise EditRejected(f"'{letter_id}' has no '{language}' version.")
    variant[part] = text
    return replace_entry(document, "letters", letter_id, letter)


def set_default_language(document: Mapping[str, Any], letter_id: str, language: str) -> Document:
    """A copy of `document` in which customers whose language the letter lacks get its `language` version."""
    letter = _letter(document, letter_id)
    if not any(v["language"] == language for v in letter["variants"]):
        raise EditRejected(f"'{letter_id}' has no '{language}' version; add that language first.")
    letter["default_language"] = language
    return replace_entry(document, "letters", letter_id, letter)


def _letter(document: Mapping[str, Any], letter_id: str) -> dict[str, Any]:
    """The letter's entry with every setting written out, defaults too (EditRejected when there is none)."""
    letter = next((e for e in document.get("letters", []) if e.get("id") == letter_id), None)
    if letter is None:
        raise EditRejected(f"There is no letter '{letter_id}'.")
    return Letter.model_validate(letter).model_dump(mode="json")


def _language(language: str) -> str:
    language = language.strip()
    if not LANGUAGE_PATTERN.match(language):
        raise EditRejected(f"'{language}' is not a language code; write e.g. 'nl', 'en' or 'pt-BR'.")
    return language
