"""Where the canvas draws each connection: a path from step to step that goes around the other steps.

A connection leaves its source on the right and enters its target on the left. When the direct curve
between them would cross another step, it runs along a free horizontal lane instead: it bends onto the
lane after its source, follows it past the steps in between and bends off it before its target. A
connection back to an earlier step (a loop) turns around after its source, runs back along a lane below
or above the steps it passes, and turns into its target. The layered layout (`codegen.layout`) keeps such
lanes free by giving a long connection a place in every column it passes (dummy nodes).

A path is a chain of cubic Bézier segments. The canvas draws exactly these (`EdgeRoute.svg_path`), and
`edges_across_steps` measures on the same curves how many connections are drawn across other steps.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Box", "EdgeRoute", "edges_across_steps", "node_box", "place_labels", "route_edge", "route_edges"]

Point = tuple[float, float]
#: A cubic Bézier curve: start, two control points, end.
Segment = tuple[Point, Point, Point, Point]

#: Half the width and height of each kind's shape on the canvas; every other kind is a task-sized box.
HALF_SIZES: dict[str, tuple[float, float]] = {
    "start": (22, 22), "end": (22, 22), "wait": (22, 22), "decision": (30, 30), "parallel": (30, 30),
}
BOX_HALF_SIZE = (70, 32)
#: A lane keeps at least this distance from the steps it passes, in pixels.
CLEARANCE = 12
#: The horizontal room a bend onto or off a lane takes at most, in pixels.
BEND = 30
#: How far a loop's turn reaches beyond the side of its step, in pixels.
TURN = 24
#: An edge's label (as the canvas writes it): at most this many characters, each about this wide, half a line
#: high, its centre this far from the path, in pixels.
EDGE_LABEL_CHARS, EDGE_LABEL_CHAR_WIDTH, EDGE_LABEL_HALF_HEIGHT, EDGE_LABEL_OFFSET = 28, 6.5, 7, 10
#: A label under a round or diamond shape (as the canvas draws it): its width, the room between it and the
#: shape, the height of a line and the width of an average character at the largest size, in pixels.
LABEL_WIDTH, LABEL_GAP, LABEL_LINE, LABEL_CHAR_WIDTH = 150, 6, 16.1, 7.2


@dataclass(frozen=True, slots=True)
class Box:
    """A step's shape on the canvas: its centre and half its width and height, and the label drawn under a
    round or diamond shape (`below` pixels high, `label_hw` half as wide), which edges keep clear of too."""

    x: float
    y: float
    hw: float
    hh: float
    below: float = 0
    label_hw: float = 0

    @property
    def left(self) -> float:
        return self.x - self.hw

    @property
    def right(self) -> float:
        return self.x + self.hw

    @property
    def top(self) -> float:
        return self.y - self.hh

    @property
    def bottom(self) -> float:
        return self.y + self.hh

    @property
    def label_box(self) -> Box | None:
        """Where the label under the shape is drawn; None for a step whose label is inside it."""
        if not self.below:
            return None
        return Box(self.x, self.bottom + self.below / 2, self.label_hw, self.below / 2)

    @property
    def with_label(self) -> Box:
        """The shape and its label under it, as one box."""
        if not self.below:
            return self
        hw = max(self.hw, self.label_hw)
        return Box(self.x, self.y + self.below / 2, hw, self.hh + self.below / 2)

    def contains(self, point: Point) -> bool:
        """True when the point lies inside the shape (its border does not count)."""
        return self.left < point[0] < self.right and self.top < point[1] < self.bottom


def node_box(kind: str, x: float, y: float, label: str = "") -> Box:
    """The shape the canvas draws for a node of `kind` centred on (x, y), with its label.

    A label goes under a round or diamond shape; its height is estimated from its length, as the canvas wraps
    it onto up to three lines of `LABEL_WIDTH` pixels.

    >>> node_box("task", 100, 50).left, node_box("end", 100, 50).left
    (30, 78)
    >>> round(node_box("end", 100, 50, "Klacht afgehandeld en gesloten").with_label.bottom, 1)  # two lines
    110.2
    """
    hw, hh = HALF_SIZES.get(kind, BOX_HALF_SIZE)
    if kind not in HALF_SIZES or not label:
        return Box(x, y, hw, hh)
    lines = min(3, math.ceil(len(label) * LABEL_CHAR_WIDTH / LABEL_WIDTH))
    return Box(x, y, hw, hh, below=LABEL_GAP + lines * LABEL_LINE, label_hw=LABEL_WIDTH / 2)


@dataclass(frozen=True)
class EdgeRoute:
    """The path of one connection, as a chain of cubic Bézier segments."""

    segments: tuple[Segment, ...]

    @property
    def svg_path(self) -> str:
        """The path as SVG path data.

        >>> route_edge(node_box("task", 80, 80), node_box("task", 280, 80), []).svg_path
        'M 150 80 C 180 80 180 80 210 80'
        """
        (x0, y0), *_ = self.segments[0]
        parts = [f"M {_n(x0)} {_n(y0)}"]
        for _, c1, c2, end in self.segments:
            parts.append("C " + " ".join(f"{_n(x)} {_n(y)}" for x, y in (c1, c2, end)))
        return " ".join(parts)

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """Left, top, right and bottom of the area the path stays in (the hull of its points)."""
        xs = [p[0] for segment in self.segments for p in segment]
        ys = [p[1] for segment in self.segments for p in segment]
        return min(xs), min(ys), max(xs), max(ys)

    def label_candidates(self) -> Iterator[Point]:
        """Where the connection's label may go, best first: the middle of its middle segment (on a lane,
        the lane), then further along it, then along the other segments."""
        middle = len(self.segments) // 2
        order = [middle, *sorted(range(len(self.segments)), key=lambda i: abs(i - middle))[1:]]
        return (_round(_at(self.segments[i], t)) for i in order for t in (0.5, 0.3, 0.7, 0.15, 0.85))

    def crosses(self, box: Box) -> bool:
        """True when the path is drawn through the box."""
        return any(_segment_crosses(segment, box) for segment in self.segments)


def route_edge(source: Box, target: Box, others: Sequence[Box]) -> EdgeRoute:
    """The path from `source` to `target` that crosses as few of the `others` as it can, and is short.

    >>> a, b, c = node_box("task", 80, 80), node_box("task", 280, 80), node_box("task", 480, 80)
    >>> route_edge(a, c, [b]).crosses(b), next(route_edge(a, c, [b]).label_candidates())  # the lane below b
    (False, (280.0, 124.0))
    """
    return _Router([source, target, *others]).route(source, target)


def route_edges(boxes: Mapping[Hashable, Box],
                edges: Sequence[tuple[Hashable, Hashable]]) -> list[EdgeRoute | None]:
    """A path for every (source, target) edge, in order; None where an end has no box."""
    router = _Router(list(boxes.values()))
    return [router.route(boxes[s], boxes[t]) if s in boxes and t in boxes else None for s, t in edges]


def place_labels(boxes: Mapping[Hashable, Box], routes: Sequence[EdgeRoute | None],
                 labels: Sequence[str]) -> list[tuple[Point, Point] | None]:
    """Where each edge's label goes: a point on its path and the centre of its text, just above or below
    that point, clear of the steps and of the labels placed before it.

    The middle of the middle segment comes first (on a lane, the lane's middle), then points further along;
    where none is clear, above the middle. None where an edge has no path.

    >>> boxes = {"a": node_box("task", 80, 80), "b": node_box("task", 480, 80)}
    >>> both = route_edges(boxes, [("a", "b"), ("a", "b")])
    >>> place_labels(boxes, both, ["yes", "no"])
    [((280.0, 80.0), (280.0, 70.0)), ((280.0, 80.0), (280.0, 91.0))]
    """
    taken = _Grid([box.with_label for box in boxes.values()])  # steps, then each label placed
    places: list[tuple[Point, Point] | None] = []
    for route, label in zip(routes, labels, strict=True):
        if route is None:
            places.append(None)
            continue
        spots = ((point, (point[0], point[1] + shift)) for point in route.label_candidates()
                 for shift in (-EDGE_LABEL_OFFSET, EDGE_LABEL_OFFSET + 1))
        chosen = first = next(spots)
        if label:
            half_width = min(len(label), EDGE_LABEL_CHARS) * EDGE_LABEL_CHAR_WIDTH / 2 + 3
            chosen = next((spot for spot in itertools.chain([first], spots)
                           if not taken.overlaps(Box(*spot[1], half_width, EDGE_LABEL_HALF_HEIGHT))), first)
            taken.add(Box(*chosen[1], half_width, EDGE_LABEL_HALF_HEIGHT))
        places.append(chosen)
    return places


class _Grid:
    """Boxes filed by the square cells they touch, to find the ones near a place quickly."""

    CELL = 200.0

    def __init__(self, boxes: Sequence[Box]) -> None:
        self._cells: dict[tuple[int, int], list[Box]] = {}
        for box in boxes:
            self.add(box)

    def add(self, box: Box) -> None:
        for cell in self._cells_of(box):
            self._cells.setdefault(cell, []).append(box)

    def overlaps(self, box: Box) -> bool:
        return any(_overlap(box, other) for cell in self._cells_of(box) for other in self._cells.get(cell, ()))

    def _cells_of(self, box: Box) -> list[tuple[int, int]]:
        columns = range(math.floor(box.left / self.CELL), math.floor(box.right / self.CELL) + 1)
        rows = range(math.floor(box.top / self.CELL), math.floor(box.bottom / self.CELL) + 1)
        return [(c, r) for c in columns for r in rows]


def _overlap(a: Box, b: Box) -> bool:
    return a.left < b.right and b.left < a.right and a.top < b.bottom and b.top < a.bottom


def edges_across_steps(boxes: Mapping[Hashable, Box], edges: Sequence[tuple[Hashable, Hashable]],
                       routes: Sequence[EdgeRoute | None]) -> int:
    """How many edges are drawn across a step other than their own source and target.

    >>> boxes = {n: node_box("task", x, 80) for n, x in (("a", 80), ("b", 280), ("c", 480))}
    >>> straight = EdgeRoute((((150, 80), (250, 80), (350, 80), (410, 80)),))
    >>> edges_across_steps(boxes, [("a", "c")], [straight])
    1
    >>> edges_across_steps(boxes, [("a", "c")], route_edges(boxes, [("a", "c")]))
    0
    """
    count = 0
    for (source, target), route in zip(edges, routes, strict=True):
        if route is not None and any(route.crosses(box) for node, box in boxes.items()
                                     if node not in (source, target)):
            count += 1
    return count


class _Router:
    """Routes edges among a fixed set of boxes, finding the boxes near a path by their x-extent."""

    def __init__(self, boxes: Sequence[Box]) -> None:
        self._obstacle: dict[int, Box] = {}  # by the id of a step's box: what edges keep clear of
        self._own_label: dict[int, Box | None] = {}  # by the id of an obstacle: what its own edges keep clear of
        for box in boxes:
            obstacle = self._obstacle[id(box)] = box.with_label
            self._own_label[id(obstacle)] = box.label_box
        self._boxes = sorted(self._obstacle.values(), key=lambda b: b.left)
        self._lefts = [b.left for b in self._boxes]
        self._widest = max((2 * b.hw for b in self._boxes), default=0.0)

    def route(self, source: Box, target: Box) -> EdgeRoute:
        start, end = (source.right, source.y), (target.left, target.y)
        ends = (self._obstacle[id(source)], self._obstacle[id(target)])
        forward = end[0] > start[0] + 2 * BEND / 3
        direct = EdgeRoute((_s_curve(start, end, minimum=30),)) if forward else None
        if direct is not None and not self._crossed(direct, ends):
            return direct
        low, high = (start[0], end[0]) if forward else (end[0] - TURN, start[0] + TURN)
        passed = self._between(low, high)
        if forward:  # a loop passes its own ends too
            passed = [b for b in passed if b is not ends[0] and b is not ends[1]]
        best: tuple[int, float, EdgeRoute] | None = None
        for y in _lanes(passed, start[1], end[1]):
            route = self._lane_route(start, end, y) if forward else self._loop_route(start, end, y)
            if route is None:
                continue
            crossed = self._crossed(route, ends)
            score = (crossed, abs(y - start[1]) + abs(y - end[1]))
            if best is None or score < best[:2]:
                best = (*score, route)
            if crossed == 0:
                break
        if direct is not None and (best is None or best[0] >= self._crossed(direct, ends)):
            return direct
        assert best is not None  # a loop always has the lanes above and below everything it passes
        return best[2]

    def _lane_route(self, start: Point, end: Point, y: float) -> EdgeRoute | None:
        """Along the lane at `y`: bend onto it past the source's column, off it before the target's."""
        on = self._clear_x(start[0], 1, start[1], y, BEND)
        off = self._clear_x(end[0], -1, y, end[1], BEND)
        if off - on < 2 * BEND / 3:
            return None
        bend = min(BEND, (off - on) / 3)
        points = [start, (on, start[1]), (on + bend, y), (off - bend, y), (off, end[1]), end]
        return EdgeRoute((_line(*points[0:2]), _s_curve(*points[1:3]), _line(*points[2:4]),
                          _s_curve(*points[3:5]), _line(*points[4:6])))

    def _loop_route(self, start: Point, end: Point, y: float) -> EdgeRoute:
        """Back along the lane at `y`: turn round past the source's column, and again before the target's."""
        on = self._clear_x(start[0], 1, start[1], y, TURN)
        off = self._clear_x(end[0], -1, y, end[1], TURN)
        reach = TURN * 4 / 3  # a cubic reaches 3/4 of the way to its control points
        turn_round = ((on, start[1]), (on + reach, start[1]), (on + reach, y), (on, y))
        turn_in = ((off, y), (off - reach, y), (off - reach, end[1]), (off, end[1]))
        return EdgeRoute((_line(start, (on, start[1])), turn_round, _line((on, y), (off, y)), turn_in,
                          _line((off, end[1]), end)))

    def _clear_x(self, x: float, direction: int, y1: float, y2: float, width: float) -> float:
        """The first x from `x` on, going in `direction` (1 right, -1 left), where a strip `width` wide is
        free of boxes between the heights y1 and y2: where a bend can change height."""
        low, high = min(y1, y2), max(y1, y2)
        for _ in range(len(self._boxes) + 1):
            strip = (x, x + width) if direction > 0 else (x - width, x)
            blocking = [b for b in self._between(*strip)
                        if b.top < high and b.bottom > low and b.left < strip[1] and b.right > strip[0]]
            if not blocking:
                break
            x = max(b.right for b in blocking) + CLEARANCE / 2 if direction > 0 \
                else min(b.left for b in blocking) - CLEARANCE / 2
        return x

    def _between(self, low: float, high: float) -> list[Box]:
        """The boxes that overlap the x-range [low, high]."""
        first = bisect.bisect_left(self._lefts, low - self._widest)
        last = bisect.bisect_right(self._lefts, high)
        return [b for b in self._boxes[first:last] if b.right > low and b.left < high]

    def _crossed(self, route: EdgeRoute, ends: tuple[Box, Box]) -> int:
        """How many steps (with their labels) the route crosses, besides the shapes of its own `ends`."""
        crossed = set()
        for segment in route.segments:
            xs = [p[0] for p in segment]
            for box in self._between(min(xs), max(xs)):
                if box is ends[0] or box is ends[1]:
                    box = self._own_label[id(box)]
                if box is not None and id(box) not in crossed and _segment_crosses(segment, box):
                    crossed.add(id(box))
        return len(crossed)


def _lanes(passed: Sequence[Box], y1: float, y2: float) -> list[float]:
    """Heights of free lanes past the `passed` boxes, the most direct first: level with an end rather than
    between them, below rather than above."""
    taken = sorted((b.top - CLEARANCE, b.bottom + CLEARANCE) for b in passed)
    merged: list[list[float]] = []
    for low, high in taken:
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    gaps = [(-math.inf, merged[0][0]) if merged else (-math.inf, math.inf)]
    gaps += [(a[1], b[0]) for a, b in itertools.pairwise(merged)]
    if merged:
        gaps.append((merged[-1][1], math.inf))
    lanes = set()
    for low, high in gaps:
        if not (math.isinf(low) or math.isinf(high)):  # keep off the steps either side of a gap
            quarter = (high - low) / 4
            low, high = low + quarter, high - quarter
        for wanted in (y1, y2, (y1 + y2) / 2):  # level with an end saves a bend
            lanes.add(min(max(wanted, low), high))
    return sorted(lanes, key=lambda y: (abs(y - y1) + abs(y - y2), y not in (y1, y2), -y))  # on a tie, below


def _s_curve(a: Point, b: Point, minimum: float = 0) -> Segment:
    """A curve leaving `a` and arriving at `b` horizontally."""
    c = max(minimum, (b[0] - a[0]) / 2)
    return (a, (a[0] + c, a[1]), (b[0] - c, b[1]), b)


def _line(a: Point, b: Point) -> Segment:
    return (a, (a[0] + (b[0] - a[0]) / 3, a[1] + (b[1] - a[1]) / 3),
            (a[0] + 2 * (b[0] - a[0]) / 3, a[1] + 2 * (b[1] - a[1]) / 3), b)


def _at(segment: Segment, t: float) -> Point:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = segment
    u = 1 - t
    return (u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
            u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3)


def _segment_crosses(segment: Segment, box: Box) -> bool:
    """True when the segment passes through the box, checked every few pixels along it."""
    xs, ys = [p[0] for p in segment], [p[1] for p in segment]
    if max(xs) <= box.left or min(xs) >= box.right or max(ys) <= box.top or min(ys) >= box.bottom:
        return False  # a Bézier curve stays inside the hull of its points
    return any(box.contains(point) for point in _samples(segment))


@lru_cache(maxsize=4096)
def _samples(segment: Segment) -> tuple[Point, ...]:
    """Points along the segment, a few pixels apart (a segment is tested against many boxes)."""
    (x0, y0), c1, c2, (x3, y3) = segment
    reach = math.dist((x0, y0), c1) + math.dist(c1, c2) + math.dist(c2, (x3, y3))
    steps = max(4, math.ceil(reach / 4))
    return tuple(_at(segment, i / steps) for i in range(steps + 1))


def _round(point: Point) -> Point:
    return (round(point[0], 1), round(point[1], 1))


def _n(value: float) -> str:
    """A coordinate as SVG text: whole numbers without decimals, else one decimal."""
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"
