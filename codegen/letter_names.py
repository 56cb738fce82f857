"""The names a letter may use, with the labels people know them by, and conditions said in words.

A letter reads case data (labelled by the process's variables: "Betwist bedrag"),
the customer's fields ("Customer name") and computed values ("Today"); inside a
repeated part also the fields of each record. The letter editor shows every
placeholder as a chip with such a label, and every condition in words:
`complaint_justified` is "'Klacht terecht' is yes", `credit_amount < disputed_amount`
is "'Te crediteren bedrag' is less than 'Betwist bedrag'". A condition the words
cannot say is shown as it is written. The words are `LetterWords`: codegen speaks no language, so the page
passes those of its reader in (English by default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from models.customers import CUSTOMER_FIELDS, PaymentMethod, Segment
from models.data import DataType, Variable
from models.phrases import Phrase
from models.templates import COMPUTED_FIELDS, Placeholder

__all__ = ["ENGLISH", "LetterName", "LetterWords", "Names", "describe_condition", "dotted_path", "is_condition",
           "letter_names", "quoted"]

_ENVIRONMENT = ImmutableSandboxedEnvironment()
#: The customer's fields that hold one of a fixed set of values, offered as options.
_FIXED_VALUES: dict[str, tuple[str, ...]] = {"customer.segment": tuple(s.value for s in Segment),
                                              "customer.payment_method": tuple(m.value for m in PaymentMethod)}


@dataclass(frozen=True)
class LetterWords:
    """What the letter editor says of its own accord — the labels and groups of the names it offers, conditions
    and repeated parts in words, what is wrong on a chip — in the language of the page that shows it (the defaults
    are English). `{name}`, `{left}`, `{right}` and `{names}` are filled in with labels in quotes or constants,
    `{condition}` with words said before."""

    case_data: str = "Case data"
    customer: str = "Customer"
    computed: str = "Computed"
    record_fields: str = "Each record"
    #: Labels of the customer's fields and the computed values by path; where none is given, the path in words
    #: ("Customer payment method").
    labels: Mapping[str, str] = field(default_factory=dict)
    #: Words for the fixed values of the customer's fields (segment, payment method); else the value as stored.
    values: Mapping[str, str] = field(default_factory=dict)
    #: Words for the beginnings of paths that are no name themselves, to say a path no name has in the page's
    #: language: `customer.nmae` is "Customer nmae" ("Klant nmae" in Dutch), the rest as it was typed.
    beginnings: Mapping[str, str] = field(default_factory=lambda: {
        "customer": "Customer", "customer.address": "Customer address", "customer.consents": "Customer agrees to",
        "case": "Case"})

    yes: str = "yes"
    no: str = "no"
    empty: str = "empty"
    has_value: str = "{name} has a value"
    negated: str = "not ({condition})"
    both: str = "{left} and {right}"
    either: str = "{left} or {right}"
    equal: str = "{left} is {right}"
    not_equal: str = "{left} is not {right}"
    less: str = "{left} is less than {right}"
    more: str = "{left} is more than {right}"
    at_most: str = "{left} is at most {right}"
    at_least: str = "{left} is at least {right}"
    one_of: str = "{left} is one of {right}"
    not_one_of: str = "{left} is not one of {right}"
    only_when: str = "Only when {condition}"
    otherwise_when: str = "Otherwise, when {condition}"
    otherwise: str = "Otherwise"
    for_each: str = "For each record in {list}"
    each_record: str = "Each record of {list}"
    maybe_empty: str = "{name} may be empty when this letter is sent: show it only if it has a value, or give a " \
        "default text"
    unknown: str = "{name} is not case data, a customer field or a computed value"
    needs_a_value: str = "{names} may be empty when this letter is sent, and this condition needs a value: test " \
        "that it has one first"
    need_a_value: str = "{names} may be empty when this letter is sent, and this condition needs a value: test " \
        "that they have one first"

    def comparison(self, operator: str) -> str | None:
        """The words of a comparison by its template operator (`lt`, `in`...); None for one they cannot say."""
        return {"eq": self.equal, "ne": self.not_equal, "lt": self.less, "gt": self.more, "lteq": self.at_most,
                "gteq": self.at_least, "in": self.one_of, "notin": self.not_one_of}.get(operator)

    def joined(self, labels: Sequence[str]) -> str:
        """Several labels as one subject: "'A' and 'B'"."""
        said = labels[0]
        for label in labels[1:]:
            said = self.both.format(left=said, right=label)
        return said


#: The words of the editor outside a page's language (and in tests of codegen).
ENGLISH = LetterWords()


def quoted(label: str) -> str:
    """A label as the words name it: in quotes, so it reads apart from the words around it."""
    return f"'{label}'"


@dataclass(frozen=True)
class LetterName:
    """A name a template may read: its path, the label people see, its group and what kind of value it is."""

    path: str
    label: str
    group: str
    type: str
    fields: tuple[LetterName, ...] = ()  # records: one record's fields (their path is the field's name)
    options: tuple[tuple[str, str], ...] = ()  # choice: (value, label) of each option

    @property
    def is_records(self) -> bool:
        return self.type == DataType.RECORDS.value

    @property
    def is_boolean(self) -> bool:
        return self.type == DataType.BOOLEAN.value


def letter_names(variables: Sequence[Variable], words: LetterWords = ENGLISH) -> list[LetterName]:
    """Every name a template may read: case data first, then the customer's fields, then computed values, grouped
    and labelled in `words`.

    >>> [(n.path, n.label) for n in letter_names([Variable(name="amount", type="money", label="Amount due")])][:3]
    [('amount', 'Amount due'), ('customer.id', 'Customer id'), ('customer.number', 'Customer number')]
    >>> letter_names([])[-1].label
    'Case started'
    """
    names = [_variable_name(variable, words.case_data, words) for variable in variables]
    names += _walk("customer", CUSTOMER_FIELDS, words.customer, words)
    for name, kind in COMPUTED_FIELDS.items():
        names += _walk(name, kind, words.computed, words)
    return names


def _variable_name(variable: Variable, group: str, words: LetterWords) -> LetterName:
    return LetterName(variable.name, variable.display, group, variable.type.value,
                      fields=tuple(_variable_name(f, words.record_fields, words) for f in variable.fields),
                      options=tuple((o.value, o.display) for o in variable.options))


def _walk(path: str, kind: object, group: str, words: LetterWords) -> list[LetterName]:
    if isinstance(kind, Mapping):
        return [name for part, inner in kind.items() for name in _walk(f"{path}.{part}", inner, group, words)]
    return [LetterName(path, words.labels.get(path) or _words(path), group, str(kind),
                       options=tuple((value, words.values.get(value, value)) for value in _FIXED_VALUES.get(path, ())))]


def _words(path: str) -> str:
    """A path as words: `customer.payment_method` is "Customer payment method"."""
    return path.replace(".", " ").replace("_", " ").capitalize()


@dataclass(frozen=True)
class Names:
    """What the names in one place of a letter mean: the letter's names, and inside repeated parts the record's."""

    by_path: Mapping[str, LetterName]
    records: Mapping[str, LetterName] = field(default_factory=dict)  # loop name -> the list it goes through
    words: LetterWords = ENGLISH  # how conditions and repeated parts are said

    @classmethod
    def of(cls, variables: Sequence[Variable], words: LetterWords = ENGLISH) -> Names:
        return cls({name.path: name for name in letter_names(variables, words)}, words=words)

    def within(self, name: str, items: str) -> Names:
        """The names inside a part repeated for each record (called `name`) of the list at `items`."""
        return Names(self.by_path, {**self.records, name: self.by_path.get(items) or LetterName(
            items, _words(items), "", DataType.RECORDS.value)}, self.words)

    def find(self, path: str) -> LetterName | None:
        """The name at `path`, also a field of a repeated record (`row.amount`); None when unknown."""
        first, _, rest = path.partition(".")
        if first in self.records:
            listed = self.records[first]
            if not rest:
                return LetterName(path, self.words.each_record.format(list=quoted(listed.label)),
                                  self.words.record_fields, "record")
            return next((f for f in listed.fields if f.path == rest), None)
        return self.by_path.get(path)

    def label(self, path: str) -> str:
        """The label of `path`; when it is no known name, its longest known beginning said by its label and the rest
        as it was typed, else the path in words.

        >>> names = Names.of([Variable(name="claim", type="money", label="Claimed amount")])
        >>> names.label("customer.address.stret"), names.label("claim.cents"), names.label("amout_due")
        ('Customer address stret', 'Claimed amount cents', 'Amout due')
        """
        found = self.find(path)
        if found:
            return found.label
        parts = path.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            beginning = ".".join(parts[:cut])
            known = self.find(beginning)
            said = known.label if known else self.words.beginnings.get(beginning)
            if said:
                return f"{said} {' '.join(parts[cut:]).replace('_', ' ')}"
        return _words(path)

    def type(self, path: str) -> str:
        found = self.find(path)
        return found.type if found else ""

    def labelled(self, message: Phrase | str) -> Phrase | str:
        """`message` (a check's finding) with the placeholders it names said by the labels their chips show.

        >>> names = Names.of([Variable(name="note", type="text", label="Note to the customer")])
        >>> str(names.labelled(Phrase("uses '{placeholder}' twice", placeholder=Placeholder("note"))))
        "uses 'Note to the customer' twice"
        """
        if not isinstance(message, Phrase):
            return message
        return Phrase(message.template, **{name: self.label(value.path) if isinstance(value, Placeholder) else value
                                           for name, value in message.values.items()})


def describe_condition(condition: str, names: Names) -> str:
    """A condition as words, with labels for the names in it; as written when the words cannot say it.

    >>> names = Names.of([Variable(name="justified", type="boolean", label="Complaint justified"),
    ...                   Variable(name="kind", type="choice", options=[{"value": "twice", "label": "Charged twice"}]),
    ...                   Variable(name="paid", type="money"), Variable(name="note", type="text")])
    >>> describe_condition("justified", names), describe_condition("not note", names)
    ("'Complaint justified' is yes", "'note' is empty")
    >>> describe_condition('kind == "twice" and paid > 10', names)
    "'kind' is 'Charged twice' and 'paid' is more than 10"
    >>> describe_condition("paid|round > 1", names)
    'paid|round > 1'
    """
    return _described(condition.strip(), names) or condition.strip()


def is_condition(condition: str) -> bool:
    """Whether `condition` is one template expression that an `{% if %}` tag can hold.

    >>> is_condition("a and not b"), is_condition("a %}{{ x }}{% if b"), is_condition("a ==")
    (True, False, False)
    """
    return _test_of(condition) is not None


@lru_cache(maxsize=1024)
def _test_of(condition: str) -> nodes.Node | None:
    """The expression of `condition`; None when it is not one expression an `{% if %}` tag can hold."""
    try:
        found = _ENVIRONMENT.parse(f"{{% if {condition} %}}{{% endif %}}").body
    except TemplateSyntaxError:
        return None
    if len(found) != 1 or not isinstance(found[0], nodes.If) or found[0].body or found[0].elif_ or found[0].else_:
        return None
    return found[0].test


def _described(condition: str, names: Names) -> str | None:
    test = _test_of(condition)
    return None if test is None else _words_of(test, names)


def _words_of(test: nodes.Node, names: Names) -> str | None:
    words = names.words
    path = dotted_path(test)
    if path is not None:
        return _is_set(path, names, True)
    if isinstance(test, nodes.Not):
        inner = dotted_path(test.node)
        if inner is not None:
            return _is_set(inner, names, False)
        if isinstance(test.node, nodes.Test):
            return _value_test(test.node, names, negated=True)
        said = _words_of(test.node, names)
        return words.negated.format(condition=said) if said else None
    if isinstance(test, nodes.Test):
        return _value_test(test, names, negated=False)
    if isinstance(test, nodes.And | nodes.Or):
        left, right = _words_of(test.left, names), _words_of(test.right, names)
        joined = words.both if isinstance(test, nodes.And) else words.either
        return joined.format(left=left, right=right) if left and right else None
    if isinstance(test, nodes.Compare) and len(test.ops) == 1:
        comparison = words.comparison(test.ops[0].op)
        subject = dotted_path(test.expr)
        left = _operand(test.expr, names, None)
        right = _operand(test.ops[0].expr, names, names.find(subject) if subject else None)
        return comparison.format(left=left, right=right) if comparison and left and right else None
    return None


def _is_set(path: str, names: Names, truthy: bool) -> str:
    """`path` read as a test on its own (`truthy`) or after `not`: a yes/no is yes or no, anything else has a
    value or is empty."""
    if names.type(path) == DataType.BOOLEAN.value:
        words = names.words
        return words.equal.format(left=quoted(names.label(path)), right=words.yes if truthy else words.no)
    return _has_value(path, names, truthy)


def _has_value(path: str, names: Names, has: bool) -> str:
    """`path` has a value (`has`), or is empty."""
    words, name = names.words, quoted(names.label(path))
    return words.has_value.format(name=name) if has else words.equal.format(left=name, right=words.empty)


def _value_test(test: nodes.Test, names: Names, negated: bool) -> str | None:
    path = dotted_path(test.node)
    if path is None or test.args or test.name not in ("defined", "none", "undefined"):
        return None
    return _has_value(path, names, (test.name == "defined") != negated)


def _operand(expression: nodes.Node, names: Names, compared: object) -> str | None:
    """A name (its label), or a constant (an option's label when compared with a choice)."""
    path = dotted_path(expression)
    if path is not None:
        return quoted(names.label(path))
    if isinstance(expression, nodes.List | nodes.Tuple):
        items = [_operand(item, names, compared) for item in expression.items]
        return ", ".join(items) if all(items) else None  # type: ignore[arg-type]
    if not isinstance(expression, nodes.Const):
        return None
    value = expression.value
    if isinstance(value, bool):
        return names.words.yes if value else names.words.no
    if value is None:
        return names.words.empty
    if isinstance(value, str):
        options = dict(compared.options) if isinstance(compared, LetterName) else {}
        return quoted(options.get(value, value))
    return str(value)


def dotted_path(expression: nodes.Node | None) -> str | None:
    """`a.b.c` in a template expression as "a.b.c"; None for anything that is not a plain chain of names read."""
    if isinstance(expression, nodes.Name) and expression.ctx == "load":
        return expression.name
    if isinstance(expression, nodes.Getattr):
        base = dotted_path(expression.node)
        return f"{base}.{expression.attr}" if base else None
    return None
