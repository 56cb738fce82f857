"""The HTML of letters and e-mails: an allow-list of tags, plain text as paragraphs, and back to text.

A rendered letter body is HTML written by business staff with customer data
escaped into it. Before it is previewed, printed to PDF or mailed it is
cleaned to the tags a letter needs (headings, paragraphs, lists, tables,
bold/italic) by `nh3` (the Ammonia sanitiser): no scripts, styles, images,
links or event attributes survive, so nothing in a letter can load a file or
run code. A body without any block-level tag is plain text: blank lines
separate paragraphs and a single newline breaks the line. For the text part
of an e-mail, `html_to_text` turns the HTML back into readable text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from html.parser import HTMLParser

import nh3

#: The tags a letter or e-mail body may use; any other tag is removed, keeping its text.
ALLOWED_TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote",
    "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td",
    "b", "strong", "i", "em", "u",
})
_ALLOWED_ATTRIBUTES = {"p": {"align"}, "td": {"align", "colspan"}, "th": {"align", "colspan"}}
_BLOCK_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "ul", "ol", "li",
                         "table", "tr", "div"})
_HAS_BLOCK_TAG = re.compile(r"<\s*(?:" + "|".join(sorted(_BLOCK_TAGS)) + r")\b", re.IGNORECASE)


def clean_html(markup: str) -> str:
    """`markup` with only the allowed tags and attributes; scripts and styles go with their content.

    >>> clean_html('<h1 onclick="x()">Hi</h1><script>alert(1)</script><img src="file:///etc/passwd">')
    '<h1>Hi</h1>'
    """
    return nh3.clean(markup, tags=set(ALLOWED_TAGS), attributes=_ALLOWED_ATTRIBUTES, url_schemes=set(),
                     strip_comments=True, link_rel=None)


def is_plain_text(body: str) -> bool:
    """Whether a body is plain text (no block-level tag), whose blank lines separate paragraphs.

    >>> is_plain_text("Dear {{ customer.name }},\\n\\nThank you."), is_plain_text("<p>Dear you</p>")
    (True, False)
    """
    return not _HAS_BLOCK_TAG.search(body)


def text_paragraphs_html(text: str) -> str:
    """Plain text as HTML that reads the same: a `<p>` per paragraph, `<br>` where a line breaks.

    >>> print(text_paragraphs_html("Dear Sanne,\\n\\nWe credit you.\\nKind regards"), end="")
    <p>Dear Sanne,</p>
    <p>We credit you.<br>
    Kind regards</p>
    """
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join("<p>" + "<br>\n".join(line.strip() for line in p.splitlines()) + "</p>\n" for p in paragraphs)


def letter_html(body: str) -> str:
    """A rendered body as clean HTML; plain text (no block-level tag) becomes paragraphs first."""
    return clean_html(text_paragraphs_html(body) if is_plain_text(body) else body)


def letter_page(address: Sequence[str], subject: str, body_html: str, *, title: str = "Letter") -> str:
    """A whole HTML document for a letter: address block, subject in bold, then the (cleaned) body."""
    lines = "<br>".join(html.escape(line) for line in address)
    parts = [f'<p class="address">{lines}</p>' if lines else "",
             f"<p><b>{html.escape(subject)}</b></p>" if subject else "", clean_html(body_html)]
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title>"
            "<style>body{font-family:sans-serif;max-width:42em;margin:2em auto}"
            ".address{margin-bottom:3em}table{border-collapse:collapse}td,th{border:1px solid #999;"
            "padding:.2em .5em}</style></head>\n<body>\n" + "\n".join(p for p in parts if p) + "\n</body></html>\n")


_PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr", "blockquote", "ul", "ol"})


class _TextWriter(HTMLParser):
    """Collects readable text from clean letter HTML: blocks apart, list items with a dash or number."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[int] = []  # per open list the number of its next item; 0 for bullet lists

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _PARAGRAPH_TAGS:
            self.parts.append("\n\n")
        if tag in ("ul", "ol"):
            self.lists.append(1 if tag == "ol" else 0)
        elif tag == "li":
            number = self.lists[-1] if self.lists else 0
            self.parts.append("\n" + "  " * max(len(self.lists) - 1, 0) + (f"{number}. " if number else "- "))
            if number:
                self.lists[-1] += 1
        elif tag in ("br", "tr"):
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag in _PARAGRAPH_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    """Readable plain text of letter HTML, e.g. for the text part of an e-mail.

    >>> print(html_to_text("<h1>Hello</h1><p>Dear <b>Sanne</b> &amp; co,</p><ul><li>one</li><li>two</li></ul>"))
    Hello
    <BLANKLINE>
    Dear Sanne & co,
    <BLANKLINE>
    - one
    - two
    """
    writer = _TextWriter()
    writer.feed(clean_html(markup))
    writer.close()
    lines = (line.strip(" ").removeprefix("| ") for line in "".join(writer.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
