"""The flow of a bundle as a networkx graph, for checks and layout.

Nodes carry `kind` and `model` (the node model); edges are keyed by edge id
and carry `model` (the edge). Edges whose ends are not nodes are left out;
the `edge-dangling` check reports them.
"""

from __future__ import annotations

import networkx as nx

from models.bundle import Bundle


def flow_graph(bundle: Bundle) -> nx.MultiDiGraph:
    """One graph node per flow node, one graph edge per flow edge.

    >>> from models.nodes import StartNode, EndNode, Edge
    >>> g = flow_graph(Bundle(key="k", name="K", nodes=[StartNode(id="s"), EndNode(id="e")],
    ...                       edges=[Edge(id="f", source="s", target="e")]))
    >>> list(g.edges(keys=True))
    [('s', 'e', 'f')]
    """
    graph = nx.MultiDiGraph()
    for node in bundle.nodes:
        graph.add_node(node.id, kind=node.kind, model=node)
    for edge in bundle.edges:
        if edge.source in graph and edge.target in graph:
            graph.add_edge(edge.source, edge.target, key=edge.id, model=edge)
    return graph
