"""Soundness of a process flow, in the workflow-net sense.

A flow is *sound* when every case, whatever its decisions choose, can always
finish, finishes with exactly one token reaching an end and nothing left
running, and never has two tokens at one node at once. Three things break it,
and `analyse_soundness` names the nodes involved for each:

- a **deadlock**: a parallel join waits for a branch whose token never comes
  (a decision sent it elsewhere, or it could only come from later in the flow);
- a **lack of synchronisation**: two tokens reach the same node at once (the
  step would run twice), or a token reaches an end while another is still
  alive. We are strict: every parallel branch is joined before the case ends,
  so a case records exactly one outcome;
- **no completion**: tokens can get into a state from which no end is
  reachable, without any join being to blame (tokens stuck at a node that
  has no way on, or circling forever).

Token semantics (tokens sit on edges): a case starts with one token on the
outgoing edge(s) of ONE start; each start is checked on its own, since a case
begins at exactly one. A decision takes a token from any one incoming edge and
puts it on one outgoing edge. A parallel node takes one token from every
incoming edge and puts one on every outgoing edge. Any other node takes a
token from any one incoming edge and puts one on every outgoing edge, except a
message wait with a timeout, which puts it on the normal edge(s) *or* on the
timeout edge(s). An end consumes the token. Conditions on edges are ignored:
every way out of a decision is assumed possible.

Preconditions (the structural checks in `models.checks`, which run first):
every node is reachable from a start and can reach an end, starts have one way
out, parallel nodes either split or join. The analysis does not need them to
terminate or to be right, but its findings are phrased for flows that meet
them; it never raises on a malformed flow.

How it stays exact and fast:

1. **Reduction.** Rules that preserve soundness (and every fault) shrink the
   net with worklists, in near linear time: a node with one way in and one
   way out is fused away; parallel edges between a split and a join of the
   same type are merged (decision to decision, parallel to parallel); the
   back edge of a structured decision loop is removed. A block-structured
   flow reduces to a single edge and is sound.
2. **Fragments.** What does not reduce keeps the original node ids on its
   nodes. Each part of it entered by one edge only and left by one other only
   (found with postdominators) is played on its own and then replaced by a
   single step; the reductions go on, and so on outwards. Unstructured parts
   side by side are thus explored one at a time (their markings add up
   instead of multiplying), and each fault is found in its own fragment, not
   hidden behind another.
3. **Exploration.** Each fragment, and what is left around them, is played
   exhaustively: markings as bit sets of edges, breadth first, so the trace
   to a fault is a shortest one. Two tokens at one node is a fault on its own
   and is not played further, so every marking played is safe and the state
   space is finite. Once a fault is found, playing stops after
   `_STATES_AFTER_FAULT` more markings.
4. **Diagnosis.** Dead markings give deadlocks (blaming the join whose missing
   branch no stuck token could deliver); markings that can reach neither the
   finish nor a dead marking give no completion. The trace to a fault is
   replayed with each token's history, to name the decision whose choice
   starved a join.
5. **Meetings.** Only when tokens get out of step: the reduced net's nodes
   stand for whole paths, so the original flow is played once more to name
   exactly the steps where two tokens meet, each with a shortest path that
   shows how and the split where the two tokens parted (`_Meetings`). A
   meeting that only happens behind an earlier fault of another kind (say
   after a deadlock) is named as the fragment analysis found it.

More than `max_states` markings (default `MAX_STATES`) in one fragment, with
no fault found, is reported as `too_complex` instead of a guess: we only
accept flows we can verify.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

import networkx as nx

from models.bundle import Bundle
from models.nodes import NodeBase, WaitNode

__all__ = [
    "MAX_STATES",
    "Deadlock",
    "LackOfSync",
    "NoCompletion",
    "SoundnessReport",
    "TooComplex",
    "analyse_soundness",
]

#: Markings explored per start before the flow is reported as too complex to verify.
MAX_STATES = 200_000

#: Traces replayed per fault to name related nodes (the first ones are the shortest).
_TRACES_PER_FAULT = 3

#: Markings explored after the first fault, looking for others, before giving up on completeness.
_STATES_AFTER_FAULT = 20_000

#: Markings of the flow itself played to name where tokens meet (see `_Meetings`). Without the
#: reductions, concurrency elsewhere in a large flow multiplies them; past this, the meetings found
#: so far are named (each is real) and further ones may be missed.
_MEETING_STATES = 20_000
#: Of those, markings played on past the first meetings, for meetings further on.
_MEETING_STATES_AFTER = 2_000


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class Deadlock:
    """A parallel join that can wait forever for one of its branches.

    `decisions` are the decision splits whose choice sends the token
    elsewhere; `waits_for` the nodes right before the branches that never
    arrive; `loop` is true when such a branch can only come from after the
    join itself (a loop back into a parallel join).
    """

    join: str
    decisions: tuple[str, ...] = ()
    waits_for: tuple[str, ...] = ()
    loop: bool = False

    @property
    def related(self) -> tuple[str, ...]:
        return self.decisions or self.waits_for


@dataclass(frozen=True)
class LackOfSync:
    """Two tokens at `node` at once, or (`at_end`) an end reached while other tokens live.

    `splits` are the parallel splits (or other nodes with several ways out)
    where the two tokens went separate ways; `path` is one way it happens: the
    nodes in the order they run, from the start to `node`.
    """

    node: str
    splits: tuple[str, ...] = ()
    at_end: bool = False
    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoCompletion:
    """Tokens can get stuck at `node`: from there no end can be reached, and no join is to blame."""

    node: str
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class TooComplex:
    """A part of the flow from `start` with more than `states` combinations of token positions.

    `nodes` are the gateways of the part that does not reduce to blocks,
    parallel splits first.
    """

    start: str
    states: int
    nodes: tuple[str, ...]


@dataclass(frozen=True)
class SoundnessReport:
    """Everything that keeps a flow from being sound, each fault once, in model order."""

    deadlocks: tuple[Deadlock, ...] = ()
    lack_of_sync: tuple[LackOfSync, ...] = ()
    no_completion: tuple[NoCompletion, ...] = ()
    too_complex: tuple[TooComplex, ...] = ()

    @property
    def sound(self) -> bool:
        """True when the flow was fully verified and no fault was found."""
        return not (self.deadlocks or self.lack_of_sync or self.no_completion or self.too_complex)


def analyse_soundness(bundle: Bundle, max_states: int = MAX_STATES) -> SoundnessReport:
    """Decide whether the flow of `bundle` is sound; name the nodes of every fault.

    >>> from models.nodes import StartNode, DecisionNode, ParallelNode, EndNode, Edge
    >>> def flow(join_kind):
    ...     nodes = [StartNode(id="s"), DecisionNode(id="d"), join_kind(id="j"), EndNode(id="e")]
    ...     edges = [Edge(id="f1", source="s", target="d"), Edge(id="f2", source="d", target="j"),
    ...              Edge(id="f3", source="d", target="j", default=True),
    ...              Edge(id="f4", source="j", target="e")]
    ...     return Bundle(key="k", name="K", nodes=nodes, edges=edges)
    >>> analyse_soundness(flow(DecisionNode)).sound
    True
    >>> analyse_soundness(flow(ParallelNode)).deadlocks
    (Deadlock(join='j', decisions=('d',), waits_for=('d',), loop=False),)
    """
    flow = _Flow.of(bundle)
    results = [_analyse_start(flow, start.id, max_states) for start in flow.starts]
    return _merge(flow, results)


# --------------------------------------------------------------------------- the flow as a net

_XOR, _AND, _NONE = 0, 1, 2


@dataclass
class _Flow:
    """The bundle's flow, indexed once: nodes by id, outgoing edges, model order."""

    nodes: dict[str, NodeBase]
    order: dict[str, int]
    outgoing: dict[str, list[tuple[str, bool]]]  # node id -> (target id, is a timeout edge)
    starts: list[NodeBase]

    @classmethod
    def of(cls, bundle: Bundle) -> _Flow:
        nodes = {node.id: node for node in bundle.nodes}
        outgoing: dict[str, list[tuple[str, bool]]] = {node_id: [] for node_id in nodes}
        for edge in bundle.edges:
            if edge.source in nodes and edge.target in nodes:
                outgoing[edge.source].append((edge.target, edge.timeout))
        starts = [node for node in bundle.nodes if node.kind == "start"]
        return cls(nodes, {node_id: i for i, node_id in enumerate(nodes)}, outgoing, starts)


@dataclass
class _Net:
    """Nodes with a join and a split type; edges are the places tokens sit on.

    `origin` keeps each node's id in the bundle (None for helper nodes); an
    edge's `last` is the bundle node just before its target on the path it
    stands for, so faults found on a reduced net still name real nodes.
    """

    origin: list[str | None] = field(default_factory=list)
    join: list[int] = field(default_factory=list)
    split: list[int] = field(default_factory=list)
    alive: list[bool] = field(default_factory=list)
    ins: list[set[int]] = field(default_factory=list)
    outs: list[dict[int, set[int]]] = field(default_factory=list)  # target -> edge ids
    n_out: list[int] = field(default_factory=list)
    src: dict[int, int] = field(default_factory=dict)
    dst: dict[int, int] = field(default_factory=dict)
    last: dict[int, str | None] = field(default_factory=dict)
    next_edge: int = 0
    # helper nodes: where the first token comes from, where finished tokens go,
    # the one node every end leads to, and the source of branches that never start
    source: int = -1
    sink: int = -1
    collector: int = -1
    dead: int = -1

    def add_node(self, origin: str | None, join: int, split: int) -> int:
        self.origin.append(origin)
        self.join.append(join)
        self.split.append(split)
        self.alive.append(True)
        self.ins.append(set())
        self.outs.append({})
        self.n_out.append(0)
        return len(self.origin) - 1

    def add_edge(self, u: int, v: int, last: str | None) -> int:
        e = self.next_edge
        self.next_edge += 1
        self.src[e], self.dst[e], self.last[e] = u, v, last
        self.ins[v].add(e)
        self.outs[u].setdefault(v, set()).add(e)
        self.n_out[u] += 1
        return e

    def remove_edge(self, e: int) -> None:
        u, v = self.src.pop(e), self.dst.pop(e)
        del self.last[e]
        self.ins[v].discard(e)
        parallel = self.outs[u][v]
        parallel.discard(e)
        if not parallel:
            del self.outs[u][v]
        self.n_out[u] -= 1

    def remove_node(self, n: int) -> None:
        for e in list(self.ins[n]) + list(self.out_edges(n)):
            self.remove_edge(e)
        self.alive[n] = False

    def out_edges(self, n: int) -> Iterator[int]:
        for parallel in self.outs[n].values():
            yield from parallel

    def fixed(self, n: int) -> bool:
        """The helpers that are never reduced and never fire (the collector is an ordinary merge)."""
        return n in (self.source, self.sink, self.dead)


def _build_net(flow: _Flow, start_id: str) -> _Net:
    """The net for cases begun at `start_id`, restricted to what they can reach."""
    net = _Net()
    net.source = net.add_node(None, _NONE, _AND)
    net.sink = net.add_node(None, _XOR, _NONE)
    net.collector = net.add_node(None, _XOR, _AND)
    net.dead = net.add_node(None, _NONE, _NONE)
    net.add_edge(net.collector, net.sink, None)
    index: dict[str, int] = {}
    for node_id, node in flow.nodes.items():
        join, split = _gateway_types(node, flow.outgoing[node_id])
        index[node_id] = net.add_node(node_id, join, split)
    net.add_edge(net.source, index[start_id], None)
    for node_id, node in flow.nodes.items():
        _add_outgoing(net, index, node, flow.outgoing[node_id])
    _keep_reachable(net)
    return net


def _gateway_types(node: NodeBase, outgoing: list[tuple[str, bool]]) -> tuple[int, int]:
    if node.kind == "decision":
        return _XOR, _XOR
    if node.kind == "parallel":
        return _AND, _AND
    if _timeout_groups(node, outgoing):
        return _XOR, _XOR
    return _XOR, _AND


_T = TypeVar("_T")


def _timeout_groups(node: NodeBase, outgoing: list[tuple[_T, bool]]) -> list[list[_T]]:
    """For a message wait with a timeout: the normal and the timeout targets (or places), if both exist."""
    if not (isinstance(node, WaitNode) and node.timeout is not None):
        return []
    normal = [target for target, timeout in outgoing if not timeout]
    expired = [target for target, timeout in outgoing if timeout]
    return [normal, expired] if normal and expired else []


def _add_outgoing(net: _Net, index: dict[str, int], node: NodeBase, outgoing: list[tuple[str, bool]]) -> None:
    n = index[node.id]
    if node.kind == "end":  # an end consumes the token; anything after it is never reached
        net.add_edge(n, net.collector, node.id)
        return
    groups = _timeout_groups(node, outgoing)
    if not groups:
        for target, _ in outgoing:
            net.add_edge(n, index[target], node.id)
        return
    for group in groups:  # one way out, or a helper that starts all edges of its group
        if len(group) == 1:
            net.add_edge(n, index[group[0]], node.id)
            continue
        fork = net.add_node(node.id, _XOR, _AND)
        net.add_edge(n, fork, node.id)
        for target in group:
            net.add_edge(fork, index[target], node.id)


def _keep_reachable(net: _Net) -> None:
    """Drop what the start cannot reach; a branch from there into a parallel join never starts."""
    seen = {net.source}
    queue = deque([net.source])
    while queue:
        for v in net.outs[queue.popleft()]:
            if v not in seen:
                seen.add(v)
                queue.append(v)
    seen |= {net.sink, net.collector, net.dead}
    for n in range(len(net.origin)):
        if n in seen:
            continue
        for e in list(net.out_edges(n)):
            v = net.dst[e]
            if v in seen and net.join[v] == _AND and not net.fixed(v):
                net.add_edge(net.dead, v, net.origin[n])
        net.remove_node(n)


# --------------------------------------------------------------------------- reduction


class _Worklist:
    """Nodes and node pairs to look at again after the net changed around them."""

    def __init__(self, net: _Net) -> None:
        self.nodes: deque[int] = deque()
        self.queued: set[int] = set()
        self.pairs: deque[tuple[int, int]] = deque()
        for n in range(len(net.origin)):
            if net.alive[n]:
                self.node(n)
                for v, parallel in net.outs[n].items():
                    if len(parallel) > 1:
                        self.pairs.append((n, v))

    def node(self, *nodes: int) -> None:
        for n in nodes:
            if n not in self.queued:
                self.queued.add(n)
                self.nodes.append(n)


def _reduce(net: _Net) -> None:
    """Apply the soundness-preserving rules until none applies."""
    work = _Worklist(net)
    while work.nodes or work.pairs:
        while work.pairs:
            _merge_parallel(net, *work.pairs.popleft(), work)
        if work.nodes:
            n = work.nodes.popleft()
            work.queued.discard(n)
            if net.alive[n] and not net.fixed(n):
                _reduce_node(net, n, work)


def _reduce_node(net: _Net, n: int, work: _Worklist) -> None:
    if _fuse_sequence(net, n, work):
        return
    _drop_self_loop(net, n, work)
    _drop_loop_back(net, n, work)
    if len(net.ins[n]) == 1:  # n may be the exit of a loop whose entry is its only predecessor
        (e,) = net.ins[n]
        if not net.fixed(net.src[e]):
            _drop_loop_back(net, net.src[e], work)


def _fuse_sequence(net: _Net, n: int, work: _Worklist) -> bool:
    """u -> n -> v becomes u -> v when n has one way in and one way out."""
    if len(net.ins[n]) != 1 or net.n_out[n] != 1:
        return False
    (e_in,) = net.ins[n]
    (e_out,) = net.out_edges(n)
    u, v = net.src[e_in], net.dst[e_out]
    if n in (u, v):
        return False
    last = net.last[e_out] if net.last[e_out] is not None else net.last[e_in]
    net.remove_node(n)
    net.add_edge(u, v, last)
    if len(net.outs[u][v]) > 1:
        work.pairs.append((u, v))
    work.node(u, v)
    return True


def _merge_parallel(net: _Net, u: int, v: int, work: _Worklist) -> None:
    """Several edges u -> v are one when u chooses and v takes any, or u starts all and v waits for all."""
    parallel = net.outs[u].get(v, set())
    if len(parallel) < 2 or net.split[u] != net.join[v] or net.split[u] == _NONE:
        return
    for e in sorted(parallel)[1:]:
        net.remove_edge(e)
    work.node(u, v)


def _drop_self_loop(net: _Net, n: int, work: _Worklist) -> None:
    """A decision that may send the token back to itself, and may also leave, need not loop."""
    loops = net.outs[n].get(n)
    if not loops or net.join[n] != _XOR or net.split[n] != _XOR:
        return
    if len(net.ins[n]) > len(loops) and net.n_out[n] > len(loops):
        for e in list(loops):
            net.remove_edge(e)
        work.node(n)


def _drop_loop_back(net: _Net, j: int, work: _Worklist) -> None:
    """J -> S -> J, J a merge with S as only way on, S a decision with another way out: drop S -> J."""
    if net.join[j] != _XOR or net.n_out[j] != 1 or net.fixed(j):
        return
    (s,) = net.outs[j]
    back = net.outs[s].get(j)
    if s == j or not back or len(net.ins[s]) != 1 or net.split[s] != _XOR or net.fixed(s):
        return
    if net.n_out[s] > len(back) and len(net.ins[j]) > len(back):
        for e in list(back):
            net.remove_edge(e)
        work.node(j, s)


def _is_reduced(net: _Net) -> bool:
    """Fully reduced: the first token's edge leads straight to the finished tokens."""
    return len(net.src) == 1 and net.sink in net.outs[net.source]


# --------------------------------------------------------------------------- fragments

#: Postdominating edges tried as the exit of a fragment, and the largest fragment looked at.
_EXIT_CANDIDATES = 4
_FRAGMENT_NODES = 5_000


def _check_fragments(net: _Net, start_id: str, max_states: int) -> _Findings:
    """Check each single-entry, single-exit fragment on its own, then replace it by one step.

    What the reductions leave is mostly a few unstructured fragments inside
    block structure, say in parallel branches. Explored together their
    markings multiply; one at a time they add up. A fragment entered through
    one edge only and left through one other only sees one token at a time, so
    its faults show on their own; once checked it behaves, as far as the flow
    around it can tell, like a single step. So each fault is found once, in
    its own fragment, and faults further on are found too, not hidden behind
    the first.
    """
    found = _Findings()
    changed = True
    while changed:
        changed = False
        taken: set[int] = set()
        for entry, exit_, nodes in _fragments(net):
            if nodes & taken or entry not in net.src or exit_ not in net.src:
                continue  # overlaps what changed this round: look again next round
            taken |= nodes
            found.extend(_check_fragment(net, entry, exit_, nodes, start_id, max_states))
            _collapse(net, entry, exit_, nodes)
            changed = True
        if changed:
            _reduce(net)
    return found


def _fragments(net: _Net) -> list[tuple[int, int, set[int]]]:
    """Single-entry, single-exit fragments (entry edge, exit edge, nodes), smallest first.

    The exit of the fragment an edge enters is among the edges that
    postdominate it; each candidate is checked by walking the fragment.
    """
    reverse = nx.DiGraph()  # nodes as themselves, edges as negative numbers, arrows reversed
    for e, u in net.src.items():
        reverse.add_edge(-1 - e, u)
        reverse.add_edge(net.dst[e], -1 - e)
    if net.sink not in reverse:
        return []
    postdominator = nx.immediate_dominators(reverse, net.sink)
    found = []
    for entry in net.src:
        candidates = 0
        x = postdominator.get(-1 - entry, net.sink)
        while x != net.sink and candidates < _EXIT_CANDIDATES:
            if x < 0:
                candidates += 1
                nodes = _fragment(net, entry, -1 - x)
                if nodes is not None:
                    found.append((entry, -1 - x, nodes))
                    break
            x = postdominator[x]
    return sorted(found, key=lambda fragment: len(fragment[2]))


def _fragment(net: _Net, entry: int, exit_: int) -> set[int] | None:
    """The nodes between two edges if tokens can enter them only by `entry` and leave only by `exit_`."""
    first, before_exit = net.dst[entry], net.src[exit_]
    if net.src[entry] == net.dead or (net.src[entry] == net.source and net.dst[exit_] == net.sink):
        return None  # a branch that never starts, or the whole core
    nodes = {first}
    queue = deque([first])
    while queue:
        for e in net.out_edges(queue.popleft()):
            v = net.dst[e]
            if e == exit_ or v in nodes:
                continue
            if net.fixed(v) or len(nodes) >= _FRAGMENT_NODES:
                return None
            nodes.add(v)
            queue.append(v)
    if before_exit not in nodes or net.src[entry] in nodes or net.dst[exit_] in nodes or len(nodes) < 2:
        return None
    if any(e != entry and net.src[e] not in nodes for n in nodes for e in net.ins[n]):
        return None
    return nodes


def _check_fragment(
    net: _Net, entry: int, exit_: int, nodes: set[int], start_id: str, max_states: int
) -> _Findings:
    """The faults of a fragment played alone, from a token on `entry` until one leaves by `exit_`."""
    core = _Core.of(_fragment_net(net, entry, exit_, nodes))
    space = _explore(core, max_states)
    if space.complete and not (space.clashes or space.early_ends) and _all_can_finish(core, space):
        return _Findings()
    leaving = None if net.dst[exit_] == net.sink else net.origin[net.src[exit_]]
    return _Diagnosis(core, space, leaving).findings(start_id, max_states)


def _fragment_net(net: _Net, entry: int, exit_: int, nodes: set[int]) -> _Net:
    part = _Net()
    part.source = part.add_node(None, _NONE, _AND)
    part.sink = part.add_node(None, _XOR, _NONE)
    part.dead = part.add_node(None, _NONE, _NONE)
    copy = {n: part.add_node(net.origin[n], net.join[n], net.split[n]) for n in nodes}
    part.collector = copy[net.collector] if net.collector in copy else part.add_node(None, _XOR, _AND)
    part.add_edge(part.source, copy[net.dst[entry]], net.last[entry])
    for n in nodes:
        for e in net.out_edges(n):
            if e != exit_:
                part.add_edge(copy[n], copy[net.dst[e]], net.last[e])
    part.add_edge(copy[net.src[exit_]], part.sink, net.last[exit_])
    return part


def _collapse(net: _Net, entry: int, exit_: int, nodes: set[int]) -> None:
    before, after = net.src[entry], net.dst[exit_]
    last_in, last_out = net.last[entry], net.last[exit_]
    origin = net.origin[net.dst[entry]]
    for n in nodes:
        net.remove_node(n)
    step = net.add_node(origin, _XOR, _AND)
    net.add_edge(before, step, last_in)
    net.add_edge(step, after, last_out)


def _gateways(net: _Net, nodes: Iterable[int]) -> tuple[str, ...]:
    """The bundle nodes among `nodes` that branch or join, parallel splits first."""
    def rank(n: int) -> tuple[int, int]:
        return (0 if net.split[n] == _AND and net.n_out[n] > 1 else 1), n

    branching = [n for n in nodes if net.origin[n] and (len(net.ins[n]) > 1 or net.n_out[n] > 1)]
    return _unique(net.origin[n] or "" for n in sorted(branching, key=rank))


# --------------------------------------------------------------------------- exploration


class _Transition(NamedTuple):
    node: int
    ins: tuple[int, ...]  # places taken
    outs: tuple[int, ...]  # places given
    pre: int
    post: int
    merges: tuple[tuple[int, int], ...]  # (node, mask of its places): nodes that take any one token


@dataclass
class _Core:
    """The reduced net ready to play: edges numbered as places (bits), nodes as transitions."""

    net: _Net
    edge_of: list[int]
    place: dict[int, int]
    transitions: list[_Transition]
    by_first_place: list[list[tuple[int, int, int, tuple[tuple[int, int], ...]]]]  # (t, pre, post, merges)
    initial: int
    final: int
    end_places: int

    @classmethod
    def of(cls, net: _Net) -> _Core:
        edge_of = sorted(net.src)
        place = {e: i for i, e in enumerate(edge_of)}
        merge_of = _merge_checks(net, place)
        transitions = [
            t for n in range(len(net.origin)) if net.alive[n] for t in _transitions(net, n, place, merge_of)
        ]
        by_first: list[list[tuple[int, int, int, tuple[tuple[int, int], ...]]]] = [[] for _ in edge_of]
        for i, t in enumerate(transitions):
            by_first[(t.pre & -t.pre).bit_length() - 1].append((i, t.pre, t.post, t.merges))
        (first_edge,) = net.out_edges(net.source)
        (final_edge,) = net.ins[net.sink]
        end_places = _mask(place[e] for e in net.ins[net.collector] | net.ins[net.sink])
        return cls(net, edge_of, place, transitions, by_first, 1 << place[first_edge],
                   1 << place[final_edge], end_places)

    def target(self, p: int) -> int:
        return self.net.dst[self.edge_of[p]]


def _merge_checks(net: _Net, place: dict[int, int]) -> dict[int, tuple[int, int]]:
    """Place -> (its target, mask of the target's places) for targets that take any one token."""
    checks: dict[int, tuple[int, int]] = {}
    for e, v in net.dst.items():
        if net.join[v] == _XOR and len(net.ins[v]) > 1:
            checks[place[e]] = (v, _mask(place[i] for i in net.ins[v]))
    return checks


def _transitions(
    net: _Net, n: int, place: dict[int, int], merge_of: dict[int, tuple[int, int]]
) -> Iterator[_Transition]:
    """One transition per way a node can fire: which incoming places it takes, which it fills."""
    if net.fixed(n):
        return
    ins = sorted(place[e] for e in net.ins[n])
    outs = sorted(place[e] for e in net.out_edges(n))
    if not ins or not outs:
        return
    takes = [tuple(ins)] if net.join[n] == _AND else [(p,) for p in ins]
    gives = [tuple(outs)] if net.split[n] == _AND else [(p,) for p in outs]
    for taken in takes:
        for given in gives:
            merges = tuple(dict.fromkeys(merge_of[p] for p in given if p in merge_of))
            yield _Transition(n, taken, given, _mask(taken), _mask(given), merges)


def _mask(places: Iterable[int]) -> int:
    mask = 0
    for p in places:
        mask |= 1 << p
    return mask


def _bits(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


@dataclass
class _Space:
    """The explored markings: a shortest-trace tree, successors, and what went wrong where.

    A fault event is (state, transition): the marking reached by firing the
    transition in that state, or the state itself when the transition is -1.
    """

    markings: list[int]
    parent: list[int]
    via: list[int]
    successors: list[list[int]]
    clashes: dict[int, list[tuple[int, int]]]  # node -> events with two tokens there
    early_ends: dict[int, list[tuple[int, int]]]  # end place -> events with other tokens alive
    clash_states: set[int]  # states with a successor that was not explored (two tokens at a node)
    complete: bool


def _explore(core: _Core, max_states: int) -> _Space:
    """Breadth-first token game; a marking with two tokens at one node is recorded, not entered.

    Once a fault is found the flow is unsound anyway: exploring goes on for at
    most `_STATES_AFTER_FAULT` more markings, to find other faults, and then
    stops. This is the one hot loop of the analysis, hence the local names.
    """
    index = {core.initial: 0}
    space = _Space([core.initial], [-1], [-1], [], {}, {}, set(), True)
    markings, by_first = space.markings, core.by_first_place
    open_ends = core.end_places  # end places that still want example traces
    limit = max_states
    i = 0
    while i < len(markings):
        m = markings[i]
        successors: list[int] = []
        unseen = m
        while unseen:
            low = unseen & -unseen
            unseen ^= low
            for t, pre, post, merges in by_first[low.bit_length() - 1]:
                if m & pre != pre:
                    continue
                rest = m ^ pre
                m2 = rest | post
                if m2 & open_ends and (m2 & (m2 - 1) or rest & post):
                    open_ends = _note_early_ends(space, m2 & open_ends, i, t, open_ends)
                twice = rest & post
                for _, ins in merges:
                    both = m2 & ins
                    twice |= both & (both - 1)
                if twice:
                    _note_clash(core, space, t, rest, m2, i)
                    continue
                j = index.get(m2)
                if j is None:
                    if len(markings) >= limit:
                        space.complete = False
                        space.successors.append(successors)
                        return space
                    j = index[m2] = len(markings)
                    markings.append(m2)
                    space.parent.append(i)
                    space.via.append(t)
                successors.append(j)
        space.successors.append(successors)
        if limit == max_states and (space.clashes or space.early_ends):
            limit = min(max_states, len(markings) + _STATES_AFTER_FAULT)
        i += 1
    return space


def _note_early_ends(space: _Space, ends: int, i: int, t: int, open_ends: int) -> int:
    """Record an end reached with other tokens alive; returns the end places still wanting traces."""
    for p in _bits(ends):
        events = space.early_ends.setdefault(p, [])
        events.append((i, t))
        if len(events) == _TRACES_PER_FAULT:
            open_ends &= ~(1 << p)
    return open_ends


def _note_clash(core: _Core, space: _Space, t: int, rest: int, m2: int, i: int) -> None:
    """Record that firing transition t puts two tokens at one node."""
    tr = core.transitions[t]
    nodes = [core.target(p) for p in _bits(rest & tr.post)]
    nodes += [v for v, ins in tr.merges if (m2 & ins).bit_count() > 1]
    space.clash_states.add(i)
    for v in dict.fromkeys(nodes):
        events = space.clashes.setdefault(v, [])
        if len(events) < _TRACES_PER_FAULT:
            events.append((i, t))


# --------------------------------------------------------------------------- diagnosis


@dataclass
class _Findings:
    """What one start's analysis found, before faults of all starts are merged."""

    deadlocks: list[Deadlock] = field(default_factory=list)
    lack_of_sync: list[LackOfSync] = field(default_factory=list)
    no_completion: list[NoCompletion] = field(default_factory=list)
    too_complex: list[TooComplex] = field(default_factory=list)

    def extend(self, other: _Findings) -> None:
        self.deadlocks += other.deadlocks
        self.lack_of_sync += other.lack_of_sync
        self.no_completion += other.no_completion
        self.too_complex += other.too_complex


def _analyse_start(flow: _Flow, start_id: str, max_states: int) -> _Findings:
    net = _build_net(flow, start_id)
    _reduce(net)
    if _is_reduced(net):
        return _Findings()
    found = _check_fragments(net, start_id, max_states)
    if not _is_reduced(net):
        core = _Core.of(net)
        found.extend(_Diagnosis(core, _explore(core, max_states)).findings(start_id, max_states))
    if found.lack_of_sync:
        meetings, complete = _Meetings(flow, start_id).find(min(max_states, _MEETING_STATES))
        if not (complete and meetings):  # add what the reduced net saw: places where two tokens meet too,
            # past the bound, or behind an earlier fault of another kind (as the fragments are played alone)
            named = {fault.node for fault in meetings}
            meetings += [fault for fault in found.lack_of_sync if fault.node not in named]
        found.lack_of_sync = meetings
    return found


# --------------------------------------------------------------------------- where tokens meet


class _Meetings:
    """Where two tokens can meet, found by playing the flow itself, each with one way it happens.

    The reduced net tells *that* tokens get out of step, but its nodes stand
    for whole paths. To name the right steps, the original flow is played
    (edges as places, breadth first, so each path found is a shortest one),
    and every event where two tokens meet is recorded: a token arriving at a
    step, decision, end or join that already holds one (for a parallel join:
    on the same incoming edge), or an end reached while another token lives.
    The play then goes on as if the two tokens were one, so faults further on
    are found too; anything recorded then also happens in the real case,
    which only has more tokens. Every first meeting of every path is among
    them, and nothing else is: never a split that can hold only one token.
    (Up to `_MEETING_STATES` markings: past that, the meetings found so far
    and those the reduced net saw, each also a place where two tokens meet.)
    """

    def __init__(self, flow: _Flow, start_id: str) -> None:
        self.flow = flow
        self.place_target: list[str] = []
        self.ins: dict[str, list[int]] = {node_id: [] for node_id in flow.nodes}
        outs: dict[str, list[tuple[int, bool]]] = {node_id: [] for node_id in flow.nodes}
        for source, targets in flow.outgoing.items():
            for target, timeout in targets:
                place = len(self.place_target)
                self.place_target.append(target)
                self.ins[target].append(place)
                outs[source].append((place, timeout))
        self.firings: dict[str, list[tuple[int, tuple[int, ...]]]] = {}  # node -> (places taken, places given)
        for node_id, node in flow.nodes.items():
            self.firings[node_id] = [(_mask(taken), given) for taken, given in self._ways(node, outs[node_id])]
        self.together = {  # place -> mask of the places of its target, when that target takes any one token
            place: _mask(self.ins[target]) for place, target in enumerate(self.place_target)
            if flow.nodes[target].kind != "parallel" and len(self.ins[target]) > 1
        }
        self.initial = _mask(place for place, _ in outs[start_id])
        self.start_id = start_id
        # (node, way, places taken, places given, their mask, what to test for a meeting) by lowest place taken
        self.by_first_place: list[list[tuple[str, int, int, tuple[int, ...], int, int, tuple[int, ...]]]] = [
            [] for _ in self.place_target]
        for node_id, ways in self.firings.items():
            for way, (taken, given) in enumerate(ways):
                if taken:
                    merges = tuple(dict.fromkeys(self.together[p] for p in given if p in self.together))
                    self.by_first_place[(taken & -taken).bit_length() - 1].append(
                        (node_id, way, taken, given, _mask(given), flow.nodes[node_id].kind == "end", merges))

    def _ways(self, node: NodeBase, outs: list[tuple[int, bool]]) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        ins = self.ins[node.id]
        groups = _timeout_groups(node, outs)
        if node.kind == "end":
            gives: list[tuple[int, ...]] = [()]
        elif node.kind == "decision":
            gives = [(place,) for place, _ in outs]
        elif groups:
            gives = [tuple(group) for group in groups]
        else:
            gives = [tuple(place for place, _ in outs)] if outs else []
        takes = [tuple(ins)] if node.kind == "parallel" else [(place,) for place in ins]
        for taken in takes:
            for given in gives:
                yield taken, given

    def find(self, max_states: int) -> tuple[list[LackOfSync], bool]:
        """Every meeting, with a shortest path to it; a path on which it is the first meeting where one exists.

        The markings reached without any meeting are played first; those
        reached through a meeting (the two tokens played on as one) only
        after, and only `_MEETING_STATES_AFTER` of them: tokens that are out of
        step can multiply without end.
        """
        index = {self.initial: 0}
        markings, parent, fired = [self.initial], [-1], [("", -1)]
        found: dict[str, tuple[list[tuple[str, int]], bool]] = {}  # meeting node -> (firings, at an end)
        after_meetings: list[tuple[int, int, tuple[str, int]]] = []
        first_meetings_only = True
        i = 0
        while len(markings) <= max_states:
            if i == len(markings):
                if not first_meetings_only:
                    break
                first_meetings_only = False
                max_states = min(max_states, len(markings) + _MEETING_STATES_AFTER)
                for after, before, firing in after_meetings:
                    if after not in index:
                        index[after] = len(markings)
                        markings.append(after)
                        parent.append(before)
                        fired.append(firing)
                continue
            m = markings[i]
            for p in _bits(m):
                for node_id, way, taken, given, given_mask, is_end, merges in self.by_first_place[p]:
                    if m & taken != taken:
                        continue
                    rest = m ^ taken
                    after = rest | given_mask
                    met: list[tuple[str, bool]] = []
                    if rest & given_mask or (is_end and rest) or any(
                            (after & ins) & ((after & ins) - 1) for ins in merges):
                        met = list(self._meetings(node_id, rest, given, after))
                    for meeting, at_end in met:
                        if meeting not in found:
                            found[meeting] = ([*self._firings_to(i, parent, fired), (node_id, way)], at_end)
                    if met and first_meetings_only:
                        after_meetings.append((after, i, (node_id, way)))
                    elif after not in index:
                        index[after] = len(markings)
                        markings.append(after)
                        parent.append(i)
                        fired.append((node_id, way))
            i += 1
        faults = [self._fault(node, firings, at_end) for node, (firings, at_end) in found.items()]
        return faults, not first_meetings_only  # complete: every marking before a first meeting was played

    def _meetings(self, node_id: str, rest: int, given: tuple[int, ...], after: int) -> Iterator[tuple[str, bool]]:
        if self.flow.nodes[node_id].kind == "end" and rest:
            yield node_id, True
        for place in given:
            target = self.place_target[place]
            both = after & self.together.get(place, 0)
            if rest >> place & 1 or both & (both - 1):
                yield target, self.flow.nodes[target].kind == "end"

    @staticmethod
    def _firings_to(i: int, parent: list[int], fired: list[tuple[str, int]]) -> list[tuple[str, int]]:
        firings = []
        while i > 0:
            firings.append(fired[i])
            i = parent[i]
        return firings[::-1]

    def _fault(self, node: str, firings: list[tuple[str, int]], at_end: bool) -> LackOfSync:
        path = [self.start_id, *(node_id for node_id, _ in firings)]
        if path[-1] != node:
            path.append(node)
        return LackOfSync(node, self._splits(firings, node), at_end, tuple(path))

    def _splits(self, firings: list[tuple[str, int]], node: str) -> tuple[str, ...]:
        """Replay the firings with each token's lineage: the splits where the two meeting tokens parted.

        A lineage lists (firing, branch) for every firing with several ways
        out that the token descends from; two tokens parted where theirs differ.
        """
        tokens: dict[int, tuple] = dict.fromkeys(_bits(self.initial), ())
        made_by: dict[int, str] = {}
        for step, (node_id, way) in enumerate(firings, 1):
            taken, given = self.firings[node_id][way]
            lineage = _common_prefix([tokens.pop(p) for p in _bits(taken)])
            if len(given) > 1:
                made_by[step] = node_id
            arriving = [(*lineage, (step, branch)) if len(given) > 1 else lineage for branch in range(len(given))]
            if step == len(firings):
                if not given:  # an end reached while other tokens live
                    return _parting(lineage, list(tokens.values()), made_by)
                into = [(p, t) for p, t in zip(given, arriving, strict=True) if self.place_target[p] == node]
                there = [tokens[p] for p in self.ins[node] if p in tokens]
                return _parting(into[0][1], there + [t for _, t in into[1:]], made_by)
            for p, token in zip(given, arriving, strict=True):
                tokens.setdefault(p, token)
        return ()


def _parting(lineage: tuple, others: list[tuple], made_by: dict[int, str]) -> tuple[str, ...]:
    """The nodes of the split firings where a token and the closest of `others` went separate ways."""
    if not others:
        return ()

    def shared(other: tuple) -> int:
        return len(_common_prefix([lineage, other]))

    other = max(others, key=shared)
    i = shared(other)
    return tuple(sorted({made_by[part[i][0]] for part in (lineage, other) if i < len(part)}))


class _Token(NamedTuple):
    """A token in a replayed trace: the splits it descends from."""

    lineage: tuple[tuple[int, int], ...]


class _Diagnosis:
    """Turns an explored state space into faults named by bundle node ids."""

    def __init__(self, core: _Core, space: _Space, leaving: str | None = None) -> None:
        """`leaving`: for a fragment played alone, the node its exit leaves from (None: the whole flow)."""
        self.core, self.space, self.net = core, space, core.net
        self.leaving = leaving
        self._feeders: dict[tuple[int, int], set[int]] = {}

    def findings(self, start_id: str, max_states: int) -> _Findings:
        found = _Findings()
        found.lack_of_sync = self.lack_of_sync()
        dead = [
            i for i, successors in enumerate(self.space.successors)
            if not successors and i not in self.space.clash_states and self.space.markings[i] != self.core.final
        ]
        found.deadlocks, found.no_completion = self.dead_markings(dead)
        if self.space.complete:
            found.no_completion += self.livelocks(dead)
        elif not (found.lack_of_sync or found.deadlocks or found.no_completion):
            alive = (n for n in range(len(self.net.origin)) if self.net.alive[n])
            found.too_complex.append(TooComplex(start_id, max_states, _gateways(self.net, alive)))
        return found

    # -- two tokens at once

    def lack_of_sync(self) -> list[LackOfSync]:
        """Where two tokens are seen together on the reduced net, with the splits they came from.

        The node seen is one where two tokens really meet (the target of a
        place holding both, an end reached early, or the node a fragment is
        left from too early), but a reduced edge stands for a whole path, so
        these names are the fallback: `_Meetings` names every meeting on the
        flow itself.
        """
        found: dict[tuple[str, bool], set[str]] = {}

        def note(fault: tuple[str | None, bool], a: _Token, b: _Token, made_by: dict[int, str]) -> None:
            if fault[0]:
                found.setdefault((fault[0], fault[1]), set()).update(_splits_between(a, b, made_by))

        for v, events in self.space.clashes.items():
            for state, t in events:
                tokens, made_by = self.replay(state, t)
                first, *others = self.meeting_at(v, tokens)
                for other in others:
                    note((self.net.origin[v], False), first, other, made_by)
        for p, events in self.space.early_ends.items():
            leaving = self.leaving if 1 << p == self.core.final else None  # a fragment left too early
            end = None if leaving else self.net.last[self.core.edge_of[p]]  # None: a finished token
            for state, t in events:
                tokens, made_by = self.replay(state, t)
                ending, *twice = tokens[p]
                for other in twice + [token for q, held in tokens.items() if q != p for token in held]:
                    note((leaving, False) if leaving else (end, True), ending, other, made_by)
        return [LackOfSync(node, tuple(splits), at_end) for (node, at_end), splits in found.items()]

    def meeting_at(self, v: int, tokens: dict[int, list[_Token]]) -> list[_Token]:
        """The tokens at node v: two on one incoming edge if so, else all on its incoming edges."""
        held = [tokens.get(self.core.place[e], []) for e in self.net.ins[v]]
        twice = [on_edge for on_edge in held if len(on_edge) > 1]
        return twice[0] if twice else [token for on_edge in held for token in on_edge]

    def replay(self, state: int, t: int) -> tuple[dict[int, list[_Token]], dict[int, str]]:
        """Play the shortest trace to an event, following each token's history.

        A token's lineage is a tuple of (split firing, branch): a split adds one,
        a join keeps what its tokens share. Returns the tokens per place and
        the node of each split firing.
        """
        tokens: dict[int, list[_Token]] = {p: [_Token(())] for p in _bits(self.core.initial)}
        made_by: dict[int, str] = {}
        for k, ti in enumerate(self.trace(state, t), 1):
            tr = self.core.transitions[ti]
            taken = [tokens[p].pop(0) for p in tr.ins]
            lineage = _common_prefix([token.lineage for token in taken])
            if len(tr.outs) > 1:
                made_by[k] = self.net.origin[tr.node] or ""
            for branch, p in enumerate(tr.outs):
                mine = (*lineage, (k, branch)) if len(tr.outs) > 1 else lineage
                tokens.setdefault(p, []).append(_Token(mine))
        return tokens, made_by

    def trace(self, state: int, t: int = -1) -> list[int]:
        path = [t] if t >= 0 else []
        while state > 0:
            path.append(self.space.via[state])
            state = self.space.parent[state]
        return path[::-1]

    # -- stuck for good

    def dead_markings(self, dead: list[int]) -> tuple[list[Deadlock], list[NoCompletion]]:
        joins: dict[int, list[Deadlock]] = {}
        stuck: dict[int, None] = {}
        for state in dead:
            marking = self.space.markings[state]
            waiting, elsewhere = self.waiting_joins(marking)
            for v in elsewhere:
                stuck[v] = None
            if all(len(joins.get(join, ())) >= _TRACES_PER_FAULT for join in waiting):
                continue  # nothing new to learn from this marking
            for join, fault in self.blamed(state, waiting):
                seen = joins.setdefault(join, [])
                if len(seen) < _TRACES_PER_FAULT:
                    seen.append(fault or self.deadlock(join, waiting[join], state))
        deadlocks = [_merge_deadlocks(found) for found in joins.values()]
        return deadlocks, [NoCompletion(self.net.origin[v] or "") for v in stuck if self.net.origin[v]]

    def waiting_joins(self, marking: int) -> tuple[dict[int, list[int]], list[int]]:
        """Parallel joins with tokens, each with its places still empty; other nodes holding tokens."""
        waiting: dict[int, list[int]] = {}
        elsewhere = []
        for p in _bits(marking):
            v = self.core.target(p)
            if self.net.join[v] == _AND:
                waiting.setdefault(v, [])
            elif v != self.net.sink:
                elsewhere.append(v)
        for v, missing in waiting.items():
            missing += [self.core.place[e] for e in self.net.ins[v] if not marking >> self.core.place[e] & 1]
        return waiting, elsewhere

    def blamed(self, state: int, waiting: dict[int, list[int]]) -> list[tuple[int, Deadlock | None]]:
        """The joins to blame in a dead marking, each with its fault if already worked out.

        First the joins missing a branch that none of the stuck tokens could
        ever deliver; when the joins wait for each other round a loop, those
        where a decision starved a branch; failing both, all of them.
        """
        holders = {self.core.target(p) for p in _bits(self.space.markings[state])}
        roots = [
            join for join, missing in waiting.items()
            if any(not holders & self.feeders(join, p) for p in missing)
        ]
        if roots:
            return [(join, None) for join in roots]
        faults = [(join, self.deadlock(join, missing, state)) for join, missing in waiting.items()]
        starved = [(join, fault) for join, fault in faults if fault.decisions]
        return starved or [(join, fault) for join, fault in faults]

    def feeders(self, join: int, p: int) -> set[int]:
        """Nodes that can put a token on place p without passing through `join`."""
        key = (join, p)
        if key not in self._feeders:
            start = self.net.src[self.core.edge_of[p]]
            self._feeders[key] = _walk(start, lambda n: (self.net.src[e] for e in self.net.ins[n]), {join})
        return self._feeders[key]

    def deadlock(self, join: int, missing: list[int], state: int) -> Deadlock:
        net, core = self.net, self.core
        decisions = []
        for ti in self.trace(state):
            tr = core.transitions[ti]
            if net.split[tr.node] != _XOR or net.n_out[tr.node] < 2:
                continue
            chosen = tr.outs[0]
            for p in missing:
                feeders = self.feeders(join, p)
                if tr.node in feeders and chosen != p and core.target(chosen) not in feeders:
                    decisions.append(net.origin[tr.node] or "")
        waits_for = [net.last[core.edge_of[p]] or "" for p in missing]
        loop = any(net.source not in self.feeders(join, p) for p in missing)  # only comes after the join
        return Deadlock(net.origin[join] or "", _unique(decisions), _unique(waits_for), loop)

    def livelocks(self, dead: list[int]) -> list[NoCompletion]:
        """Markings that can neither finish nor get stuck for good: tokens circling without an end."""
        space = self.space
        predecessors = _predecessors(space)
        finishing = [i for i, m in enumerate(space.markings) if m == self.core.final]
        ok = _walk_all([*finishing, *space.clash_states, *dead], predecessors.__getitem__)
        circling = [i for i in range(len(space.markings)) if i not in ok]
        if not circling:
            return []
        graph = nx.DiGraph()
        graph.add_nodes_from(circling)
        graph.add_edges_from((i, j) for i in circling for j in space.successors[i])
        condensed = nx.condensation(graph)
        return [
            self.circling(condensed.nodes[scc]["members"])
            for scc in condensed.nodes
            if condensed.out_degree(scc) == 0
        ]

    def circling(self, states: set[int]) -> NoCompletion:
        always, ever = -1, 0
        for state in states:
            always &= self.space.markings[state]
            ever |= self.space.markings[state]
        held = [self.net.origin[self.core.target(p)] for p in _bits(always or ever)]
        named = _unique(node for node in held if node)
        return NoCompletion(named[0] if named else "", named[1:])


def _predecessors(space: _Space) -> list[list[int]]:
    predecessors: list[list[int]] = [[] for _ in space.markings]
    for i, successors in enumerate(space.successors):
        for j in successors:
            predecessors[j].append(i)
    return predecessors


def _all_can_finish(core: _Core, space: _Space) -> bool:
    """Every explored marking can still reach the final one."""
    finishing = [i for i, m in enumerate(space.markings) if m == core.final]
    return len(_walk_all(finishing, _predecessors(space).__getitem__)) == len(space.markings)


def _walk(start: int, step: Callable[[int], Iterable[int]], stop: set[int]) -> set[int]:
    """Everything reachable from `start` by `step`, not passing through `stop`."""
    seen = {start}
    queue = deque([start])
    while queue:
        for n in step(queue.popleft()):
            if n not in seen and n not in stop:
                seen.add(n)
                queue.append(n)
    return seen


def _walk_all(starts: Iterable[int], step: Callable[[int], Iterable[int]]) -> set[int]:
    """Everything reachable from any of `starts` by `step`."""
    seen = set(starts)
    queue = deque(seen)
    while queue:
        for n in step(queue.popleft()):
            if n not in seen:
                seen.add(n)
                queue.append(n)
    return seen


def _common_prefix(lineages: list[tuple]) -> tuple:
    first = lineages[0]
    size = len(first)
    for other in lineages[1:]:
        size = min(size, len(other))
        size = next((i for i in range(size) if first[i] != other[i]), size)
    return first[:size]


def _splits_between(a: _Token, b: _Token, made_by: dict[int, str]) -> set[str]:
    """The nodes of the split firings where two tokens went separate ways."""
    i = len(_common_prefix([a.lineage, b.lineage]))
    return {made_by[lineage[i][0]] for lineage in (a.lineage, b.lineage) if i < len(lineage)} - {""}


def _merge_deadlocks(found: list[Deadlock]) -> Deadlock:
    return Deadlock(
        found[0].join,
        _unique(d for f in found for d in f.decisions),
        _unique(w for f in found for w in f.waits_for),
        any(f.loop for f in found),
    )


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


# --------------------------------------------------------------------------- all starts together


def _merge(flow: _Flow, results: list[_Findings]) -> SoundnessReport:
    """One fault per element over all starts; related nodes in model order."""
    order = flow.order

    def sort(ids: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(set(ids), key=lambda node: order.get(node, len(order))))

    deadlocks: dict[str, list[Deadlock]] = {}
    syncs: dict[str, list[LackOfSync]] = {}
    stuck: dict[str, list[NoCompletion]] = {}
    for result in results:
        for d in result.deadlocks:
            deadlocks.setdefault(d.join, []).append(d)
        for s in result.lack_of_sync:
            syncs.setdefault(s.node, []).append(s)
        for n in result.no_completion:
            stuck.setdefault(n.node, []).append(n)
    return SoundnessReport(
        deadlocks=tuple(
            Deadlock(join, sort(d for f in found for d in f.decisions), sort(w for f in found for w in f.waits_for),
                     any(f.loop for f in found))
            for join, found in _in_order(deadlocks, order)
        ),
        lack_of_sync=tuple(
            LackOfSync(node, sort(s for f in found for s in f.splits), all(f.at_end for f in found),
                       min((f.path for f in found), key=len))
            for node, found in _in_order(syncs, order)
        ),
        no_completion=tuple(
            NoCompletion(node, sort(r for f in found for r in f.related)) for node, found in _in_order(stuck, order)
        ),
        too_complex=tuple({
            (t.nodes[:1] or (t.start,)): t for result in results for t in result.too_complex
        }.values()),
    )


def _in_order(faults: dict[str, list], order: dict[str, int]) -> list[tuple[str, list]]:
    return sorted(faults.items(), key=lambda item: order.get(item[0], len(order)))
