"""How long checking a flow takes, for block-structured models of ~100, ~1,000 and ~10,000 nodes.

Run: `.venv/bin/python bench/bench_checks.py`. Prints the median of repeated
runs of `analyse_soundness` and of the whole `models.checks.check` (every rule).
The models nest sequences, decision blocks, parallel blocks and decision loops,
as business owners draw them, so they are sound.
A second series mixes in small unstructured (but sound) parallel fragments,
which the reductions cannot remove and the analysis has to explore.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models import Bundle
from models.checks import check
from models.soundness import analyse_soundness

SIZES = (100, 1_000, 10_000)


class _Builder:
    """Grows a block-structured flow node by node until it has about `size` nodes."""

    def __init__(self, size: int, seed: int, unstructured: float = 0.0) -> None:
        self.size = size
        self.unstructured = unstructured
        self.random = random.Random(seed)
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []

    def node(self, kind: str, **settings: Any) -> str:
        node_id = f"{kind[0]}{len(self.nodes)}"
        if kind == "task":
            settings.setdefault("queue", "q")
        self.nodes.append({"id": node_id, "kind": kind, **settings})
        return node_id

    def edge(self, source: str, target: str, **settings: Any) -> None:
        self.edges.append({"id": f"f{len(self.edges)}", "source": source, "target": target, **settings})

    def branch(self, decision: str, target: str, first: bool) -> None:
        self.edge(decision, target, **({"default": True} if first else {"condition": "approved"}))

    def block(self, entry: str, budget: int, depth: int) -> str:
        """Fill roughly `budget` nodes after `entry`; returns the block's last node."""
        last = entry
        while budget > 0:
            choice = self.random.random() if depth < 6 and budget > 6 else 0.0
            if choice < 0.5:
                task = self.node("task")
                self.edge(last, task)
                last, budget = task, budget - 1
            elif self.random.random() < self.unstructured:
                last, budget = self.parallel_loop(last), budget - 7
            else:
                part = min(budget, self.random.randint(6, 60))
                last = self.compound(last, part, depth, choice)
                budget -= part
        return last

    def compound(self, entry: str, budget: int, depth: int, choice: float) -> str:
        if choice < 0.7:
            return self.gateway_block(entry, budget, depth, "decision")
        if choice < 0.9:
            return self.gateway_block(entry, budget, depth, "parallel")
        return self.loop(entry, budget, depth)

    def gateway_block(self, entry: str, budget: int, depth: int, kind: str) -> str:
        split, join = self.node(kind), self.node(kind)
        self.edge(entry, split)
        branches = self.random.randint(2, 4)
        for i in range(branches):
            first = self.node("task")
            if kind == "decision":
                self.branch(split, first, i == 0)
            else:
                self.edge(split, first)
            self.edge(self.block(first, (budget - 2) // branches - 1, depth + 1), join)
        return join

    def loop(self, entry: str, budget: int, depth: int) -> str:
        merge, body = self.node("decision"), self.node("task")
        self.edge(entry, merge)
        self.edge(merge, body)
        decision = self.node("decision")
        self.edge(self.block(body, budget - 3, depth + 1), decision)
        self.branch(decision, merge, False)
        after = self.node("task")
        self.branch(decision, after, True)
        return after

    def parallel_loop(self, entry: str) -> str:
        """Check two things in parallel, and again both if needed: sound, but not a block."""
        split, first, second = self.node("parallel"), self.node("task"), self.node("task")
        join, again, both = self.node("parallel"), self.node("decision"), self.node("parallel")
        after = self.node("task")
        for source, target in [(entry, split), (split, first), (split, second), (first, join),
                               (second, join), (join, again), (both, first), (both, second)]:
            self.edge(source, target)
        self.branch(again, after, True)
        self.branch(again, both, False)
        return after

    def bundle(self) -> Bundle:
        start = self.node("start")
        end = self.node("end")
        self.edge(self.block(start, self.size - 2, 0), end)
        return Bundle.model_validate({
            "key": "bench", "name": "Bench",
            "roles": [{"id": "agent"}], "queues": [{"id": "q", "role": "agent"}],
            "variables": [{"name": "approved", "type": "boolean"}],
            "nodes": self.nodes, "edges": self.edges,
        })


def block_structured(size: int, seed: int = 1, unstructured: float = 0.0) -> Bundle:
    """A sound flow of about `size` nodes; `unstructured` is the share of non-block fragments."""
    return _Builder(size, seed, unstructured).bundle()


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    for unstructured in (0.0, 0.3):
        print("block-structured" if not unstructured else "with unstructured parallel fragments")
        for size in SIZES:
            _measure(block_structured(size, unstructured=unstructured))


def _measure(bundle: Bundle) -> None:
    size = len(bundle.nodes)
    repeats = 21 if size <= 1_000 else 5
    report = analyse_soundness(bundle)
    assert report.sound, f"the {size}-node bench model should be sound: {report}"
    soundness = median_seconds(partial(analyse_soundness, bundle), repeats)
    assert check(bundle) == [], "the bench model must pass every rule, so the whole check includes soundness"
    whole = median_seconds(partial(check, bundle), 3 if size > 1_000 else repeats)
    print(f"  {size:>6} nodes  analyse_soundness {soundness * 1000:9.2f} ms   whole check {whole * 1000:9.2f} ms",
          flush=True)


if __name__ == "__main__":
    main()
