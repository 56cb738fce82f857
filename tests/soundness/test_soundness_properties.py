"""Random block-structured flows are sound; the classic faults injected into them are found and named."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.soundness import analyse_soundness
from tests.soundness.soundness_flows import Block, BlockFlow

TASK: st.SearchStrategy[Block] = st.just(("task",))


def _compound(inner: st.SearchStrategy[Block]) -> st.SearchStrategy[Block]:
    branches = st.lists(inner, min_size=2, max_size=3)
    xor_branches = st.lists(st.one_of(inner, st.just(("empty",))), min_size=2, max_size=3)
    back = st.one_of(st.just(("empty",)), inner)
    return st.one_of(
        branches.map(lambda parts: ("seq", *parts)),
        xor_branches.map(lambda parts: ("xor", *parts)),
        branches.map(lambda parts: ("and", *parts)),
        st.tuples(inner, back).map(lambda parts: ("loop", *parts)),
    )


blocks = st.recursive(TASK, _compound, max_leaves=30)
flows = blocks.map(BlockFlow)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(flows)
def test_block_structured_flows_are_sound(built: BlockFlow):
    report = analyse_soundness(built.bundle())
    assert report.sound, report


@PROPERTY
@given(flows.filter(lambda built: built.xor_blocks), st.data())
def test_decision_closed_by_parallel_join_deadlocks_there(built: BlockFlow, data: st.DataObject):
    decision, meet = data.draw(st.sampled_from(built.xor_blocks))
    report = analyse_soundness(built.with_kind(meet, "parallel"))
    assert [d.join for d in report.deadlocks] == [meet], report
    assert decision in report.deadlocks[0].decisions
    assert not (report.lack_of_sync or report.no_completion or report.too_complex)


@PROPERTY
@given(flows.filter(lambda built: built.and_blocks), st.data())
def test_parallel_split_closed_at_a_step_lacks_synchronisation_there(built: BlockFlow, data: st.DataObject):
    split, join = data.draw(st.sampled_from(built.and_blocks))
    report = analyse_soundness(built.with_kind(join, "task"))
    named = {fault.node: fault.splits for fault in report.lack_of_sync}
    assert join in named, report
    assert split in named[join]
    assert not report.deadlocks
