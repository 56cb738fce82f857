"""Every expression must be valid and use only declared data.

Conditions, assignments, table cells, field rules and recipients are
written in Flowdesk's expression language. Each must parse, name only
declared case data, customer fields and computed values, and give the kind
of value its place needs (a condition gives yes/no, an amount gives money).
"""

from collections.abc import Iterator

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.expression_sites import expression_sites
from models.expressions import ExpressionError, compile_expression


def check(ctx: CheckContext) -> Iterator[Problem]:
    for site in expression_sites(ctx.bundle, ctx.known_processes):
        expect = site.accepts[0] if len(site.accepts) == 1 else None
        try:
            compiled = compile_expression(site.source, site.names, expect=expect)
        except ExpressionError as error:
            yield Problem(site.element, f"In {site.where} of '{site.element}' (`{site.source}`): {error.message}",
                          error.hint or "Use the name completion to pick declared data.")
            continue
        if site.accepts and compiled.type not in site.accepts:
            wanted = " or ".join(str(t) for t in site.accepts)
            yield Problem(site.element, f"In {site.where} of '{site.element}': `{site.source}` gives "
                          f"{compiled.type}, not {wanted}.",
                          "Change the expression so it gives the right kind of value.")
