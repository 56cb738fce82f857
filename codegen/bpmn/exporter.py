"""A bundle out as BPMN 2.0 XML with a diagram, for bpmn.io, Camunda Modeler, auditors and other tools.

Each node kind has its writer in `NODE_WRITERS` (a message wait with a timeout
is a receive task with an interrupting timer on its border, whose flows are
the timeout path). Positions come from the nodes, or from `codegen.layout`
where a node has none, and become the BPMNDI diagram.

What BPMN cannot say (forms, letters, SLAs, checklists, tables, queues...)
travels in `extensionElements` under the Flowdesk namespace: the whole
bundle's settings on the process, each node's settings on its element, as
JSON. `codegen.bpmn.importer` reads them back, so export and import give the
same bundle (an edge whose end is missing cannot be drawn and is left out;
the checks refuse to publish such a process). Conditions are written in Flowdesk's expression language, marked
with `CEL_LANGUAGE`; durations as ISO 8601 (working days as calendar days,
which ISO cannot tell apart; the exact value travels in the settings).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from lxml import etree

from codegen.bpmn.foreign import iso_text
from codegen.bpmn.names import BPMN, BPMNDI, CEL_LANGUAGE, DC, DI, FLOWDESK, XSI, IdAllocator, xml_id
from codegen.layout import layout
from models.bundle import Bundle
from models.nodes import AutomaticNode, Edge, NodeBase, StartNode, StartTrigger, WaitFor, WaitNode
from models.serialization import bundle_document

__all__ = ["NODE_WRITERS", "export_bpmn"]

Element = etree._Element

_NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "flowdesk": FLOWDESK}
_TARGET_NAMESPACE = "https://flowdesk.example/processes"
#: Shape sizes by BPMN element family, as bpmn.io draws them.
_EVENT, _GATEWAY, _ACTIVITY = (36.0, 36.0), (50.0, 50.0), (100.0, 80.0)
#: Characters XML 1.0 cannot hold; replaced in names and texts (JSON settings escape them instead).
_NOT_XML = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF], "\ufffd")


def export_bpmn(bundle: Bundle) -> bytes:
    """The bundle as a BPMN 2.0 file (UTF-8), with a diagram and Flowdesk's settings.

    >>> from models.nodes import StartNode, EndNode, Edge
    >>> xml = export_bpmn(Bundle(key="k", name="K", nodes=[StartNode(id="s"), EndNode(id="e")],
    ...                          edges=[Edge(id="f", source="s", target="e")]))
    >>> b'<bpmn:startEvent id="s">' in xml, b'<bpmndi:BPMNShape' in xml
    (True, True)
    """
    return _Writer(bundle).write()


def _q(name: str, namespace: str = BPMN) -> str:
    return f"{{{namespace}}}{name}"


def _clean(text: str) -> str:
    return text.translate(_NOT_XML)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


class _Writer:
    """Writes one bundle; knows the XML id of every node and flow."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self.node_ids = {node.id: xml_id(node.id) for node in bundle.nodes}
        self.edge_ids = {edge.id: xml_id(edge.id) for edge in bundle.edges}
        self.ids = IdAllocator({*self.node_ids.values(), *self.edge_ids.values()})
        self.nodes = {node.id: node for node in bundle.nodes}
        self.timers: dict[str, str] = {}  # wait node id -> XML id of the timer on its border
        self.messages: dict[str, str] = {}  # message name -> XML id
        self.elements: dict[str, Element] = {}  # node id -> its element

    def write(self) -> bytes:
        definitions = etree.Element(_q("definitions"), nsmap=_NSMAP)
        definitions.set("id", self.ids.claim("definitions"))
        definitions.set("targetNamespace", _TARGET_NAMESPACE)
        definitions.set("exporter", "Flowdesk")
        definitions.set("exporterVersion", "1")
        process = etree.Element(_q("process"))
        process_id = self.ids.claim(xml_id(self.bundle.key))
        process.set("id", process_id)
        if self.bundle.name:
            process.set("name", _clean(self.bundle.name))
        process.set("isExecutable", "true")
        self._documentation(process, self.bundle.description)
        settings = {k: v for k, v in bundle_document(self.bundle).items()
                    if k not in ("nodes", "edges", "name", "description")}
        self._settings(process, "bundle", settings)
        self._lanes(process)
        for node in self.bundle.nodes:
            self.elements[node.id] = NODE_WRITERS[node.kind](self, process, node)
        self._connections()
        for node in self.bundle.nodes:
            if isinstance(node, WaitNode) and node.id in self.timers:
                self._timeout_timer(process, node)
        for edge in self.bundle.edges:
            if edge.source in self.nodes and edge.target in self.nodes:  # a dangling edge cannot be drawn
                self._flow(process, edge)
        for name, message_id in self.messages.items():
            message = etree.SubElement(definitions, _q("message"), id=message_id)
            message.set("name", _clean(name))
        definitions.append(process)
        self._diagram(definitions, process_id)
        return etree.tostring(definitions, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    # -- parts every element has

    def element(self, process: Element, tag: str, node: NodeBase, documentation: str | None = None) -> Element:
        element = etree.SubElement(process, _q(tag), id=self.node_ids[node.id])
        if node.name:
            element.set("name", _clean(node.name))
        documented = "instructions" if node.kind == "task" else "description"
        self._documentation(element, node.description if documentation is None else documentation)
        settings = node.model_dump(mode="json", exclude_defaults=True)
        for carried in ("id", "name", documented):
            settings.pop(carried, None)
        self._settings(element, "node", {"kind": node.kind, **settings})
        return element

    def _documentation(self, element: Element, text: str) -> None:
        if text:
            etree.SubElement(element, _q("documentation")).text = _clean(text)

    def _settings(self, element: Element, what: str, settings: dict[str, Any]) -> None:
        extension = etree.SubElement(element, _q("extensionElements"))
        etree.SubElement(extension, _q(what, FLOWDESK)).text = json.dumps(settings, ensure_ascii=True)

    def message_ref(self, name: str) -> str:
        if name not in self.messages:
            self.messages[name] = self.ids.claim("message")
        return self.messages[name]

    def _lanes(self, process: Element) -> None:
        """One lane per queue that has steps; Flowdesk's queues are BPMN's lanes."""
        by_queue: dict[str, list[str]] = {}
        for node in self.bundle.nodes:
            queue = getattr(node, "queue", None) if node.kind == "task" else None
            if queue:
                by_queue.setdefault(queue, []).append(node.id)
        if not by_queue:
            return
        lane_set = etree.SubElement(process, _q("laneSet"), id=self.ids.claim("lanes"))
        for queue_id, members in by_queue.items():
            queue = self.bundle.queue(queue_id)
            lane = etree.SubElement(lane_set, _q("lane"), id=self.ids.claim(f"lane_{xml_id(queue_id)}"))
            lane.set("name", _clean(queue.name if queue and queue.name else queue_id))
            for member in members:
                etree.SubElement(lane, _q("flowNodeRef")).text = self.node_ids[member]

    def _connections(self) -> None:
        """incoming/outgoing references, which the schema wants after documentation and settings."""
        for edge in self.bundle.edges:
            if edge.source not in self.nodes or edge.target not in self.nodes:
                continue
            source = self.timers.get(edge.source) if edge.timeout else None
            if source is None:
                _insert_reference(self.elements[edge.source], "outgoing", self.edge_ids[edge.id])
            _insert_reference(self.elements[edge.target], "incoming", self.edge_ids[edge.id])

    def _timeout_timer(self, process: Element, node: WaitNode) -> None:
        timer = etree.SubElement(process, _q("boundaryEvent"), id=self.timers[node.id])
        timer.set("attachedToRef", self.node_ids[node.id])
        timer.set("cancelActivity", "true")
        for edge in self.bundle.edges:
            if edge.source == node.id and edge.timeout and edge.target in self.nodes:
                etree.SubElement(timer, _q("outgoing")).text = self.edge_ids[edge.id]
        definition = etree.SubElement(timer, _q("timerEventDefinition"))
        assert node.timeout is not None
        _formal(definition, "timeDuration", iso_text(node.timeout))

    def _flow(self, process: Element, edge: Edge) -> None:
        flow = etree.SubElement(process, _q("sequenceFlow"), id=self.edge_ids[edge.id])
        timer = self.timers.get(edge.source) if edge.timeout else None
        flow.set("sourceRef", timer or self.node_ids[edge.source])
        flow.set("targetRef", self.node_ids[edge.target])
        if edge.label:
            flow.set("name", _clean(edge.label))
        extension = etree.SubElement(etree.SubElement(flow, _q("extensionElements")), _q("edge", FLOWDESK))
        if edge.default and not self._is_gateway_default(edge):
            extension.set("default", "true")
        if edge.timeout and timer is None:
            extension.set("timeout", "true")
        if edge.condition:
            _formal(flow, "conditionExpression", _clean(edge.condition), CEL_LANGUAGE)

    def _is_gateway_default(self, edge: Edge) -> bool:
        source = self.elements.get(edge.source)
        return source is not None and source.get("default") == self.edge_ids[edge.id]

    # -- the diagram

    def _diagram(self, definitions: Element, process_id: str) -> None:
        diagram = etree.SubElement(definitions, _q("BPMNDiagram", BPMNDI), id=self.ids.claim("diagram"))
        plane = etree.SubElement(diagram, _q("BPMNPlane", BPMNDI), id=self.ids.claim("plane"))
        plane.set("bpmnElement", process_id)
        centres = self._centres()
        sizes = {node.id: _SIZES[self.elements[node.id].tag] for node in self.bundle.nodes}
        for node in self.bundle.nodes:
            _shape(plane, self.ids.claim(f"{self.node_ids[node.id]}_di"), self.node_ids[node.id],
                   centres[node.id], sizes[node.id])
            if node.id in self.timers:
                x, y = centres[node.id]
                _shape(plane, self.ids.claim(f"{self.timers[node.id]}_di"), self.timers[node.id],
                       (x + 30, y + _ACTIVITY[1] / 2), _EVENT)
        for edge in self.bundle.edges:
            if edge.source not in centres or edge.target not in centres:
                continue
            shape = etree.SubElement(plane, _q("BPMNEdge", BPMNDI), id=self.ids.claim(f"{self.edge_ids[edge.id]}_di"))
            shape.set("bpmnElement", self.edge_ids[edge.id])
            (x1, y1), (x2, y2) = centres[edge.source], centres[edge.target]
            if edge.timeout and edge.source in self.timers:
                x1, y1 = x1 + 30, y1 + _ACTIVITY[1] / 2 + _EVENT[1] / 2
            for x, y in ((x1, y1), (x2, y2)):
                etree.SubElement(shape, _q("waypoint", DI), x=_number(x), y=_number(y))

    def _centres(self) -> dict[str, tuple[float, float]]:
        computed: dict[str, Any] | None = None
        centres = {}
        for node in self.bundle.nodes:
            position = node.position
            if position is None or not (math.isfinite(position.x) and math.isfinite(position.y)):
                computed = computed or layout(self.bundle)
                position = computed[node.id]
            centres[node.id] = (position.x, position.y)
        return centres


def _shape(plane: Element, shape_id: str, element: str, centre: tuple[float, float],
           size: tuple[float, float]) -> None:
    shape = etree.SubElement(plane, _q("BPMNShape", BPMNDI), id=shape_id, bpmnElement=element)
    width, height = size
    etree.SubElement(shape, _q("Bounds", DC), x=_number(centre[0] - width / 2), y=_number(centre[1] - height / 2),
                     width=_number(width), height=_number(height))


def _formal(parent: Element, tag: str, text: str, language: str = "") -> Element:
    expression = etree.SubElement(parent, _q(tag))
    expression.set(_q("type", XSI), "bpmn:tFormalExpression")
    if language:
        expression.set("language", language)
    expression.text = text
    return expression


def _insert_reference(element: Element, tag: str, flow_id: str) -> None:
    """Add an incoming/outgoing reference after the element's documentation, settings and earlier references."""
    order = ("documentation", "extensionElements", "incoming", "outgoing")
    position = sum(1 for child in element if child.tag in {_q(t) for t in order[: order.index(tag) + 1]})
    reference = etree.Element(_q(tag))
    reference.text = flow_id
    element.insert(position, reference)


# --------------------------------------------------------------------------- one writer per node kind


def _start(writer: _Writer, process: Element, node: NodeBase) -> Element:
    element = writer.element(process, "startEvent", node)
    if isinstance(node, StartNode) and node.trigger is StartTrigger.MESSAGE:
        etree.SubElement(element, _q("messageEventDefinition"), messageRef=writer.message_ref(node.message))
    return element


def _task(writer: _Writer, process: Element, node: NodeBase) -> Element:
    return writer.element(process, "userTask", node, documentation=getattr(node, "instructions", ""))


def _automatic(writer: _Writer, process: Element, node: NodeBase) -> Element:
    table_only = isinstance(node, AutomaticNode) and node.decision_table and not (node.assignments or node.connector)
    return writer.element(process, "businessRuleTask" if table_only else "serviceTask", node)


def _send(writer: _Writer, process: Element, node: NodeBase) -> Element:
    return writer.element(process, "sendTask", node)


def _decision(writer: _Writer, process: Element, node: NodeBase) -> Element:
    element = writer.element(process, "exclusiveGateway", node)
    default = next((e for e in writer.bundle.edges if e.source == node.id and e.default), None)
    if default is not None:
        element.set("default", writer.edge_ids[default.id])
    return element


def _parallel(writer: _Writer, process: Element, node: NodeBase) -> Element:
    return writer.element(process, "parallelGateway", node)


def _wait(writer: _Writer, process: Element, node: NodeBase) -> Element:
    assert isinstance(node, WaitNode)
    if node.wait_for is WaitFor.MESSAGE and node.timeout is not None:
        element = writer.element(process, "receiveTask", node)
        element.set("messageRef", writer.message_ref(node.message))
        writer.timers[node.id] = writer.ids.claim(f"{writer.node_ids[node.id]}_timeout")
        return element
    element = writer.element(process, "intermediateCatchEvent", node)
    if node.wait_for is WaitFor.MESSAGE:
        etree.SubElement(element, _q("messageEventDefinition"), messageRef=writer.message_ref(node.message))
        return element
    timer = etree.SubElement(element, _q("timerEventDefinition"))
    if node.duration is not None:
        _formal(timer, "timeDuration", iso_text(node.duration))
    else:
        _formal(timer, "timeDate", _clean(node.until), CEL_LANGUAGE)
    return element


def _subprocess(writer: _Writer, process: Element, node: NodeBase) -> Element:
    element = writer.element(process, "callActivity", node)
    element.set("calledElement", xml_id(getattr(node, "process", "")))
    return element


def _end(writer: _Writer, process: Element, node: NodeBase) -> Element:
    return writer.element(process, "endEvent", node)


#: Node kind -> the function writing its BPMN element.
NODE_WRITERS: dict[str, Callable[[_Writer, Element, NodeBase], Element]] = {
    "start": _start,
    "task": _task,
    "automatic": _automatic,
    "send": _send,
    "decision": _decision,
    "parallel": _parallel,
    "wait": _wait,
    "subprocess": _subprocess,
    "end": _end,
}

_SIZES = {
    _q(tag): size
    for tags, size in (
        (("startEvent", "endEvent", "intermediateCatchEvent"), _EVENT),
        (("exclusiveGateway", "parallelGateway"), _GATEWAY),
        (("userTask", "serviceTask", "businessRuleTask", "sendTask", "receiveTask", "callActivity"), _ACTIVITY),
    )
    for tag in tags
}
