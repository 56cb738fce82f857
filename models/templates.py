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
FLOWDESK_FILTERS = ("money", "date", "number")

#: Jinja2's own filters a template may use; the others (`attr`, `format`, `center`, `indent`, `safe`, ...)
#: either reach into Python, mark data as trusted HTML, or can blow text up beyond the budgets.
ALLOWED_FILTERS = frozenset({
    "abs", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "first", "float", "groupby",
    "int", "join", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace",
    "reverse", "round", "select", "selectattr", "sort", "string", "striptags", "sum", "title", "trim",
    "truncate", "unique", "upper", "wordcount",
})
#: Calls a template may make: `range(...)` and `loop.cycle(...)`.
ALLOWED_CALLS = (("range",), ("loop", "cycle"))
#: Attributes that turn data into code (Python string formatting walks attributes of its arguments).
FORMATTING_ATTRIBUTES = frozenset({"format", "format_map"})

_ENVIRONMENT = ImmutableSandboxedEnvironment()
_ENVIRONMENT.filters.update(dict.fromkeys(FLOWDESK_FILTERS, str))  # known names, for checking only


@dataclass(frozen=True)
class Placeholder:
    """A placeholder a message names (a value of a `models.phrases.Phrase`): said as the template writes it,
    `{{ customer.name }}`, where no label is at hand (the command line, the API); the letter editor says it by the
    label its chip shows and finds by `path` which chip a finding is about.

    >>> str(Placeholder("customer.name"))
    '{{ customer.name }}'
    """

    path: str

    def __str__(self) -> str:
        return f"{{{{ {self.path} }}}}"


@dataclass(frozen=True)
class TemplateSyntaxProblem:
    line: int
    message: str


@lru_cache(maxsize=4096)
def template_problem(source: str) -> TemplateSyntaxProblem | None:
    """The first problem in a template, or None: a syntax error, or a construct letters may not use.

    >>> template_problem("Dear {{ customer.name }")
    TemplateSyntaxProblem(line=1, message="unexpected '}'")
    >>> template_problem("{{ customer.name|center(80) }}").line
    1
    """
    try:
        tree = _ENVIRONMENT.parse(source)
    except TemplateSyntaxError as error:
        return TemplateSyntaxProblem(error.lineno, error.message or "syntax error")
    return construct_problem(tree)


def _dotted(node: nodes.Node) -> tuple[str, ...]:
    """`a.b.c` as ("a", "b", "c"); () for anything else."""
    if isinstance(node, nodes.Name):
        return (node.name,)
    if isinstance(node, nodes.Getattr):
        base = _dotted(node.node)
        return (*base, node.attr) if base else ()
    return ()


def construct_problem(template: nodes.Template) -> TemplateSyntaxProblem | None:
    """The first construct a letter template may not use (Python internals, includes, macros, unlisted
    filters or calls), or None. Checked at design time and again before rendering."""
    for found in template.find_all((nodes.Getattr, nodes.Getitem)):
        name = found.attr if isinstance(found, nodes.Getattr) else getattr(found.arg, "value", None)
        if isinstance(name, str) and name.startswith("_"):
            return TemplateSyntaxProblem(found.lineno, f"'{name}' (line {found.lineno}) is not case data: names "
                                         "starting with '_' reach into Python itself")
        if isinstance(name, str) and name in FORMATTING_ATTRIBUTES:
            return TemplateSyntaxProblem(found.lineno, f"'.{name}' (line {found.lineno}) is not allowed: it "
                                         "formats text with Python; use placeholders and filters")
    for found in template.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        return TemplateSyntaxProblem(found.lineno, f"line {found.lineno}: a letter cannot include, import or "
                                     "extend other templates or files")
    for found in template.find_all((nodes.Macro, nodes.CallBlock)):
        return TemplateSyntaxProblem(found.lineno, f"line {found.lineno}: macros are not allowed in letters")
    for found in template.find_all(nodes.Filter):
        if found.name not in ALLOWED_FILTERS and found.name not in FLOWDESK_FILTERS:
            allowed = ", ".join(sorted(ALLOWED_FILTERS | set(FLOWDESK_FILTERS)))
            return TemplateSyntaxProblem(found.lineno, f"the filter '{found.name}' (line {found.lineno}) is not "
                                         f"allowed; letters may use: {allowed}")
    for found in template.find_all(nodes.Call):
        called = _dotted(found.node)
        if called not in ALLOWED_CALLS:
            what = ".".join(called) if called else "an expression"
            return TemplateSyntaxProblem(found.lineno, f"calling {what} (line {found.lineno}) is not allowed; "
                                         "letters may only call range() and loop.cycle()")
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
    "case": {"id": "text", "reference": "text", "process": "text", "started": "datetime"},
}
