"""Which processes call which as subprocesses, and calls that go round in a circle.

A process that calls itself, directly or through others (A → B → A), would
start nested cases without end. The check `subprocess-cycle` refuses such a
circle before it is published, and publishing several files at once puts the
called processes first; both read the calls from here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import networkx as nx

from models.bundle import Bundle
from models.errors import FlowdeskError
from models.nodes import SubprocessNode


class SubprocessCycleError(FlowdeskError):
    """Processes call each other in a circle; `path` is the circle, e.g. ["a", "b", "a"]."""

    def __init__(self, path: list[str]) -> None:
        self.path = path
        super().__init__(f"the processes call each other as subprocesses in a circle ({' → '.join(path)}), "
                         "so their cases would nest without end; nothing was published")


def call_graph(bundles: Mapping[str, Bundle]) -> nx.DiGraph:
    """One graph node per process key, an edge from each process to each process it calls.

    Calls to processes outside `bundles` are left out.

    >>> from models.nodes import StartNode
    >>> a = Bundle(key="a", name="A", nodes=[StartNode(id="s"), SubprocessNode(id="c", process="b")])
    >>> b = Bundle(key="b", name="B", nodes=[StartNode(id="s")])
    >>> list(call_graph({"a": a, "b": b}).edges)
    [('a', 'b')]
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(bundles)
    for key, bundle in bundles.items():
        graph.add_edges_from((key, node.process) for node in _calls(bundle) if node.process in bundles)
    return graph


def cycles_through(bundle: Bundle, bundles: Mapping[str, Bundle]) -> Iterator[tuple[SubprocessNode, list[str]]]:
    """Each subprocess node of `bundle` whose call comes back to `bundle`, with the shortest circle.

    `bundles` are the other processes that may be called (by key); `bundle`
    itself is always among them, in the version given.
    """
    known = {**bundles, bundle.key: bundle}
    graph = call_graph(known)
    for node in _calls(bundle):
        if node.process in known and nx.has_path(graph, node.process, bundle.key):
            yield node, [bundle.key, *nx.shortest_path(graph, node.process, bundle.key)]


def _calls(bundle: Bundle) -> list[SubprocessNode]:
    return [node for node in bundle.nodes if isinstance(node, SubprocessNode)]
