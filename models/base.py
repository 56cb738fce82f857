"""Shared pydantic base and identifier types for every authored element."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, StringConstraints, model_serializer

#: Ids of nodes, edges, forms, letters, tables, queues...: stable, readable, URL-safe.
ElementId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", min_length=1, max_length=80),
]

#: Names of case variables and fields: usable as-is in an expression.
VariableName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", min_length=1, max_length=64),
]

#: Short authored texts (labels, names); long texts use `LongText`.
Label = Annotated[str, StringConstraints(max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]

#: An expression in the Flowdesk expression language (CEL); see models.expressions.
Expression = Annotated[str, StringConstraints(max_length=2_000)]


class FlowdeskModel(BaseModel):
    """Base of all authored elements: unknown keys are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class KindTagged(FlowdeskModel):
    """An element of a union told apart by its `kind`, which is always written out.

    Saving leaves out settings at their default; the kind must stay even
    though each class has it as a default.
    """

    @model_serializer(mode="wrap")
    def _always_write_kind(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        return {"id": data.pop("id"), "kind": self.kind, **data}
