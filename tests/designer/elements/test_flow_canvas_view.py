"""What the flow canvas is given to draw, computed in Python (no browser)."""

from __future__ import annotations

from designer.elements.flow_canvas import PALETTE, _finding, canvas_view
from models.checks.findings import Finding, Severity
from models.nodes import NODE_KINDS


def flow(**positions: tuple[float, float]) -> dict:
    nodes = [{"kind": "start", "id": "s"}, {"kind": "task", "id": "t", "name": "Call back"}, {"kind": "end", "id": "e"}]
    for node in nodes:
        if node["id"] in positions:
            x, y = positions[node["id"]]
            node["position"] = {"x": x, "y": y}
    return {"key": "k", "name": "K", "nodes": nodes,
            "edges": [{"id": "a", "source": "s", "target": "t"}, {"id": "b", "source": "t", "target": "e"}]}


def test_the_palette_offers_every_node_kind():
    assert set(PALETTE) == set(NODE_KINDS)


def test_edges_show_their_label_else_condition_else_default_or_timeout():
    document = {"nodes": [{"id": "d", "kind": "decision"}, {"id": "x", "kind": "end"}],
                "edges": [{"id": "1", "source": "d", "target": "x", "condition": "amount > 10"},
                          {"id": "2", "source": "d", "target": "x", "default": True},
                          {"id": "3", "source": "d", "target": "x", "timeout": True},
                          {"id": "4", "source": "d", "target": "x", "condition": "a", "label": "Large"},
                          {"id": "5", "source": "d", "target": "x"}]}
    _, edges = canvas_view(document)
    assert [e["label"] for e in edges] == ["amount > 10", "default", "timeout", "Large", ""]


def test_a_model_without_positions_is_laid_out_left_to_right():
    nodes, _ = canvas_view(flow())
    xs = [n["x"] for n in nodes]
    assert xs == sorted(xs) and len(set(xs)) == 3


def test_stored_positions_are_drawn_as_they_are():
    nodes, _ = canvas_view(flow(s=(40, 40), t=(300, 220), e=(600, 40)))
    assert [(n["x"], n["y"]) for n in nodes] == [(40, 40), (300, 220), (600, 40)]


def test_moving_one_node_leaves_the_laid_out_ones_in_place():
    remembered: dict = {}
    before, _ = canvas_view(flow(), remembered)
    after, _ = canvas_view(flow(t=(500, 500)), remembered)
    assert [(n["x"], n["y"]) for n in after if n["id"] != "t"] == [(n["x"], n["y"]) for n in before if n["id"] != "t"]
    assert (after[1]["x"], after[1]["y"]) == (500, 500)


def test_a_node_without_position_never_covers_a_placed_one():
    nodes, _ = canvas_view(flow(t=(80, 80)))  # where the layout would put the start
    spots = {n["id"]: (n["x"], n["y"]) for n in nodes}
    assert spots["s"] != spots["t"]


def test_broken_documents_draw_what_they_can():
    nodes, edges = canvas_view({"nodes": [{"id": "a"}, "junk", {"kind": "end"}],
                                "edges": [{"id": "x", "source": "a", "target": "gone"}]})
    assert [n["id"] for n in nodes] == ["a"]
    assert edges == [{"id": "x", "source": "a", "target": "gone", "label": ""}]


def test_findings_are_passed_as_element_severity_and_message():
    finding = Finding(code="c", severity=Severity.WARNING, element="t", message="No SLA")
    assert _finding(finding) == {"element": "t", "severity": "warning", "message": "No SLA"}
    assert _finding({"element": "t", "severity": "error", "message": "m", "code": "c"})["severity"] == "error"
