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
from models.expressions import ExpressionError, compile_expression, kind_name
from models.phrases import Phrase, either


def check(ctx: CheckContext) -> Iterator[Problem]:
    for site in expression_sites(ctx.bundle, ctx.known_processes):
        expect = site.accepts[0] if len(site.accepts) == 1 else None
        try:
            compiled = compile_expression(site.source, site.names, expect=expect)
        except ExpressionError as error:
            yield Problem(site.element, Phrase("In {where} of '{element}' (`{source}`): {problem}", where=site.where,
                                               element=site.element, source=site.source,
                                               problem=error.message_phrase),
                          error.hint_phrase or Phrase("Use the name completion to pick declared data."))
            continue
        if site.accepts and compiled.type not in site.accepts:
            yield Problem(site.element, Phrase("In {where} of '{element}': `{source}` gives {kind}, not {wanted}.",
                                               where=site.where, element=site.element, source=site.source,
                                               kind=kind_name(compiled.type),
                                               wanted=either(map(kind_name, site.accepts))),
                          Phrase("Change the expression so it gives the right kind of value."))
