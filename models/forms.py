"""Forms agents fill in: fields, sections and repeating groups.

A field reads and writes one case variable (`variable`); a repeating group
edits a `records` variable, one row per record.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from models.base import ElementId, Expression, FlowdeskModel, KindTagged, Label, LongText, VariableName
from models.data import ChoiceOption
from models.phrases import Phrase


class FieldKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    EMAIL = "email"
    PHONE = "phone"
    IBAN = "iban"
    CUSTOMER_LOOKUP = "customer_lookup"
    CASE_VALUE = "case_value"


class Validation(FlowdeskModel):
    """A rule the value must meet (`expression` true), else `message` is shown."""

    expression: Expression
    message: Label


class InputField(FlowdeskModel):
    """One input (or a read-only case value) on a form."""

    id: ElementId
    kind: FieldKind
    label: Label
    help: LongText = ""
    variable: VariableName | None = None
    required: bool = False
    min: float | None = None
    max: float | None = None
    pattern: Annotated[str, Field(max_length=500)] = ""
    options: list[ChoiceOption] = Field(default_factory=list)
    default: Expression = ""
    visible_when: Expression = ""
    validations: list[Validation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _settings_fit_kind(self) -> InputField:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(Phrase("field '{field}': the minimum ({min}) is more than the maximum ({max})",
                                    field=self.label or self.id, min=self.min, max=self.max))
        if self.options and self.kind is not FieldKind.CHOICE:
            raise ValueError(Phrase("field '{field}': only choice fields have options", field=self.label or self.id))
        if self.kind is FieldKind.CASE_VALUE and self.required:
            raise ValueError(Phrase("field '{field}': a read-only case value cannot be required",
                                    field=self.label or self.id))
        return self


class Section(KindTagged):
    """A titled block of fields."""

    id: ElementId
    kind: Literal["section"] = "section"
    label: Label
    fields: list[FormElement] = Field(default_factory=list)
    visible_when: Expression = ""


class RepeatingGroup(KindTagged):
    """Rows of the same fields, written to a `records` variable."""

    id: ElementId
    kind: Literal["group"] = "group"
    label: Label
    variable: VariableName
    fields: list[InputField] = Field(default_factory=list)
    min_items: int = Field(default=0, ge=0)
    max_items: int = Field(default=50, ge=1, le=1000)
    visible_when: Expression = ""


def _element_kind(value: object) -> str:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return kind if kind in ("section", "group") else "field"


FormElement = Annotated[
    Annotated[InputField, Tag("field")] | Annotated[Section, Tag("section")]
    | Annotated[RepeatingGroup, Tag("group")],
    Discriminator(_element_kind),
]


class Form(FlowdeskModel):
    id: ElementId
    name: Label = ""
    fields: list[FormElement] = Field(default_factory=list)

    def walk(self) -> list[InputField | Section | RepeatingGroup]:
        """Every element of the form, depth first, in display order."""
        found: list[InputField | Section | RepeatingGroup] = []

        def visit(elements: list) -> None:
            for element in elements:
                found.append(element)
                if isinstance(element, (Section, RepeatingGroup)):
                    visit(element.fields)

        visit(self.fields)
        return found


Section.model_rebuild()
