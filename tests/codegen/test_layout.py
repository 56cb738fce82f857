"""The canvas layout: columns left to right, no overlaps, stable, room for long edges to pass the steps."""

from __future__ import annotations

import random
from pathlib import Path

from codegen.edge_routing import Box, EdgeRoute, edges_across_steps, node_box, route_edge, route_edges
from codegen.layout import COLUMN, ROW, back_edges, layout
from models.bundle import Bundle
from models.graph import flow_graph
from models.nodes import DecisionNode, Edge, EndNode, ParallelNode, StartNode, TaskNode
from models.serialization import load_bundle

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def bundle(nodes: list, edges: list[tuple[str, str]]) -> Bundle:
    return Bundle(
        key="k", name="K", nodes=nodes,
        edges=[Edge(id=f"e{i}", source=s, target=t) for i, (s, t) in enumerate(edges)],
    )


def task(node_id: str) -> TaskNode:
    return TaskNode(id=node_id, queue="q")


def assert_well_formed(b: Bundle) -> dict:
    positions = layout(b)
    assert set(positions) == {n.id for n in b.nodes}
    spots = [(p.x, p.y) for p in positions.values()]
    for i, (x1, y1) in enumerate(spots):
        for x2, y2 in spots[i + 1:]:
            assert abs(x1 - x2) >= COLUMN or abs(y1 - y2) >= ROW, "two nodes overlap"
    graph = flow_graph(b)
    starts = [n.id for n in b.nodes if n.kind == "start"]
    loops = back_edges(graph, starts)
    for source, target in graph.edges():
        if (source, target) not in loops:
            assert positions[source].x < positions[target].x, (source, target)
    return positions


def loop_with_parallel_block() -> Bundle:
    return bundle(
        [StartNode(id="s"), task("a"), DecisionNode(id="d"), ParallelNode(id="p"), task("b"), task("c"),
         ParallelNode(id="j"), EndNode(id="e")],
        [("s", "a"), ("a", "d"), ("d", "a"), ("d", "p"), ("p", "b"), ("p", "c"), ("b", "j"), ("c", "j"),
         ("j", "e")],
    )


def test_a_straight_line_goes_left_to_right_on_one_row():
    positions = assert_well_formed(bundle([StartNode(id="s"), task("a"), EndNode(id="e")], [("s", "a"), ("a", "e")]))
    assert positions["s"].x < positions["a"].x < positions["e"].x
    assert positions["s"].y == positions["a"].y == positions["e"].y


def test_a_loop_back_to_an_earlier_task_is_the_only_edge_going_left():
    b = loop_with_parallel_block()
    positions = assert_well_formed(b)
    assert positions["d"].x > positions["a"].x
    assert back_edges(flow_graph(b), ["s"]) == {("d", "a")}


def test_the_branches_of_a_parallel_block_share_a_column_on_different_rows():
    positions = assert_well_formed(loop_with_parallel_block())
    assert positions["b"].x == positions["c"].x
    assert positions["b"].y != positions["c"].y
    assert positions["p"].x < positions["b"].x < positions["j"].x


def test_disconnected_nodes_and_several_starts_all_get_a_free_place():
    b = bundle(
        [StartNode(id="s1"), StartNode(id="s2"), task("a"), EndNode(id="e"), task("alone"), EndNode(id="orphan")],
        [("s1", "a"), ("s2", "a"), ("a", "e"), ("alone", "alone")],
    )
    positions = assert_well_formed(b)
    assert positions["s1"].x == positions["s2"].x


def test_an_empty_flow_has_an_empty_layout():
    assert layout(Bundle(key="k", name="K")) == {}


def test_the_same_flow_always_gets_the_same_layout():
    assert layout(loop_with_parallel_block()) == layout(loop_with_parallel_block())


def test_barycenter_sweeps_untangle_crossed_branches():
    # a->y and b->x would cross if the second column kept the bundle order x, y.
    b = bundle([StartNode(id="s"), task("a"), task("b"), task("x"), task("y")],
               [("s", "a"), ("s", "b"), ("a", "y"), ("b", "x")])
    positions = assert_well_formed(b)
    assert (positions["a"].y < positions["b"].y) == (positions["y"].y < positions["x"].y)


def random_flow(size: int, seed: int) -> Bundle:
    rng = random.Random(seed)
    ids = [f"n{i}" for i in range(size)]
    nodes = [StartNode(id=ids[0]), *(task(i) for i in ids[1:-1]), EndNode(id=ids[-1])]
    edges = [(ids[i - 1], ids[i]) for i in range(1, size)]
    edges += [(rng.choice(ids), rng.choice(ids)) for _ in range(size // 2)]
    return bundle(nodes, edges)


def test_random_flows_with_loops_are_laid_out_well():
    for seed in range(5):
        assert_well_formed(random_flow(40, seed))


def test_a_thousand_node_flow_with_many_long_edges_is_laid_out_well():
    assert_well_formed(random_flow(1000, 7))  # its speed is measured in bench/bench_layout.py


def drawn_alone(b: Bundle, positions: dict) -> list[EdgeRoute]:
    """Each edge as the canvas would draw it with no other step in its way."""
    boxes = boxes_of(b, positions)
    return [route_edge(boxes[e.source], boxes[e.target], []) for e in b.edges]


def boxes_of(b: Bundle, positions: dict) -> dict[str, Box]:
    return {n.id: node_box(n.kind, positions[n.id].x, positions[n.id].y) for n in b.nodes}


def test_a_long_edge_gets_a_place_in_every_column_it_passes_so_it_is_drawn_past_the_steps():
    b = bundle([StartNode(id="s"), task("a"), task("b"), task("c"), EndNode(id="e")],
               [("s", "a"), ("a", "b"), ("b", "c"), ("c", "e"), ("s", "e")])
    positions = assert_well_formed(b)
    assert positions["a"].y == positions["b"].y == positions["c"].y  # the chain beside it stays straight
    ends = [(e.source, e.target) for e in b.edges]
    assert edges_across_steps(boxes_of(b, positions), ends, drawn_alone(b, positions)) == 0


def example_bundles() -> dict[str, Bundle]:
    return {path.stem: load_bundle(path.read_text(encoding="utf-8"))
            for path in sorted(EXAMPLES.glob("*.json")) if path.stem != "customers"}


def test_laid_out_examples_draw_no_edge_across_a_step():
    # Before dummy nodes, the layered layout put 5 forward edges of the examples, each drawn as a plain curve,
    # across a step (7 with the loops). Now the layout alone leaves forward edges clear; routing clears all.
    forward_across, routed_across = 0, 0
    for b in example_bundles().values():
        positions = layout(b)
        boxes, ends = boxes_of(b, positions), [(e.source, e.target) for e in b.edges]
        loops = back_edges(flow_graph(b), [n.id for n in b.nodes if n.kind == "start"])
        forward = [(end, route) for end, route in zip(ends, drawn_alone(b, positions), strict=True)
                   if end not in loops]
        forward_across += edges_across_steps(boxes, [end for end, _ in forward], [route for _, route in forward])
        routed_across += edges_across_steps(boxes, ends, route_edges(boxes, ends))
    assert forward_across == 0
    assert routed_across == 0
