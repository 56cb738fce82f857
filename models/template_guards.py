"""Where a letter template needs a value: names it reads outside a test for them.

`{{ note }}` needs `note` to have a value: an empty one cannot be printed (a
letter never says "None"). Written as `{% if note %}…{{ note }}…{% endif %}`,
`{{ note|default("-") }}`, `{{ note or "-" }}` or `{{ note if note else "-" }}`
it does not: the template shows the value only when there is one. Checks use
this to warn about placeholders that may be empty where a letter is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

#: Filters that replace an empty value, so their operand may be empty.
DEFAULT_FILTERS = frozenset({"default", "d"})
#: `x is defined` and `x is not none` hold only when x has a value.
_VALUE_TESTS = frozenset({"defined"})
_EMPTY_TESTS = frozenset({"none", "undefined"})

_ENVIRONMENT = ImmutableSandboxedEnvironment()


@lru_cache(maxsize=4096)
def names_needing_a_value(source: str) -> frozenset[str]:
    """The names a template reads where an empty value would stop it, i.e. not under a test for them.

    Names the template binds itself (loop variables, `set`) are left out. Call
    only on a template without syntax problems.

    >>> sorted(names_needing_a_value("Dear {{ name }}{% if note %}: {{ note }}{% endif %} {{ ps|default('') }}"))
    ['name']
    >>> sorted(names_needing_a_value("{% for line in lines %}{{ line.amount|money }}{% endfor %}"))
    ['lines']
    """
    tree = _ENVIRONMENT.parse(source)
    bound = {"loop", "range"}
    for binding in tree.find_all((nodes.For, nodes.Assign, nodes.AssignBlock)):
        bound |= {name.name for name in binding.target.find_all(nodes.Name)}
        if isinstance(binding.target, nodes.Name):
            bound.add(binding.target.name)
    return frozenset(_reads(tree, frozenset(bound)))


def _reads(node: nodes.Node, guarded: frozenset[str]) -> Iterator[str]:
    """Names read by `node` that are not in `guarded` (known to have a value, or bound by the template)."""
    if isinstance(node, nodes.If):
        for branch in (node, *node.elif_):  # each test is reached only when the ones before it failed
            yield from _tested(branch.test, guarded)
            yield from _all(branch.body, guarded | _asserted(branch.test))
            guarded |= _refuted(branch.test)
        yield from _all(node.else_, guarded)
    elif isinstance(node, nodes.CondExpr):
        yield from _tested(node.test, guarded)
        yield from _reads(node.expr1, guarded | _asserted(node.test))
        if node.expr2 is not None:
            yield from _reads(node.expr2, guarded | _refuted(node.test))
    elif isinstance(node, nodes.Filter) and node.name in DEFAULT_FILTERS:
        if node.node is not None and not _is_chain(node.node):
            yield from _reads(node.node, guarded)
        yield from _all([*node.args, *(keyword.value for keyword in node.kwargs)], guarded)
    elif isinstance(node, nodes.Or):
        yield from _tested(node.left, guarded)
        yield from _reads(node.right, guarded)
    elif isinstance(node, nodes.Name):
        if node.ctx == "load" and node.name not in guarded:
            yield node.name
    else:
        yield from _all(node.iter_child_nodes(), guarded)


def _tested(test: nodes.Node, guarded: frozenset[str]) -> Iterator[str]:
    """Names `test` reads where it is only asked whether it holds: a bare name there may be empty (it is false)."""
    if _is_chain(test):
        return
    if isinstance(test, nodes.Not):
        yield from _tested(test.node, guarded)
    elif isinstance(test, nodes.And | nodes.Or):
        yield from _tested(test.left, guarded)
        yield from _tested(test.right, guarded | _asserted(test.left) if isinstance(test, nodes.And) else guarded)
    elif isinstance(test, nodes.Test) and test.name in _VALUE_TESTS | _EMPTY_TESTS and _is_chain(test.node):
        return
    else:
        yield from _reads(test, guarded)


def _asserted(test: nodes.Node) -> frozenset[str]:
    """Names that have a value wherever `test` holds."""
    if isinstance(test, nodes.Name):
        return frozenset({test.name})
    if isinstance(test, nodes.And):
        return _asserted(test.left) | _asserted(test.right)
    if isinstance(test, nodes.Test) and test.name in _VALUE_TESTS and isinstance(test.node, nodes.Name):
        return frozenset({test.node.name})
    if isinstance(test, nodes.Not) and isinstance(test.node, nodes.Test) and test.node.name in _EMPTY_TESTS \
            and isinstance(test.node.node, nodes.Name):
        return frozenset({test.node.node.name})
    return frozenset()


def _refuted(test: nodes.Node) -> frozenset[str]:
    """Names that have a value wherever `test` fails (`not note` fails only when note has one)."""
    if isinstance(test, nodes.Not):
        return _asserted(test.node)
    if isinstance(test, nodes.Or):
        return _refuted(test.left) | _refuted(test.right)
    return frozenset()


def _is_chain(node: nodes.Node) -> bool:
    """A plain name or `a.b.c`: as a test it is just false when empty."""
    if isinstance(node, nodes.Getattr):
        return _is_chain(node.node)
    return isinstance(node, nodes.Name)


def _all(children: Iterable[nodes.Node], guarded: frozenset[str]) -> Iterator[str]:
    for child in children:
        yield from _reads(child, guarded)
