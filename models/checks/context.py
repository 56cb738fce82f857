"""What every rule gets: the bundle, its flow graph, and facts shared by rules."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx

from models.bundle import Bundle
from models.graph import flow_graph


@dataclass
class CheckContext:
    """A bundle under check.

    `known_processes` are the keys a subprocess may call (the published
    processes, or the files checked together); None means "not known", and
    then calls are not checked.
    """

    bundle: Bundle
    known_processes: Collection[str] | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        return flow_graph(self.bundle)

    @cached_property
    def node_ids(self) -> set[str]:
        return {node.id for node in self.bundle.nodes}
