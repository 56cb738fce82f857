"""A letter must not use a value the case may not have when the letter is sent.

`{{ note }}` in a letter needs the case to hold a note at the step that sends
it. Where some way to that step sets no note (no required form field,
assignment, decision table or subprocess sets it, and it has no default), the
letter would be held back with an incident on the case. Show such a value only
when there is one (`{% if note %}…{% endif %}`), give a default text
(`{{ note|default("…") }}`), or make every way to the step set it.
The check follows every way through the flow (see `models.data_flow`); it
cannot know that two decisions always go the same way, so it may warn where
the flow's conditions already make sure of a value.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem, quoted
from models.nodes import SendNode
from models.phrases import Phrase
from models.template_guards import names_needing_a_value
from models.templates import Placeholder, template_problem


def check(ctx: CheckContext) -> Iterator[Problem]:
    variables = {variable.name: variable for variable in ctx.bundle.variables}
    for letter in ctx.bundle.letters:
        needed: set[str] = set()
        for variant in letter.variants:
            for source in (variant.subject, variant.body, variant.text_body):
                if source and not template_problem(source):  # template-invalid reports the others
                    needed |= names_needing_a_value(source) & variables.keys()
        sends = [node for node in ctx.bundle.nodes if isinstance(node, SendNode) and node.letter == letter.id]
        for name in sorted(needed):
            where = tuple(node.id for node in sends if name not in ctx.surely_set.get(node.id, frozenset()))
            if not where:
                continue
            steps = quoted([ctx.bundle.node(node).display for node in where], joined_by_and=True)
            yield Problem(letter.id, Phrase("'{letter}' uses '{placeholder}', but when it is sent (at {steps}) the "
                                            "case may have no {label}: on some way there nothing sets it. The letter "
                                            "would be held back with an incident.", letter=letter.name or letter.id,
                                            placeholder=Placeholder(name), steps=steps,
                                            label=variables[name].display),
                          Phrase("Show it only if it has a value: {{% if {name} %}}…{{{{ {name} }}}}…{{% endif %}}, "
                                 "or give a default text: {{{{ {name}|default(\"…\") }}}}. Or make every way to the "
                                 "step set it: a required form field, an assignment or a default value.", name=name),
                          related=where)
