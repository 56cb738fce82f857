"""How long checking a flow takes, for block-structured models of ~100, ~1,000 and ~10,000 nodes.

Run: `.venv/bin/python bench/bench_checks.py`. Prints the median of repeated
runs of `analyse_soundness` and, when every check rule imports, of the whole
`models.checks.check`. The models nest sequences, decision blocks, parallel
blocks and decision loops, as business owners draw them, so they are sound.
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
from models.soundness import analyse_soundness

SIZES = (100, 1_000, 10_000)


class _Builder:
    """Grows a block-structured flow node by node until it has about `size` nodes."""

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
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


def block_structured(size: int, seed: int = 1) -> Bundle:
    return _Builder(size, seed).bundle()


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def _whole_check() -> Callable[[Bundle], object] | None:
    try:
        from models.checks import check
    except ImportError as missing:  # other rules are still being written
        print(f"models.checks.check not benchmarked: {missing}")
        return None
    return check


def main() -> None:
    check = _whole_check()
    for size in SIZES:
        bundle = block_structured(size)
        repeats = 21 if size <= 1_000 else 5
        report = analyse_soundness(bundle)
        assert report.sound, f"the {size}-node bench model should be sound: {report}"
        soundness = median_seconds(partial(analyse_soundness, bundle), repeats)
        line = f"{len(bundle.nodes):>6} nodes  analyse_soundness {soundness * 1000:9.2f} ms"
        if check is not None:
            line += f"   whole check {median_seconds(partial(check, bundle), repeats) * 1000:9.2f} ms"
        print(line)


if __name__ == "__main__":
    main()
