"""What the letter designer inserts, as parts of the editor's document, so nobody types template syntax.

A name chosen from the picker (`codegen.letter_names`) becomes a chip that shows its value (money, dates and
numbers in their format: `value_node`), the condition of a passage shown only when it holds (`conditions_for`:
is yes or no, is one of the options, has a value or is empty), or, for a list of records, a table with a row
repeated for each record (`repeat_node`). The address block is the customer's address as chips.
"""

from __future__ import annotations

from codegen.letter_document import Branch, Condition, Element, Markup, Node, Repeat, Text, Value
from codegen.letter_names import LetterName
from codegen.letter_template import string_literal
from models.data import DataType

__all__ = ["LOOP_NAME", "address_block", "condition_node", "conditions_for", "has_value", "repeat_node", "value_node"]

#: The format each type of value is shown in (types not named here show as they are).
FORMAT_OF_TYPE = {"money": "money", "date": "date", "datetime": "date", "number": "number"}
#: What each record is called inside a repeated part: `{% for row in lines %}{{ row.amount }}{% endfor %}`.
LOOP_NAME = "row"
#: Types with a value that reads as false (0, no): "has a value" asks whether there is one, not whether it is true.
_MAY_BE_FALSE = frozenset({DataType.NUMBER.value, DataType.MONEY.value, DataType.BOOLEAN.value})


def value_node(name: LetterName) -> Value:
    """The chip that shows the value of `name`, in the format of its type.

    >>> value_node(LetterName("amount", "Amount", "Case data", "money"))
    Value(path='amount', format='money', fallback=None)
    """
    return Value(name.path, FORMAT_OF_TYPE.get(name.type, ""))


def has_value(path: str, kind: str) -> str:
    """The condition that `path` has a value (for numbers and amounts zero is one, for yes/no fields no is one).

    >>> has_value("note", "text"), has_value("amount", "money")
    ('note', 'amount is defined')
    """
    return f"{path} is defined" if kind in _MAY_BE_FALSE else path


def conditions_for(name: LetterName) -> list[str]:
    """The conditions on `name` a passage can be shown under: yes or no, each option, or having a value or not.

    >>> conditions_for(LetterName("ok", "OK", "Case data", "boolean"))
    ['ok', 'not ok']
    >>> conditions_for(LetterName("kind", "Kind", "Case data", "choice", options=(("a", "A"), ("b", "B"))))
    ['kind == "a"', 'kind == "b"']
    >>> conditions_for(LetterName("amount", "Amount", "Case data", "money"))
    ['amount is defined', 'amount is not defined']
    """
    if name.is_boolean:
        return [name.path, f"not {name.path}"]
    if name.options:
        return [f"{name.path} == {string_literal(value)}" for value, _ in name.options]
    if name.type in _MAY_BE_FALSE:
        return [has_value(name.path, name.type), f"{name.path} is not defined"]
    return [name.path, f"not {name.path}"]


def condition_node(condition: str, sample: str = "") -> Condition:
    """A passage shown only when `condition` holds, holding `sample` text to type over."""
    return Condition((Branch(condition, (Text(sample),) if sample else ()),))


def repeat_node(name: LetterName, markup: Markup) -> Node:
    """A part repeated for each record of `name`: in HTML a table with a header and a row per record, else a line
    per record.

    >>> lines = LetterName("lines", "Lines", "Case data", "records", fields=(
    ...     LetterName("item", "Item", "Each record", "text"), LetterName("amount", "Amount", "Each record", "money")))
    >>> repeat_node(lines, Markup.PLAIN)  # doctest: +NORMALIZE_WHITESPACE
    Repeat(name='row', items='lines', children=(Value(path='row.item', format='', fallback=None), Text(text=' '),
           Value(path='row.amount', format='money', fallback=None), Text(text='\\n')))
    """
    if not name.is_records:
        raise ValueError(f"'{name.label}' is not a list of records; only a list can be repeated.")
    cells = [Value(f"{LOOP_NAME}.{field.path}", FORMAT_OF_TYPE.get(field.type, "")) for field in name.fields]
    if markup is not Markup.HTML:
        spaced: list[Node] = []
        for cell in cells:
            spaced += [Text(" "), cell] if spaced else [cell]
        return Repeat(LOOP_NAME, name.path, (*spaced, Text("\n")))
    header = Element("tr", (), tuple(Element("th", (), (Text(field.label),)) for field in name.fields))
    row = Element("tr", (), tuple(Element("td", (), (cell,)) for cell in cells))
    return Element("table", (), (header, Repeat(LOOP_NAME, name.path, (row,))))


def address_block(markup: Markup) -> tuple[Node, ...]:
    """The customer's address as a letter's window envelope shows it: name, street and number, postcode and city."""
    line_end: Node = Element("br") if markup is Markup.HTML else Text("\n")
    lines = (Value("customer.name"), line_end,
             Value("customer.address.street"), Text(" "), Value("customer.address.house_number"), line_end,
             Value("customer.address.postcode"), Text(" "), Value("customer.address.city"))
    return (Element("p", (), lines),) if markup is Markup.HTML else (*lines, Text("\n"))
