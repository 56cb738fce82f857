"""Who works a process: roles, queues, and the catalogues agents choose from."""

from __future__ import annotations

from models.base import ElementId, FlowdeskModel, Label, LongText


class Role(FlowdeskModel):
    id: ElementId
    name: Label = ""


class Queue(FlowdeskModel):
    """A shared list of work; people with `role` may take items from it."""

    id: ElementId
    name: Label = ""
    role: ElementId
    description: LongText = ""

    @property
    def display(self) -> str:
        """What people read: its name, else its id in words."""
        return self.name or self.id.replace("_", " ")


class RootCause(FlowdeskModel):
    """Why the customer contacted us, chosen when a case closes."""

    id: ElementId
    label: Label


class AdhocTaskType(FlowdeskModel):
    """A task an agent may add to a running case (adaptive case management)."""

    id: ElementId
    name: Label
    queue: ElementId
    form: ElementId | None = None
    instructions: LongText = ""
