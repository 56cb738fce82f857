"""How long laying out and drawing a flow takes: the layered layout, and the canvas's view with every edge routed.

Run: `.venv/bin/python bench/bench_layout.py [--json results.json]`. Prints the median of repeated runs of
`codegen.layout.layout` and of `canvas_view` (what the canvas is sent on every edit: positions, routed edges,
label places) for the examples without their stored positions and for block-structured flows of ~100,
~300 and ~1,000 nodes (bench_checks' models), and how many edges each draws across another step.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_checks import block_structured  # noqa: E402

from codegen.edge_routing import EdgeRoute, edges_across_steps, node_box  # noqa: E402
from codegen.layout import layout  # noqa: E402
from designer.elements.flow_canvas import canvas_view  # noqa: E402
from models import Bundle  # noqa: E402
from models.serialization import bundle_document, load_bundle  # noqa: E402

SIZES = (100, 300, 1_000)


def median_ms(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def flows() -> dict[str, Bundle]:
    examples = {path.stem: load_bundle(path.read_text(encoding="utf-8"))
                for path in sorted((ROOT / "examples").glob("*.json")) if path.stem != "customers"}
    return examples | {f"block-structured {size}": block_structured(size) for size in SIZES}


def unplaced(bundle: Bundle) -> dict:
    """The bundle as JSON data with no stored positions, so the canvas lays it out."""
    document = bundle_document(bundle)
    document["nodes"] = [{k: v for k, v in node.items() if k != "position"} for node in document["nodes"]]
    return document


def across(document: dict) -> int:
    """Edges the canvas draws across another step."""
    nodes, edges = canvas_view(document)
    boxes = {n["id"]: node_box(n["kind"], n["x"], n["y"]) for n in nodes}
    drawn = [e for e in edges if "d" in e]
    return edges_across_steps(boxes, [(e["source"], e["target"]) for e in drawn], [_parsed(e["d"]) for e in drawn])


def _parsed(path: str) -> EdgeRoute:
    numbers = [float(t) for t in path.replace("M", " ").replace("C", " ").split()]
    points = list(zip(numbers[0::2], numbers[1::2], strict=True))
    return EdgeRoute(tuple(tuple(points[i:i + 4]) for i in range(0, len(points) - 1, 3)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    results = []
    for name, bundle in flows().items():
        document = unplaced(bundle)
        repeats = 5 if len(bundle.nodes) >= 1_000 else 15
        row = {"flow": name, "nodes": len(bundle.nodes), "edges": len(bundle.edges),
               "layout_ms": median_ms(lambda b=bundle: layout(b), repeats),
               "canvas_view_ms": median_ms(lambda d=document: canvas_view(d), repeats),
               "edges_across_steps": across(document)}
        results.append(row)
        print(f"{name:>26}: {row['nodes']:>5} nodes  layout {row['layout_ms']:8.1f} ms  "
              f"canvas view {row['canvas_view_ms']:8.1f} ms  edges across steps {row['edges_across_steps']}",
              flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
