"""Where connections are drawn: around the other steps, and the measure of how many are drawn across one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from codegen.edge_routing import (
    Box,
    EdgeRoute,
    edges_across_steps,
    node_box,
    place_labels,
    route_edge,
    route_edges,
)
from codegen.layout import COLUMN, MARGIN, ROW


def row(*kinds: str, y: float = 80) -> dict[str, Box]:
    """Steps named a, b, c, ... side by side, one column each."""
    return {chr(ord("a") + i): node_box(kind, MARGIN + i * COLUMN, y) for i, kind in enumerate(kinds)}


def straight(source: Box, target: Box) -> EdgeRoute:
    """A line from the source's right side to the target's left side."""
    start, end = (source.right, source.y), (target.left, target.y)
    third = ((2 * start[0] + end[0]) / 3, (2 * start[1] + end[1]) / 3)
    two_thirds = ((start[0] + 2 * end[0]) / 3, (start[1] + 2 * end[1]) / 3)
    return EdgeRoute(((start, third, two_thirds, end),))


def test_the_measure_counts_each_edge_drawn_across_another_step_once():
    boxes = row("task", "task", "task", "task")
    edges = [("a", "d"), ("a", "b"), ("b", "c")]
    routes = [straight(boxes[s], boxes[t]) for s, t in edges]
    assert edges_across_steps(boxes, edges, routes) == 1  # a-d crosses b and c: one edge
    assert edges_across_steps(boxes, edges[1:], routes[1:]) == 0  # touching its own ends does not count


def test_the_measure_sees_an_edge_that_only_grazes_a_step_as_not_crossing_it():
    half_height = node_box("task", 0, 0).hh
    boxes = {**row("task", "task"), "x": node_box("task", MARGIN + COLUMN / 2, 80 + half_height + 1)}
    assert edges_across_steps(boxes, [("a", "b")], [straight(boxes["a"], boxes["b"])]) == 0


def test_an_edge_with_nothing_in_its_way_is_one_curve():
    boxes = row("start", "task")
    [route] = route_edges(boxes, [("a", "b")])
    assert len(route.segments) == 1
    assert route.segments[0][0] == (boxes["a"].right, 80) and route.segments[0][-1] == (boxes["b"].left, 80)


def test_an_edge_blocked_by_a_step_runs_past_it_on_a_lane_and_enters_its_target_from_the_left():
    boxes = row("task", "task", "task")
    route = route_edge(boxes["a"], boxes["c"], [boxes["b"]])
    assert not route.crosses(boxes["b"])
    assert route.segments[0][0] == (boxes["a"].right, 80) and route.segments[-1][-1] == (boxes["c"].left, 80)
    lane = next(route.label_candidates())
    assert lane[0] == boxes["b"].x and lane[1] >= boxes["b"].bottom + 12


def test_a_loop_back_turns_round_and_runs_below_the_steps_it_passes():
    boxes = row("task", "task", "decision")
    [route] = route_edges(boxes, [("c", "a")])
    assert edges_across_steps(boxes, [("c", "a")], [route]) == 0
    assert min(p[1] for segment in route.segments for p in segment) >= 80  # below, not above
    assert route.segments[-1][-1] == (boxes["a"].left, 80)


def test_an_edge_keeps_clear_of_the_label_under_a_round_step():
    boxes = {"a": node_box("task", 80, 80), "b": node_box("task", 480, 80),
             "x": node_box("end", 280, 20, "Klacht afgehandeld en gesloten")}
    route = route_edge(boxes["a"], boxes["b"], [boxes["x"]])  # the straight way passes under x, through its label
    assert edges_across_steps(boxes, [("a", "b")], [straight(boxes["a"], boxes["b"])]) == 0  # not the shape...
    assert not route.crosses(boxes["x"].with_label)  # ...but the edge still goes round the label


def test_labels_of_edges_side_by_side_do_not_cover_each_other():
    boxes = row("task", "task", "task")
    edges = [("a", "c"), ("a", "c"), ("a", "b")]
    routes = route_edges(boxes, edges)
    texts = [text for _, text in place_labels(boxes, routes, ["Approved", "Rejected", "Next"])]
    (x1, y1), (x2, y2) = texts[0], texts[1]
    assert abs(x1 - x2) > len("Approved") * 6.5 or abs(y1 - y2) > 14
    for (x, y), box in ((text, box) for text in texts for box in boxes.values()):
        assert not (box.left - 20 < x < box.right + 20 and box.top - 7 < y < box.bottom + 7), "a label covers a step"


def test_an_edge_whose_end_is_missing_has_no_path_and_no_label():
    boxes = row("task")
    assert route_edges(boxes, [("a", "gone")]) == [None]
    assert place_labels(boxes, [None], ["x"]) == [None]


KINDS = st.sampled_from(["start", "end", "wait", "decision", "parallel", "task", "send", "automatic"])


@st.composite
def grid_flows(draw) -> tuple[dict[str, Box], list[tuple[str, str]]]:
    """Steps on distinct cells of a grid of columns and rows (as the layered layout places them), any edges."""
    cells = draw(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 4)), min_size=2, max_size=14, unique=True))
    boxes = {f"n{i}": node_box(draw(KINDS), MARGIN + c * COLUMN, MARGIN + r * ROW) for i, (c, r) in enumerate(cells)}
    names = sorted(boxes)
    edges = draw(st.lists(st.tuples(st.sampled_from(names), st.sampled_from(names)), min_size=1, max_size=20))
    return boxes, edges


@settings(max_examples=150, deadline=None)
@given(grid_flows())
def test_on_a_grid_of_columns_and_rows_no_edge_is_drawn_across_another_step(flow):
    boxes, edges = flow
    routes = route_edges(boxes, edges)
    assert edges_across_steps(boxes, edges, routes) == 0
    for (source, target), route in zip(edges, routes, strict=True):
        assert route.segments[0][0] == (boxes[source].right, boxes[source].y)
        assert route.segments[-1][-1] == (boxes[target].left, boxes[target].y)
