"""A tiny page showing a FlowCanvas, for the browser tests.

Run as `python canvas_app.py PORT`. Events are applied to an in-memory bundle
document and sent back with `set_model`, as the designer page does. GET /state
returns the document and the events received, so a test can check them.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from nicegui import app, ui

from designer.elements.flow_canvas import FlowCanvas

XSS = "<img src=x onerror=alert(1)>"

document: dict = {
    "key": "demo",
    "name": "Demo",
    "nodes": [
        {"kind": "start", "id": "start", "name": "Customer calls"},
        {"kind": "task", "id": "check", "name": "Check the request", "queue": "desk"},
        {"kind": "decision", "id": "ok", "name": "Complete?"},
        {"kind": "send", "id": "letter", "name": XSS, "letter": "confirm"},
        {"kind": "wait", "id": "reply", "name": "Customer reply", "wait_for": "message", "message": "reply"},
        {"kind": "end", "id": "done", "name": "Done"},
    ],
    "edges": [
        {"id": "f1", "source": "start", "target": "check"},
        {"id": "f2", "source": "check", "target": "ok"},
        {"id": "f3", "source": "ok", "target": "letter", "condition": "complete"},
        {"id": "f4", "source": "ok", "target": "reply", "default": True},
        {"id": "f5", "source": "reply", "target": "check"},
        {"id": "f6", "source": "letter", "target": "done"},
    ],
}
findings = [
    {"code": "x", "severity": "warning", "element": "reply", "message": f"No timeout {XSS}"},
    {"code": "y", "severity": "error", "element": "f4", "message": "Default edge goes nowhere useful"},
]
INITIAL = copy.deepcopy(document)
events: list[dict] = []
undo_stack: list[dict] = []
redo_stack: list[dict] = []


def register() -> None:
    """The pages and endpoints; only when run as a script (pytest imports this file for doctests)."""

    @app.get("/state")
    def state() -> dict:
        return {"document": document, "events": events}


    @app.get("/reset")
    def reset() -> dict:
        """Back to the initial document, for the next test (reload the page afterwards)."""
        document.clear()
        document.update(copy.deepcopy(INITIAL))
        events.clear()
        undo_stack.clear()
        redo_stack.clear()
        return {"ok": True}


    @ui.page("/")
    def index() -> None:
        canvas = FlowCanvas(document, findings).style("width: 1100px; height: 560px")

        def record(name: str, **args) -> None:
            events.append({"event": name, **args})
            print(json.dumps(events[-1]), flush=True)

        def edit(change) -> None:
            undo_stack.append(copy.deepcopy(document))
            redo_stack.clear()
            change()
            canvas.set_model(document, findings)

        def added(e) -> None:
            record("node_added", kind=e.kind, x=e.x, y=e.y)
            node_id = f"{e.kind}_{sum(n['kind'] == e.kind for n in document['nodes']) + 1}"
            edit(lambda: document["nodes"].append(
                {"kind": e.kind, "id": node_id, "name": f"New {e.kind}", "position": {"x": e.x, "y": e.y}}))

        def moved(e) -> None:
            record("node_moved", id=e.id, x=e.x, y=e.y)

            def change() -> None:
                for node in document["nodes"]:
                    if node["id"] == e.id:
                        node["position"] = {"x": e.x, "y": e.y}
            edit(change)

        def connected(e) -> None:
            record("edge_added", source=e.source, target=e.target)
            edit(lambda: document["edges"].append(
                {"id": f"f{len(document['edges']) + 100}", "source": e.source, "target": e.target}))

        def deleted(e) -> None:
            record("deleted", ids=e.ids)

            def change() -> None:
                document["nodes"] = [n for n in document["nodes"] if n["id"] not in e.ids]
                document["edges"] = [x for x in document["edges"] if x["id"] not in e.ids
                                     and x["source"] not in e.ids and x["target"] not in e.ids]
            edit(change)

        def history(name: str, source: list, target: list) -> None:
            record(name)
            if source:
                target.append(copy.deepcopy(document))
                document.clear()
                document.update(source.pop())
                canvas.set_model(document, findings)

        ui.button("Select Done", on_click=lambda: canvas.select("done")).classes("select-done")
        ui.button("Centre on Done", on_click=lambda: canvas.center_on("done")).classes("centre-done")
        canvas.on_node_added(added).on_node_moved(moved).on_edge_added(connected).on_deleted(deleted)
        canvas.on_selected(lambda e: record("selected", id=e.id))
        canvas.on_undo(lambda: history("undo", undo_stack, redo_stack))
        canvas.on_redo(lambda: history("redo", redo_stack, undo_stack))


    @ui.page("/kinds")
    def kinds() -> None:
        """Every node kind once, for a screenshot."""
        nodes = [
            {"kind": "start", "id": "s", "name": "Intake by phone"},
            {"kind": "task", "id": "t", "name": "Assess the complaint"},
            {"kind": "automatic", "id": "a", "name": "Score the risk"},
            {"kind": "send", "id": "m", "name": "Confirmation letter"},
            {"kind": "decision", "id": "d", "name": "Refund?"},
            {"kind": "parallel", "id": "p", "name": "Split"},
            {"kind": "wait", "id": "w1", "name": "Three days", "wait_for": "timer"},
            {"kind": "wait", "id": "w2", "name": "Customer reply", "wait_for": "message"},
            {"kind": "subprocess", "id": "sub", "name": "Change of address"},
            {"kind": "end", "id": "e", "name": "Resolved"},
        ]
        edges = [("s", "t"), ("t", "a"), ("a", "d"), ("d", "m"), ("d", "p"), ("p", "w1"), ("p", "w2"),
                 ("w1", "sub"), ("w2", "sub"), ("m", "e"), ("sub", "e")]
        flow = {"nodes": nodes, "edges": [{"id": f"e{i}", "source": s, "target": t} for i, (s, t) in enumerate(edges)]}
        FlowCanvas(flow,
                   [{"element": "sub", "severity": "error", "message": "Process 'address' is not published"}],
                   ).style("width: 1100px; height: 560px")


if __name__ in {"__main__", "__mp_main__"}:
    register()
    ui.run(port=int(sys.argv[1]), host="127.0.0.1", show=False, reload=False, title="Flow canvas test")
