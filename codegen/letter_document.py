"""The letter editor's document: a small tree of what a letter template shows, and the edits made on it.

The letter designer never shows template code. It edits a `LetterDocument`:
text, placeholders (`Value`: a chip with a label), paragraphs and other
elements of the letter HTML allow-list (`Element`), conditional passages
(`Condition`: "Only when 'Complaint justified' is yes"), repeated rows
(`Repeat`, a loop over a list of records) and, for the few constructs the
editor cannot show as one of these, `Locked` template code kept exactly as it
was. `codegen.letter_template` converts between a document and the template
source that is stored, checked and rendered; a document converts to and from
the plain JSON the browser element exchanges (`document_json`,
`document_from_json`).

A document has a `Markup`, which says how its text is written in the source:

- `html`: a letter or e-mail body with HTML blocks (paragraphs, headings, lists, tables);
- `text`: a letter or e-mail body without them, whose blank lines separate paragraphs
  (`codegen.markup.letter_html`); `&` and `<` are written as HTML entities where needed;
- `plain`: SMS texts, subjects and the plain-text part of an e-mail: text as it is.

Nodes are addressed by their path of child indexes: a `Condition`'s children are its branches, a branch's and
every other node's are its `children`. All edits here are pure: they return a new document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

__all__ = [
    "BLOCK_TAGS",
    "INLINE_TAGS",
    "Branch",
    "Condition",
    "Element",
    "LetterDocument",
    "Locked",
    "Markup",
    "Node",
    "Repeat",
    "Text",
    "Value",
    "as_html",
    "document_from_json",
    "document_json",
    "node_at",
    "normalised",
    "nth",
    "remove_node",
    "replace_node",
    "unwrap_node",
    "walk",
    "with_condition",
    "with_otherwise",
    "wrap_in_condition",
]


class Markup(StrEnum):
    HTML = "html"
    TEXT = "text"
    PLAIN = "plain"


#: The formats a placeholder can be written in (the letter filters of `codegen.letters`), "" for as it is.
FORMATS = ("", "money", "date", "number")
#: Tags of the letter allow-list (`codegen.markup.ALLOWED_TAGS`) that stay inside a line of text.
INLINE_TAGS = frozenset({"b", "strong", "i", "em", "u", "br"})
#: Tags of the allow-list that make blocks; a body with one of them is HTML.
BLOCK_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "hr", "blockquote", "ul", "ol", "li",
                        "table", "thead", "tbody", "tr", "th", "td"})
#: Elements whose children are blocks (whitespace between them means nothing).
BLOCK_PARENTS = frozenset({"ul", "ol", "table", "thead", "tbody", "tr", "blockquote"})
#: Attributes an element may keep (as `codegen.markup` lets them through).
ATTRIBUTES = {"p": ("align",), "td": ("align", "colspan"), "th": ("align", "colspan")}
#: How deep the browser may nest a document it sends.
MAX_DEPTH = 40
_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_HTML_SPACE = " \t\n\r\f"


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Value:
    """A placeholder: the value at `path`, written in `format`; with a `fallback` text when it is empty."""

    path: str
    format: str = ""
    fallback: str | None = None


@dataclass(frozen=True)
class Branch:
    """One way of a condition: its `condition` (a template expression), "" for "otherwise"."""

    condition: str
    children: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Condition:
    """Passages shown only when their condition holds: if, else-ifs, and maybe an otherwise (last)."""

    branches: tuple[Branch, ...]

    @property
    def children(self) -> tuple[Branch, ...]:
        return self.branches


@dataclass(frozen=True)
class Repeat:
    """`children` once for each record of the list at `items`, the record being called `name`."""

    name: str
    items: str
    children: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Element:
    """An element of the letter allow-list, e.g. a paragraph, a heading, a list item, a table cell, bold."""

    tag: str
    attributes: tuple[tuple[str, str], ...] = ()
    children: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Locked:
    """Template code the editor cannot show as text, chips or blocks; kept exactly as written."""

    source: str


Node = Text | Value | Condition | Repeat | Element | Locked


@dataclass(frozen=True)
class LetterDocument:
    markup: Markup
    children: tuple[Node, ...] = field(default=())


# Normal form ------------------------------------------------------------------------------------------------


def is_block(node: Node | None) -> bool:
    """Whether `node` is a block element (a paragraph, heading, list, table or one of their parts)."""
    return isinstance(node, Element) and node.tag in BLOCK_TAGS


def normalised(document: LetterDocument) -> LetterDocument:
    """The one way of writing `document` that its template source reads back as: neighbouring texts (and locked
    codes) joined, empty ones dropped, line ends as "\\n", and in HTML the whitespace that means nothing left
    out: beside a block, or at the start or end of the body, a list, a table or its rows; never beside locked code
    (kept exactly as written), nor inside a condition or repeated part where the text after it would follow.

    >>> normalised(LetterDocument(Markup.HTML, (Text("\\n"), Element("p", (), (Text("a"), Text("b\\r\\n")))))).children
    (Element(tag='p', attributes=(), children=(Text(text='ab\\n'),)),)
    """
    html = document.markup is Markup.HTML
    return replace(document, children=_normal(document.children, blocks=html, container=html))


def _normal(nodes: Sequence[Node], *, blocks: bool, container: bool) -> tuple[Node, ...]:
    """`nodes` in normal form; `blocks`: whitespace beside a block means nothing here; `container`: nor at the
    start and end (these are the children of the body, a list, a table or a part of one)."""
    merged: list[Node] = []
    for node in nodes:
        node = _normal_node(node, blocks)
        if isinstance(node, Text | Locked) and not (node.text if isinstance(node, Text) else node.source):
            continue
        if isinstance(node, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + node.text)
        elif isinstance(node, Locked) and merged and isinstance(merged[-1], Locked):
            merged[-1] = Locked(merged[-1].source + node.source)
        else:
            merged.append(node)
    if not blocks:
        return tuple(merged)
    kept = []
    for index, node in enumerate(merged):
        if isinstance(node, Text) and not node.text.strip(_HTML_SPACE):
            before = merged[index - 1] if index else None
            after = merged[index + 1] if index + 1 < len(merged) else None
            at_edge = container and (before is None or after is None)
            if not isinstance(before, Locked) and not isinstance(after, Locked) and (
                    at_edge or is_block(before) or is_block(after)):
                continue
        kept.append(node)
    return tuple(kept)


def _normal_node(node: Node, blocks: bool) -> Node:
    if isinstance(node, Text):
        return Text(_line_ends(node.text))
    if isinstance(node, Locked):
        return Locked(_line_ends(node.source))
    if isinstance(node, Element):
        inner = node.tag in BLOCK_PARENTS
        return replace(node, children=_normal(node.children, blocks=inner, container=inner))
    if isinstance(node, Repeat):
        return replace(node, children=_normal(node.children, blocks=blocks, container=False))
    if isinstance(node, Condition):
        return Condition(tuple(replace(b, children=_normal(b.children, blocks=blocks, container=False))
                               for b in node.branches))
    return node


def _line_ends(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Addresses and edits ----------------------------------------------------------------------------------------

Address = Sequence[int]


def node_at(document: LetterDocument, address: Address) -> Node | Branch:
    """The node at `address` (child indexes from the top); IndexError when there is none.

    >>> doc = LetterDocument(Markup.PLAIN, (Text("Dear "), Condition((Branch("note", (Value("note"),)),))))
    >>> node_at(doc, [1, 0, 0])
    Value(path='note', format='', fallback=None)
    """
    if not address:
        raise IndexError("the address of a node cannot be empty")
    node: Any = document
    for index in address:
        children = getattr(node, "children", ())
        if not 0 <= index < len(children):
            raise IndexError(f"there is no node at {list(address)}")
        node = children[index]
    return node


def _rebuilt(node: Any, children: tuple[Any, ...]) -> Any:
    return Condition(children) if isinstance(node, Condition) else replace(node, children=children)


def _splice(node: Any, address: Address, change: Callable[[Any], Sequence[Any]]) -> Any:
    """`node` with the child at `address` replaced by what `change` makes of it (none, one or several)."""
    children = tuple(getattr(node, "children", ()))
    index = address[0]
    if not 0 <= index < len(children):
        raise IndexError(f"there is no node at index {index}")
    made = tuple(change(children[index])) if len(address) == 1 else (_splice(children[index], address[1:], change),)
    return _rebuilt(node, children[:index] + made + children[index + 1:])


def _edited(document: LetterDocument, address: Address, change: Callable[[Any], Sequence[Any]]) -> LetterDocument:
    if not address:
        raise IndexError("the address of a node cannot be empty")
    return normalised(_splice(document, address, change))


def replace_node(document: LetterDocument, address: Address, node: Node) -> LetterDocument:
    """`document` with `node` in place of the node at `address`.

    >>> doc = LetterDocument(Markup.PLAIN, (Text("Total: "), Value("amount")))
    >>> replace_node(doc, [1], Value("amount", "money")).children[1]
    Value(path='amount', format='money', fallback=None)
    """
    return _edited(document, address, lambda _: (node,))


def remove_node(document: LetterDocument, address: Address) -> LetterDocument:
    """`document` without the node at `address` (a branch of a condition: the condition without that way)."""
    if len(address) >= 2 and isinstance(node_at(document, address[:-1]), Condition) \
            and len(node_at(document, address[:-1]).branches) == 1:  # type: ignore[union-attr]
        address = address[:-1]  # its only way: the whole condition
    return _edited(document, address, lambda _: ())


def unwrap_node(document: LetterDocument, address: Address) -> LetterDocument:
    """`document` with the condition or repeat at `address` replaced by its (first way's) content: shown always,
    once.

    >>> doc = LetterDocument(Markup.PLAIN, (Condition((Branch("note", (Text("Note: "), Value("note"))),)),))
    >>> unwrap_node(doc, [0]).children
    (Text(text='Note: '), Value(path='note', format='', fallback=None))
    """
    def content(node: Any) -> Sequence[Node]:
        if isinstance(node, Condition):
            return node.branches[0].children
        if isinstance(node, Repeat):
            return node.children
        raise ValueError("only a condition or a repeated part can be taken apart")

    return _edited(document, address, content)


def wrap_in_condition(document: LetterDocument, address: Address, condition: str) -> LetterDocument:
    """`document` with the node at `address` shown only when `condition` holds.

    >>> doc = LetterDocument(Markup.PLAIN, (Text("Note: "), Value("note")))
    >>> wrap_in_condition(doc, [1], "note").children[1]
    Condition(branches=(Branch(condition='note', children=(Value(path='note', format='', fallback=None),)),))
    """
    return _edited(document, address, lambda node: (Condition((Branch(condition, (node,)),)),))


def with_condition(document: LetterDocument, address: Address, way: int, condition: str) -> LetterDocument:
    """`document` with way `way` of the condition at `address` shown under `condition` instead.

    >>> doc = LetterDocument(Markup.PLAIN, (Condition((Branch("ok", (Text("Yes"),)),)),))
    >>> with_condition(doc, [0], 0, "not ok").children[0].branches[0].condition
    'not ok'
    """
    def changed(node: Any) -> Sequence[Node]:
        if not isinstance(node, Condition) or not 0 <= way < len(node.branches) or not node.branches[way].condition:
            raise ValueError("only a way of a condition that has a condition can get another one")
        ways = list(node.branches)
        ways[way] = replace(ways[way], condition=condition)
        return (Condition(tuple(ways)),)

    return _edited(document, address, changed)


def with_otherwise(document: LetterDocument, address: Address, children: tuple[Node, ...]) -> LetterDocument:
    """`document` with an "otherwise" way holding `children` added to the condition at `address` (if it has none).

    >>> doc = LetterDocument(Markup.PLAIN, (Condition((Branch("ok", (Text("Yes"),)),)),))
    >>> with_otherwise(doc, [0], (Text("No"),)).children[0].branches[1]
    Branch(condition='', children=(Text(text='No'),))
    """
    def changed(node: Any) -> Sequence[Node]:
        if not isinstance(node, Condition) or not node.branches[-1].condition:
            raise ValueError("only a condition without an 'otherwise' can get one")
        return (Condition((*node.branches, Branch("", children))),)

    return _edited(document, address, changed)


#: The kinds of nodes the editor counts (a click names the n-th of a kind), by their JSON name.
KINDS: dict[str, type] = {"value": Value, "condition": Condition, "repeat": Repeat, "locked": Locked}


def walk(document: LetterDocument) -> Iterator[tuple[tuple[int, ...], Node, tuple[Condition | Repeat, ...]]]:
    """Every node in reading order (a node before what it holds): its address, itself, and the conditions and
    repeats around it, outermost first (of a condition only its ways up to the one the node is in, empty)."""
    def nodes_in(nodes: Sequence[Any], address: tuple[int, ...], around: tuple[Any, ...]) -> Iterator[Any]:
        for index, node in enumerate(nodes):
            here = (*address, index)
            yield here, node, around
            if isinstance(node, Condition):
                for number, branch in enumerate(node.branches):
                    yield from nodes_in(branch.children, (*here, number), (*around, _only_way(node, number)))
            elif isinstance(node, Repeat):
                yield from nodes_in(node.children, here, (*around, node))
            elif isinstance(node, Element):
                yield from nodes_in(node.children, here, around)

    yield from nodes_in(document.children, (), ())


def nth(document: LetterDocument, kind: str, ordinal: int) -> tuple[int, ...]:
    """The address of the `ordinal`-th node of `kind` ("value", "condition", "repeat", "locked") in reading order;
    IndexError when there is none.

    >>> doc = LetterDocument(Markup.PLAIN, (Value("a"), Condition((Branch("b", (Value("c"),)),))))
    >>> nth(doc, "value", 1), nth(doc, "condition", 0)
    ((1, 0, 0), (1,))
    """
    wanted = KINDS.get(kind)
    found = [address for address, node, _ in walk(document) if wanted is not None and isinstance(node, wanted)]
    if not 0 <= ordinal < len(found):
        raise IndexError(f"the letter has no {kind} number {ordinal + 1}")
    return found[ordinal]


def _only_way(condition: Condition, number: int) -> Condition:
    """The condition with the branches up to `number`, all empty: what holds where that branch is shown."""
    return Condition(tuple(Branch(b.condition) for b in condition.branches[:number + 1]))


# Plain text to HTML ------------------------------------------------------------------------------------------

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\f\r]*\n\s*")


def as_html(document: LetterDocument) -> LetterDocument:
    """A `text` document as `html`, reading the same: a paragraph where a blank line was, a line break (<br>) where
    a line ended; conditions and repeats that hold whole paragraphs become blocks. Other documents as they are.

    >>> doc = LetterDocument(Markup.TEXT, (Text("Dear "), Value("customer.name"), Text(",\\n\\nThanks.\\nBye")))
    >>> as_html(doc).children  # doctest: +NORMALIZE_WHITESPACE
    (Element(tag='p', attributes=(), children=(Text(text='Dear '), Value(path='customer.name', format='',
                                                fallback=None), Text(text=','))),
     Element(tag='p', attributes=(), children=(Text(text='Thanks.'), Element(tag='br', attributes=(), children=()),
                                                Text(text='Bye'))))
    """
    if document.markup is not Markup.TEXT:
        return document
    return normalised(LetterDocument(Markup.HTML, _paragraphs(_breaks_out_of_conditions(document.children))))


def _has_break(nodes: Sequence[Node]) -> bool:
    for node in nodes:
        if isinstance(node, Text) and _PARAGRAPH_BREAK.search(node.text):
            return True
        if isinstance(node, Condition) and any(_has_break(b.children) for b in node.branches):
            return True
        if isinstance(node, Repeat) and _has_break(node.children):
            return True
    return False


def _breaks_out_of_conditions(nodes: Sequence[Node]) -> list[Node]:
    """A line end that closes every way of a condition, just before the line end after it, is a paragraph break
    after the condition (`...\\n{% if x %}Text.\\n{% endif %}\\nNext paragraph`): moved out of the condition."""
    moved: list[Node] = list(nodes)
    for index, node in enumerate(moved):
        following = moved[index + 1] if index + 1 < len(moved) else None
        if isinstance(node, Condition) and isinstance(following, Text) and following.text.startswith("\n") and all(
                b.children and isinstance(b.children[-1], Text) and b.children[-1].text.endswith("\n")
                for b in node.branches):
            moved[index] = Condition(tuple(replace(b, children=(*b.children[:-1], Text(b.children[-1].text[:-1])))
                                           for b in node.branches))
            moved[index + 1] = Text("\n" + following.text)
    return moved


def _paragraphs(nodes: Sequence[Node]) -> tuple[Node, ...]:
    """Blocks of HTML from plain-text nodes: paragraphs, and conditions or repeats holding paragraphs."""
    blocks: list[Node] = []
    current: list[Node] = []

    def close() -> None:
        inline = _inline(current)
        if inline:
            blocks.append(Element("p", (), inline))
        current.clear()

    for node in nodes:
        if isinstance(node, Text):
            parts = _PARAGRAPH_BREAK.split(node.text)
            for number, part in enumerate(parts):
                if number:
                    close()
                current.append(Text(part))
        elif isinstance(node, Condition) and any(_has_break(b.children) for b in node.branches):
            close()
            blocks.append(Condition(tuple(replace(b, children=_paragraphs(b.children)) for b in node.branches)))
        elif isinstance(node, Repeat) and _has_break(node.children):
            close()
            blocks.append(replace(node, children=_paragraphs(node.children)))
        else:
            current.append(node)
    close()
    return tuple(blocks)


def _inline(nodes: Sequence[Node]) -> tuple[Node, ...]:
    """One paragraph's nodes with line ends as <br>; nothing when it holds only blank space."""
    nodes = list(nodes)
    while nodes and isinstance(nodes[0], Text) and not nodes[0].text.strip():
        nodes.pop(0)
    while nodes and isinstance(nodes[-1], Text) and not nodes[-1].text.strip():
        nodes.pop()
    if nodes and isinstance(nodes[0], Text):
        nodes[0] = Text(nodes[0].text.lstrip())
    if nodes and isinstance(nodes[-1], Text):
        nodes[-1] = Text(nodes[-1].text.rstrip())
    return tuple(_with_breaks(nodes))


def _with_breaks(nodes: Sequence[Node]) -> Iterator[Node]:
    for node in nodes:
        if isinstance(node, Text):
            for number, line in enumerate(node.text.split("\n")):
                if number:
                    yield Element("br")
                yield Text(line)
        elif isinstance(node, Condition):
            yield Condition(tuple(replace(b, children=tuple(_with_breaks(b.children))) for b in node.branches))
        elif isinstance(node, Repeat | Element):
            yield replace(node, children=tuple(_with_breaks(node.children)))
        else:
            yield node


# JSON, as the browser element exchanges it ---------------------------------------------------------------------


def document_json(document: LetterDocument) -> dict[str, Any]:
    """`document` as plain JSON data (see `document_from_json`).

    >>> document_json(LetterDocument(Markup.PLAIN, (Text("Hi "), Value("customer.name"))))["children"][1]
    {'type': 'value', 'path': 'customer.name', 'format': '', 'fallback': None}
    """
    return {"markup": document.markup.value, "children": [node_json(node) for node in document.children]}


def node_json(node: Node) -> dict[str, Any]:
    """One node as JSON data."""
    if isinstance(node, Text):
        return {"type": "text", "text": node.text}
    if isinstance(node, Value):
        return {"type": "value", "path": node.path, "format": node.format, "fallback": node.fallback}
    if isinstance(node, Condition):
        return {"type": "condition", "branches": [
            {"condition": b.condition, "children": [node_json(c) for c in b.children]} for b in node.branches]}
    if isinstance(node, Repeat):
        return {"type": "repeat", "name": node.name, "items": node.items,
                "children": [node_json(c) for c in node.children]}
    if isinstance(node, Element):
        return {"type": "element", "tag": node.tag, "attributes": [list(a) for a in node.attributes],
                "children": [node_json(c) for c in node.children]}
    return {"type": "locked", "source": node.source}


def document_from_json(data: Any, markup: Markup) -> LetterDocument:
    """A document from the JSON data the editor sent, in the normal form; ValueError naming what is wrong.

    Keys the editor adds for display (labels, words, problems) are ignored. Elements outside the allow-list
    (e.g. a <span> a browser made while editing) give way to their content; a <div> is a paragraph in HTML.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("children"), list):
        raise ValueError("the editor sent no document")
    nodes = _nodes_from_json(data["children"], markup, depth=0)
    return normalised(LetterDocument(markup, nodes))


def _nodes_from_json(items: Any, markup: Markup, depth: int) -> tuple[Node, ...]:
    if depth > MAX_DEPTH:
        raise ValueError(f"the letter is nested more than {MAX_DEPTH} deep")
    if not isinstance(items, list):
        raise ValueError("a part of the letter has no list of contents")
    nodes: list[Node] = []
    for item in items:
        nodes.extend(_node_from_json(item, markup, depth + 1))
    return tuple(nodes)


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"a part of the letter has no text '{key}'")
    return value


def _node_from_json(data: Any, markup: Markup, depth: int) -> tuple[Node, ...]:
    if not isinstance(data, Mapping):
        raise ValueError("a part of the letter is not an object")
    kind = data.get("type")

    def children() -> tuple[Node, ...]:
        return _nodes_from_json(data.get("children", []), markup, depth)

    if kind == "text":
        return (Text(_text(data, "text")),)
    if kind == "value":
        path, chosen = _text(data, "path"), data.get("format") or ""
        fallback = data.get("fallback")
        if not _PATH.fullmatch(path):
            raise ValueError(f"'{path}' is not the name of a value")
        if chosen not in FORMATS:
            raise ValueError(f"'{chosen}' is not a format; choose one of {', '.join(f for f in FORMATS if f)}")
        if fallback is not None and not isinstance(fallback, str):
            raise ValueError(f"the default text of '{path}' is not a text")
        return (Value(path, chosen, fallback),)
    if kind == "condition":
        branches = data.get("branches")
        if not isinstance(branches, list) or not branches:
            raise ValueError("a condition has no ways")
        made = []
        for branch in branches:
            if not isinstance(branch, Mapping):
                raise ValueError("a way of a condition is not an object")
            made.append(Branch(_text(branch, "condition").strip(),
                               _nodes_from_json(branch.get("children", []), markup, depth + 1)))
        if any(not b.condition for b in made[:-1]) or not made[0].condition:
            raise ValueError("only the last way of a condition can be 'otherwise'")
        return (Condition(tuple(made)),)
    if kind == "repeat":
        name, items = _text(data, "name"), _text(data, "items")
        if not _PATH.fullmatch(items) or not name.isidentifier():
            raise ValueError(f"'{name} in {items}' is not a list to repeat")
        return (Repeat(name, items, children()),)
    if kind == "element":
        tag = _text(data, "tag").lower()
        if tag == "div" and markup is Markup.HTML:
            tag = "p"
        allowed = INLINE_TAGS | (BLOCK_TAGS if markup is Markup.HTML else frozenset())
        if markup is Markup.PLAIN or tag not in allowed:
            return children()
        attributes = data.get("attributes") or []
        if not isinstance(attributes, list) or not all(
                isinstance(a, list) and len(a) == 2 and all(isinstance(x, str) for x in a) for a in attributes):
            raise ValueError(f"the attributes of a <{tag}> are not name and value pairs")
        kept = tuple((n, v) for n, v in attributes if n in ATTRIBUTES.get(tag, ()))
        return (Element(tag, kept, () if tag in ("br", "hr") else children()),)
    if kind == "locked":
        return (Locked(_text(data, "source")),)
    raise ValueError(f"'{kind}' is not a part a letter can have")
