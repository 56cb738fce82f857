"""Letter, e-mail and SMS templates must be well-formed.

A template with a syntax error (an unclosed `{{`, an `{% if %}` without
`{% endif %}`, an unknown filter) cannot be sent.
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.phrases import Phrase
from models.templates import template_problem


def check(ctx: CheckContext) -> Iterator[Problem]:
    for letter, variant, part, source in ctx.template_parts():
        problem = template_problem(source)
        if problem:
            yield Problem(letter.id, Phrase("{part} of '{letter}' ({language}) has an error on line {line}: {error}.",
                                            part=part, letter=letter.name or letter.id, language=variant.language,
                                            line=str(problem.line),  # a line number: no thousands separator
                                            error=problem.message),
                          Phrase("Use the placeholder picker, or check that every {{{{ has its }}}} and every "
                                 "{{% if %}} / {{% for %}} its {{% endif %}} / {{% endfor %}}."))
