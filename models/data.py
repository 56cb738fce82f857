"""Case data: the typed variables a process works on.

Each variable has a `DataType`; `models.values` checks and normalises values of
every type (money is always an exact `Decimal`, never a float).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from models.base import FlowdeskModel, Label, LongText, VariableName
from models.phrases import Phrase


class DataType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    EMAIL = "email"
    PHONE = "phone"
    IBAN = "iban"
    RECORDS = "records"


class ChoiceOption(FlowdeskModel):
    """One allowed value of a choice, with the text people see."""

    value: Label
    label: Label = ""

    @property
    def display(self) -> str:
        return self.label or self.value


class Variable(FlowdeskModel):
    """A named, typed piece of case data.

    `fields` describes each record of a `records` variable (a list of records,
    e.g. the invoice lines of a complaint); records do not nest further.
    """

    name: VariableName
    type: DataType
    label: Label = ""
    description: LongText = ""
    options: list[ChoiceOption] = Field(default_factory=list)
    fields: list[Variable] = Field(default_factory=list)
    default: Any = None
    personal: bool = False

    @model_validator(mode="after")
    def _shape_fits_type(self) -> Variable:
        if self.type is DataType.CHOICE and not self.options:
            raise ValueError(Phrase("choice variable '{name}' needs at least one option", name=self.name))
        if self.type is not DataType.CHOICE and self.options:
            raise ValueError(Phrase("only choice variables have options; '{name}' is {type}", name=self.name,
                                    type=self.type))
        if self.type is DataType.RECORDS:
            if not self.fields:
                raise ValueError(Phrase("records variable '{name}' needs at least one field", name=self.name))
            if any(f.type is DataType.RECORDS for f in self.fields):
                raise ValueError(Phrase("records variable '{name}' cannot contain another list of records",
                                        name=self.name))
        elif self.fields:
            raise ValueError(Phrase("only records variables have fields; '{name}' is {type}", name=self.name,
                                    type=self.type))
        return self

    @property
    def display(self) -> str:
        return self.label or self.name.replace("_", " ")

    def option_values(self) -> list[str]:
        return [o.value for o in self.options]
