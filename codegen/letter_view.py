"""The letter editor's side of a document: what it shows, the problems on its chips, and what it sends back.

`editor_json` is the document as the browser element draws it: the JSON of
`codegen.letter_document` with, for people, each chip's label and type, each
condition and repeated part in words, and where each of those shows (among
blocks, as rows of a table, or inside a line). `value_problems` says which chips
to mark: a value that may be empty where the letter is sent and is shown
without a test or a default text, or a name that is not case data.
`edited_document` reads what the editor sent back and refuses what no template
could hold.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
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
from codegen.letter_names import Names, describe_condition, is_condition
from codegen.letter_template import markup_of, parse_template, template_source, value_source
from codegen.markup import clean_html
from models.template_guards import names_needing_a_value

__all__ = ["MAYBE_EMPTY", "UNKNOWN", "edited_document", "editor_json", "pasted_nodes", "shown_nodes",
           "value_problems"]

#: What a chip says about a value that may be empty, and about a name that is not known.
MAYBE_EMPTY = "may be empty when this letter is sent: show it only if it has a value, or give a default text"
UNKNOWN = "is not case data, a customer field or a computed value"


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
        data |= {"words": f"For each record in '{names.label(node.items)}'",
                 "children": shown_nodes(node.children, names.within(node.name, node.items))}
    elif isinstance(node, Element):
        data["children"] = shown_nodes(node.children, names)
    return data


def _branch_words(branch: Branch, number: int, names: Names) -> str:
    if not branch.condition:
        return "Otherwise"
    said = describe_condition(branch.condition, names)
    return f"Only when {said}" if number == 0 else f"Otherwise, when {said}"


def value_problems(document: LetterDocument, names: Names, *, maybe_empty: Collection[str],
                   unknown: Collection[str]) -> list[dict[str, Any]]:
    """The chips to mark, by their place among the chips in reading order: {"ordinal": n, "message": "..."}.

    A chip is marked when it shows a value of `maybe_empty` (names that may be empty where the letter is sent)
    with no test for it around it and no default text, or when its path is or lies under one of `unknown`.

    >>> from models.data import Variable
    >>> doc = parse_template("{{ note }}{% if note %}{{ note }}{% endif %}{{ note|default('-') }}", Markup.PLAIN)
    >>> [p["ordinal"] for p in value_problems(doc, Names.of([Variable(name="note", type="text")]), maybe_empty={"note"},
    ...                                       unknown=())]
    [0]
    """
    problems = []
    chips = [(node, around) for _, node, around in walk(document) if isinstance(node, Value)]
    for ordinal, (value, around) in enumerate(chips):
        label = f"'{names.label(value.path)}'"
        if any(value.path == name or value.path.startswith(name + ".") for name in unknown):
            problems.append({"ordinal": ordinal, "message": f"{label} {UNKNOWN}"})
        elif value.path.split(".")[0] in maybe_empty and _needs_a_value(value, around):
            problems.append({"ordinal": ordinal, "message": f"{label} {MAYBE_EMPTY}"})
    return problems


def _needs_a_value(value: Value, around: Sequence[Condition | Repeat]) -> bool:
    """Whether `value`, where it stands (inside these conditions and repeats), is shown without a test for it."""
    inner: tuple[Node, ...] = (value,)
    for part in reversed(around):
        if isinstance(part, Repeat):
            inner = (Repeat(part.name, part.items, inner),)
        else:
            *before, last = part.branches
            inner = (Condition((*before, Branch(last.condition, inner))),)
    skeleton = template_source(LetterDocument(Markup.PLAIN, inner))
    return value.path.split(".")[0] in names_needing_a_value(skeleton)


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
        if isinstance(node, Value) and parse_template(value_source(node), Markup.PLAIN).children != (node,):
            raise ValueError(f"'{node.path}' is not a name a letter can show")
        if isinstance(node, Condition):
            for branch in node.branches:
                if branch.condition and not is_condition(branch.condition):
                    raise ValueError(f"'{branch.condition}' is not a condition")
                _check(branch.children)
        elif isinstance(node, Element | Repeat):
            _check(node.children)


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
        if (isinstance(node, Element) and node.tag in INLINE_TAGS) or isinstance(node, Text | Value):
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


def pasted_nodes(markup: Markup, *, html: str = "", text: str = "", single_line: bool = False) -> tuple[Node, ...]:
    """What was pasted, as nodes to insert: in an HTML letter its HTML cleaned by the letter allow-list
    (`codegen.markup.clean_html`), else its plain text (on one line for a subject). Pasted text is always text:
    braces in it never become placeholders.

    >>> pasted_nodes(Markup.HTML, html='<h1 onclick="x()">Hi {{ you }}</h1><script>alert(1)</script>')
    (Element(tag='h1', attributes=(), children=(Text(text='Hi {{ you }}'),)),)
    >>> pasted_nodes(Markup.PLAIN, text="one\\ntwo", single_line=True)
    (Text(text='one two'),)
    """
    if markup is Markup.HTML and html.strip():
        cleaned = clean_html(html)
        literal = cleaned.replace("{", '{{ "{" }}')
        document = parse_template(literal, markup_of(literal, html_body=True))
        if document.markup is not Markup.HTML:  # only text and inline tags: it goes into the line at the cursor
            return document.children
        return normalised(LetterDocument(Markup.HTML, _in_paragraphs(document.children))).children
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if single_line:
        text = " ".join(text.split("\n"))
    return (Text(text),) if text else ()
