"""Letters, e-mails and SMS: templates per channel with language variants.

Bodies are Jinja2 templates rendered by codegen/ in a sandbox; placeholders
name case variables, `customer.*` fields and computed values.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from models.base import ElementId, FlowdeskModel, Label, LongText


class LetterChannel(StrEnum):
    LETTER = "letter"
    EMAIL = "email"
    SMS = "sms"


class LetterVariant(FlowdeskModel):
    """The text of a letter in one language."""

    language: Label = "nl"
    subject: Label = ""
    body: LongText
    text_body: LongText = ""


class Letter(FlowdeskModel):
    id: ElementId
    name: Label = ""
    channel: LetterChannel
    default_language: Label = "nl"
    variants: list[LetterVariant] = Field(min_length=1)

    @model_validator(mode="after")
    def _languages(self) -> Letter:
        languages = [v.language for v in self.variants]
        duplicates = sorted({lang for lang in languages if languages.count(lang) > 1})
        if duplicates:
            raise ValueError(f"letter '{self.id}' has more than one variant for: {', '.join(duplicates)}")
        if self.default_language not in languages:
            raise ValueError(
                f"letter '{self.id}' has no variant in its default language '{self.default_language}'"
            )
        if self.channel is LetterChannel.EMAIL and any(not v.subject for v in self.variants):
            raise ValueError(f"e-mail '{self.id}' needs a subject in every language")
        return self

    def variant(self, language: str | None) -> LetterVariant:
        """The variant for `language`, else the default language's."""
        by_language = {v.language: v for v in self.variants}
        return by_language.get(language or "", by_language[self.default_language])
