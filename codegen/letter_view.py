"""The letter editor's side of a document: what it shows, the problems on its chips, and what it sends back.

`editor_json` is the document as the browser element draws it: the JSON of
`codegen.letter_document` with, for people, each chip's label and type, and each
condition and repeated part in words. `node_problems` says which chips and
conditions to mark: a value that may be empty where the letter is sent and is
shown (or compared) without a test or a default text, or a name that is not
case data. Both speak the `LetterWords` the `Names` carry (the reader's, passed in by the page).
`edited_document` reads what the editor sent back and refuses what no template
could hold.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from codegen.letter_document import (
    INLINE_TAGS,
    Branch,
    Condition,
    Element,
    LetterDocument,
    Markup,
    Node,
    Repeat,
    Text,
    Value,
    document_from_json,
    node_json,
    normalised,
    walk,
)
from codegen.letter_names import Names, describe_condition, is_condition, quoted
from codegen.letter_template import markup_of, parse_template, template_source, value_source
from codegen.markup import clean_html
from models.template_guards import names_needing_a_value
from models.templates import placeholders

__all__ = ["edited_document", "editor_json", "node_problems", "pasted_nodes", "shown_nodes"]


def editor_json(document: LetterDocument, names: Names) -> dict[str, Any]:
    """`document` as the editor draws it: its JSON with each chip's label and type, and conditions and repeated
    parts in words.

    >>> from models.data import Variable
    >>> doc = parse_template("{% if ok %}Hi {{ name }}{% endif %}", Markup.PLAIN)
    >>> shown = editor_json(doc, Names.of([Variable(name="ok", type="boolean", label="Approved"),
    ...                                    Variable(name="name", type="text", label="Full name")]))
    >>> shown["children"][0]["branches"][0]["words"], shown["children"][0]["branches"][0]["children"][1]["label"]
    ("Only when 'Approved' is yes", 'Full name')
    """
    return {"markup": document.markup.value, "children": shown_nodes(document.children, names)}


def shown_nodes(nodes: Sequence[Node], names: Names) -> list[dict[str, Any]]:
    """Nodes as the editor draws them (see `editor_json`)."""
    return [_shown(node, names) for node in nodes]


def _shown(node: Node, names: Names) -> dict[str, Any]:
    data = node_json(node)
    if isinstance(node, Value):
        data |= {"label": names.label(node.path), "kind": names.type(node.path)}
    elif isinstance(node, Condition):
        for number, (branch, shown) in enumerate(zip(node.branches, data["branches"], strict=True)):
            shown["words"] = _branch_words(branch, number, names)
            shown["children"] = shown_nodes(branch.children, names)
    elif isinstance(node, Repeat):
        data |= {"words": names.words.for_each.format(list=quoted(names.label(node.items))),
                 "children": shown_nodes(node.children, names.within(node.name, node.items))}
    elif isinstance(node, Element):
        data["children"] = shown_nodes(node.children, names)
    return data


def _branch_words(branch: Branch, number: int, names: Names) -> str:
    if not branch.condition:
        return names.words.otherwise
    said = describe_condition(branch.condition, names)
    return (names.words.only_when if number == 0 else names.words.otherwise_when).format(condition=said)


def node_problems(document: LetterDocument, names: Names, *, maybe_empty: Collection[str],
                  unknown: Collection[str]) -> list[dict[str, Any]]:
    """The chips and conditions to mark, by their place among their kind in reading order:
    {"kind": "value", "ordinal": n, "message": ...} or {"kind": "condition", "ordinal": n, "branch": way, ...}.

    A chip is marked when its path is or lies under one of `unknown`, or when it shows a value of `maybe_empty`
    (names that may be empty where the letter is sent) with no test for it around it and no default text. A way
    of a condition is marked when its test reads such a value without a test for it first (comparing an empty
    value stops the letter too), or names something unknown.

    >>> from models.data import Variable
    >>> names = Names.of([Variable(name="note", type="text"), Variable(name="n", type="number")])
    >>> doc = parse_template("{{ note }}{% if note %}{{ note }}{% endif %}{% if n > 2 %}{{ n }}{% endif %}",
    ...                      Markup.PLAIN)
    >>> [(p["kind"], p["ordinal"]) for p in node_problems(doc, names, maybe_empty={"note", "n"}, unknown=())]
    [('value', 0), ('condition', 1)]
    """
    problems: list[dict[str, Any]] = []
    ordinals = {"value": 0, "condition": 0}
    for _, node, around in walk(document):
        if isinstance(node, Value):
            label = quoted(names.label(node.path))
            if _under(node.path, unknown):
                problems.append({"kind": "value", "ordinal": ordinals["value"],
                                 "message": names.words.unknown.format(name=label)})
            elif node.path.split(".")[0] in set(maybe_empty) & _read_by(around, (node,)):
                problems.append({"kind": "value", "ordinal": ordinals["value"],
                                 "message": names.words.maybe_empty.format(name=label)})
            ordinals["value"] += 1
        elif isinstance(node, Condition):
            for way, branch in enumerate(node.branches):
                message = _condition_problem(node, way, around, names, maybe_empty, unknown) if branch.condition \
                    else ""
                if message:
                    problems.append({"kind": "condition", "ordinal": ordinals["condition"], "branch": way,
                                     "message": message})
            ordinals["condition"] += 1
    return problems


def _condition_problem(condition: Condition, way: int, around: Sequence[Condition | Repeat], names: Names,
                       maybe_empty: Collection[str], unknown: Collection[str]) -> str:
    """What is wrong with the test of way `way` of `condition` (standing inside `around`), or ""."""
    test = condition.branches[way].condition
    tested = {".".join(path) for path in placeholders(f"{{% if {test} %}}{{% endif %}}")}
    strange = sorted(path for path in tested if _under(path, unknown))
    if strange:
        return names.words.unknown.format(name=quoted(names.label(strange[0])))
    ways = tuple(Branch(b.condition) for b in condition.branches[:way + 1])
    empty = sorted(set(maybe_empty) & _read_by(around, (Condition(ways),)))
    if not empty:
        return ""
    needs = names.words.needs_a_value if len(empty) == 1 else names.words.need_a_value
    return needs.format(names=names.words.joined([quoted(names.label(name)) for name in empty]))


def _under(path: str, names: Collection[str]) -> bool:
    return any(path == name or path.startswith(name + ".") for name in names)


def _read_by(around: Sequence[Condition | Repeat], inner: tuple[Node, ...]) -> set[str]:
    """The names `inner` reads without a test for them, standing inside these conditions and repeats (what the
    conditions' own tests read is not counted)."""
    return _needed(around, inner) - _needed(around, ())


def _needed(around: Sequence[Condition | Repeat], inner: tuple[Node, ...]) -> frozenset[str]:
    """`models.template_guards.names_needing_a_value` of `inner` inside the conditions and repeats `around`."""
    for part in reversed(around):
        if isinstance(part, Repeat):
            inner = (Repeat(part.name, part.items, inner),)
        else:
            *before, last = part.branches
            inner = (Condition((*before, Branch(last.condition, inner))),)
    return names_needing_a_value(template_source(LetterDocument(Markup.PLAIN, inner))) if inner else frozenset()


def edited_document(data: Any, markup: Markup) -> LetterDocument:
    """The document the editor sent (see `document_from_json`), as the template will hold it; ValueError naming a
    placeholder or condition no template could hold as it is (e.g. a condition that closes its own tag).

    What browsers make while editing is tidied first: in HTML, text typed outside any block goes into a paragraph
    and no-break spaces (which browsers put at the ends of typed text) are plain spaces.
    """
    document = document_from_json(data, markup)
    if markup is Markup.HTML:
        document = normalised(LetterDocument(markup, _in_paragraphs(_plain_spaces(document.children))))
    _check(document.children)
    return document


def _check(nodes: Sequence[Node]) -> None:
    for node in nodes:
        if isinstance(node, Value) and not _is_placeholder(node):
            raise ValueError(f"'{node.path}' is not a name a letter can show")
        if isinstance(node, Condition):
            for branch in node.branches:
                if branch.condition and not is_condition(branch.condition):
                    raise ValueError(f"'{branch.condition}' is not a condition")
                _check(branch.children)
        elif isinstance(node, Element | Repeat):
            _check(node.children)


@lru_cache(maxsize=4096)
def _is_placeholder(value: Value) -> bool:
    """Whether the placeholder of `value` reads back as `value` (e.g. not for the name `true`, which is a constant)."""
    return parse_template(value_source(value), Markup.PLAIN).children == (value,)


def _plain_spaces(nodes: Sequence[Node]) -> tuple[Node, ...]:
    def plain(node: Node) -> Node:
        if isinstance(node, Text):
            return Text(node.text.replace("\u00a0", " "))
        if isinstance(node, Condition):
            return Condition(tuple(replace(b, children=_plain_spaces(b.children)) for b in node.branches))
        if isinstance(node, Element | Repeat):
            return replace(node, children=_plain_spaces(node.children))
        return node

    return tuple(plain(node) for node in nodes)


def _in_paragraphs(nodes: Sequence[Node]) -> tuple[Node, ...]:
    """Runs of inline content (text, chips, bold...) among blocks each in a paragraph; blocks as they are."""
    made: list[Node] = []
    run: list[Node] = []

    def close() -> None:
        if any(not isinstance(n, Text) or n.text.strip() for n in run):
            made.append(Element("p", (), tuple(run)))
        run.clear()

    for node in nodes:
        if _inline(node):
            run.append(node)
            continue
        close()
        if isinstance(node, Condition):
            node = Condition(tuple(replace(b, children=_in_paragraphs(b.children)) for b in node.branches))
        elif isinstance(node, Repeat):
            node = replace(node, children=_in_paragraphs(node.children))
        made.append(node)
    close()
    return tuple(made)


def pasted_nodes(markup: Markup, *, html: str = "", text: str = "", nodes: Any = None,
                 single_line: bool = False) -> tuple[Node, ...]:
    """What was pasted, as nodes to insert: `nodes` copied from a letter (their chips kept; in a plain text only
    text and chips), else in an HTML letter the pasted HTML cleaned by the letter allow-list
    (`codegen.markup.clean_html`), else the plain text (on one line for a subject). Pasted text stays text:
    braces in it never become placeholders. ValueError when copied nodes hold what no template could.

    >>> pasted_nodes(Markup.HTML, html='<h1 onclick="x()">Hi {{ you }}</h1><script>alert(1)</script>')
    (Element(tag='h1', attributes=(), children=(Text(text='Hi {{ you }}'),)),)
    >>> pasted_nodes(Markup.PLAIN, text="one\\ntwo", single_line=True)
    (Text(text='one two'),)
    >>> pasted_nodes(Markup.PLAIN, nodes=[{"type": "element", "tag": "b", "children": [
    ...     {"type": "value", "path": "customer.name", "label": "Customer name"}]}])
    (Value(path='customer.name', format='', fallback=None),)
    """
    if isinstance(nodes, list):
        document = document_from_json({"children": nodes}, markup)
        _check(document.children)
        found = _plain_spaces(document.children) if markup is Markup.HTML else document.children
    elif markup is Markup.HTML and html.strip():
        literal = clean_html(html).replace("{", '{{ "{" }}')
        found = parse_template(literal, markup_of(literal, html_body=True)).children
    else:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        found = (Text(" ".join(text.split("\n")) if single_line else text),) if text else ()
    if markup is Markup.HTML and any(not _inline(node) for node in found):
        return normalised(LetterDocument(Markup.HTML, _in_paragraphs(found))).children
    return found


def _inline(node: Node) -> bool:
    """Whether `node` goes inside a line of text (text, a chip, bold...), not among blocks."""
    return isinstance(node, Text | Value) or (isinstance(node, Element) and node.tag in INLINE_TAGS)
