"""The flow canvas: an SVG drawing of a process flow that reports edits as events.

The canvas mirrors the model the server holds. It never changes the model by
itself: a drag, a new edge, an arrow or Delete key is reported as an event; the
page decides what to do and calls `set_model` with the result. Nodes without a
stored position are placed by `codegen.layout`; every edge is drawn along the
path `codegen.edge_routing` finds around the other steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
from nicegui.element import Element
from nicegui.events import GenericEventArguments, Handler, UiEventArguments, handle_event

from codegen.edge_routing import node_box, place_labels, route_edges
from codegen.layout import COLUMN, ROW, layout_graph
from designer.display import said
from designer.i18n import N_, _

__all__ = [
    "PALETTE",
    "DeletedEventArguments",
    "EdgeAddedEventArguments",
    "FlowCanvas",
    "HistoryEventArguments",
    "NodeAddedEventArguments",
    "NodeMovedEventArguments",
    "SelectedEventArguments",
]

#: What the canvas says (labels, tooltips, what a screen reader hears), translated for the reader when the canvas
#: is made; flow_canvas.js fills in the {names}.
CANVAS_WORDS = {
    "flow": N_("Process flow: {steps} steps, {connections} connections"),
    "help_reach": N_("Tab moves through the steps, then the connections. Enter opens the settings of the one in "
                     "focus."),
    "help_edit": N_("Arrow keys move a step, Delete removes a step or connection. C on a step starts a connection "
                    "from it; C on another step ends it there; Escape cancels."),
    "help_view": N_("On the diagram itself, arrow keys move the view, plus and minus zoom."),
    "add_step": N_("Add a step"),
    "drag_hint": N_("Drag onto the canvas"),
    "add_item": N_("Add: {label}"),
    "connection": N_("connection"),
    "zoom_in": N_("Zoom in"),
    "zoom_out": N_("Zoom out"),
    "fit": N_("Fit to screen"),
    "error": N_("Error: {message}"),
    "warning": N_("Warning: {message}"),
    "edge": N_("From {source} to {target}"),
    "the_connection": N_("the connection {description}"),
    "added": N_("{label} added in the middle of the diagram"),
    "selected": N_("Selected {name}. Its settings are shown beside the diagram."),
    "no_connection": N_("No connection made"),
    "nothing_selected": N_("Nothing selected"),
    "connecting": N_("Connecting from {name}: go to the step to connect to and press C. Escape cancels."),
    "connected": N_("Connected {source} to {target}"),
    "moved_left": N_("{name} moved left"),
    "moved_right": N_("{name} moved right"),
    "moved_up": N_("{name} moved up"),
    "moved_down": N_("{name} moved down"),
    "deleted": N_("{name} deleted"),
}

#: The palette: node kind -> the business name shown to the owner.
PALETTE: dict[str, str] = {
    "start": N_("Start"),
    "task": N_("Task"),
    "automatic": N_("Automatic step"),
    "send": N_("Send letter / e-mail / SMS"),
    "decision": N_("Decision"),
    "parallel": N_("Parallel split / join"),
    "wait": N_("Wait"),
    "subprocess": N_("Subprocess"),
    "end": N_("End"),
}

#: Node moves are snapped to this grid, in pixels.
GRID = 20


@dataclass(kw_only=True, slots=True)
class NodeAddedEventArguments(UiEventArguments):
    """A palette item was dropped on the canvas at (x, y), snapped to the grid."""

    kind: str
    x: float
    y: float


@dataclass(kw_only=True, slots=True)
class NodeMovedEventArguments(UiEventArguments):
    """Node `id` was dragged to (x, y), its new centre snapped to the grid."""

    id: str
    x: float
    y: float


@dataclass(kw_only=True, slots=True)
class EdgeAddedEventArguments(UiEventArguments):
    """A connection was dragged from node `source`'s handle onto node `target`."""

    source: str
    target: str


@dataclass(kw_only=True, slots=True)
class SelectedEventArguments(UiEventArguments):
    """The node or edge `id` was selected; None when the background was clicked."""

    id: str | None


@dataclass(kw_only=True, slots=True)
class DeletedEventArguments(UiEventArguments):
    """Delete/Backspace was pressed with these nodes or edges selected."""

    ids: list[str]


@dataclass(kw_only=True, slots=True)
class HistoryEventArguments(UiEventArguments):
    """Ctrl+Z (undo) or Ctrl+Shift+Z / Ctrl+Y (redo) was pressed on the canvas."""


class FlowCanvas(Element, component="flow_canvas.js"):
    """An SVG flow diagram with a palette, pan, zoom, a minimap, selection and finding markers.

    Every step and connection can be reached, moved, opened and deleted with the keyboard and is announced
    by its label (see flow_canvas.js); the events are the same as the mouse's.

    :param bundle_document: the bundle as JSON data (as `models.serialization.bundle_document` gives it)
    :param findings: findings as `Finding` objects or their `as_dict()`; shown on their node or edge
    :param read_only: no palette, no dragging, no edit events (selection, pan and zoom still work)
    """

    def __init__(self, bundle_document: Mapping[str, Any], findings: Sequence[Any] = (), *,
                 read_only: bool = False) -> None:
        super().__init__()
        self._laid_out: dict[str, tuple[float, float]] = {}
        self._props["palette"] = [{"kind": kind, "label": _(label)} for kind, label in PALETTE.items()]
        self._props["words"] = {key: _(text) for key, text in CANVAS_WORDS.items()}
        self._props["grid"] = GRID
        self._props["readOnly"] = read_only
        self._props["highlighted"] = []
        self._props["nodeFills"] = {}
        self._props["edgeCounts"] = {}
        self._set_view(bundle_document, findings)

    def set_model(self, bundle_document: Mapping[str, Any], findings: Sequence[Any] = ()) -> None:
        """Show this model and these findings; keeps the selection, pan and zoom."""
        self._set_view(bundle_document, findings)
        self.update()

    def highlight(self, node_ids: Iterable[str]) -> None:
        """Ring these nodes (e.g. where a test-run's tokens are); an empty list clears the rings."""
        self._props["highlighted"] = sorted(set(node_ids))
        self.update()

    @property
    def highlighted(self) -> list[str]:
        return list(self._props["highlighted"])

    def paint(self, node_fills: Mapping[str, str], edge_counts: Mapping[str, int]) -> None:
        """Fill nodes with these colours (others keep their kind's) and show a count on these edges."""
        self._props["nodeFills"] = dict(node_fills)
        self._props["edgeCounts"] = dict(edge_counts)
        self.update()

    def select(self, element_id: str | None) -> None:
        """Highlight a node or edge (None clears the selection); emits no event."""
        self.run_method("select", element_id)

    def center_on(self, element_id: str) -> None:
        """Pan so that the node (or the middle of the edge) is in the centre of the view."""
        self.run_method("center_on", element_id)

    def fit(self) -> None:
        """Zoom and pan so that the whole flow is visible."""
        self.run_method("fit")

    # Typed event subscriptions.

    def on_node_added(self, callback: Handler[NodeAddedEventArguments]) -> FlowCanvas:
        return self._subscribe("node_added", NodeAddedEventArguments, callback,
                               lambda a: {"kind": str(a["kind"]), "x": float(a["x"]), "y": float(a["y"])})

    def on_node_moved(self, callback: Handler[NodeMovedEventArguments]) -> FlowCanvas:
        return self._subscribe("node_moved", NodeMovedEventArguments, callback,
                               lambda a: {"id": str(a["id"]), "x": float(a["x"]), "y": float(a["y"])})

    def on_edge_added(self, callback: Handler[EdgeAddedEventArguments]) -> FlowCanvas:
        return self._subscribe("edge_added", EdgeAddedEventArguments, callback,
                               lambda a: {"source": str(a["source"]), "target": str(a["target"])})

    def on_selected(self, callback: Handler[SelectedEventArguments]) -> FlowCanvas:
        return self._subscribe("selected", SelectedEventArguments, callback,
                               lambda a: {"id": None if a.get("id") is None else str(a["id"])})

    def on_deleted(self, callback: Handler[DeletedEventArguments]) -> FlowCanvas:
        return self._subscribe("deleted", DeletedEventArguments, callback,
                               lambda a: {"ids": [str(i) for i in a.get("ids", [])]})

    def on_undo(self, callback: Handler[HistoryEventArguments]) -> FlowCanvas:
        return self._subscribe("undo", HistoryEventArguments, callback, lambda a: {})

    def on_redo(self, callback: Handler[HistoryEventArguments]) -> FlowCanvas:
        return self._subscribe("redo", HistoryEventArguments, callback, lambda a: {})

    def _subscribe(self, event: str, arguments: type[UiEventArguments], callback: Handler[Any],
                   fields: Callable[[dict[str, Any]], dict[str, Any]]) -> FlowCanvas:
        def handle(e: GenericEventArguments) -> None:
            args = e.args if isinstance(e.args, dict) else {}
            handle_event(callback, arguments(sender=self, client=self.client, **fields(args)))

        self.on(event, handle)
        return self

    def _set_view(self, bundle_document: Mapping[str, Any], findings: Sequence[Any]) -> None:
        self._props["nodes"], self._props["edges"] = canvas_view(bundle_document, self._laid_out)
        self._props["findings"] = [_finding(f) for f in findings]


def canvas_view(
    bundle_document: Mapping[str, Any], laid_out: dict[str, tuple[float, float]] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What the canvas draws: nodes with their centre and size, edges with their label and path.

    Each edge's path goes around the other steps (`codegen.edge_routing`): `d` is its SVG path data, `extent`
    the (left, top, right, bottom) it stays in, (lx, ly)
    the point on it that its markers mark and (tx, ty) the centre of its label. An edge whose source or target
    is missing has no path.

    Nodes without a stored position are placed by the layout: where `laid_out`
    (updated in place) put them before, so nothing jumps when another node is
    moved; else where a layout of the whole flow puts them, moved down while
    they would cover a node that has a position. (The designer page should
    store the positions of a model that has none, so every node keeps its place.)

    >>> nodes, edges = canvas_view({"nodes": [{"id": "s", "kind": "start"}, {"id": "e", "kind": "end"}],
    ...                             "edges": [{"id": "f", "source": "s", "target": "e", "default": True}]})
    >>> [(n["id"], n["x"], n["y"]) for n in nodes], edges[0]["label"]
    ([('s', 80.0, 80.0), ('e', 280.0, 80.0)], 'default')
    """
    raw_nodes = [n for n in bundle_document.get("nodes", []) if isinstance(n, Mapping) and n.get("id")]
    raw_edges = [e for e in bundle_document.get("edges", []) if isinstance(e, Mapping) and e.get("id")]
    laid_out = {} if laid_out is None else laid_out
    placed: dict[str, tuple[float, float]] = {}
    unplaced: list[str] = []
    for node in raw_nodes:
        node_id, position = str(node["id"]), node.get("position")
        if isinstance(position, Mapping):
            placed[node_id] = (float(position.get("x", 0)), float(position.get("y", 0)))
        elif node_id in laid_out:
            placed[node_id] = laid_out[node_id]
        else:
            unplaced.append(node_id)
    if unplaced:
        graph = nx.DiGraph()
        graph.add_nodes_from(str(n["id"]) for n in raw_nodes)
        graph.add_edges_from((str(e["source"]), str(e["target"])) for e in raw_edges
                             if str(e.get("source")) in graph and str(e.get("target")) in graph)
        starts = [str(n["id"]) for n in raw_nodes if n.get("kind") == "start"]
        computed = layout_graph(graph, starts)
        taken = list(placed.values())
        for node_id in unplaced:  # where the layout puts it, moved down while it would cover a placed node
            x, y = computed[node_id]
            while any(abs(x - px) < COLUMN and abs(y - py) < ROW for px, py in taken):
                y += ROW
            placed[node_id] = laid_out[node_id] = (x, y)
            taken.append((x, y))
    nodes, boxes = [], {}
    for node in raw_nodes:
        node_id, kind = str(node["id"]), str(node.get("kind", "task"))
        box = boxes[node_id] = node_box(kind, *placed[node_id], label=str(node.get("name") or node_id))
        nodes.append({"id": node_id, "kind": kind, "name": str(node.get("name") or ""),
                      "wait_for": str(node.get("wait_for") or ""), "x": box.x, "y": box.y, "hw": box.hw,
                      "hh": box.hh})
    ends = [(str(e.get("source", "")), str(e.get("target", ""))) for e in raw_edges]
    labels = [_edge_label(e) for e in raw_edges]
    routes = route_edges(boxes, ends)
    edges = []
    for edge, (source, target), label, route, place in zip(raw_edges, ends, labels, routes,
                                                           place_labels(boxes, routes, labels), strict=True):
        drawn = {"id": str(edge["id"]), "source": source, "target": target, "label": label}
        if route is not None and place is not None:
            (lx, ly), (tx, ty) = place
            drawn |= {"d": route.svg_path, "extent": route.extent, "lx": lx, "ly": ly, "tx": tx, "ty": ty}
        edges.append(drawn)
    return nodes, edges


def _edge_label(edge: Mapping[str, Any]) -> str:
    if edge.get("label"):
        return str(edge["label"])
    if edge.get("condition"):
        return str(edge["condition"])
    if edge.get("default"):
        return "default"
    if edge.get("timeout"):
        return "timeout"
    return ""


def _finding(finding: Any) -> dict[str, str]:
    """A finding as the canvas marks it, its message in the reader's language."""
    data = finding.as_dict() if hasattr(finding, "as_dict") else dict(finding)
    return {
        "element": str(data.get("element", "")),
        "severity": str(data.get("severity", "error")),
        "message": said(finding.phrased_message) if hasattr(finding, "as_dict") else str(data.get("message", "")),
    }
