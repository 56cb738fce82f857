"""The process bundle: one self-contained JSON document per process.

A bundle holds everything a published version pins: metadata, case data,
flow, forms, letters, decision tables, SLAs and the roles/queues it uses.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import Field, model_validator

from models.base import ElementId, FlowdeskModel, Label, LongText
from models.data import Variable
from models.decision_tables import DecisionTable
from models.forms import Form
from models.intake import IntakeRules
from models.letters import Letter
from models.nodes import Edge, Node, NodeBase, Sla
from models.organisation import AdhocTaskType, Queue, Role, RootCause
from models.references import ReferencePrefix

#: The bundle schema this code writes; older ones are upgraded by models.migrations.
SCHEMA_VERSION = 1


class Bundle(FlowdeskModel):
    """A whole process as its owner authored it.

    >>> from models.nodes import StartNode, EndNode, Edge
    >>> b = Bundle(key="demo", name="Demo",
    ...            nodes=[StartNode(id="s"), EndNode(id="e")],
    ...            edges=[Edge(id="f1", source="s", target="e")])
    >>> b.node("e").kind
    'end'
    """

    schema_version: int = SCHEMA_VERSION
    key: ElementId
    name: Label
    owner: Label = ""
    description: LongText = ""
    language: Label = "nl"
    reference_prefix: ReferencePrefix = ""  # of its cases' references (BC-2026-00123); empty: from the name
    variables: list[Variable] = Field(default_factory=list)
    nodes: list[Node] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    forms: list[Form] = Field(default_factory=list)
    letters: list[Letter] = Field(default_factory=list)
    decision_tables: list[DecisionTable] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    queues: list[Queue] = Field(default_factory=list)
    case_sla: Sla | None = None
    root_causes: list[RootCause] = Field(default_factory=list)
    adhoc_task_types: list[AdhocTaskType] = Field(default_factory=list)
    intake: IntakeRules | None = None  # which contacts the process is suggested for at intake
    four_eyes: bool | None = None  # a new version needs a second person's approval; None: as the installation says

    @model_validator(mode="after")
    def _unique_ids(self) -> Bundle:
        """Ids are how elements refer to each other, so each must be unique in its list."""
        collections: dict[str, list[Any]] = {
            "variables": [v.name for v in self.variables],
            "nodes": [n.id for n in self.nodes],
            "edges": [e.id for e in self.edges],
            "forms": [f.id for f in self.forms],
            "letters": [lt.id for lt in self.letters],
            "decision_tables": [t.id for t in self.decision_tables],
            "roles": [r.id for r in self.roles],
            "queues": [q.id for q in self.queues],
            "root_causes": [c.id for c in self.root_causes],
            "adhoc_task_types": [t.id for t in self.adhoc_task_types],
        }
        problems = []
        for collection, ids in collections.items():
            for element_id, count in Counter(ids).items():
                if count > 1:
                    problems.append(f"{collection}: id '{element_id}' is used {count} times")
        node_and_edge = set(collections["nodes"]) & set(collections["edges"])
        if node_and_edge:
            problems.append(f"ids used by both a node and an edge: {', '.join(sorted(node_and_edge))}")
        for form in self.forms:
            form_ids = [element.id for element in form.walk()]
            for element_id, count in Counter(form_ids).items():
                if count > 1:
                    problems.append(f"form '{form.id}': field id '{element_id}' is used {count} times")
        if problems:
            raise ValueError("duplicate ids: " + "; ".join(problems))
        return self

    # Lookups by id. The bundle is edited in place by the designer, so these
    # are computed on demand rather than cached.

    def node(self, node_id: str) -> NodeBase:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def find_node(self, node_id: str) -> NodeBase | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def variable(self, name: str) -> Variable | None:
        return next((v for v in self.variables if v.name == name), None)

    def form(self, form_id: str) -> Form | None:
        return next((f for f in self.forms if f.id == form_id), None)

    def letter(self, letter_id: str) -> Letter | None:
        return next((lt for lt in self.letters if lt.id == letter_id), None)

    def decision_table(self, table_id: str) -> DecisionTable | None:
        return next((t for t in self.decision_tables if t.id == table_id), None)

    def queue(self, queue_id: str) -> Queue | None:
        return next((q for q in self.queues if q.id == queue_id), None)

    def queue_name(self, queue_id: str) -> str:
        """What people read for a queue: its name (`Queue.display`), or the id of one the bundle lacks."""
        queue = self.queue(queue_id)
        return queue.display if queue is not None else queue_id

