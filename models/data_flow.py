"""Which case variables surely have a value when a case reaches a step.

A variable is *surely set* at a node when every way from a start to that node
passes a step that sets it. This is the classic "definitely assigned" dataflow
analysis over the flow graph: what holds leaving a node is what held arriving
plus what the node sets; arriving over several edges, a variable must be set
on every one of them, except at a parallel join, which waits for all its
branches, so there it is enough that one branch set it.

What sets a variable (`SETS`, one entry per node kind):

- a start: the declared defaults, and the required fields of its form;
- a task: the required fields of its form (a required field's value cannot be
  left empty) and repeating groups that need at least one row, unless a
  visibility condition may hide them;
- an automatic step: its assignments, and a decision table's outputs when a
  row of it always matches (COLLECT always fills its list);
- a subprocess: its outputs.

Message waits set nothing for sure: what a message carries is not declared.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator

import networkx as nx

from models.bundle import Bundle
from models.decision_tables import HitPolicy, cell_condition
from models.forms import FieldKind, InputField, RepeatingGroup, Section
from models.graph import flow_graph
from models.nodes import AutomaticNode, NodeBase, StartNode, SubprocessNode, TaskNode


def surely_set(bundle: Bundle, graph: nx.MultiDiGraph | None = None) -> dict[str, frozenset[str]]:
    """Node id -> the variables surely set when a token arrives there (before the node itself runs).

    `graph` is the bundle's flow graph, if the caller has it already. Nodes no
    start reaches get every variable (nothing can be missing where no case goes).

    >>> from models.nodes import Edge, EndNode
    >>> from models.data import Variable
    >>> bundle = Bundle(key="k", name="K", variables=[Variable(name="n", type="number")],
    ...                 nodes=[StartNode(id="s"), AutomaticNode(id="a", assignments=[{"variable": "n",
    ...                        "expression": "1"}]), EndNode(id="e")],
    ...                 edges=[Edge(id="f1", source="s", target="a"), Edge(id="f2", source="a", target="e")])
    >>> {node: sorted(names) for node, names in surely_set(bundle).items()}
    {'s': [], 'a': [], 'e': ['n']}
    """
    graph = flow_graph(bundle) if graph is None else graph
    everything = frozenset(v.name for v in bundle.variables)
    defaults = frozenset(v.name for v in bundle.variables if v.default is not None)
    sets = {node.id: SETS.get(node.kind, _nothing)(bundle, node) for node in bundle.nodes}
    arriving = {node: everything for node in graph}
    order = _reverse_postorder(graph, [node.id for node in bundle.nodes if isinstance(node, StartNode)])
    rank = {node: index for index, node in enumerate(order)}
    sources = {node: [source for source, _ in graph.in_edges(node)] for node in order}
    pending = []
    for node in order:
        if graph.nodes[node]["kind"] == "start":
            arriving[node] = defaults
        else:
            heapq.heappush(pending, rank[node])
    while pending:  # a worklist in reverse postorder: values only shrink, so it ends
        node = order[heapq.heappop(pending)]
        leaving = [arriving[source] | sets[source] for source in sources[node]]
        joined = frozenset.union(*leaving) if _is_join(graph, node) else frozenset.intersection(*leaving)
        if joined != arriving[node]:
            arriving[node] = joined
            for target in set(graph.successors(node)):
                if target in rank and graph.nodes[target]["kind"] != "start":
                    heapq.heappush(pending, rank[target])
    return arriving


def _reverse_postorder(graph: nx.MultiDiGraph, starts: list[str]) -> list[str]:
    """The nodes the starts reach, each before its successors except along loops (few updates for the worklist)."""
    walk = nx.DiGraph(graph.edges())
    walk.add_edges_from((_ROOT, start) for start in starts)
    return [node for node in reversed(list(nx.dfs_postorder_nodes(walk, _ROOT))) if node != _ROOT]


_ROOT = object()


def _is_join(graph: nx.MultiDiGraph, node: str) -> bool:
    return graph.nodes[node]["kind"] == "parallel" and graph.in_degree(node) > 1


def _nothing(bundle: Bundle, node: NodeBase) -> frozenset[str]:
    return frozenset()


def _form(bundle: Bundle, node: StartNode | TaskNode) -> frozenset[str]:
    """Variables a submitted form surely holds: required, always shown fields and groups that need rows."""
    form = bundle.form(node.form) if node.form else None
    return frozenset(_always_filled(form.fields if form else []))


def _automatic(bundle: Bundle, node: AutomaticNode) -> frozenset[str]:
    names = {assignment.variable for assignment in node.assignments}
    table = bundle.decision_table(node.decision_table) if node.decision_table else None
    if table is not None and table.hit_policy is HitPolicy.COLLECT:
        names.add(table.collect_into)
    elif table is not None and any(
            all(cell_condition(column.expression, cell) is None for column, cell in zip(table.inputs, rule.when,
                                                                                         strict=True))
            for rule in table.rules):
        names |= {table.output_variable(output) for output in table.outputs}
    return frozenset(names)


def _subprocess(bundle: Bundle, node: SubprocessNode) -> frozenset[str]:
    return frozenset(mapping.target for mapping in node.outputs)


#: Node kind -> the variables a node of that kind surely sets when a token leaves it.
SETS: dict[str, Callable[[Bundle, NodeBase], frozenset[str]]] = {
    "start": _form,
    "task": _form,
    "automatic": _automatic,
    "subprocess": _subprocess,
}


def _always_filled(elements: list[InputField | Section | RepeatingGroup]) -> Iterator[str]:
    for element in elements:
        if element.visible_when:
            continue  # it may be hidden, and a hidden field is not submitted
        if isinstance(element, Section):
            yield from _always_filled(element.fields)
        elif isinstance(element, RepeatingGroup):
            if element.min_items > 0:
                yield element.variable
        elif element.required and element.variable and element.kind is not FieldKind.CASE_VALUE:
            yield element.variable
