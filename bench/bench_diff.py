"""How long the diff of two versions takes: the examples, and generated flows of ~200 and ~1,000 nodes.

Run: `.venv/bin/python bench/bench_diff.py [--repeats N] [--json FILE]`. Per bundle it times
`diff_bundles` against itself (nothing changed), against a next version with a few
edits everywhere (steps renamed, moved, removed and added, a letter sentence, a form
field, a table cell), the same diff described line by line as the CLI prints it,
and `propose_node_map`. Every scenario runs once per round, rounds interleave the
scenarios so drift hits all alike; the medians over the rounds are printed, and
written as JSON with --json.
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_checks import block_structured  # the same generated flows the checks are measured on
from interleaved import interleaved_ms, spread, write_json

from codegen.diff import diff_bundles, propose_node_map
from models import Bundle, load_bundle
from models.serialization import bundle_document

ROOT = Path(__file__).resolve().parent.parent
SIZES = (200, 1_000)


def next_version(document: dict[str, Any]) -> dict[str, Any]:
    """A next version with edits spread over the bundle, as a business owner makes between two publications."""
    new = copy.deepcopy(document)
    nodes = new["nodes"]
    for index, node in enumerate(nodes):
        if index % 20 == 5 and node["kind"] == "task":
            node["name"] = f"Renamed {node['id']}"
        if index % 10 == 3:
            node["position"] = {"x": index * 7.0, "y": 40.0}
    gone = {n["id"] for n in nodes[2:-1:max(2, len(nodes) // 3)] if n["kind"] == "task"}
    new["nodes"] = [n for n in nodes if n["id"] not in gone] + [{"id": "added_task", "kind": "task",
                                                                  "queue": new["queues"][0]["id"]}]
    new["edges"] = [e for e in new["edges"] if e["source"] not in gone and e["target"] not in gone]
    for letter in new.get("letters", [])[:1]:
        letter["variants"][0]["body"] = letter["variants"][0]["body"].replace(" ", " heel ", 1)
    for form in new.get("forms", [])[:1]:
        form["fields"].append({"id": "bench_field", "kind": "text", "label": "Added in the next version"})
    for table in new.get("decision_tables", [])[:1]:
        if table.get("rules"):
            table["rules"][0]["when"][0] = "< 12345"
    return new


def scenarios(old: Bundle) -> dict[str, Callable[[], object]]:
    """The timed calls for one bundle and its next version."""
    new = Bundle.model_validate(next_version(bundle_document(old)))
    return {
        "diff with itself": lambda: diff_bundles(old, old),
        "diff with next version": lambda: diff_bundles(old, new),
        "diff + describe every change": lambda: [change.describe() for change in diff_bundles(old, new)],
        "propose node map": lambda: propose_node_map(old, new),
    }


def bundles() -> dict[str, Bundle]:
    found = {path.stem: load_bundle(path.read_bytes(), path.name)
             for path in sorted((ROOT / "examples").glob("*.json")) if path.name != "customers.json"}
    for size in SIZES:
        found[f"generated {size} nodes"] = block_structured(size)
    return found


def measure(repeats: int) -> list[dict[str, Any]]:
    """Median milliseconds per bundle and scenario, over `repeats` interleaved rounds after one warm-up round."""
    calls = {(name, scenario): call for name, bundle in bundles().items()
             for scenario, call in scenarios(bundle).items()}
    changes = {name: len(diff_bundles(bundle, Bundle.model_validate(next_version(bundle_document(bundle)))))
               for name, bundle in bundles().items()}
    return [{"bundle": name, "scenario": scenario, "changes": changes[name], **timing}
            for (name, scenario), timing in interleaved_ms(calls, repeats).items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21, help="timed rounds (default 21)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON here")
    args = parser.parse_args()
    rows = measure(args.repeats)
    print(f"flowdesk diff bench — medians of {args.repeats} interleaved rounds, Python {sys.version.split()[0]}")
    print(f"{'bundle':<26} {'changes':>7}  {'scenario':<30} {'median ms':>10} {'min-max ms':>16}")
    for row in rows:
        print(f"{row['bundle']:<26} {row['changes']:>7}  {row['scenario']:<30} {row['median_ms']:>10.2f} "
              f"{spread(row):>16}")
    write_json(args.json, args.repeats, rows)


if __name__ == "__main__":
    main()
