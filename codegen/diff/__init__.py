"""What changed between two versions of a process: `diff_bundles(old, new) -> BundleDiff`.

One differ per bundle part, in one table (`DIFFERS`); each is a plain function
of the two bundles yielding `Change`s, in the part's module whose docstring
says how it matches and what it reports. Elements are matched by id, as ids
are stable between versions of a bundle. Pure: no I/O, no UI.

>>> from models import Bundle
>>> old = Bundle.model_validate({"key": "p", "name": "P", "roles": [{"id": "agent"}],
...     "queues": [{"id": "billing", "role": "agent"}, {"id": "back_office", "role": "agent"}],
...     "nodes": [{"id": "check", "kind": "task", "name": "Check invoice", "queue": "billing"}]})
>>> new = old.model_copy(deep=True)
>>> new.nodes[0].queue = "back_office"
>>> [change.describe() for change in diff_bundles(old, new)]
["Step 'Check invoice': queue billing → back_office"]
>>> diff_bundles(old, old)
BundleDiff(changes=())
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from codegen.diff.catalogues import diff_adhoc_task_types, diff_queues, diff_roles, diff_root_causes, diff_variables
from codegen.diff.changes import BundleDiff, Change, ChangeKind, Part
from codegen.diff.decision_tables import diff_decision_tables
from codegen.diff.flow import diff_edges, diff_nodes
from codegen.diff.forms import diff_forms
from codegen.diff.letters import diff_letters
from codegen.diff.node_map import NodeChoice, NodeMapError, NodeMapProposal, propose_node_map
from codegen.diff.process import diff_intake, diff_process
from codegen.diff.slas import diff_case_sla, diff_task_slas
from codegen.diff.text import TextSegment, word_diff
from models.bundle import Bundle

__all__ = [
    "DIFFERS",
    "BundleDiff",
    "Change",
    "ChangeKind",
    "NodeChoice",
    "NodeMapError",
    "NodeMapProposal",
    "Part",
    "TextSegment",
    "diff_bundles",
    "propose_node_map",
    "word_diff",
]

Differ = Callable[[Bundle, Bundle], Iterable[Change]]

#: Bundle part -> the function that names its changes; the diff reports the parts in this order.
DIFFERS: dict[Part, Differ] = {
    Part.PROCESS: diff_process,
    Part.INTAKE: diff_intake,
    Part.VARIABLES: diff_variables,
    Part.NODES: diff_nodes,
    Part.EDGES: diff_edges,
    Part.CASE_SLA: diff_case_sla,
    Part.TASK_SLAS: diff_task_slas,
    Part.FORMS: diff_forms,
    Part.LETTERS: diff_letters,
    Part.DECISION_TABLES: diff_decision_tables,
    Part.ROLES: diff_roles,
    Part.QUEUES: diff_queues,
    Part.ROOT_CAUSES: diff_root_causes,
    Part.ADHOC_TASK_TYPES: diff_adhoc_task_types,
}


def diff_bundles(old: Bundle, new: Bundle) -> BundleDiff:
    """Every change from `old` to `new`, part by part in `DIFFERS` order."""
    return BundleDiff(tuple(change for differ in DIFFERS.values() for change in differ(old, new)))
