"""A task kept apart from other tasks (four eyes) must name tasks that come before it.

"Not done by whoever did task X" only means something when X is another task
of this process that a case can pass before this one; otherwise the rule can
never apply, or names a step that does not exist.
"""

from collections.abc import Iterator

import networkx as nx

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.nodes import TaskNode
from models.phrases import Phrase


def check(ctx: CheckContext) -> Iterator[Problem]:
    nodes = {node.id: node for node in ctx.bundle.nodes}
    for task in (node for node in ctx.bundle.nodes if isinstance(node, TaskNode)):
        for other_id in task.separate_from:
            other = nodes.get(other_id)
            if other_id == task.id:
                yield Problem(task.id, Phrase("'{name}' is kept apart from itself.", name=task.display),
                              Phrase("Name the earlier task whose performer may not do this one."))
            elif not isinstance(other, TaskNode):
                message = Phrase("'{name}' is kept apart from '{other}', which is not a task.", name=task.display,
                                 other=other_id) if other is not None else \
                    Phrase("'{name}' is kept apart from '{other}', which does not exist.", name=task.display,
                           other=other_id)
                yield Problem(task.id, message, Phrase("Choose a task of this process that comes before it."))
            elif not nx.has_path(ctx.graph, other.id, task.id):
                yield Problem(task.id, Phrase("'{name}' is kept apart from '{other}', which never comes before it: "
                                              "nobody can have done it yet.", name=task.display, other=other.display),
                              Phrase("Choose a task a case passes before this one."), related=(other.id,))
