"""A decision chooses one way out by the conditions on its outgoing connections.

Each way out of a decision has a condition, except one that may be the
default (taken when no condition holds). A decision chooses between at least
two ways out, unless it only merges: several ways in and one way out, where
the paths of an earlier decision come together. Conditions on connections
that do not leave a choosing decision would be ignored, so they are errors too.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.phrases import Phrase


def check(ctx: CheckContext) -> Iterator[Problem]:
    decisions = {n.id for n in ctx.bundle.nodes if n.kind == "decision"}
    merges = {d for d in decisions if len(ctx.outgoing[d]) == 1 and len(ctx.incoming[d]) >= 2}
    for edge in ctx.bundle.edges:
        if (edge.source not in decisions or edge.source in merges) and (edge.condition or edge.default):
            role = Phrase("a condition") if edge.condition else Phrase("the default mark")
            yield Problem(edge.id, Phrase("Connection '{edge}' has {role} but does not leave a decision, so it would "
                                          "be ignored.", edge=edge.label or edge.id, role=role),
                          Phrase("Remove it, or put a decision before the branching point."))
    for node in ctx.bundle.nodes:
        if node.id not in decisions or node.id in merges:
            continue
        outgoing = ctx.outgoing[node.id]
        if len(outgoing) < 2:
            yield Problem(node.id, Phrase("Decision '{name}' has {count} way(s) out; a decision chooses between at "
                                          "least two (or merges several ways in into one).",
                                          name=node.display, count=len(outgoing)),
                          Phrase("Add another outgoing connection, or remove the decision."))
        defaults = [e for e in outgoing if e.default]
        if len(defaults) > 1:
            yield Problem(node.id, Phrase("Decision '{name}' has {count} default ways out; only one can be taken "
                                          "when no condition holds.", name=node.display, count=len(defaults)),
                          Phrase("Keep one default and give the others a condition."),
                          related=tuple(e.id for e in defaults))
        for edge in outgoing:
            if not edge.condition and not edge.default:
                yield Problem(edge.id, Phrase("Way '{edge}' out of decision '{name}' has no condition and is not "
                                              "the default.", edge=edge.label or edge.id, name=node.display),
                              Phrase("Give it a condition, or mark it as the default way."))
