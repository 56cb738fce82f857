"""BPMN 2.0 XML in: each process of a file as a Flowdesk bundle document, with its import report.

Nothing is created here: `import_bpmn` returns documents and reports, and the
caller decides what to keep. The mapping is one table, `FLOW_NODES`, from a
BPMN element to the function that reads it (SpiffWorkflow's parser does the
same); `NOT_RUN` lists the elements Flowdesk does not run, each with what to do
instead. Event definitions, boundary events and conditions have tables of
their own below.

What a file says in standard BPMN wins: names, documentation, flows,
conditions and diagram positions, as another tool may have edited them.
Flowdesk's own settings (forms, letters, SLAs, checklists, tables...) travel
in `extensionElements` (see `codegen.bpmn.exporter`) and fill in the rest, so
an exported process comes back as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from pydantic import ValidationError

from codegen.bpmn.foreign import cel_date, iso_duration, translate_condition
from codegen.bpmn.names import BPMN, BPMNDI, CEL_LANGUAGE, DC, FLOWDESK, IdAllocator, element_id, file_named, local
from codegen.bpmn.report import ImportReport, Outcome, ReportEntry
from codegen.bpmn.safe_xml import parse_xml
from codegen.layout import layout
from models.bundle import SCHEMA_VERSION, Bundle
from models.durations import Duration
from models.errors import FlowdeskError
from models.migrations import SchemaVersionError, upgrade
from models.phrases import Phrase
from models.serialization import bundle_document, problems_from_validation

__all__ = ["FLOW_NODES", "NOT_RUN", "BpmnImportError", "ImportedProcess", "import_bpmn"]

Element = etree._Element
Document = dict[str, Any]

#: Longest texts the bundle takes (see models.base).
_LABEL, _LONG_TEXT, _EXPRESSION = 200, 20_000, 2_000
#: How far (in pixels) a shape may be from where Flowdesk drew it and still count as not moved.
_MOVED = 0.5
_CAMUNDA_NAMESPACES = ("http://camunda.org/schema/1.0/bpmn", "http://activiti.org/bpmn")


class BpmnImportError(FlowdeskError):
    """The file is XML but not a BPMN process Flowdesk can read; the message says why."""


@dataclass
class ImportedProcess:
    """One process of the file: the bundle document it became and the report of how."""

    document: Document
    report: ImportReport


def import_bpmn(data: bytes, source: str = "") -> list[ImportedProcess]:
    """Every process of a BPMN 2.0 file that has steps, as bundle documents with their reports.

    >>> xml = b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="x">
    ...   <process id="refund" name="Refund"><startEvent id="s"/><userTask id="t" name="Check"/>
    ...     <endEvent id="e"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    ...     <sequenceFlow id="f2" sourceRef="t" targetRef="e"/></process></definitions>'''
    >>> [imported] = import_bpmn(xml, "refund.bpmn")
    >>> [n["kind"] for n in imported.document["nodes"]], imported.report.complete
    (['start', 'task', 'end'], True)
    """
    root = parse_xml(data, source)
    if root.tag != _q("definitions"):
        raise BpmnImportError(Phrase("{file} is not a BPMN 2.0 file: its root element is '{root}', not "
                                     "'definitions' in the BPMN 2.0 namespace", file=file_named(source),
                                     root=local(root.tag)))
    file = _File(root, source)
    imported: list[ImportedProcess] = []
    for process in root.iterchildren(_q("process")):
        reader = _ProcessReader(file, process)
        imported += reader.read()
    if not imported:
        raise BpmnImportError(Phrase("{file} holds no process with steps to import", file=file_named(source)))
    imported[0].report.entries[:0] = file.notes
    return imported


def _q(name: str, namespace: str = BPMN) -> str:
    return f"{{{namespace}}}{name}"


def _text(element: Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _documentation(element: Element) -> str:
    """The element's documentation: exactly as written when Flowdesk wrote it, else without surrounding blanks."""
    found = element.find(_q("documentation"))
    if found is None:
        return ""
    text = "".join(found.itertext())
    written_by_flowdesk = element.find(_q("extensionElements")) is not None and any(
        child.tag.startswith(f"{{{FLOWDESK}}}") for child in element.find(_q("extensionElements")))
    return text if written_by_flowdesk else text.strip()


class _File:
    """What every process of a file shares: shapes, messages, pools, and process keys handed out."""

    def __init__(self, root: Element, source: str) -> None:
        self.source = source
        self.keys = IdAllocator()
        self.shapes: dict[str, tuple[float, float]] = {}
        for shape in root.iter(_q("BPMNShape", BPMNDI)):
            bounds = shape.find(_q("Bounds", DC))
            if bounds is not None and shape.get("bpmnElement"):
                try:
                    x, y, w, h = (float(bounds.get(a, "0")) for a in ("x", "y", "width", "height"))
                except ValueError:
                    continue
                self.shapes[shape.get("bpmnElement", "")] = (x + w / 2, y + h / 2)
        self.messages = {m.get("id", ""): m.get("name") or m.get("id", "") for m in root.iter(_q("message"))}
        self.pools = {p.get("processRef", ""): p.get("name", "") for p in root.iter(_q("participant"))}
        self.process_keys = {p.get("id", ""): element_id(p.get("id", ""), "process")
                             for p in root.iterchildren(_q("process"))}
        self.notes: list[ReportEntry] = []
        for flow in root.iter(_q("messageFlow")):
            self.notes.append(ReportEntry(
                Outcome.NOT_IMPORTED, flow.get("id", ""), flow.get("name", ""), "messageFlow",
                Phrase("messages between pools are not drawn in Flowdesk: a send step sends a letter, e-mail or "
                       "SMS, and a message wait or message start receives a message by its name")))
        for element in root:
            if local(element.tag).startswith("global"):
                self.notes.append(ReportEntry(
                    Outcome.NOT_IMPORTED, element.get("id", ""), element.get("name", ""), local(element.tag),
                    Phrase("global tasks are not imported: draw the task in a process of its own and call that "
                           "process")))
        processes = set(self.process_keys)
        for participant in root.iter(_q("participant")):
            if participant.get("processRef") not in processes:
                self.notes.append(ReportEntry(
                    Outcome.NOT_IMPORTED, participant.get("id", ""), participant.get("name", ""), "participant",
                    Phrase("a pool without a process (someone outside, such as the customer): nothing to import")))


class _ProcessReader:
    """Reads one process (or an embedded sub-process) into a bundle document."""

    def __init__(self, file: _File, element: Element, key: str | None = None) -> None:
        self.file = file
        self.element = element
        self.bundle = self._bundle_settings()
        self.written_by_flowdesk = bool(self.bundle)
        wanted = self.bundle.pop("key", None)
        if not isinstance(wanted, str) or element_id(wanted) != wanted:
            wanted = file.process_keys.get(element.get("id", ""), "process")
        self.key = key or file.keys.claim(wanted)
        self.report = ImportReport(file.source, Phrase("process '{key}'", key=self.key))
        self.ids = IdAllocator()
        self.id_of: dict[str, str] = {}  # BPMN id -> node id
        self.nodes: list[Document] = []
        self.kind_of: dict[str, str] = {}  # BPMN id -> node kind
        self.passing: set[str] = set()  # BPMN ids of elements the flow passes straight through
        self.timeouts: dict[str, str] = {}  # BPMN id of a timer boundary event -> node id of its wait
        self.unplaced: set[str] = set()  # node ids Flowdesk had placed by its layout when exporting
        self.lanes = self._lanes()
        self.others: list[ImportedProcess] = []
        self._pending: list[ReportEntry | Callable[[], None]] = []

    # -- notes, buffered per element so that Flowdesk's own settings can replace what a mapper derived

    def note(self, outcome: Outcome, element: Element, detail: Phrase, what: str | None = None) -> None:
        self._pending.append(ReportEntry(outcome, element.get("id", ""), self.name(element),
                                         what or local(element.tag), detail))

    def _flush(self, keep: bool = True) -> None:
        """Keep (or drop) what the element just read noted, and do what it left to do when kept."""
        pending, self._pending = self._pending, []
        for item in pending if keep else ():
            if isinstance(item, ReportEntry):
                self.report.entries.append(item)
            else:
                item()

    def name(self, element: Element) -> str:
        return element.get("name", "")

    # -- reading

    def read(self) -> list[ImportedProcess]:
        flows: list[Element] = []
        boundaries: list[Element] = []
        for child in self.element:
            tag = local(child.tag)
            if tag in FLOW_NODES:
                self._read_node(child, FLOW_NODES[tag])
            elif tag == "sequenceFlow":
                flows.append(child)
            elif tag == "boundaryEvent":
                boundaries.append(child)
            elif tag in NOT_RUN:
                self.note(Outcome.NOT_IMPORTED, child, NOT_RUN[tag])
            elif tag and tag not in _PARTS:
                self.note(Outcome.NOT_IMPORTED, child, Phrase("Flowdesk does not know this element"))
            self._flush()
        if not self.nodes:
            return self.others
        for boundary in boundaries:
            _boundary_event(self, boundary)
            self._flush()
        edges = self._edges(flows)
        document = self._document(edges)
        return [ImportedProcess(document, self.report), *self.others]

    def _read_node(self, element: Element, mapper: Callable[[_ProcessReader, Element], Document | None]) -> None:
        node = mapper(self, element)
        if node is None:
            return
        bpmn_id = element.get("id", "")
        node_id = self.ids.claim(element_id(bpmn_id, node["kind"]))
        settings = self._node_settings(element)
        if settings is not None and settings.get("kind") == node["kind"]:
            self._flush(keep=False)
            self.note(Outcome.IMPORTED, element, Phrase("a {kind} step, with its Flowdesk settings", kind=node["kind"]))
            node = settings | {k: node[k] for k in ("name", "description", "instructions") if k in node}
        elif settings is not None:
            self.note(Outcome.TRANSLATED, element, Phrase("its Flowdesk settings are for a {was} step, but it is now a "
                                                          "{kind} step: they are left out",
                                                          was=str(settings.get("kind")), kind=node["kind"]))
        node["id"] = node_id
        self._place(node, bpmn_id, settings)
        self.id_of[bpmn_id] = node_id
        self.kind_of[bpmn_id] = node["kind"]
        self.nodes.append(node)

    def _place(self, node: Document, bpmn_id: str, settings: Document | None) -> None:
        drawn = self.file.shapes.get(bpmn_id)
        node.pop("position", None)
        if drawn is None:
            return
        kept = (settings or {}).get("position")
        if settings is not None and kept is None:
            self.unplaced.add(node.get("id", ""))
        if isinstance(kept, dict) and _near(drawn, (kept.get("x", 0), kept.get("y", 0))):
            node["position"] = kept
        else:
            node["position"] = {"x": drawn[0], "y": drawn[1]}

    # -- standard parts every element has

    def base(self, element: Element, kind: str, documentation_as: str = "description") -> Document:
        node: Document = {"kind": kind}
        name = self.name(element)
        if name:
            node["name"] = self.fit(element, name, _LABEL, "name")
        doc = _documentation(element)
        if doc:
            node[documentation_as] = self.fit(element, doc, _LONG_TEXT, "documentation")
        self._loops(element)
        return node

    def fit(self, element: Element, text: str, limit: int, what: str) -> str:
        """`text` cut to `limit` characters, noting so; `what` is "name" or "documentation"."""
        if len(text) <= limit:
            return text
        self.note(Outcome.TRANSLATED, element,
                  Phrase("its name is {length} characters; the first {limit} are kept", length=len(text), limit=limit)
                  if what == "name" else
                  Phrase("its documentation is {length} characters; the first {limit} are kept", length=len(text),
                         limit=limit))
        return text[:limit]

    def _loops(self, element: Element) -> None:
        for tag, advice in _LOOPS.items():
            if element.find(_q(tag)) is not None:
                self.note(Outcome.NOT_IMPORTED, element, advice, tag)
        if element.get("isForCompensation") == "true":
            self.note(Outcome.NOT_IMPORTED, element, _NO_COMPENSATION, "compensation")

    def queue_for(self, element: Element) -> str:
        """The queue of the lane the element is in; lanes become queues (and roles) when first used."""
        lane = self.lanes.get(element.get("id", ""))
        if lane is None:
            queue_id, name = "work", "Work"
        else:
            queue_id, name = element_id(lane.get("name") or lane.get("id", ""), "queue"), self.name(lane)
        self._pending.append(lambda: self._add_queue(queue_id, name, lane))
        return queue_id

    def _add_queue(self, queue_id: str, name: str, lane: Element | None) -> None:
        queues = self.bundle.setdefault("queues", [])
        if any(q.get("id") == queue_id for q in queues):
            return
        queues.append({"id": queue_id, "name": name, "role": queue_id})
        roles = self.bundle.setdefault("roles", [])
        if not any(r.get("id") == queue_id for r in roles):
            roles.append({"id": queue_id, "name": name})
        if lane is not None:
            self.report.add(Outcome.TRANSLATED, lane.get("id", ""), name, "lane",
                            Phrase("becomes queue '{queue}' with role '{role}'", queue=queue_id, role=queue_id))
        else:
            self.report.add(Outcome.TRANSLATED, "", "", "queue",
                            Phrase("steps outside any lane go to a new queue 'work': move them to the right queue"))

    def message_name(self, element: Element, definition: Element | None = None) -> str:
        ref = (definition if definition is not None else element).get("messageRef", "")
        name = self.file.messages.get(ref, ref) or self.name(element) or element.get("id", "")
        return name[:_LABEL]

    def condition(self, element: Element) -> str | None:
        """A condition as CEL: kept when it is CEL, translated when exactly possible, else kept as written."""
        expression = element.find(_q("conditionExpression"))
        text = _text(expression)
        if not text:
            return None
        language = (expression.get("language") or "") if expression is not None else ""
        if language == CEL_LANGUAGE and expression is not None:
            return "".join(expression.itertext())
        translated = translate_condition(text, language)
        if translated.cel is not None:
            language_given = translated.language or Phrase("no language given")
            self.note(Outcome.TRANSLATED, element, Phrase("the condition '{text}' ({language}) is '{cel}'", text=text,
                                                          language=language_given, cel=translated.cel))
            self._declare(element, translated.literal_types)
            return translated.cel
        if len(text) > _EXPRESSION:
            self.note(Outcome.NOT_IMPORTED, element, Phrase("the condition is {length} characters long; write it "
                                                            "anew in Flowdesk's expression language", length=len(text)))
            return None
        self.note(Outcome.TO_FIX, element, Phrase("the condition '{text}' is kept as written ({reason}): rewrite it in "
                                                  "Flowdesk's expression language (CEL)", text=text,
                                                  reason=translated.phrased_reason))
        return text

    def _declare(self, element: Element, types: dict[str, str]) -> None:
        """Declare the case variables a translated condition compares with literals, typed by the literal."""
        variables = self.bundle.setdefault("variables", [])
        for name, kind in types.items():
            if name in _BUILT_IN_NAMES or any(v.get("name") == name for v in variables):
                continue
            variables.append({"name": name, "type": kind})
            self.report.add(Outcome.TRANSLATED, element.get("id", ""), self.name(element), "variable",
                            Phrase("case variable '{name}' is declared as {kind}, because a condition compares it "
                                   "with a {kind} value; check its type (money? a choice?)", name=name, kind=kind))

    # -- flows

    def _edges(self, flows: list[Element]) -> list[Document]:
        by_source: dict[str, list[Element]] = {}
        for flow in flows:
            by_source.setdefault(flow.get("sourceRef", ""), []).append(flow)
        defaults = {el.get("default") for el in self.element.iter() if el.get("default")}
        edges: list[Document] = []
        for flow in flows:
            source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
            if source in self.passing:
                continue
            target = self._through(target, by_source)
            timeout = source in self.timeouts
            source_id = self.timeouts.get(source) or self.id_of.get(source)
            if source_id is None or target not in self.id_of:
                self._flush()
                continue
            edge: Document = {"id": self.ids.claim(element_id(flow.get("id", ""), "flow")),
                              "source": source_id, "target": self.id_of[target]}
            name = self.name(flow)
            if name:
                edge["label"] = self.fit(flow, name, _LABEL, "name")
            edge |= self._flow_settings(flow, source, timeout, flow.get("id") in defaults)
            edges.append(edge)
            self._flush()
        return edges

    def _flow_settings(self, flow: Element, source: str, timeout: bool, default: bool) -> Document:
        settings: Document = {}
        extra = flow.find(f"{_q('extensionElements')}/{_q('edge', FLOWDESK)}")
        condition = self.condition(flow)
        from_decision = self.kind_of.get(source) == "decision"
        if condition is not None and not from_decision and not timeout and extra is None:
            self.note(Outcome.NOT_IMPORTED, flow, Phrase("a condition on a flow that leaves a step (not a decision) "
                                                         "is not run: put a decision after the step and give the "
                                                         "condition to its flow"))
        elif condition is not None:
            settings["condition"] = condition
        if default and from_decision:
            settings["default"] = True
        elif default and not (extra is not None and extra.get("default") == "true"):
            self.note(Outcome.NOT_IMPORTED, flow, Phrase("a default flow that leaves a step (not a decision) is not "
                                                         "run: put a decision after the step and make this its "
                                                         "default"))
        if timeout:
            settings["timeout"] = True
        if extra is not None:
            settings |= {flag: True for flag in ("default", "timeout") if extra.get(flag) == "true"}
        return settings

    def _through(self, target: str, by_source: dict[str, list[Element]]) -> str:
        """Follow elements the flow passes straight through (events that do nothing) to the next real step."""
        seen = set()
        while target in self.passing and target not in seen:
            seen.add(target)
            onward = by_source.get(target, [])
            if len(onward) != 1:
                return ""
            target = onward[0].get("targetRef", "")
        return target

    # -- the bundle around the flow

    def _bundle_settings(self) -> Document:
        extra = self.element.find(f"{_q('extensionElements')}/{_q('bundle', FLOWDESK)}")
        if extra is None:
            return {}
        try:
            settings = json.loads(extra.text or "")
        except ValueError:
            settings = None
        if not isinstance(settings, dict):
            self.file.notes.append(ReportEntry(
                Outcome.NOT_IMPORTED, self.element.get("id", ""), "", "flowdesk:bundle",
                Phrase("Flowdesk's settings of this process cannot be read (not a JSON object); they are left out")))
            return {}
        return {k: v for k, v in settings.items() if k not in ("name", "description", "nodes", "edges")}

    def _node_settings(self, element: Element) -> Document | None:
        extra = element.find(f"{_q('extensionElements')}/{_q('node', FLOWDESK)}")
        if extra is None:
            return None
        try:
            settings = json.loads(extra.text or "")
        except ValueError:
            settings = None
        if not isinstance(settings, dict):
            self.note(Outcome.NOT_IMPORTED, element, Phrase("its Flowdesk settings cannot be read (not a JSON "
                                                            "object)"), "flowdesk:node")
            return None
        return settings

    def _lanes(self) -> dict[str, Element]:
        """BPMN id of each flow node -> the innermost lane it is in."""
        found: dict[str, Element] = {}
        for lane in self.element.iter(_q("lane")):
            for ref in lane.iterchildren(_q("flowNodeRef")):
                found[_text(ref)] = lane  # iter() is depth first: inner lanes come later and win
        return found

    def _document(self, edges: list[Document]) -> Document:
        name = self.name(self.element)
        if not self.written_by_flowdesk:
            name = name or self.file.pools.get(self.element.get("id", ""), "") or self.key
        document: Document = {"schema_version": SCHEMA_VERSION, **self.bundle, "key": self.key,
                              "name": name[:_LABEL], "nodes": self.nodes, "edges": edges}
        doc = _documentation(self.element)
        if doc:
            document["description"] = doc[:_LONG_TEXT]
        try:
            bundle = Bundle.model_validate(upgrade(document, SCHEMA_VERSION))
        except (ValidationError, SchemaVersionError) as error:
            problems = problems_from_validation(error) if isinstance(error, ValidationError) else [str(error)]
            lines = "\n".join(f"  - {p}" for p in problems)
            raise BpmnImportError(Phrase("{source}: process '{key}' cannot become a Flowdesk process:\n{problems}",
                                         source=self.file.source, key=self.key, problems=lines)) from None
        if self.unplaced:
            laid_out = layout(bundle)
            for node in bundle.nodes:
                if node.id in self.unplaced and node.position is not None and _near(
                        (node.position.x, node.position.y), (laid_out[node.id].x, laid_out[node.id].y)):
                    node.position = None
        return bundle_document(bundle)


def _near(a: tuple[float, float], b: tuple[Any, Any]) -> bool:
    try:
        return abs(a[0] - float(b[0])) <= _MOVED and abs(a[1] - float(b[1])) <= _MOVED
    except (TypeError, ValueError):
        return False


#: Names every expression may use; a condition comparing them declares no variable.
_BUILT_IN_NAMES = frozenset(("customer", "now", "today"))

#: Parts of a process that are not elements of their own (read with their element, or structure only).
_PARTS = frozenset((
    "documentation", "extensionElements", "laneSet", "ioSpecification", "property", "auditing", "monitoring",
    "ioBinding", "supportedInterfaceRef", "correlationSubscription", "resourceRole", "performer",
    "potentialOwner", "humanPerformer",
    # an embedded sub-process read as a process of its own: its parts as an activity are read with the step
    "incoming", "outgoing", "multiInstanceLoopCharacteristics", "standardLoopCharacteristics",
    "dataInputAssociation", "dataOutputAssociation",
))

#: Elements Flowdesk does not run -> what to do instead.
NOT_RUN: dict[str, Phrase] = {
    "inclusiveGateway": Phrase("Flowdesk has no inclusive gateway: use a parallel split with a decision at the start "
                               "of each branch, or a decision when only one branch can apply"),
    "eventBasedGateway": Phrase("Flowdesk has no event-based gateway: a message wait with a timeout covers 'a reply or "
                                "a deadline' (its timeout flow is taken when no message came in time)"),
    "complexGateway": Phrase("Flowdesk has no complex gateway: use decisions and parallel joins"),
    "transaction": Phrase("Flowdesk has no transactions: draw the steps in the flow and undo work with explicit steps"),
    "adHocSubProcess": Phrase("Flowdesk has no ad-hoc sub-processes: offer the work as ad-hoc task types of the "
                              "process"),
    "dataObject": Phrase("data objects are not imported: declare the case data as variables of the process"),
    "dataObjectReference": Phrase("data objects are not imported: declare the case data as variables of the process"),
    "dataStoreReference": Phrase("data stores are not imported: reach back-office data through a connector"),
    "dataInput": Phrase("data inputs are not imported: declare the case data as variables of the process"),
    "dataOutput": Phrase("data outputs are not imported: declare the case data as variables of the process"),
    "textAnnotation": Phrase("annotations are not imported: put the text in the documentation of a step"),
    "association": Phrase("associations (of annotations and data) are not imported"),
    "group": Phrase("groups are not imported; they only mark an area of the diagram"),
    "callChoreography": Phrase("choreographies are not run by Flowdesk"),
    "choreographyTask": Phrase("choreographies are not run by Flowdesk"),
    "subChoreography": Phrase("choreographies are not run by Flowdesk"),
}

#: Repetition markers on an activity -> what to do instead.
_LOOPS: dict[str, Phrase] = {
    "multiInstanceLoopCharacteristics": Phrase("multi-instance is not run: the step runs once per case; for one piece "
                                               "of work per item of a list, start a case per item or use a repeating "
                                               "group on the step's form"),
    "standardLoopCharacteristics": Phrase("the loop marker is not run: draw the loop with a decision that leads back"),
}

_NO_COMPENSATION = Phrase("Flowdesk has no compensation: undo work with explicit steps on the path that cancels")

#: Event definitions -> what to do instead, for those Flowdesk does not run (None: it runs them).
_DEFINITIONS: dict[str, Phrase | None] = {
    "signalEventDefinition": Phrase("Flowdesk has no broadcast signals: send a message to the waiting case instead"),
    "conditionalEventDefinition": Phrase("Flowdesk has no conditional events: wait for a message that is sent when the "
                                         "condition becomes true"),
    "escalationEventDefinition": Phrase("use a task's SLA with escalations (notify, reassign, raise priority)"),
    "errorEventDefinition": Phrase("Flowdesk has no error events: let a decision after the step choose the error path"),
    "compensateEventDefinition": _NO_COMPENSATION,
    "cancelEventDefinition": Phrase("Flowdesk has no transactions to cancel: end the path with an end that records the "
                                    "outcome"),
    "linkEventDefinition": Phrase("link events are not imported: connect the two flows directly"),
    "terminateEventDefinition": None,
    "messageEventDefinition": None,
    "timerEventDefinition": None,
}


def _definition(reader: _ProcessReader, element: Element) -> tuple[str, Element | None]:
    """The event's one definition (local tag and element), ("", None) for none; several are reported."""
    found = [child for child in element if local(child.tag) in _DEFINITIONS or local(child.tag).endswith(
        "EventDefinition")]
    found += [child for child in element.iterchildren(_q("eventDefinitionRef"))]
    if len(found) > 1:
        reader.note(Outcome.NOT_IMPORTED, element, Phrase("an event with several triggers is not run: only its "
                                                          "first ({trigger}) is considered",
                                                          trigger=local(found[0].tag)))
    return (local(found[0].tag), found[0]) if found else ("", None)


def _unsupported_definition(reader: _ProcessReader, element: Element, tag: str) -> None:
    advice = _DEFINITIONS.get(tag) or Phrase("Flowdesk does not run this kind of event")
    reader.note(Outcome.NOT_IMPORTED, element, advice, tag)


# --------------------------------------------------------------------------- the mappers, one per element


def _start_event(reader: _ProcessReader, element: Element) -> Document:
    node = reader.base(element, "start")
    tag, definition = _definition(reader, element)
    if tag == "messageEventDefinition":
        node |= {"trigger": "message", "message": reader.message_name(element, definition)}
        reader.note(Outcome.IMPORTED, element, Phrase("a start by message '{message}'", message=node["message"]))
    elif tag == "timerEventDefinition":
        reader.note(Outcome.NOT_IMPORTED, element, Phrase("Flowdesk starts cases by hand, at intake or by a "
                                                          "message, not on a schedule: it becomes a start by hand; "
                                                          "start cases on a schedule through the API"), tag)
    elif tag:
        _unsupported_definition(reader, element, tag)
        reader.note(Outcome.TRANSLATED, element, Phrase("becomes a start by hand"))
    else:
        reader.note(Outcome.IMPORTED, element, Phrase("a start by hand"))
    return node


def _end_event(reader: _ProcessReader, element: Element) -> Document:
    node = reader.base(element, "end")
    tag, _ = _definition(reader, element)
    if tag == "terminateEventDefinition":
        reader.note(Outcome.TRANSLATED, element, Phrase("a terminate end becomes a plain end: in Flowdesk every "
                                                        "branch is joined before a case ends, so nothing is left to "
                                                        "terminate"))
    elif tag == "messageEventDefinition":
        reader.note(Outcome.NOT_IMPORTED, element, Phrase("an end does not send a message: put a send step before "
                                                          "it"), tag)
        reader.note(Outcome.TRANSLATED, element, Phrase("becomes a plain end"))
    elif tag:
        _unsupported_definition(reader, element, tag)
        reader.note(Outcome.TRANSLATED, element, Phrase("becomes a plain end"))
    else:
        reader.note(Outcome.IMPORTED, element, Phrase("an end"))
    return node


def _work(reader: _ProcessReader, element: Element) -> Document:
    node = reader.base(element, "task", documentation_as="instructions")
    node["queue"] = reader.queue_for(element)
    tag, queue = local(element.tag), node["queue"]
    if tag == "task":
        reader.note(Outcome.TRANSLATED, element, Phrase("a task without a type becomes work for a person, in queue "
                                                        "'{queue}'", queue=queue))
    elif tag == "manualTask":
        reader.note(Outcome.IMPORTED, element, Phrase("work done by hand, confirmed by the agent, in queue "
                                                      "'{queue}'", queue=queue))
    else:
        reader.note(Outcome.IMPORTED, element, Phrase("work for a person, in queue '{queue}'", queue=queue))
    return node


def _automatic(reader: _ProcessReader, element: Element) -> Document:
    node = reader.base(element, "automatic")
    tag = local(element.tag)
    if tag == "businessRuleTask":
        ref = _vendor(element, "decisionRef") or _zeebe(element, "calledDecision", "decisionId")
        node["decision_table"] = element_id(ref or element.get("id", ""), "table")
        if ref:
            reader.note(Outcome.TRANSLATED, element, Phrase("evaluates decision table '{table}': import its DMN file "
                                                            "together with this one", table=node["decision_table"]))
        else:
            reader.note(Outcome.TO_FIX, element, Phrase("the file does not say which decision table it evaluates: "
                                                        "choose one (it names '{table}' until then)",
                                                        table=node["decision_table"]))
        return node
    if tag == "scriptTask":
        script = _text(element.find(_q("script")))
        node["assignments"] = [{"variable": "script_result", "expression": script[:_EXPRESSION] or "null"}]
        reader.note(Outcome.TO_FIX, element, Phrase("its {language} script is kept as written, as an assignment to "
                                                    "rewrite: Flowdesk sets variables with assignments in its "
                                                    "expression language (CEL)", language=element.get("scriptFormat"))
                    if element.get("scriptFormat") else
                    Phrase("its script is kept as written, as an assignment to rewrite: Flowdesk sets variables with "
                           "assignments in its expression language (CEL)"))
        return node
    connector = (_vendor(element, "topic") or _vendor(element, "class") or _vendor(element, "delegateExpression")
                 or _vendor(element, "type") or _zeebe(element, "taskDefinition", "type")
                 or (element.get("implementation") if not (element.get("implementation") or "").startswith("##")
                     else "") or element.get("id", ""))
    node["connector"] = connector[:_LABEL]
    reader.note(Outcome.TRANSLATED, element, Phrase("calls back-office connector '{connector}'",
                                                    connector=node["connector"]))
    return node


def _said(duration: Duration) -> Phrase:
    """A duration as a report says it ("3 working days"), its unit in the reader's language."""
    return Phrase("{amount} {unit}", amount=str(duration.amount), unit=duration.unit)


def _vendor(element: Element, attribute: str) -> str:
    """A Camunda 7 / Activiti attribute, such as camunda:decisionRef."""
    return next((element.get(f"{{{ns}}}{attribute}") for ns in _CAMUNDA_NAMESPACES
                 if element.get(f"{{{ns}}}{attribute}")), "") or ""


def _zeebe(element: Element, child: str, attribute: str) -> str:
    """A Camunda 8 (Zeebe) setting, such as zeebe:taskDefinition type."""
    for found in element.iter(f"{{http://camunda.org/schema/zeebe/1.0}}{child}"):
        return found.get(attribute, "")
    return ""


def _send(reader: _ProcessReader, element: Element, definition: Element | None = None) -> Document:
    node = reader.base(element, "send")
    ref = (definition if definition is not None else element).get("messageRef", "")
    node["letter"] = element_id(reader.file.messages.get(ref, "") or element.get("id", ""), "letter")
    reader.note(Outcome.TO_FIX, element, Phrase("sends letter '{letter}', which BPMN does not carry: write it under "
                                                "Letters", letter=node["letter"]))
    return node


def _receive(reader: _ProcessReader, element: Element, definition: Element | None = None) -> Document:
    node = reader.base(element, "wait") | {"wait_for": "message"}
    node["message"] = reader.message_name(element, definition)
    reader.note(Outcome.IMPORTED, element, Phrase("waits for message '{message}'", message=node["message"]))
    return node


def _timer(reader: _ProcessReader, element: Element, definition: Element) -> Document:
    node = reader.base(element, "wait") | {"wait_for": "timer"}
    duration, date, cycle = (definition.find(_q(t)) for t in ("timeDuration", "timeDate", "timeCycle"))
    if duration is not None:
        text = _text(duration)
        found = iso_duration(text)
        if found is not None:
            node["duration"] = str(found)
            reader.note(Outcome.TRANSLATED, element, Phrase("waits {duration} (ISO 8601 '{text}')",
                                                            duration=_said(found), text=text))
            return node
        node["until"] = text[:_EXPRESSION] or "null"
        reader.note(Outcome.TO_FIX, element, Phrase("its duration '{text}' is kept as written: Flowdesk waits a "
                                                    "whole number of minutes, hours, days or weeks (months and years "
                                                    "vary in length), or until a date", text=text))
        return node
    text = _text(date) if date is not None else _text(cycle)
    language = (date.get("language") or "") if date is not None else ""
    until = (cel_date(text) or (text if language == CEL_LANGUAGE else translate_condition(text).cel)
             if date is not None else None)
    if until:
        node["until"] = until
        reader.note(Outcome.IMPORTED if language == CEL_LANGUAGE else Outcome.TRANSLATED, element,
                    Phrase("waits until {until}", until=until))
        return node
    node["until"] = text[:_EXPRESSION] or "null"
    if not text:
        what = Phrase("the timer gives no duration or date")
    elif cycle is not None:
        what = Phrase("a repeating timer (cycle) is not run ('{text}')", text=text)
    else:
        what = Phrase("its date is kept as written ('{text}')", text=text)
    reader.note(Outcome.TO_FIX, element, Phrase("{what}: give a duration, or a date in the expression language",
                                                what=what))
    return node


def _throw_event(reader: _ProcessReader, element: Element) -> Document | None:
    tag, definition = _definition(reader, element)
    if tag == "messageEventDefinition":
        return _send(reader, element, definition)
    if not tag:
        reader.passing.add(element.get("id", ""))
        reader.note(Outcome.TRANSLATED, element, Phrase("an event that only marks a milestone: the flow goes "
                                                        "straight on"))
        return None
    _unsupported_definition(reader, element, tag)
    return None


def _catch_event(reader: _ProcessReader, element: Element) -> Document | None:
    tag, definition = _definition(reader, element)
    if tag == "messageEventDefinition":
        return _receive(reader, element, definition)
    if tag == "timerEventDefinition" and definition is not None:
        return _timer(reader, element, definition)
    _unsupported_definition(reader, element, tag or "intermediateCatchEvent")
    return None


def _decision(reader: _ProcessReader, element: Element) -> Document:
    reader.note(Outcome.IMPORTED, element, Phrase("a decision"))
    return reader.base(element, "decision")


def _parallel(reader: _ProcessReader, element: Element) -> Document:
    reader.note(Outcome.IMPORTED, element, Phrase("a parallel split or join"))
    return reader.base(element, "parallel")


def _call_activity(reader: _ProcessReader, element: Element) -> Document:
    node = reader.base(element, "subprocess")
    called = element.get("calledElement", "") or _zeebe(element, "calledElement", "processId")
    node["process"] = reader.file.process_keys.get(called) or element_id(called or element.get("id", ""), "process")
    if called:
        reader.note(Outcome.TRANSLATED, element, Phrase("calls process '{process}'", process=node["process"]))
    else:
        reader.note(Outcome.TO_FIX, element, Phrase("the file does not say which process it calls: choose one (it "
                                                    "names '{process}' until then)", process=node["process"]))
    return node


def _sub_process(reader: _ProcessReader, element: Element) -> Document | None:
    if element.get("triggeredByEvent") == "true":
        reader.note(Outcome.NOT_IMPORTED, element, Phrase("event sub-processes are not run: handle the event with a "
                                                          "message wait, or with the SLA escalations of a task"))
        return None
    node = reader.base(element, "subprocess")
    key = reader.file.keys.claim(element_id(element.get("id", ""), "process"))
    inner = _ProcessReader(reader.file, element, key)
    inner.lanes = reader.lanes
    reader.others += inner.read()
    node["process"] = key
    reader.note(Outcome.TRANSLATED, element, Phrase("its steps become process '{process}', called from here; a called "
                                                    "process keeps its own case data: pass values in and out with "
                                                    "the step's mappings", process=key))
    return node


def _boundary_event(reader: _ProcessReader, element: Element) -> None:
    tag, definition = _definition(reader, element)
    attached = reader.id_of.get(element.get("attachedToRef", ""))
    node = next((n for n in reader.nodes if n["id"] == attached), None)
    interrupting = element.get("cancelActivity", "true") != "false"
    if tag == "timerEventDefinition" and definition is not None and interrupting and node is not None \
            and node.get("kind") == "wait" and node.get("wait_for") == "message":
        text = _text(definition.find(_q("timeDuration")))
        found = iso_duration(text)
        if found is not None:
            node.setdefault("timeout", str(found))
            reader.timeouts[element.get("id", "")] = node["id"]
            reader.note(Outcome.TRANSLATED, element, Phrase("the wait '{wait}' times out after {duration}; the flow "
                                                            "from this timer is its timeout path", wait=node["id"],
                                                            duration=_said(found)))
            return
        reader.note(Outcome.NOT_IMPORTED, element, Phrase("the timeout '{text}' is not a whole number of minutes, "
                                                          "hours, days or weeks; give the wait a timeout and draw its "
                                                          "timeout path again", text=text))
        return
    if tag == "timerEventDefinition":
        reader.note(Outcome.NOT_IMPORTED, element, Phrase("only a message wait is cut short by a timer in Flowdesk: "
                                                          "give the task an SLA with escalations (notify, reassign, "
                                                          "raise priority), or wait for the reply with a message "
                                                          "wait that has a timeout; the path after this timer starts "
                                                          "nowhere"))
        return
    if tag == "messageEventDefinition":
        reader.note(Outcome.NOT_IMPORTED, element, Phrase("a message that cuts a step short is not run: let the "
                                                          "agent record the reply in the step's form, or follow the "
                                                          "step with a message wait that has a timeout; the path "
                                                          "after this event starts nowhere"), tag)
        return
    _unsupported_definition(reader, element, tag or "boundaryEvent")


#: BPMN element -> the function reading it into a node (None: nothing, and it says so in the report).
FLOW_NODES: dict[str, Callable[[_ProcessReader, Element], Document | None]] = {
    "startEvent": _start_event,
    "endEvent": _end_event,
    "task": _work,
    "userTask": _work,
    "manualTask": _work,
    "serviceTask": _automatic,
    "scriptTask": _automatic,
    "businessRuleTask": _automatic,
    "sendTask": _send,
    "intermediateThrowEvent": _throw_event,
    "receiveTask": _receive,
    "intermediateCatchEvent": _catch_event,
    "exclusiveGateway": _decision,
    "parallelGateway": _parallel,
    "callActivity": _call_activity,
    "subProcess": _sub_process,
}
