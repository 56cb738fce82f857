"""Every placeholder in a letter must name data the case has.

Placeholders may use the case data, the customer's fields (`customer.name`,
`customer.address.city`, ...) and computed values (`today`, `case.id`). An
unknown placeholder would leave a blank or an error in a customer's letter.
"""

from collections.abc import Iterator
from difflib import get_close_matches

from models.checks.context import CheckContext
from models.checks.findings import Problem
from models.customers import CUSTOMER_FIELDS
from models.data import DataType
from models.phrases import Phrase
from models.templates import COMPUTED_FIELDS, Placeholder, placeholders, template_problem


def check(ctx: CheckContext) -> Iterator[Problem]:
    known = _known_fields(ctx)
    for letter, variant, part, source in ctx.template_parts():
        if template_problem(source):
            continue  # template-invalid reports it
        for path in sorted(placeholders(source)):
            unknown = _unknown_part(path, known)
            if unknown is None:
                continue
            shown = ".".join(path[: unknown + 1])
            scope = known
            for name in path[:unknown]:
                scope = scope[name] if isinstance(scope, dict) else {}
            close = get_close_matches(path[unknown], list(scope) if isinstance(scope, dict) else [], n=1)
            hint = Phrase("Did you mean '{name}'?", name=Placeholder(".".join((*path[:unknown], close[0])))) \
                if close else Phrase("Pick the placeholder from the list of case data and customer fields.")
            yield Problem(letter.id, Phrase("{part} of '{letter}' ({language}) uses '{placeholder}', which is not "
                                            "case data, a customer field or a computed value.", part=part,
                                            letter=letter.name or letter.id, language=variant.language,
                                            placeholder=Placeholder(shown)), hint)


def _known_fields(ctx: CheckContext) -> dict[str, object]:
    """Name -> nested dict of fields, or a leaf type, for everything a template may read."""
    known: dict[str, object] = dict(COMPUTED_FIELDS)
    known["customer"] = CUSTOMER_FIELDS
    for variable in ctx.bundle.variables:
        known[variable.name] = variable.type if variable.type is not DataType.RECORDS else "records"
    return known


def _unknown_part(path: tuple[str, ...], known: dict[str, object]) -> int | None:
    """Index of the first part of `path` that is not known, or None when all is known."""
    scope: object = known
    for index, name in enumerate(path):
        if not isinstance(scope, dict) or name not in scope:
            return index
        scope = scope[name]
    return None
