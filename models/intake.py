"""Intake rules: when an agent records a contact, which processes fit it.

A business owner says per process which contacts it is for: the channels
it serves, words in the contact's reason that point to it, and the
customer segments it applies to. Every list left empty means "any". The
runtime ranks processes by how many of these fit (`runtime.intake`); the
agent decides which to start.

>>> rules = IntakeRules(channels=["phone"], keywords=["verhuizing", "nieuw adres"])
>>> rules.keywords
['verhuizing', 'nieuw adres']
"""

from __future__ import annotations

from pydantic import Field, field_validator

from models.base import FlowdeskModel, Label
from models.customers import Segment
from models.nodes import Channel


class IntakeRules(FlowdeskModel):
    """What contacts a process is for; an empty list does not narrow anything."""

    channels: list[Channel] = Field(default_factory=list)
    keywords: list[Label] = Field(default_factory=list)
    segments: list[Segment] = Field(default_factory=list)

    @field_validator("keywords")
    @classmethod
    def _keywords_are_words(cls, keywords: list[str]) -> list[str]:
        cleaned = [keyword.strip() for keyword in keywords]
        if any(not keyword for keyword in cleaned):
            raise ValueError("a keyword must not be empty")
        return cleaned
