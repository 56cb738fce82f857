"""The flow: nodes of every kind and the edges between them.

`NODE_KINDS` is the one table from a node kind to its model class (and, in
BPMN, its element); checks and the runtime key their own tables on the same kinds.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from models.base import ElementId, Expression, FlowdeskModel, KindTagged, Label, LongText, VariableName
from models.durations import Duration
from models.phrases import Phrase


class Position(FlowdeskModel):
    """Where the node sits on the canvas; layout only, no meaning."""

    x: float = 0
    y: float = 0


class NodeBase(KindTagged):
    id: ElementId
    name: Label = ""
    description: LongText = ""
    position: Position | None = None

    @property
    def display(self) -> str:
        return self.name or self.id


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    SMS = "sms"
    WEB = "web"
    LETTER = "letter"


class StartTrigger(StrEnum):
    MANUAL = "manual"
    INTAKE = "intake"
    MESSAGE = "message"


class StartNode(NodeBase):
    """Where a case begins: started by an agent, at intake on a channel, or by a message/API call."""

    kind: Literal["start"] = "start"
    trigger: StartTrigger = StartTrigger.MANUAL
    channels: list[Channel] = Field(default_factory=list)
    message: Label = ""
    form: ElementId | None = None

    @model_validator(mode="after")
    def _trigger_settings(self) -> StartNode:
        if self.trigger is StartTrigger.INTAKE and not self.channels:
            raise ValueError(Phrase("an intake start needs at least one channel"))
        if self.trigger is not StartTrigger.INTAKE and self.channels:
            raise ValueError(Phrase("only an intake start has channels"))
        if self.trigger is StartTrigger.MESSAGE and not self.message:
            raise ValueError(Phrase("a message start needs the message name"))
        return self

    def trigger_signature(self) -> tuple[str, ...]:
        """What distinguishes this start from another one in the same process."""
        if self.trigger is StartTrigger.INTAKE:
            return ("intake", *sorted(c.value for c in self.channels))
        if self.trigger is StartTrigger.MESSAGE:
            return ("message", self.message)
        return ("manual",)


class EscalationAction(StrEnum):
    NOTIFY = "notify"
    REASSIGN = "reassign"
    RAISE_PRIORITY = "raise priority"


class EscalationMoment(StrEnum):
    WARNING = "warning"
    BREACH = "breach"


class Escalation(FlowdeskModel):
    """What happens when a work item reaches its SLA warning or breach."""

    when: EscalationMoment = EscalationMoment.BREACH
    action: EscalationAction
    queue: ElementId | None = None
    notify: Expression = ""

    @model_validator(mode="after")
    def _action_settings(self) -> Escalation:
        if self.action is EscalationAction.REASSIGN and not self.queue:
            raise ValueError(Phrase("a reassign escalation needs the queue to reassign to"))
        if self.action is EscalationAction.NOTIFY and not (self.notify or self.queue):
            raise ValueError(Phrase("a notify escalation needs whom to notify (a queue or an e-mail expression)"))
        return self


class Sla(FlowdeskModel):
    """A service level: the target, an optional earlier warning, and escalations."""

    target: Duration
    warning: Duration | None = None
    escalations: list[Escalation] = Field(default_factory=list)


class ChecklistItem(FlowdeskModel):
    id: ElementId
    text: Label
    required: bool = True


class Assignment(FlowdeskModel):
    """Set a case variable to the value of an expression."""

    variable: VariableName
    expression: Expression


class TaskNode(NodeBase):
    """Work for a person in a queue, done through a form, against an SLA."""

    kind: Literal["task"] = "task"
    queue: ElementId
    form: ElementId | None = None
    instructions: LongText = ""
    checklist: list[ChecklistItem] = Field(default_factory=list)
    sla: Sla | None = None
    priority: int = Field(default=3, ge=1, le=5)
    #: Tasks whose performer may not do this one (four eyes: whoever investigated a credit does not approve it).
    separate_from: list[ElementId] = Field(default_factory=list)


class AutomaticNode(NodeBase):
    """Work the system does: set variables, evaluate a decision table, call a connector.

    They run in that order: assignments, then the table, then the connector.
    """

    kind: Literal["automatic"] = "automatic"
    assignments: list[Assignment] = Field(default_factory=list)
    decision_table: ElementId | None = None
    connector: Label = ""

    @model_validator(mode="after")
    def _does_something(self) -> AutomaticNode:
        if not (self.assignments or self.decision_table or self.connector):
            raise ValueError(Phrase("an automatic step must set a variable, evaluate a decision table or call a "
                                    "connector"))
        return self


class SendNode(NodeBase):
    """Send a letter, e-mail or SMS from a template through the outbox."""

    kind: Literal["send"] = "send"
    letter: ElementId
    recipient: Expression = ""


class DecisionNode(NodeBase):
    """Exactly one way onward: the first outgoing edge whose condition holds, else the default."""

    kind: Literal["decision"] = "decision"


class ParallelNode(NodeBase):
    """With several outgoing edges: all of them at once. With several incoming: wait for all."""

    kind: Literal["parallel"] = "parallel"


class WaitFor(StrEnum):
    TIMER = "timer"
    MESSAGE = "message"


class WaitNode(NodeBase):
    """Wait for time to pass (a duration, or until a date) or for a message such as a customer reply.

    A message wait may have a `timeout`; its edge marked `timeout` is taken when it expires.
    """

    kind: Literal["wait"] = "wait"
    wait_for: WaitFor
    duration: Duration | None = None
    until: Expression = ""
    message: Label = ""
    timeout: Duration | None = None

    @model_validator(mode="after")
    def _wait_settings(self) -> WaitNode:
        if self.wait_for is WaitFor.TIMER:
            if bool(self.duration) == bool(self.until):
                raise ValueError(Phrase("a timer waits either for a duration or until a date: give exactly one"))
            if self.message or self.timeout:
                raise ValueError(Phrase("a timer has no message or timeout"))
        else:
            if not self.message:
                raise ValueError(Phrase("a message wait needs the message name"))
            if self.duration or self.until:
                raise ValueError(Phrase("a message wait has no duration or date; use timeout for a deadline"))
        return self


class DataMapping(FlowdeskModel):
    """Copy a value into a variable: `target` gets the value of `expression`."""

    target: VariableName
    expression: Expression


class SubprocessNode(NodeBase):
    """Run another published process as part of this case and wait for it to end."""

    kind: Literal["subprocess"] = "subprocess"
    process: ElementId
    inputs: list[DataMapping] = Field(default_factory=list)
    outputs: list[DataMapping] = Field(default_factory=list)


class EndNode(NodeBase):
    """Where a path ends, with the outcome it records."""

    kind: Literal["end"] = "end"
    outcome: Label = ""


Node = Annotated[
    StartNode | TaskNode | AutomaticNode | SendNode | DecisionNode | ParallelNode
    | WaitNode | SubprocessNode | EndNode,
    Field(discriminator="kind"),
]

#: Node kind -> (model class, the BPMN element it maps to).
NODE_KINDS: dict[str, tuple[type[NodeBase], str]] = {
    "start": (StartNode, "startEvent"),
    "task": (TaskNode, "userTask"),
    "automatic": (AutomaticNode, "serviceTask"),
    "send": (SendNode, "sendTask"),
    "decision": (DecisionNode, "exclusiveGateway"),
    "parallel": (ParallelNode, "parallelGateway"),
    "wait": (WaitNode, "intermediateCatchEvent"),
    "subprocess": (SubprocessNode, "callActivity"),
    "end": (EndNode, "endEvent"),
}


class Edge(FlowdeskModel):
    """A connection from one node to the next.

    Leaving a decision, an edge has a `condition` or is the `default`. Leaving a
    message wait, the edge marked `timeout` is taken when the wait times out.
    """

    id: ElementId
    source: ElementId
    target: ElementId
    condition: Expression = ""
    default: bool = False
    timeout: bool = False
    label: Label = ""

    @model_validator(mode="after")
    def _one_role(self) -> Edge:
        if self.default and self.condition:
            raise ValueError(Phrase("a default edge has no condition: it is taken when no other condition holds"))
        if self.timeout and (self.condition or self.default):
            raise ValueError(Phrase("a timeout edge has no condition and is not a default"))
        return self
