"""Template source ⇄ the letter editor's document: what is stored stays the sandboxed Jinja2 template.

`parse_template` reads a template (as `models.templates` vets and `codegen.letters`
renders it) into a `codegen.letter_document.LetterDocument`; `template_source`
writes a document back. Reading what was written gives the same document, and
writing what was read gives the same text for every template written the way
the editor writes (every example letter is), so a letter opens in the editor
and is saved back unchanged.

What becomes what:

- `{{ path }}`, `{{ path|money }}` (`date`, `number`), `{{ path|default("text") }}` and
  `{{ path|money if path is defined else "text" }}`: a `Value` (a chip);
- `{% if %}`/`{% elif %}`/`{% else %}`/`{% endif %}`: a `Condition`; `{% for row in list %}`: a `Repeat`;
- the tags of the letter allow-list (`codegen.markup`): `Element`s, in HTML bodies (inline ones like <b> also in
  plain-text bodies);
- anything else (other expressions, `{% set %}`, comments, whitespace control, tags outside the allow-list,
  HTML that does not nest with the template's blocks): `Locked`, kept as it is and shown as readable code.
  A template with a syntax error is one `Locked` block.

The source is written in one normal way: `{{ path|money }}` with single spaces; in HTML, blocks each followed by a
line end, lists and tables with a line end after their opening tag, conditions and repeats among blocks with a
line end after each tag (as the toolbar and picker always wrote them). Text never turns into code: a `{` that
would open a tag is written as `{{ "{" }}`, and in HTML bodies `<` and `&` as entities where they would start one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from codegen.letter_document import (
    ATTRIBUTES,
    BLOCK_PARENTS,
    BLOCK_TAGS,
    FORMATS,
    INLINE_TAGS,
    Branch,
    Condition,
    Element,
    LetterDocument,
    Locked,
    Markup,
    Node,
    Repeat,
    Text,
    Value,
    is_block,
    normalised,
)
from codegen.letter_names import dotted_path
from codegen.markup import is_plain_text
from models.templates import template_problem

__all__ = ["markup_of", "parse_template", "string_literal", "template_source", "value_source"]

#: Elements followed by a line end in the source; `OPEN_LINE` ones also after their opening tag.
CLOSE_LINE = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "ul", "ol", "table", "thead", "tbody",
                        "blockquote", "hr", "br"})
OPEN_LINE = frozenset({"ul", "ol", "table", "thead", "tbody", "blockquote"})
VOID = frozenset({"br", "hr"})
#: Elements that belong inside certain others only (elsewhere HTML moves or drops them): shown as locked code.
PARENTS = {"li": frozenset({"ul", "ol"}), "tr": frozenset({"table", "thead", "tbody"}), "td": frozenset({"tr"}),
           "th": frozenset({"tr"}), "thead": frozenset({"table"}), "tbody": frozenset({"table"})}
#: Template tags with an end tag that the editor shows as one locked block, start to end.
LOCKED_BLOCKS = frozenset({"filter", "with", "autoescape", "block", "macro", "call", "trans", "set"})
#: How many tokens the reader may look at again while finding where to go on after code it cannot show.
RECOVERY_BUDGET = 200_000

_ENVIRONMENT = ImmutableSandboxedEnvironment()
#: A tag as HTML reads one: its name runs to a space, `/` or `>`, so `<x<br>` is one tag (as a browser sees it).
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)((?:\s+[^\s/>\"'=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*)"
                  r"\s*(/?)>")
_OTHER_MARKUP = re.compile(r"<!--.*?-->|<[!?/][^>]*>", re.DOTALL)
_ATTRIBUTE = re.compile(r"([^\s/>\"'=]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?")
#: What `html.unescape` reads as a character reference (the pattern of the standard library's html module).
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
#: A `<` that may open a tag: the writer escapes it (also before a `{`, which may turn into a placeholder's
#: value); the reader locks text from an unclosed one on, as HTML hides it.
_OPENS_TAG = re.compile(r"<(?=[A-Za-z/!?{])|<$")
_HIDDEN_TAG = re.compile(r"<(?=[A-Za-z/!?])|<$")
#: Elements that hold rows or cells only: text right inside them is shown elsewhere by HTML.
_ROWS_ONLY = frozenset({"table", "thead", "tbody", "tr"})
_OPENS_TEMPLATE = re.compile(r"\{(?=[{%#])")


def markup_of(source: str, *, html_body: bool) -> Markup:
    """How a template text is written: the body of a letter or e-mail (`html_body`) is HTML when it has a block tag,
    else plain text with paragraphs; anything else (subjects, SMS, plain-text parts) is plain.

    >>> markup_of("<p>Hi</p>", html_body=True), markup_of("Hi", html_body=True), markup_of("<p>", html_body=False)
    (<Markup.HTML: 'html'>, <Markup.TEXT: 'text'>, <Markup.PLAIN: 'plain'>)
    """
    if not html_body:
        return Markup.PLAIN
    return Markup.TEXT if is_plain_text(source) else Markup.HTML


# Writing ------------------------------------------------------------------------------------------------------


def template_source(document: LetterDocument) -> str:
    """The template text of `document`.

    >>> from codegen.letter_document import Value, Text
    >>> template_source(LetterDocument(Markup.PLAIN, (Text("Total {"), Value("amount", "money"))))
    'Total {{ "{" }}{{ amount|money }}'
    >>> template_source(LetterDocument(Markup.HTML, (Element("p", (), (Text("a < b & <c>"),)),)))
    '<p>a < b & &lt;c></p>\\n'
    """
    html_markup = document.markup is Markup.HTML
    chunks = list(_chunks(document.children, document.markup, lines=html_markup, container=html_markup))
    written = []
    for index, (is_text, chunk) in enumerate(chunks):
        if is_text:
            following = chunks[index + 1][1][:1] if index + 1 < len(chunks) else ""
            chunk = _OPENS_TEMPLATE.sub('{{ "{" }}', chunk)
            if chunk.endswith("{") and following and following in "{%#":
                chunk = chunk[:-1] + '{{ "{" }}'
        written.append(chunk)
    return "".join(written)


def _chunks(children: Sequence[Node], markup: Markup, *, lines: bool, container: bool) -> Iterator[tuple[bool, str]]:
    """(is text, source) pieces of `children`; text is escaped for the markup, but not yet for braces.

    Among blocks (`lines`) a condition's or repeat's tag gets a line end when a block or the end of the body, a
    list or a table (`container`) comes right after it: there the line end means nothing.
    """
    for number, node in enumerate(children):
        if isinstance(node, Text):
            yield True, node.text if markup is Markup.PLAIN else _escape_html(node.text)
        elif isinstance(node, Value):
            yield False, value_source(node)
        elif isinstance(node, Locked):
            yield False, node.source
        elif isinstance(node, Condition | Repeat):
            following = children[number + 1] if number + 1 < len(children) else None
            after_end = "\n" if lines and (is_block(following) or (following is None and container)) else ""
            if isinstance(node, Repeat):
                yield False, f"{{% for {node.name} in {node.items} %}}" + _line_before(node.children, lines)
                yield from _chunks(node.children, markup, lines=lines, container=False)
                yield False, f"{{% endfor %}}{after_end}"
                continue
            for way, branch in enumerate(node.branches):
                tag = f"if {branch.condition}" if way == 0 else f"elif {branch.condition}" if branch.condition \
                    else "else"
                yield False, f"{{% {tag} %}}" + _line_before(branch.children, lines)
                yield from _chunks(branch.children, markup, lines=lines, container=False)
            yield False, f"{{% endif %}}{after_end}"
        else:
            attributes = "".join(f' {name}="{html.escape(value)}"' for name, value in node.attributes)
            first = node.children[0] if node.children else None  # a line end before text or code would show
            opens_line = node.tag in OPEN_LINE and (first is None or is_block(first)
                                                    or isinstance(first, Condition | Repeat))
            yield False, f"<{node.tag}{attributes}>" + ("\n" if opens_line else "")
            if node.tag not in VOID:
                inner = node.tag in BLOCK_PARENTS
                yield from _chunks(node.children, markup, lines=inner, container=inner)
                yield False, f"</{node.tag}>"
            if node.tag in CLOSE_LINE:
                yield False, "\n"


def _line_before(children: Sequence[Node], lines: bool) -> str:
    return "\n" if lines and children and is_block(children[0]) else ""


def value_source(value: Value) -> str:
    """The placeholder of a `Value`.

    >>> value_source(Value("note", "", 'No "note"'))
    '{{ note|default("No \\\\"note\\\\"") }}'
    >>> value_source(Value("amount", "money", "unknown"))
    '{{ amount|money if amount is defined else "unknown" }}'
    """
    shown = f"{value.path}|{value.format}" if value.format else value.path
    if value.fallback is None:
        return f"{{{{ {shown} }}}}"
    if not value.format:
        return f"{{{{ {value.path}|default({string_literal(value.fallback)}) }}}}"
    return f"{{{{ {shown} if {value.path} is defined else {string_literal(value.fallback)} }}}}"


def string_literal(text: str) -> str:
    """A Jinja2 string literal of `text`."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _escape_html(text: str) -> str:
    """`text` for HTML: `<` where it would open a tag and `&` where it would read as a character reference become
    entities; everything else stays as typed."""
    text = _CHARREF.sub(lambda m: m.group() if html.unescape(m.group()) == m.group() else "&amp;" + m.group()[1:],
                        text)
    return _OPENS_TAG.sub("&lt;", text)


# Reading ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    """A piece of the source: its text and what it is.

    kind: "text" (`text` decoded), "node" (`node` ready), "if"/"elif"/"else"/"endif"/"for"/"endfor" (`arg` the
    condition or the loop), "block"/"end" (a template tag with an end tag, `arg` its name), "open"/"close"/"void"
    (an element tag of the allow-list, `arg` its name).
    """

    kind: str
    raw: str
    text: str = ""
    arg: str = ""
    node: Node | None = None
    attributes: tuple[tuple[str, str], ...] = ()


class _Unreadable(Exception):
    """The tokens from here do not nest as the editor's blocks do."""


def parse_template(source: str, markup: Markup) -> LetterDocument:
    """The editor's document of a template text in `markup`.

    >>> parse_template("Dear {{ customer.name }},{% if note %} {{ note }}{% endif %}", Markup.PLAIN).children
    ... # doctest: +NORMALIZE_WHITESPACE
    (Text(text='Dear '), Value(path='customer.name', format='', fallback=None), Text(text=','),
     Condition(branches=(Branch(condition='note', children=(Text(text=' '), Value(path='note', format='',
                                                                                  fallback=None))),)))
    >>> parse_template("{{ customer.name }", Markup.PLAIN).children
    (Locked(source='{{ customer.name }'),)
    """
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    if not source:
        return LetterDocument(markup)
    if template_problem(source) is not None:
        return LetterDocument(markup, (Locked(source),))
    try:
        tokens = list(_tokens(source, markup))
    except _Unreadable:
        return LetterDocument(markup, (Locked(source),))
    return normalised(LetterDocument(markup, _Reader(tokens, markup).document()))


def _tokens(source: str, markup: Markup) -> Iterator[_Token]:
    """The tokens of a (syntactically valid) template, each with its exact source text.

    A `<` that opens a tag without its `>` (`x<{{ note }}<br>`) goes on, as HTML reads it, across placeholders and
    tags to the next `>`: all of it is one locked code.
    """
    unclosed = ""
    for kind, raw, values in _template_pieces(source):
        if unclosed:
            end = raw.find(">") if kind == "data" else -1
            if end < 0:
                unclosed += raw
                continue
            yield _Token("node", unclosed + raw[:end + 1], node=Locked(unclosed + raw[:end + 1]))
            unclosed, raw = "", raw[end + 1:]
            if not raw:
                continue
        if kind == "data":
            tokens = list(_data_tokens(raw, markup))
            if markup is not Markup.PLAIN and tokens and tokens[-1].kind == "node" \
                    and _HIDDEN_TAG.match(tokens[-1].raw) and ">" not in tokens[-1].raw:
                unclosed = tokens.pop().raw
            yield from tokens
        elif kind == "variable":
            yield _value_token(raw)
        elif kind == "block":
            yield _tag_token(raw, values)
        else:  # comments, raw blocks
            yield _Token("node", raw, node=Locked(raw))
    if unclosed:
        yield _Token("node", unclosed, node=Locked(unclosed))


def _template_pieces(source: str) -> Iterator[tuple[str, str, list[tuple[str, str]]]]:
    """("data" | "variable" | "block" | "comment" | "raw", exact source, the lexer's tokens inside) in order.

    Jinja2's own lexer finds where each tag ends (strings and brackets inside it included). It drops the
    whitespace that `{%-` strips; that whitespace is text of its own here (the tag is kept as locked code).
    """
    position = 0
    current: list[tuple[str, str]] = []
    raw = ""
    kind = ""
    closing = {"variable_end": "variable", "block_end": "block", "comment_end": "comment", "raw_end": "raw"}
    for _, token, value in _ENVIRONMENT.lexer.tokeniter(source, None):
        skipped = ""
        while not source.startswith(value, position) and position < len(source) and source[position].isspace():
            skipped += source[position]
            position += 1
        if not source.startswith(value, position):
            raise _Unreadable(f"the template's text at {position} could not be followed")
        position += len(value)
        if skipped and not kind:
            yield "data", skipped, []
            skipped = ""
        if token == "data" and not kind:
            yield "data", value, []
            continue
        raw += skipped + value
        if not kind:
            kind = token
        current.append((token, value))
        if token in closing and (kind != "raw_begin" or token == "raw_end"):
            yield closing[token], raw, current
            raw, kind, current = "", "", []
    if position < len(source):
        yield "data", source[position:], []


def _data_tokens(raw: str, markup: Markup) -> Iterator[_Token]:
    """Text, and in HTML or plain-text bodies the tags in it: allowed ones as elements, any other as locked code."""
    if markup is Markup.PLAIN:
        yield _Token("text", raw, text=raw)
        return
    position = 0
    for found in re.finditer(f"{_TAG.pattern}|{_OTHER_MARKUP.pattern}", raw, re.DOTALL):
        yield from _text_tokens(raw[position:found.start()])
        position = found.end()
        yield _tag_of(found.group(), markup)
    yield from _text_tokens(raw[position:])


def _text_tokens(raw: str) -> Iterator[_Token]:
    """Text between tags; from a `<` that starts a tag without its `>` on, locked code (HTML would hide it)."""
    cut = _HIDDEN_TAG.search(raw)
    text = raw[:cut.start()] if cut else raw
    if text:
        yield _Token("text", text, text=html.unescape(text))
    if cut:
        yield _Token("node", raw[cut.start():], node=Locked(raw[cut.start():]))


def _tag_of(raw: str, markup: Markup) -> _Token:
    tag = _TAG.fullmatch(raw)
    if tag is None:
        return _Token("node", raw, node=Locked(raw))
    closing, name, attributes, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3), tag.group(4)
    allowed = INLINE_TAGS | (BLOCK_TAGS if markup is Markup.HTML else frozenset())
    if name not in allowed or (markup is Markup.TEXT and name == "br") or (closing and (attributes or name in VOID)):
        return _Token("node", raw, node=Locked(raw))
    if closing:
        return _Token("close", raw, arg=name)
    kept = tuple((m.group(1).lower(), html.unescape(next((g for g in m.groups()[1:] if g is not None), "")))
                 for m in _ATTRIBUTE.finditer(attributes))
    kept = tuple((n, v) for n, v in kept if n in ATTRIBUTES.get(name, ()))
    if name in VOID:
        return _Token("void", raw, arg=name, attributes=kept)
    if self_closing:
        return _Token("node", raw, node=Locked(raw))
    return _Token("open", raw, arg=name, attributes=kept)


@lru_cache(maxsize=4096)
def _value_token(raw: str) -> _Token:
    """A placeholder as a chip; a constant text as text; any other expression as locked code."""
    if _has_whitespace_control(raw):
        return _Token("node", raw, node=Locked(raw))
    expression = _ENVIRONMENT.parse(raw).body[0].nodes[0]  # type: ignore[attr-defined]
    if isinstance(expression, nodes.Const) and isinstance(expression.value, str):
        return _Token("text", raw, text=expression.value)
    value = _value_of(expression)
    return _Token("node", raw, node=value if value is not None else Locked(raw))


def _value_of(expression: nodes.Node) -> Value | None:
    if (path := dotted_path(expression)) is not None:
        return Value(path)
    if isinstance(expression, nodes.Filter) and not expression.kwargs and expression.dyn_args is None \
            and expression.dyn_kwargs is None and (path := dotted_path(expression.node)) is not None:
        if expression.name in FORMATS and not expression.args:
            return Value(path, expression.name)
        if expression.name in ("default", "d") and len(expression.args) == 1 \
                and isinstance(expression.args[0], nodes.Const) and isinstance(expression.args[0].value, str):
            return Value(path, "", expression.args[0].value)
    if isinstance(expression, nodes.CondExpr) and isinstance(expression.expr2, nodes.Const) \
            and isinstance(expression.expr2.value, str) and isinstance(expression.test, nodes.Test) \
            and expression.test.name == "defined" and not expression.test.args:
        shown = _value_of(expression.expr1)
        if shown is not None and shown.fallback is None and shown.format \
                and dotted_path(expression.test.node) == shown.path:
            return Value(shown.path, shown.format, expression.expr2.value)
    return None


def _has_whitespace_control(raw: str) -> bool:
    return raw[2:3] in ("-", "+") or raw.rstrip()[-3:-2] in ("-", "+")


def _tag_token(raw: str, values: list[tuple[str, str]]) -> _Token:
    """A `{% ... %}` tag by its name; the condition or loop it holds as written."""
    words = [value for token, value in values if token != "whitespace"]
    name = words[1] if len(words) > 2 else ""
    inner = "".join(value for _, value in values[1:-1]).strip()
    argument = inner[len(name):].strip()
    if _has_whitespace_control(raw):
        return _Token("node", raw, node=Locked(raw))
    if name in ("if", "elif") and argument:
        return _Token(name, raw, arg=argument)
    if name in ("else", "endif", "endfor") and not argument:
        return _Token(name, raw)
    if name == "for":
        return _Token("for", raw, arg=argument)
    if name in LOCKED_BLOCKS and not (name == "set" and "=" in argument):
        return _Token("block", raw, arg=name)
    if name.startswith("end") and name[3:] in LOCKED_BLOCKS:
        return _Token("end", raw, arg=name[3:])
    return _Token("node", raw, node=Locked(raw))


@lru_cache(maxsize=1024)
def _simple_loop(loop: str) -> tuple[str, str] | None:
    """(name, list) of `row in lines`; None for any other loop (several names, a filter, `recursive`)."""
    try:
        found = _ENVIRONMENT.parse(f"{{% for {loop} %}}{{% endfor %}}").body[0]
    except TemplateSyntaxError:
        return None
    if not isinstance(found, nodes.For) or not isinstance(found.target, nodes.Name) or found.test is not None \
            or found.recursive or (items := dotted_path(found.iter)) is None:
        return None
    return found.target.name, items


class _Reader:
    """Builds the document from the tokens: elements, conditions and repeats must nest; where they do not, the
    tokens from the item that breaks to where reading can go on are kept as locked code.

    A line end the writer puts after an element (`CLOSE_LINE`, `OPEN_LINE`) is read as part of it; the ones after a
    condition's or repeat's tags are whitespace beside a block, which the normal form leaves out.
    """

    def __init__(self, tokens: list[_Token], markup: Markup) -> None:
        self.tokens = tokens
        self.markup = markup
        self.budget = RECOVERY_BUDGET

    def document(self) -> tuple[Node, ...]:
        made: list[Node] = []
        index = 0
        newline = False
        while index < len(self.tokens):
            try:
                items, index, newline = self.item(index, newline, parent="")
                made.extend(items)
            except _Unreadable:
                resume = self.resume_after(index)
                made.append(Locked("".join(token.raw for token in self.tokens[index:resume])))
                index, newline = resume, False
        return tuple(made)

    def resume_after(self, start: int) -> int:
        """The first index after `start` from which one item reads (else the end)."""
        for index in range(start + 1, len(self.tokens)):
            if self.budget <= 0:
                break
            try:
                self.item(index, False, parent="")
                return index
            except _Unreadable:
                continue
        return len(self.tokens)

    def item(self, index: int, newline: bool, parent: str) -> tuple[list[Node], int, bool]:
        """The nodes of the item at `index` (one token, or an element, condition or repeat with its content),
        the index after it, and whether a line end right after it is part of its written form. `newline`: whether
        a line end starting this item belongs to the one before."""
        self.budget -= 1
        token = self.tokens[index]
        if parent in _ROWS_ONLY and ((token.kind == "text" and token.text.strip()) or isinstance(token.node, Value)):
            raise _Unreadable  # HTML moves text out of a table, so it is kept as written (locked)
        if token.kind == "text":
            text = token.text[1:] if newline and token.text.startswith("\n") else token.text
            return [Text(text)], index + 1, False
        if token.kind == "node":
            return [token.node], index + 1, False  # type: ignore[list-item]
        if token.kind == "void":
            return [Element(token.arg, token.attributes)], index + 1, self.markup is Markup.HTML
        if token.kind == "open":
            if token.arg in PARENTS and parent not in PARENTS[token.arg]:
                raise _Unreadable
            children, index = self.sequence(index + 1, token.arg in OPEN_LINE, parent=token.arg)
            if index >= len(self.tokens) or self.tokens[index].kind != "close" or self.tokens[index].arg != token.arg:
                raise _Unreadable
            return [Element(token.arg, token.attributes, children)], index + 1, token.arg in CLOSE_LINE
        if token.kind in ("if", "for"):
            if parent in ("tr", "thead", "tbody"):
                raise _Unreadable  # the editor cannot show a condition among a row's cells
            nodes, end = self.block(index, parent)
            return nodes, end + 1, False
        if token.kind == "block":
            end = self.matching_end(index)
            return [Locked("".join(t.raw for t in self.tokens[index:end + 1]))], end + 1, False
        raise _Unreadable  # a closing tag, else, elif, endif, endfor here: not nested

    def block(self, index: int, parent: str) -> tuple[list[Node], int]:
        """The condition or repeat opened at `index` (a loop the editor cannot show: locked code), and the index of
        its end tag."""
        token = self.tokens[index]
        if token.kind == "for":
            loop = _simple_loop(token.arg)
            if loop is not None:
                children, end = self.sequence(index + 1, False, parent)
                if end < len(self.tokens) and self.tokens[end].kind == "endfor":
                    return [Repeat(loop[0], loop[1], children)], end
            end = self.matching_end(index)  # several names, a filter or an else: shown as code
            return [Locked("".join(t.raw for t in self.tokens[index:end + 1]))], end
        branches = []
        condition = token.arg
        while True:
            children, index = self.sequence(index + 1, False, parent)
            branches.append(Branch(condition, children))
            if index >= len(self.tokens):
                raise _Unreadable
            following = self.tokens[index]
            if following.kind == "endif":
                return [Condition(tuple(branches))], index
            if following.kind == "elif" and condition:
                condition = following.arg
            elif following.kind == "else" and condition:
                condition = ""
            else:
                raise _Unreadable

    def sequence(self, index: int, newline: bool, parent: str) -> tuple[tuple[Node, ...], int]:
        """Items from `index` up to the first token that closes or divides the enclosing block."""
        made: list[Node] = []
        while index < len(self.tokens) and self.tokens[index].kind not in (
                "close", "elif", "else", "endif", "endfor", "end"):
            items, index, newline = self.item(index, newline, parent)
            made.extend(items)
        return tuple(made), index

    def matching_end(self, index: int) -> int:
        """The index of the tag that ends the block opened at `index` (a locked block or a loop)."""
        opening = self.tokens[index]
        kinds = ("for", "endfor") if opening.kind == "for" else ("block", "end")
        depth = 0
        for position in range(index, len(self.tokens)):
            token = self.tokens[position]
            self.budget -= 1
            if token.kind == kinds[0] and (opening.kind == "for" or token.arg == opening.arg):
                depth += 1
            elif token.kind == kinds[1] and (opening.kind == "for" or token.arg == opening.arg):
                depth -= 1
                if depth == 0:
                    return position
        raise _Unreadable
