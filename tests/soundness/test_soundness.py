"""Soundness of small flows, each drawn inline (see soundness_flows for the notation)."""

from __future__ import annotations

import pytest

from models.soundness import Deadlock, LackOfSync, SoundnessReport, TooComplex, analyse_soundness
from tests.soundness.soundness_flows import bundle_of, flow, node


def faults(report: SoundnessReport) -> dict[str, list[str]]:
    """The elements of each fault family that is present."""
    found = {
        "deadlock": [d.join for d in report.deadlocks],
        "lack_of_sync": [s.node for s in report.lack_of_sync],
        "no_completion": [n.node for n in report.no_completion],
        "too_complex": [t.start for t in report.too_complex],
    }
    return {family: elements for family, elements in found.items() if elements}


SOUND = {
    "a sequence": "s>a a>b b>e",
    "a decision whose branches meet at a step": "s>d d>a d>b a>m b>m m>e",
    "a decision with an empty branch": "s>d d>a d>m a>m m>e",
    "decision branches ending at different ends": "s>d d>a d>b a>e1 b>e2",
    "a parallel block": "s>p p>a p>b a>j b>j j>e",
    "parallel blocks nested in decision blocks nested in parallel blocks":
        "s>p1 p1>a p1>d d>p2 d>x p2>b p2>c b>j2 c>j2 j2>m x>m m>j1 a>j1 j1>e",
    "a loop": "s>m m>a a>d d>m d>e",
    "a loop with the exit at the top": "s>m m>d d>a a>m d>e",
    "a loop containing a parallel block": "s>m m>p p>a p>b a>j b>j j>d d>m d>e",
    "a parallel block containing loops": "s>p p>m1 p>m2 m1>d1 d1>m1 d1>j m2>a a>d2 d2>m2 d2>j j>e",
    "a loop whose back path has a parallel block": "s>m m>a a>d d>e d>p p>b p>c b>j c>j j>m",
    "a loop with two exits": "s>m m>a a>d1 d1>b b>d2 d2>m d1>x d2>y x>n y>n n>e",
    "a loop with two entries": "s>d0 d0>a d0>b a>d1 b>d2 d1>b d2>a d1>e d2>e",
    "a parallel loop that is not a block": "s>p p>x1 p>x2 x1>j x2>j j>d d>q d>e q>x1 q>x2",
    "a message wait with a timeout": "s>w w>a w>b! a>e1 b>e2",
    "a timeout that rejoins the normal path": "s>w w>a w>b! a>m b>m m>e",
    "a wait with a timeout inside a parallel block": "s>p p>w p>c w>a w>b! a>m b>m m>j c>j j>e",
}


@pytest.mark.parametrize("spec", SOUND.values(), ids=SOUND.keys())
def test_sound_flows_have_no_faults(spec: str):
    report = analyse_soundness(flow(spec))
    assert report.sound, report


def test_decision_closed_by_parallel_join_deadlocks_at_the_join():
    report = analyse_soundness(flow("s>d d>a d>b a>j b>j j>e"))
    assert report.deadlocks == (Deadlock("j", decisions=("d",), waits_for=("a", "b")),)
    assert faults(report).keys() == {"deadlock"}


def test_deadlock_names_the_decision_not_the_other_joins_waiting_behind_it():
    report = analyse_soundness(flow("s>p p>x p>d d>a d>b a>j1 b>j1 j1>j2 x>j2 j2>e"))
    assert [(d.join, d.decisions) for d in report.deadlocks] == [("j1", ("d",))]


def test_loop_entered_through_a_parallel_join_deadlocks():
    report = analyse_soundness(flow("s>p p>a p>b a>j b>j j>t t>d d>j d>e"))
    (deadlock,) = report.deadlocks
    assert deadlock.join == "j"
    assert deadlock.loop
    assert deadlock.related == ("d",)


def test_parallel_join_inside_a_loop_waits_the_second_time_round():
    report = analyse_soundness(flow("s>p p>a p>m a>j m>b b>j j>d d>m d>e"))
    assert [d.join for d in report.deadlocks] == ["j"]


def test_timeout_closed_by_parallel_join_deadlocks_naming_the_wait():
    report = analyse_soundness(flow("s>w w>a w>b! a>j b>j j>e"))
    assert [(d.join, d.decisions) for d in report.deadlocks] == [("j", ("w",))]


def test_parallel_split_closed_at_a_step_runs_it_twice_and_can_end_while_a_branch_runs():
    report = analyse_soundness(flow("s>p p>a p>b a>m b>m m>e"))
    assert report.lack_of_sync == (
        LackOfSync("m", splits=("p",), path=("s", "p", "a", "b", "m")),  # both branches arrive at m
        LackOfSync("e", splits=("p",), at_end=True, path=("s", "p", "a", "m", "e")),  # one is through before b
    )
    assert faults(report).keys() == {"lack_of_sync"}


def test_parallel_branches_ending_at_two_ends_end_too_early():
    report = analyse_soundness(flow("s>p p>a p>b a>e1 b>e2"))
    assert report.lack_of_sync == (
        LackOfSync("e1", splits=("p",), at_end=True, path=("s", "p", "a", "e1")),
        LackOfSync("e2", splits=("p",), at_end=True, path=("s", "p", "b", "e2")),
    )


def test_parallel_branches_reaching_one_end_reach_it_twice():
    report = analyse_soundness(flow("s>p p>a p>b a>e b>e"))
    assert [(s.node, s.splits, s.path) for s in report.lack_of_sync] == [("e", ("p",), ("s", "p", "a", "b", "e"))]


def test_lack_of_sync_names_where_tokens_meet_and_the_split_whose_branches_meet():
    report = analyse_soundness(flow("s>p1 p1>a p1>b a>p2 p2>c p2>x c>m x>m m>j b>j j>e"))
    assert [(s.node, s.splits) for s in report.lack_of_sync] == [("m", ("p2",)), ("j", ("p2",)), ("e", ("p1",))]
    assert report.lack_of_sync[0].path == ("s", "p1", "a", "p2", "c", "x", "m")


def test_a_parallel_split_is_never_named_as_where_tokens_meet():
    report = analyse_soundness(flow("s>m m>p p>a p>d a>j d>m d>x x>j j>e"))
    assert [s.node for s in report.lack_of_sync] == ["a", "j", "e"]
    assert "p" not in {s.node for s in report.lack_of_sync}


def test_parallel_split_in_a_loop_without_join_is_unsafe():
    report = analyse_soundness(flow("s>m m>p p>a p>d a>j d>m d>x x>j j>e"))
    assert "lack_of_sync" in faults(report)


def test_a_branch_that_stops_without_an_end_cannot_complete():
    nodes = [node("s"), node("a"), node("e")]
    edges = [{"id": "f1", "source": "s", "target": "a"}]
    report = analyse_soundness(bundle_of(nodes, edges))  # broken structure: still no crash
    assert [n.node for n in report.no_completion] == ["a"]


def test_several_starts_are_checked_one_at_a_time():
    nodes = [node("s1"), node("s2"), node("a"), node("b"), node("j"), node("e")]
    nodes[1]["trigger"] = "message"
    nodes[1]["message"] = "reply"
    edges = [
        {"id": "f1", "source": "s1", "target": "a"},
        {"id": "f2", "source": "s2", "target": "b"},
        {"id": "f3", "source": "a", "target": "j"},
        {"id": "f4", "source": "b", "target": "j"},
        {"id": "f5", "source": "j", "target": "e"},
    ]
    report = analyse_soundness(bundle_of(nodes, edges))
    (deadlock,) = report.deadlocks
    assert deadlock.join == "j"
    assert set(deadlock.waits_for) == {"a", "b"}


def test_each_fault_is_reported_once_however_many_states_show_it():
    spec = "s>p p>x p>y p>d x>j y>j d>a d>b a>j2 b>j2 j2>j j>e"
    report = analyse_soundness(flow(spec))
    assert [d.join for d in report.deadlocks] == ["j2"]


def test_unstructured_parallel_fragments_side_by_side_are_checked_one_by_one():
    gadgets = " ".join(
        f"pz>p{i} p{i}>a{i} p{i}>b{i} a{i}>j{i} b{i}>j{i} j{i}>d{i} d{i}>q{i} d{i}>jz q{i}>a{i} q{i}>b{i}"
        for i in range(8)
    )
    report = analyse_soundness(flow(f"s>pz {gadgets} jz>e"), max_states=1_000)
    assert report.sound  # 8 gadgets together have over 10^8 markings; one at a time, 5 each


def test_more_markings_than_allowed_is_too_complex_not_a_guess():
    report = analyse_soundness(flow("s>p p>x1 p>x2 x1>j x2>j j>d d>q d>e q>x1 q>x2"), max_states=3)
    assert report.too_complex == (TooComplex("s", 3, report.too_complex[0].nodes),)
    assert report.too_complex[0].nodes[0] == "p"
    assert not report.sound


def test_a_flow_without_start_has_nothing_to_check():
    assert analyse_soundness(flow("a>e")).sound


def test_faults_one_after_another_are_all_found_not_just_the_first():
    report = analyse_soundness(flow("s>d d>a d>b a>j b>j j>p p>c p>x c>m x>m m>e"))
    assert [d.join for d in report.deadlocks] == ["j"]
    assert [s.node for s in report.lack_of_sync] == ["m"]


def test_rules_explain_faults_by_display_name_with_a_fix():
    from models.checks import check

    document = flow("s>d d>a d>b a>j b>j j>e").model_dump(mode="json", exclude_defaults=True)
    for data in document["nodes"]:
        data["name"] = {"d": "Amount?", "j": "Both done"}.get(data["id"], "")
    (finding,) = check(bundle_of(document["nodes"], document["edges"]))
    assert (finding.code, finding.element, finding.related) == ("soundness-deadlock", "j", ("d",))
    assert "'Both done'" in finding.message and "'Amount?'" in finding.message
    assert "not at a parallel join" in finding.hint


def test_a_case_stuck_at_a_step_is_reported_as_no_completion_and_too_many_markings_by_its_own_rule():
    from models.checks import CheckContext, soundness_no_completion, soundness_too_complex

    stuck = bundle_of([node("s"), node("a"), node("e")], [{"id": "f1", "source": "s", "target": "a"}])
    assert [p.element for p in soundness_no_completion.check(CheckContext(stuck))] == ["a"]
    assert list(soundness_too_complex.check(CheckContext(stuck))) == []


def test_lack_of_sync_findings_show_one_way_it_happens_step_by_step():
    from models.checks import check

    (finding, *_) = check(flow("s>p p>a p>b a>m b>m m>e"))
    assert (finding.code, finding.element) == ("soundness-lack-of-sync", "m")
    assert finding.message.endswith("For example: 's' → 'p' → 'a' → 'b' → 'm'.")
    assert finding.related == ("p", "s", "a", "b")
