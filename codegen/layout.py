"""A layered, left-to-right layout of a flow, computed from its graph.

Each node gets the centre of where it is drawn on the canvas. The steps are the
usual ones for flow diagrams (Sugiyama style):

1. break loops: a depth-first search from the starts marks the edges that go
   back to a node still on the search path; those back edges are ignored;
2. layers by longest path: a node sits one column right of its furthest
   predecessor, so every other edge points left to right;
3. order within a column: a few barycenter sweeps (down, then up) move each node
   towards the mean row of its neighbours, which removes most edge crossings;
4. coordinates: `COLUMN` pixels between columns, `ROW` pixels between rows,
   each column centred on the tallest one; disconnected parts are stacked below
   each other.

The result depends only on the graph and the order of the nodes in the bundle.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

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
        columns = _ordered_columns(dag.subgraph(component), order)
        height = max(len(column) for column in columns)
        for layer, column in enumerate(columns):
            offset = (height - len(column)) / 2
            for row, node in enumerate(column):
                positions[node] = (float(MARGIN + layer * COLUMN), float(MARGIN + top + (offset + row) * ROW))
        top += height * ROW
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


def _ordered_columns(dag: nx.DiGraph, order: dict[Hashable, int]) -> list[list[Hashable]]:
    """The nodes of one connected acyclic part, by column, each column in row order."""
    layer: dict[Hashable, int] = {}
    for node in nx.lexicographical_topological_sort(dag, key=order.__getitem__):
        layer[node] = max((layer[p] + 1 for p in dag.predecessors(node)), default=0)
    columns: list[list[Hashable]] = [[] for _ in range(max(layer.values()) + 1)]
    for node in sorted(layer, key=order.__getitem__):
        columns[layer[node]].append(node)

    row = {node: index for column in columns for index, node in enumerate(column)}
    for _ in range(_SWEEPS):
        for column in columns[1:]:
            _sort_by_barycenter(column, row, dag.predecessors)
        for column in reversed(columns[:-1]):
            _sort_by_barycenter(column, row, dag.successors)
    return columns


def _sort_by_barycenter(column: list[Hashable], row: dict[Hashable, int], neighbours) -> None:
    def barycenter(node: Hashable) -> float:
        rows = [row[n] for n in neighbours(node)]
        return sum(rows) / len(rows) if rows else float(row[node])

    column.sort(key=lambda node: (barycenter(node), row[node]))
    for index, node in enumerate(column):
        row[node] = index
