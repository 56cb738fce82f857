"""Service levels must make sense: the warning comes before the target.

An escalation on "warning" needs a warning time; a warning at or after the
target would never warn in time.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.nodes import EscalationMoment, Sla, TaskNode
from models.phrases import Phrase


def check(ctx: CheckContext) -> Iterator[Problem]:
    slas = [(node.id, Phrase("task '{name}'", name=node.display), node.sla)
            for node in ctx.bundle.nodes if isinstance(node, TaskNode) and node.sla]
    if ctx.bundle.case_sla:
        slas.append(("case_sla", Phrase("the case"), ctx.bundle.case_sla))
    for element, owner, sla in slas:
        yield from _sla_problems(element, owner, sla)


def _sla_problems(element: str, owner: Phrase, sla: Sla) -> Iterator[Problem]:
    if sla.warning and sla.warning.nominal_minutes() >= sla.target.nominal_minutes():
        yield Problem(element, Phrase("The SLA of {owner} warns after {warning}, which is not before its target of "
                                      "{target}.", owner=owner, warning=str(sla.warning), target=str(sla.target)),
                      Phrase("Set the warning to a shorter time than the target, or remove it."))
    if sla.warning and sla.warning.unit.is_working_time != sla.target.unit.is_working_time:
        yield Problem(element, Phrase("The SLA of {owner} mixes working time ({target}) and calendar time "
                                      "({warning}).", owner=owner, warning=str(sla.warning), target=str(sla.target)),
                      Phrase("Use working time for both, or calendar time for both."))
    if not sla.warning and any(e.when is EscalationMoment.WARNING for e in sla.escalations):
        yield Problem(element, Phrase("The SLA of {owner} escalates on warning, but has no warning time.",
                                      owner=owner),
                      Phrase("Set a warning time, or escalate on breach instead."))
