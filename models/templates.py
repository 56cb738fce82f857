"""What a letter template refers to, found without rendering it.

Letters are Jinja2 templates (rendered in a sandbox by codegen/). Checks
need the placeholders they use, e.g. `customer.address.city`, and any
syntax error with its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

#: Filters letters may use beyond Jinja2's own; codegen.letters implements them.
FLOWDESK_FILTERS = ("money", "date")

_ENVIRONMENT = ImmutableSandboxedEnvironment()
_ENVIRONMENT.filters.update(dict.fromkeys(FLOWDESK_FILTERS, str))  # known names, for checking only


@dataclass(frozen=True)
class TemplateSyntaxProblem:
    line: int
    message: str


@lru_cache(maxsize=4096)
def template_problem(source: str) -> TemplateSyntaxProblem | None:
    """The first syntax problem in a template (including unknown filters), or None.

    >>> template_problem("Dear {{ customer.name }")
    TemplateSyntaxProblem(line=1, message="unexpected '}'")
    """
    try:
        _ENVIRONMENT.compile(source)
    except TemplateSyntaxError as error:
        return TemplateSyntaxProblem(error.lineno, error.message or "syntax error")
    return None


@lru_cache(maxsize=4096)
def placeholders(source: str) -> frozenset[tuple[str, ...]]:
    """The data paths a template reads, e.g. {("customer", "name"), ("amount",)}.

    Names the template binds itself (loop variables, `set`) are left out.
    Call only on a template without syntax problems.

    >>> sorted(placeholders("{{ customer.name }} {% for l in lines %}{{ l.amount }}{% endfor %}"))
    [('customer', 'name'), ('lines',)]
    """
    tree = _ENVIRONMENT.parse(source)
    bound = {"loop", "range", "true", "false", "none"}
    for target in tree.find_all((nodes.For, nodes.Assign, nodes.AssignBlock)):
        bound |= {n.name for n in target.target.find_all(nodes.Name)}
        if isinstance(target.target, nodes.Name):
            bound.add(target.target.name)
    paths: set[tuple[str, ...]] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Name)):
        path = _path(node)
        if path and path[0] not in bound:
            paths.add(path)
    return frozenset(p for p in paths if not any(q != p and q[: len(p)] == p for q in paths))


def _path(node: nodes.Node) -> tuple[str, ...] | None:
    """`a.b.c` as ("a", "b", "c"); None for anything that is not a plain chain of names."""
    if isinstance(node, nodes.Name):
        return (node.name,)
    if isinstance(node, nodes.Getattr):
        base = _path(node.node)
        return (*base, node.attr) if base else None
    return None


#: Values every template may use besides case data and `customer`.
COMPUTED_FIELDS: dict[str, object] = {
    "today": "date",
    "now": "datetime",
    "case": {"id": "text", "process": "text", "started": "datetime"},
}
