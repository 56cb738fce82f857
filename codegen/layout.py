"""A layered, left-to-right layout of a flow, computed from its graph.

Each node gets the centre of where it is drawn on the canvas. The steps are the
usual ones for flow diagrams (Sugiyama style):

1. break loops: a depth-first search from the starts marks the edges that go
   back to a node still on the search path; those back edges are ignored;
2. layers by longest path: a node sits one column right of its furthest
   predecessor, so every other edge points left to right;
3. dummy nodes: an edge that spans several columns gets a dummy node in each
   column it passes, so the ordering and the coordinates keep a free lane for it
   (`codegen.edge_routing` then draws it along that lane, past the steps);
4. order within a column: a few barycenter sweeps (down, then up) move each node
   and dummy towards the mean row of its neighbours, which removes most crossings;
5. coordinates: `COLUMN` pixels between columns; in each column, nodes `ROW`
   pixels apart (a dummy takes `DUMMY_ROW`), each as level with its neighbours
   as the spacing allows, so chains and long edges run straight; disconnected
   parts are stacked below each other.

The result depends only on the graph and the order of the nodes in the bundle.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import networkx as nx

from models.bundle import Bundle
from models.graph import flow_graph
from models.nodes import Position

__all__ = ["COLUMN", "MARGIN", "ROW", "back_edges", "layout", "layout_graph"]

#: Horizontal distance between the centres of two columns, in pixels.
COLUMN = 200
#: Vertical distance between the centres of two rows, in pixels.
ROW = 110
#: Distance of the first column/row centre from the origin, in pixels.
MARGIN = 80
#: The height a long edge takes in a column it passes (its dummy node), in pixels.
DUMMY_ROW = 50
#: Dummy nodes per node at most, so a flow with many very long edges stays quick to lay out: the
#: shortest long edges get them first; the edge router still finds a way around for the others.
DUMMIES_PER_NODE = 4

_SWEEPS = 4


def layout(bundle: Bundle) -> dict[str, Position]:
    """Where each node of the flow goes: node id -> centre position.

    >>> from models.nodes import StartNode, EndNode, Edge
    >>> b = Bundle(key="k", name="K", nodes=[StartNode(id="s"), EndNode(id="e")],
    ...            edges=[Edge(id="f", source="s", target="e")])
    >>> {node_id: (p.x, p.y) for node_id, p in layout(b).items()}
    {'s': (80.0, 80.0), 'e': (280.0, 80.0)}
    """
    graph = flow_graph(bundle)
    starts = [node.id for node in bundle.nodes if node.kind == "start"]
    return {
        node_id: Position(x=x, y=y)
        for node_id, (x, y) in layout_graph(graph, starts).items()
    }


def layout_graph(
    graph: nx.DiGraph | nx.MultiDiGraph, starts: Iterable[Hashable] = (),
) -> dict[Hashable, tuple[float, float]]:
    """The layout of any directed graph: node -> (x, y) centre.

    `starts` are searched first when looking for loops; the order of
    `graph.nodes` breaks every tie, so the same graph gives the same layout.

    >>> g = nx.DiGraph([("a", "b"), ("b", "a")])
    >>> layout_graph(g, ["a"])
    {'a': (80.0, 80.0), 'b': (280.0, 80.0)}
    """
    order = {node: index for index, node in enumerate(graph.nodes)}
    dag = nx.DiGraph()
    dag.add_nodes_from(graph.nodes)
    backward = back_edges(graph, starts)
    dag.add_edges_from(
        (u, v) for u, v in graph.edges() if u != v and (u, v) not in backward
    )

    positions: dict[Hashable, tuple[float, float]] = {}
    top = 0.0
    components = sorted(nx.weakly_connected_components(dag), key=lambda c: min(order[n] for n in c))
    for component in components:
        columns, proper = _ordered_columns(dag.subgraph(component), order)
        rows = _rows(columns, proper)
        first = min(rows[node] for node in component)
        for layer, column in enumerate(columns):
            for node in column:
                if not isinstance(node, _Dummy):
                    positions[node] = (float(MARGIN + layer * COLUMN), MARGIN + top + rows[node] - first)
        top += max(rows[node] for node in component) - first + ROW
    return {node: positions[node] for node in graph.nodes}


def back_edges(
    graph: nx.DiGraph | nx.MultiDiGraph, starts: Iterable[Hashable] = (),
) -> set[tuple[Hashable, Hashable]]:
    """The (source, target) pairs that close a loop, found by DFS from the starts.

    The search starts from `starts`, then from nodes without predecessors,
    then from any node not reached yet, each in graph order. Self-loops are
    back edges too.

    >>> sorted(back_edges(nx.DiGraph([("s", "a"), ("a", "b"), ("b", "a")]), ["s"]))
    [('b', 'a')]
    """
    roots = [*starts, *(n for n in graph.nodes if graph.in_degree(n) == 0), *graph.nodes]
    state: dict[Hashable, int] = {}  # 1 = on the search path, 2 = done
    found: set[tuple[Hashable, Hashable]] = set()
    for root in roots:
        if root not in graph or root in state:
            continue
        state[root] = 1
        stack = [(root, iter(_successors(graph, root)))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(_successors(graph, child))))
            elif state[child] == 1:
                found.add((node, child))
    return found


def _successors(graph: nx.DiGraph | nx.MultiDiGraph, node: Hashable) -> list[Hashable]:
    return list(dict.fromkeys(graph.successors(node)))


@dataclass(frozen=True, slots=True, eq=False)
class _Dummy:
    """The place a long edge takes in a column it passes: step `step` on the way from `source` to `target`.

    Each is its own node of the layout graph (compared and hashed by identity).
    """

    source: Hashable
    target: Hashable
    step: int


def _ordered_columns(
    dag: nx.DiGraph, order: dict[Hashable, int],
) -> tuple[list[list[Hashable]], nx.DiGraph]:
    """The nodes of one connected acyclic part by column, each column in row order, with a dummy node in
    every column a long edge passes; and the graph whose edges each join neighbouring columns."""
    layer: dict[Hashable, int] = {}
    for node in nx.lexicographical_topological_sort(dag, key=order.__getitem__):
        layer[node] = max((layer[p] + 1 for p in dag.predecessors(node)), default=0)
    proper = nx.DiGraph()
    proper.add_nodes_from(sorted(layer, key=order.__getitem__))
    budget = DUMMIES_PER_NODE * len(layer)
    for u, v in sorted(dag.edges(), key=lambda e: (layer[e[1]] - layer[e[0]], order[e[0]], order[e[1]])):
        span = layer[v] - layer[u]
        budget -= span - 1
        chain = [u, *(_Dummy(u, v, step) for step in range(1, span)), v] if budget >= 0 else [u, v]
        for step, dummy in enumerate(chain[1:-1], start=1):
            layer[dummy] = layer[u] + step
        nx.add_path(proper, chain)
    columns: list[list[Hashable]] = [[] for _ in range(max(layer.values()) + 1)]
    for node in proper.nodes:  # real nodes in bundle order, then the dummies, shortest edges first
        columns[layer[node]].append(node)

    row = {node: index for column in columns for index, node in enumerate(column)}
    for _ in range(_SWEEPS):
        for column in columns[1:]:
            _sort_by_barycenter(column, row, proper.predecessors)
        for column in reversed(columns[:-1]):
            _sort_by_barycenter(column, row, proper.successors)
    return columns, proper


def _sort_by_barycenter(column: list[Hashable], row: dict[Hashable, int], neighbours) -> None:
    def barycenter(node: Hashable) -> float:
        rows = [row[n] for n in neighbours(node)]
        return sum(rows) / len(rows) if rows else float(row[node])

    column.sort(key=lambda node: (barycenter(node), row[node]))
    for index, node in enumerate(column):
        row[node] = index


def _rows(columns: list[list[Hashable]], proper: nx.DiGraph) -> dict[Hashable, float]:
    """The y of every node and dummy: each as level as it can be with its neighbours, in column order.

    Sweeps left to right and back, each placing a column's nodes at the mean y of their neighbours in the
    column before, as near as the spacing allows (so a chain of steps, and a long edge's dummies, run
    straight across).
    """
    y: dict[Hashable, float] = {}
    for column in columns:
        _place(column, {node: float(index) * ROW for index, node in enumerate(column)}, y)
    for _ in range(_SWEEPS):
        for column in columns[1:]:
            _place(column, _wanted(column, proper.predecessors, y), y)
        for column in reversed(columns[:-1]):
            _place(column, _wanted(column, proper.successors, y), y)
    return y


def _wanted(column: list[Hashable], neighbours, y: dict[Hashable, float]) -> dict[Hashable, float]:
    wanted = {}
    for node in column:
        ys = [y[n] for n in neighbours(node)]
        wanted[node] = sum(ys) / len(ys) if ys else y[node]
    return wanted


def _place(column: list[Hashable], wanted: dict[Hashable, float], y: dict[Hashable, float]) -> None:
    """Set y for the column's nodes, in their order, spaced apart, as near to `wanted` as can be.

    Pool-adjacent-violators: each node starts as a block at its wanted y; while a block would overlap the
    one above it the two merge into one block, placed where its nodes are on average nearest to their
    wanted y (least squares).
    """
    blocks: list[tuple[list[Hashable], list[float]]] = []  # nodes, their offsets from the block's top
    tops: list[float] = []
    for node in column:
        nodes, offsets = [node], [0.0]
        top = _snap(wanted[node])
        while blocks:
            above, above_offsets = blocks[-1]
            gap = _spacing(above[-1], node)
            if tops[-1] + above_offsets[-1] + gap <= top:
                break
            shift = above_offsets[-1] + gap
            nodes, offsets = [*above, *nodes], [*above_offsets, *(o + shift for o in offsets)]
            blocks.pop()
            tops.pop()
            top = _snap(sum(wanted[n] - o for n, o in zip(nodes, offsets, strict=True)) / len(nodes))
        blocks.append((nodes, offsets))
        tops.append(top)
    for (nodes, offsets), top in zip(blocks, tops, strict=True):
        for node, offset in zip(nodes, offsets, strict=True):
            y[node] = top + offset


def _snap(y: float) -> float:
    """`y` on the 10-pixel grid (every spacing is a multiple of 10, so all nodes of a block land on it)."""
    return math.floor(y / 10 + 0.5) * 10.0


def _spacing(upper: Hashable, lower: Hashable) -> float:
    """Distance between the centres of two neighbours in a column: a step needs a row, a passing edge less."""
    return (_height(upper) + _height(lower)) / 2


def _height(node: Hashable) -> float:
    return DUMMY_ROW if isinstance(node, _Dummy) else ROW
