"""`analyse_soundness` against a plain token game written here, on small random flows.

The reference below plays the token game on the bundle itself, with no
reductions, no fragments and no bit tricks: markings are sorted tuples of
edge ids (with repeats), plus how many ends have been reached. It follows the
same rules: two tokens at one node (or an end reached twice) is a lack of
synchronisation and is not played further; an end reached while another
token lives is one too; a dead marking with a token at a parallel join is a
deadlock, any other dead marking or a marking that can reach neither the
finish, nor a dead marking, nor a lack of synchronisation is no completion.

The verdict (sound or not) must be the same. The fault families may differ
in two ways only, both by design: the analysis checks each single-entry,
single-exit fragment on its own, so it also finds faults the reference never
reaches because an earlier fault stops every case first; and where tokens get
out of step, the reduced net notices it a few steps earlier and plays less
beyond it, so a deadlock reachable only past that point may go unreported
next to the lack of synchronisation.
"""

from __future__ import annotations

import random
from collections import Counter, deque

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from models import Bundle
from models.nodes import WaitNode
from models.soundness import SoundnessReport, analyse_soundness
from tests.soundness.soundness_flows import BlockFlow, bundle_of, flow, node
from tests.soundness.test_soundness_properties import flows

Marking = tuple[tuple[str, ...], int]  # (edge ids holding tokens, ends reached)

#: Markings the reference plays before it gives up on a flow (hypothesis then draws another).
REFERENCE_LIMIT = 5_000


class TooManyMarkings(Exception):
    pass


# --------------------------------------------------------------------------- the reference


class TokenGame:
    """All markings of one start's cases, explored breadth first."""

    def __init__(self, bundle: Bundle, start: str) -> None:
        self.nodes = {n.id: n for n in bundle.nodes}
        self.ins: dict[str, list[str]] = {n: [] for n in self.nodes}
        self.outs: dict[str, list[str]] = {n: [] for n in self.nodes}
        self.target: dict[str, str] = {}
        self.timeout: dict[str, bool] = {}
        for edge in bundle.edges:
            self.ins[edge.target].append(edge.id)
            self.outs[edge.source].append(edge.id)
            self.target[edge.id] = edge.target
            self.timeout[edge.id] = edge.timeout
        self.start = start

    def families(self) -> set[str]:
        found: set[str] = set()
        initial: Marking = (tuple(sorted(self.outs[self.start])), 0)
        successors: dict[Marking, list[Marking]] = {}
        stopped: set[Marking] = set()  # out of step: not played further
        dead: list[Marking] = []
        queue = deque([initial])
        seen = {initial}
        while queue:
            marking = queue.popleft()
            if self.out_of_step(marking):
                found.add("lack_of_sync")
                stopped.add(marking)
                continue
            nexts = []
            for after, early_end in self.moves(marking):
                if early_end:
                    found.add("lack_of_sync")
                nexts.append(after)
                if after not in seen:
                    seen.add(after)
                    queue.append(after)
                    if len(seen) > REFERENCE_LIMIT:
                        raise TooManyMarkings
            successors[marking] = nexts
            if not nexts and marking != ((), 1):
                dead.append(marking)
                found.add("deadlock" if self.waits_at_join(marking) else "no_completion")
        if self.circles(seen, successors, stopped, dead):
            found.add("no_completion")
        return found

    def out_of_step(self, marking: Marking) -> bool:
        tokens, ended = marking
        count = Counter(tokens)
        if ended > 1:
            return True
        for node_id in {self.target[e] for e in tokens}:
            held = [count[e] for e in self.ins[node_id]]
            if (max(held) if self.nodes[node_id].kind == "parallel" else sum(held)) > 1:
                return True
        return False

    def moves(self, marking: Marking) -> list[tuple[Marking, bool]]:
        tokens, ended = marking
        moves = []
        for node_id in sorted({self.target[e] for e in tokens}):
            for taken, put in self.firings(node_id, tokens):
                rest = list(tokens)
                for e in taken:
                    rest.remove(e)
                if self.nodes[node_id].kind == "end":
                    moves.append(((tuple(sorted(rest)), ended + 1), bool(rest) or ended > 0))
                else:
                    moves.append(((tuple(sorted(rest + list(put))), ended), False))
        return moves

    def firings(self, node_id: str, tokens: tuple[str, ...]) -> list[tuple[list[str], list[str]]]:
        node, ins, outs = self.nodes[node_id], self.ins[node_id], self.outs[node_id]
        marked = [e for e in ins if e in tokens]
        if node.kind == "parallel":
            return [(ins, outs)] if len(marked) == len(ins) else []
        if node.kind == "end":
            return [([e], []) for e in marked]
        if node.kind == "decision":
            return [([e], [out]) for e in marked for out in outs]
        if not outs:
            return []
        if isinstance(node, WaitNode) and node.timeout is not None:
            normal = [e for e in outs if not self.timeout[e]]
            expired = [e for e in outs if self.timeout[e]]
            if normal and expired:
                return [([e], group) for e in marked for group in (normal, expired)]
        return [([e], outs) for e in marked]

    def waits_at_join(self, marking: Marking) -> bool:
        return any(self.nodes[self.target[e]].kind == "parallel" for e in marking[0])

    def circles(self, seen: set[Marking], successors: dict, stopped: set[Marking], dead: list[Marking]) -> bool:
        """Whether some marking can reach neither the finish, a dead marking, nor an out-of-step one."""
        before: dict[Marking, list[Marking]] = {m: [] for m in seen}
        for marking, nexts in successors.items():
            for after in nexts:
                before[after].append(marking)
        settled = {m for m in seen if m == ((), 1)} | stopped | set(dead)
        queue = deque(settled)
        while queue:
            for earlier in before[queue.popleft()]:
                if earlier not in settled:
                    settled.add(earlier)
                    queue.append(earlier)
        return settled != seen


def reference_families(bundle: Bundle) -> set[str]:
    found: set[str] = set()
    for start in (n.id for n in bundle.nodes if n.kind == "start"):
        found |= TokenGame(bundle, start).families()
    return found


def analysed_families(report: SoundnessReport) -> set[str]:
    present = {
        "deadlock": report.deadlocks,
        "lack_of_sync": report.lack_of_sync,
        "no_completion": report.no_completion,
        "too_complex": report.too_complex,
    }
    return {family for family, faults in present.items() if faults}


def assert_same_verdict(bundle: Bundle) -> None:
    try:
        expected = reference_families(bundle)
    except TooManyMarkings:
        reject()
    found = analysed_families(analyse_soundness(bundle))
    assert bool(found) == bool(expected), (found, expected)
    if "lack_of_sync" in expected:
        assert "lack_of_sync" in found, (found, expected)
    if "deadlock" in expected and "lack_of_sync" not in found:
        assert "deadlock" in found, (found, expected)
    if len(expected) == 1 and len(found) > 1:
        assert expected <= found, (found, expected)


# --------------------------------------------------------------------------- random flows


def random_flow(rnd: random.Random) -> Bundle:
    """A flow of random gateways that meets the structural preconditions but is mostly not blocks.

    Every node gets a way in from an earlier node (so all are reachable) and a
    way forward (so all reach an end); some ways lead back, making loops. Kinds
    then follow from the number of ways in and out.
    """
    inner = [f"n{i}" for i in range(rnd.randint(2, 9))]
    ends = [f"e{i}" for i in range(rnd.randint(1, 2))]
    edges = {("s", inner[0])}
    for i, source in enumerate(inner):
        later = inner[i + 1:] + ends
        for target in rnd.sample(later, min(len(later), rnd.choice([1, 1, 2, 2, 3]))):
            edges.add((source, target))
        if rnd.random() < 0.3 and i > 0:
            edges.add((source, rnd.choice(inner[:i])))
        if i > 0 and not any(s in inner[:i] or s == "s" for s, t in edges if t == source):
            edges.add((rnd.choice(inner[:i]), source))
    ends = [e for e in ends if any(t == e for _, t in edges)]
    return bundle_of(_kinds(rnd, inner, ends, edges), _edges(edges))


def _kinds(rnd: random.Random, inner: list[str], ends: list[str], edges: set[tuple[str, str]]) -> list[dict]:
    nodes = [node("s")] + [node(e) for e in ends]
    for name in inner:
        ins = sum(1 for _, t in edges if t == name)
        outs = sum(1 for s, _ in edges if s == name)
        if outs == 1:
            kind = rnd.choice(["task", "parallel"]) if ins > 1 else "task"
        elif ins == 1:
            kind = rnd.choice(["decision", "parallel"] + (["wait"] if outs == 2 else []))
        else:
            kind = "decision"
        data = {"id": name, "kind": kind}
        if kind == "task":
            data["queue"] = "q"
        if kind == "wait":
            data |= {"wait_for": "message", "message": "reply", "timeout": "5 days"}
        nodes.append(data)
    return nodes


def _edges(edges: set[tuple[str, str]]) -> list[dict]:
    return [{"id": f"f{i}", "source": s, "target": t} for i, (s, t) in enumerate(sorted(edges), 1)]


def tidy(bundle: Bundle) -> Bundle:
    """Decisions get a default and conditions, a wait its timeout edge (its second); nothing else has them."""
    kinds = {n.id: n.kind for n in bundle.nodes}
    edges = []
    seen: set[str] = set()
    for edge in bundle.edges:
        data = {"id": edge.id, "source": edge.source, "target": edge.target}
        first = edge.source not in seen
        seen.add(edge.source)
        if kinds[edge.source] == "wait" and not first:
            data["timeout"] = True
        elif kinds[edge.source] == "decision":
            data |= {"default": True} if first else {"condition": "approved"}
        edges.append(data)
    nodes = [n.model_dump(mode="json", exclude_defaults=True) | {"id": n.id, "kind": n.kind} for n in bundle.nodes]
    return bundle_of(nodes, edges)


def swaps(built: BlockFlow) -> dict[str, str]:
    """Kind changes that keep a node's shape valid: where branches meet, a step becomes a
    parallel join and back; where they part, a decision becomes a parallel split and back."""
    ins = Counter(e["target"] for e in built.edges)
    outs = Counter(e["source"] for e in built.edges)
    changes = {}
    for n in built.nodes:
        name, kind = n["id"], n["kind"]
        if ins[name] > 1 and outs[name] == 1 and kind in ("task", "parallel"):
            changes[name] = "parallel" if kind == "task" else "task"
        elif ins[name] == 1 and outs[name] > 1 and kind in ("decision", "parallel"):
            changes[name] = "parallel" if kind == "decision" else "decision"
    return changes


CROSS = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)


@CROSS
@given(st.randoms(use_true_random=False))
def test_random_gateway_flows_get_the_reference_verdict(rnd: random.Random):
    assert_same_verdict(tidy(random_flow(rnd)))


@CROSS
@given(flows.filter(lambda built: len(built.nodes) < 30 and swaps(built)), st.data())
def test_block_flows_with_one_gateway_changed_get_the_reference_verdict(built: BlockFlow, data: st.DataObject):
    changed, kind = data.draw(st.sampled_from(sorted(swaps(built).items())))
    assert_same_verdict(tidy(built.with_kind(changed, kind)))


def test_the_reference_agrees_on_the_textbook_cases():
    assert reference_families(flow("s>p p>a p>b a>j b>j j>e")) == set()
    assert reference_families(flow("s>d d>a d>b a>j b>j j>e")) == {"deadlock"}
    assert reference_families(flow("s>p p>a p>b a>m b>m m>e")) == {"lack_of_sync"}
    assert reference_families(flow("s>p p>a p>b a>e1 b>e2")) == {"lack_of_sync"}


# --------------------------------------------------------------------------- where tokens meet


class MeetingGame(TokenGame):
    """The token game again, now to find where two tokens meet rather than whether they do.

    A meeting is a node with two tokens at once (for a parallel join: two on
    one incoming edge), or an end reached while another token lives or after
    an end was reached. `first_meetings` plays every path up to its first
    meeting; `playable` replays a path the analysis gives, which proves the
    meeting it names really happens.
    """

    def meetings_after(self, marking: Marking, after: Marking, node_id: str) -> set[str]:
        found = set()
        tokens = after[0]
        if self.nodes[node_id].kind == "end" and (tokens or marking[1] > 0):
            found.add(node_id)
        count = Counter(tokens)
        for target in {self.target[e] for e in tokens}:
            held = [count[e] for e in self.ins[target]]
            if (max(held) if self.nodes[target].kind == "parallel" else sum(held)) > 1:
                found.add(target)
        return found

    def successors(self, marking: Marking) -> list[tuple[str, Marking]]:
        tokens, ended = marking
        result = []
        for node_id in sorted({self.target[e] for e in tokens}):
            for taken, put in self.firings(node_id, tokens):
                rest = list(tokens)
                for e in taken:
                    rest.remove(e)
                done = ended + (self.nodes[node_id].kind == "end")
                result.append((node_id, (tuple(sorted(rest + list(put))), done)))
        return result

    def first_meetings(self) -> set[str]:
        initial: Marking = (tuple(sorted(self.outs[self.start])), 0)
        found: set[str] = set()
        seen, queue = {initial}, deque([initial])
        while queue:
            marking = queue.popleft()
            for node_id, after in self.successors(marking):
                met = self.meetings_after(marking, after, node_id)
                found |= met
                if met or after in seen:
                    continue
                seen.add(after)
                queue.append(after)
                if len(seen) > REFERENCE_LIMIT:
                    raise TooManyMarkings
        return found

    def playable(self, path: tuple[str, ...], meeting: str) -> bool:
        """Whether the nodes of `path` can run in this order from the start and end in two tokens at `meeting`.

        The path ends with the meeting node: the node whose arrival meets a
        token already there, or an end reached while another token lives.
        """
        markings = {(tuple(sorted(self.outs[self.start])), 0)}
        steps: list[tuple[Marking, Marking, str]] = []
        for node_id in path[1:]:
            if any(meeting in self.meetings_after(*step) for step in steps) and node_id == path[-1] == meeting:
                return True  # the last node run brought the second token to the meeting node
            steps = [(m, after, n) for m in markings for n, after in self.successors(m) if n == node_id]
            markings = {after for _, after, _ in steps}
        return any(meeting in self.meetings_after(*step) for step in steps)  # the meeting node ran: an end


@settings(CROSS, max_examples=80)
@given(st.randoms(use_true_random=False))
def test_named_steps_are_exactly_where_tokens_really_meet(rnd: random.Random):
    bundle = tidy(random_flow(rnd))
    starts = [n.id for n in bundle.nodes if n.kind == "start"]
    try:
        if "lack_of_sync" not in reference_families(bundle):
            reject()  # no meeting the token game reaches (one may hide behind a deadlock: fragments find it)
        games = [MeetingGame(bundle, start) for start in starts]
        first = set().union(*(game.first_meetings() for game in games))
    except TooManyMarkings:
        reject()
    named = {fault.node: fault for fault in analyse_soundness(bundle).lack_of_sync}
    assert first <= set(named), f"first meetings not named: {first - set(named)}"
    for meeting, fault in named.items():  # its path replayed shows two tokens really meet there
        assert any(game.playable(fault.path, meeting) for game in games if fault.path[:1] == (game.start,)), fault
