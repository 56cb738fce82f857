"""The template snippets the letter designer inserts, so business staff never type Jinja2 syntax.

The placeholder picker lists every name a template may read (the same names the
placeholder check accepts: case data, `customer.*` and the computed values of
`models.templates.COMPUTED_FIELDS`) and builds, for a chosen name, the snippet
that shows its value (money, dates and numbers through their filters), a block shown only
when it holds, or a loop over a list of records. The toolbar adds plain HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from codegen.markup import is_plain_text, text_paragraphs_html
from models.customers import CUSTOMER_FIELDS
from models.data import DataType, Variable
from models.templates import COMPUTED_FIELDS

#: The filter that formats a value of each type in a letter (types not named here print as they are).
_FILTERS = {"money": "money", "date": "date", "datetime": "date", "number": "number"}

#: The loop variable of a records loop: `{% for row in lines %}{{ row.amount }}{% endfor %}`.
LOOP_VARIABLE = "row"

#: The customer's address block, as a letter's window envelope shows it.
ADDRESS_BLOCK = ("<p>{{ customer.name }}<br>\n{{ customer.address.street }} {{ customer.address.house_number }}<br>\n"
                 "{{ customer.address.postcode }} {{ customer.address.city }}</p>\n")

#: The formatting buttons of the letter and e-mail editor: name -> (label, HTML inserted).
TOOLBAR: dict[str, tuple[str, str]] = {
    "heading": ("Heading", "<h2>Heading</h2>\n"),
    "bold": ("Bold", "<strong>bold text</strong>"),
    "list": ("List", "<ul>\n<li>first point</li>\n<li>second point</li>\n</ul>\n"),
    "table": ("Table", "<table>\n<tr><th>Column</th><th>Column</th></tr>\n<tr><td>cell</td><td>cell</td></tr>\n"
                       "</table>\n"),
    "address": ("Address block", ADDRESS_BLOCK),
}


#: A tag that makes a body HTML rather than plain text (the same tags `codegen.markup.letter_html` looks for).


@dataclass(frozen=True)
class PickerEntry:
    """One name the picker offers: its template path, the text people see and what kind of value it is."""

    path: str
    label: str
    group: str
    type: str
    fields: tuple[tuple[str, str], ...] = ()  # records: (field name, type) of one record
    options: tuple[str, ...] = ()  # choice: the allowed values

    @property
    def is_records(self) -> bool:
        return self.type == DataType.RECORDS.value


def picker_entries(variables: Sequence[Variable]) -> list[PickerEntry]:
    """Every name a template may read: case data first, then the customer's fields, then computed values.

    >>> [e.path for e in picker_entries([Variable(name="amount", type="money")])][:3]
    ['amount', 'customer.id', 'customer.number']
    >>> picker_entries([])[-1].label
    'Computed: case started'
    """
    entries = [
        PickerEntry(v.name, f"Case data: {v.display}", "Case data", v.type.value,
                    fields=tuple((f.name, f.type.value) for f in v.fields), options=tuple(v.option_values()))
        for v in variables
    ]
    entries += _walk("customer", CUSTOMER_FIELDS, "Customer")
    for name, kind in COMPUTED_FIELDS.items():
        entries += _walk(name, kind, "Computed")
    return entries


def _walk(path: str, kind: object, group: str) -> list[PickerEntry]:
    if isinstance(kind, Mapping):
        return [entry for name, inner in kind.items() for entry in _walk(f"{path}.{name}", inner, group)]
    words = path.removeprefix("customer.").replace(".", " ").replace("_", " ")
    return [PickerEntry(path, f"{group}: {words}", group, str(kind))]


def value_snippet(entry: PickerEntry) -> str:
    """The placeholder that prints the entry's value, formatted for its type.

    >>> value_snippet(PickerEntry("amount", "Amount", "Case data", "money"))
    '{{ amount|money }}'
    >>> value_snippet(PickerEntry("customer.name", "Name", "Customer", "text"))
    '{{ customer.name }}'
    """
    return _placeholder(entry.path, entry.type)


def if_snippet(entry: PickerEntry) -> str:
    """A block shown only when the entry holds: yes/no is true, a choice has its first option, else it has a value.

    >>> print(if_snippet(PickerEntry("reason", "Reason", "Case data", "choice", options=("move", "other"))), end="")
    {% if reason == "move" %}
    Text shown only when reason is "move".
    {% endif %}
    """
    if entry.options:
        condition, meaning = f'{entry.path} == "{entry.options[0]}"', f'is "{entry.options[0]}"'
    elif entry.type == DataType.BOOLEAN.value:
        condition, meaning = entry.path, "is yes"
    else:
        condition, meaning = entry.path, "has a value"
    return f"{{% if {condition} %}}\nText shown only when {entry.path} {meaning}.\n{{% endif %}}\n"


def loop_snippet(entry: PickerEntry, html: bool) -> str:
    """A loop over a list of records: an HTML table (letters, e-mails) or one line per record (SMS, plain text).

    >>> lines = PickerEntry("lines", "Lines", "Case data", "records", fields=(("item", "text"), ("amount", "money")))
    >>> print(loop_snippet(lines, html=False), end="")
    {% for row in lines %}
    {{ row.item }} {{ row.amount|money }}
    {% endfor %}
    """
    if not entry.is_records:
        raise ValueError(f"'{entry.path}' is not a list of records; a loop needs one.")
    cells = [_placeholder(f"{LOOP_VARIABLE}.{name}", kind) for name, kind in entry.fields]
    opening, closing = f"{{% for {LOOP_VARIABLE} in {entry.path} %}}", "{% endfor %}"
    if not html:
        return f"{opening}\n{' '.join(cells)}\n{closing}\n"
    header = "".join(f"<th>{name.replace('_', ' ')}</th>" for name, _ in entry.fields)
    row = "".join(f"<td>{cell}</td>" for cell in cells)
    return f"<table>\n<tr>{header}</tr>\n{opening}\n<tr>{row}</tr>\n{closing}\n</table>\n"


def _placeholder(path: str, kind: str) -> str:
    chosen_filter = _FILTERS.get(kind)
    return f"{{{{ {path}|{chosen_filter} }}}}" if chosen_filter else f"{{{{ {path} }}}}"


def insert_at(text: str, snippet: str, position: int | None) -> tuple[str, int]:
    """`text` with `snippet` inserted at `position` (the end when None or out of range), and the position after it.

    >>> insert_at("Dear ,", "{{ customer.name }}", 5)
    ('Dear {{ customer.name }},', 24)
    >>> insert_at("Dear", " you", None)
    ('Dear you', 8)
    """
    if position is None or not 0 <= position <= len(text):
        position = len(text)
    return text[:position] + snippet + text[position:], position + len(snippet)


def insert_block(text: str, snippet: str, position: int | None) -> tuple[str, int]:
    """`insert_at` for an HTML body: a block (heading, list, table...) into plain text makes its paragraphs HTML first.

    >>> insert_block("Dear you,\\n\\nBye", "<h2>News</h2>\\n", 11)
    ('<p>Dear you,</p>\\n<h2>News</h2>\\n<p>Bye</p>\\n', 31)
    >>> insert_block("Dear you,\\n\\nBye", "<b>x</b>", 0)
    ('<b>x</b>Dear you,\\n\\nBye', 8)
    """
    if is_plain_text(snippet) or not is_plain_text(text):
        return insert_at(text, snippet, position)
    if position is None or not 0 <= position <= len(text):
        position = len(text)
    before = text_paragraphs_html(text[:position]) + snippet
    return before + text_paragraphs_html(text[position:]), len(before)
