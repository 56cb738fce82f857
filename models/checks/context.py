"""What every rule gets: the bundle, its flow graph, and facts shared by rules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from models.bundle import Bundle
from models.data_flow import surely_set
from models.graph import flow_graph
from models.letters import Letter, LetterVariant
from models.nodes import Edge
from models.phrases import Phrase
from models.soundness import SoundnessReport, analyse_soundness


@dataclass
class CheckContext:
    """A bundle under check.

    `known_processes` are the processes a subprocess may call, by key (the
    published ones, or the files checked together); None means "not known",
    and then calls are not checked.
    """

    bundle: Bundle
    known_processes: Mapping[str, Bundle] | None = None

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        return flow_graph(self.bundle)

    @cached_property
    def outgoing(self) -> dict[str, list[Edge]]:
        """Node id -> edges leaving it, in model order (dangling edges included)."""
        found: dict[str, list[Edge]] = defaultdict(list)
        for edge in self.bundle.edges:
            found[edge.source].append(edge)
        return found

    @cached_property
    def incoming(self) -> dict[str, list[Edge]]:
        """Node id -> edges arriving at it, in model order (dangling edges included)."""
        found: dict[str, list[Edge]] = defaultdict(list)
        for edge in self.bundle.edges:
            found[edge.target].append(edge)
        return found

    @cached_property
    def node_ids(self) -> set[str]:
        return {node.id for node in self.bundle.nodes}

    def template_parts(self) -> Iterator[tuple[Letter, LetterVariant, Phrase, str]]:
        """(letter, variant, the part as a message's sentence starts with it, template source) for every non-empty
        template text."""
        for letter in self.bundle.letters:
            for variant in letter.variants:
                for part, source in ((Phrase("The subject"), variant.subject), (Phrase("The text"), variant.body),
                                     (Phrase("The plain-text part"), variant.text_body)):
                    if source:
                        yield letter, variant, part, source

    @cached_property
    def surely_set(self) -> dict[str, frozenset[str]]:
        """Node id -> the variables surely set when a case arrives there (see `models.data_flow`)."""
        return surely_set(self.bundle, self.graph)

    @cached_property
    def soundness(self) -> SoundnessReport:
        return analyse_soundness(self.bundle)
