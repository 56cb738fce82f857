"""How long an SMS is, as the network counts it: characters and the number of messages it is split into.

A text made only of GSM 03.38 characters is sent in the 7-bit GSM alphabet:
160 characters fit one message, a longer text goes in parts of 153 (the rest
holds the header that joins them). Characters of the extension table (€, [, ],
{, }, ~, ^, \\, |) take two places. Any other character (é is in GSM, ł or an
emoji are not) makes the whole text UCS-2: 70 per message, 67 per part, and a
character outside the Basic Multilingual Plane (most emoji) takes two places.
"""

from __future__ import annotations

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


def is_gsm(text: str) -> bool:
    """True when `text` can be sent in the GSM 7-bit alphabet."""
    return all(c in GSM_BASIC or c in GSM_EXTENSION for c in text)


def segments(text: str) -> tuple[int, int]:
    """(characters as the network counts them, number of SMS messages) for `text`.

    >>> segments("Hello")
    (5, 1)
    >>> segments("x" * 161)
    (161, 2)
    >>> segments("Prijs: 5 €")
    (11, 1)
    >>> segments("Łódź")
    (4, 1)
    """
    if is_gsm(text):
        length = sum(2 if c in GSM_EXTENSION else 1 for c in text)
        single, part = GSM_SINGLE, GSM_PART
    else:
        length = len(text.encode("utf-16-le")) // 2
        single, part = UCS2_SINGLE, UCS2_PART
    if length <= single:
        return length, 1 if length else 0
    return length, -(-length // part)
