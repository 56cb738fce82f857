"""Everything a process refers to by name must exist.

Tasks name a queue and maybe a form, sends a letter, automatic steps a
decision table, queues a role, escalations and ad-hoc task types a queue,
subprocesses another process. A reference to something missing would fail
when a case gets there.
"""

from collections.abc import Callable, Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.nodes import AutomaticNode, SendNode, StartNode, SubprocessNode, TaskNode
from models.phrases import Phrase


def check(ctx: CheckContext) -> Iterator[Problem]:
    bundle = ctx.bundle
    roles = {r.id for r in bundle.roles}

    def missing(element: str, what: Phrase, ref: str | None, exists: Callable[[str], object]) -> Iterator[Problem]:
        if ref and not exists(ref):
            yield Problem(element, Phrase("'{element}' uses {what} '{ref}', which does not exist in this process.",
                                          element=element, what=what, ref=ref),
                          Phrase("Create {what} '{ref}', or choose an existing one.", what=what, ref=ref))

    queue, form = Phrase("queue"), Phrase("form")
    for node in bundle.nodes:
        if isinstance(node, TaskNode):
            yield from missing(node.id, queue, node.queue, bundle.queue)
            yield from missing(node.id, form, node.form, bundle.form)
            for escalation in node.sla.escalations if node.sla else []:
                yield from missing(node.id, queue, escalation.queue, bundle.queue)
        elif isinstance(node, StartNode):
            yield from missing(node.id, form, node.form, bundle.form)
        elif isinstance(node, SendNode):
            yield from missing(node.id, Phrase("letter"), node.letter, bundle.letter)
        elif isinstance(node, AutomaticNode):
            yield from missing(node.id, Phrase("decision table"), node.decision_table, bundle.decision_table)
        elif (
            isinstance(node, SubprocessNode)
            and ctx.known_processes is not None
            and node.process not in ctx.known_processes
        ):
            yield Problem(node.id, Phrase("Subprocess '{name}' calls process '{process}', which is not published "
                                          "(or not among the files checked).", name=node.display,
                                          process=node.process),
                          Phrase("Publish that process first, or correct the process key."))
    for defined in bundle.queues:
        yield from missing(defined.id, Phrase("role"), defined.role, roles.__contains__)
    for task_type in bundle.adhoc_task_types:
        yield from missing(task_type.id, queue, task_type.queue, bundle.queue)
        yield from missing(task_type.id, form, task_type.form, bundle.form)
    for escalation in bundle.case_sla.escalations if bundle.case_sla else []:
        yield from missing("case_sla", queue, escalation.queue, bundle.queue)
