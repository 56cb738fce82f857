"""What a diff of two bundles is made of: one `Change` per difference, gathered in a `BundleDiff`.

A change names the bundle part it is in (`Part`), what happened (`ChangeKind`),
the element (by id, as ids are stable between versions) and, inside it, the item
(a form field, a letter's language, a table's rule or column) and the setting
(`field`) with its old and new value. `describe()` says it in one line a
business owner reads; `as_dict()` is the JSON form the pages and the CLI share.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from codegen.diff.text import TextSegment, snippet


class Part(StrEnum):
    """The parts of a bundle a diff reports on, in the order it reports them."""

    PROCESS = "process"
    INTAKE = "intake"
    VARIABLES = "variables"
    NODES = "nodes"
    EDGES = "edges"
    CASE_SLA = "case_sla"
    TASK_SLAS = "task_slas"
    FORMS = "forms"
    LETTERS = "letters"
    DECISION_TABLES = "decision_tables"
    ROLES = "roles"
    QUEUES = "queues"
    ROOT_CAUSES = "root_causes"
    ADHOC_TASK_TYPES = "adhoc_task_types"


class ChangeKind(StrEnum):
    """What happened to an element or one of its items.

    MOVED is a node that only changed place on the canvas (no meaning for cases);
    REORDERED is an item that changed place in its list (a form field, a table
    rule or column), which agents or the hit policy do notice.
    """

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    MOVED = "moved"
    REORDERED = "reordered"


#: The heading of each part in a list of changes.
TITLES: dict[Part, str] = {
    Part.PROCESS: "Process",
    Part.INTAKE: "Intake rules",
    Part.VARIABLES: "Case data",
    Part.NODES: "Steps",
    Part.EDGES: "Connections",
    Part.CASE_SLA: "Case SLA",
    Part.TASK_SLAS: "Step SLAs",
    Part.FORMS: "Forms",
    Part.LETTERS: "Letters, e-mails and SMS",
    Part.DECISION_TABLES: "Decision tables",
    Part.ROLES: "Roles",
    Part.QUEUES: "Queues",
    Part.ROOT_CAUSES: "Root causes",
    Part.ADHOC_TASK_TYPES: "Ad-hoc task types",
}

#: How each part names its element in a sentence; `{label}` is the element's label.
NOUNS: dict[Part, str] = {
    Part.PROCESS: "Process '{label}'",
    Part.INTAKE: "Intake rules",
    Part.VARIABLES: "Variable '{label}'",
    Part.NODES: "Step '{label}'",
    Part.EDGES: "Connection '{label}'",
    Part.CASE_SLA: "Case SLA",
    Part.TASK_SLAS: "SLA of step '{label}'",
    Part.FORMS: "Form '{label}'",
    Part.LETTERS: "Letter '{label}'",
    Part.DECISION_TABLES: "Decision table '{label}'",
    Part.ROLES: "Role '{label}'",
    Part.QUEUES: "Queue '{label}'",
    Part.ROOT_CAUSES: "Root cause '{label}'",
    Part.ADHOC_TASK_TYPES: "Ad-hoc task type '{label}'",
}

#: How an item inside an element is called (`Change.item_kind` -> words).
ITEM_NOUNS: dict[str, str] = {
    "field": "field",
    "section": "section",
    "group": "repeating group",
    "language": "language",
    "rule": "rule",
    "input": "input column",
    "output": "output column",
}

#: Setting names that read badly with underscores only replaced.
FIELD_WORDS: dict[str, str] = {
    "text_body": "plain-text body",
    "hit_policy": "hit policy",
    "collect_into": "collects into",
    "default_language": "default language",
    "decision_table": "decision table",
    "wait_for": "waits for",
    "visible_when": "visible when",
    "min_items": "fewest rows",
    "max_items": "most rows",
    "when": "if",
}

#: Longest value a description shows before it is cut with "…".
SHOWN_LENGTH = 80


@dataclass(frozen=True)
class Change:
    """One difference between two versions of a bundle.

    `element_id` and `item` are ids (stable between versions), `label` and
    `item_label` how people know them. For an added or removed element or item,
    `after` or `before` holds its settings; for a changed setting, its old and new
    value; for a changed text also `segments`, the word-level difference.
    """

    part: Part
    kind: ChangeKind
    element_id: str
    label: str
    field: str = ""
    before: Any = None
    after: Any = None
    item: str = ""
    item_kind: str = ""
    item_label: str = ""
    segments: tuple[TextSegment, ...] = ()

    def where(self) -> str:
        """The element and item this change is about, in words: "Form 'Intake', field 'Amount'"."""
        text = NOUNS[self.part].format(label=self.label or self.element_id)
        if self.item:
            noun = ITEM_NOUNS.get(self.item_kind, self.item_kind)
            text += f", {noun} '{self.item_label or self.item}'"
        return text

    def describe(self) -> str:
        """The change in one line a business owner reads.

        >>> Change(Part.NODES, ChangeKind.CHANGED, "check", "Check invoice", "queue",
        ...        "billing", "back_office").describe()
        "Step 'Check invoice': queue billing → back_office"
        >>> Change(Part.NODES, ChangeKind.ADDED, "call", "Call back", after={"kind": "task"}).describe()
        "Step 'Call back' (task) added"
        """
        where = self.where()
        if self.kind in (ChangeKind.ADDED, ChangeKind.REMOVED):
            document = self.after if self.kind is ChangeKind.ADDED else self.before
            kind = document.get("kind") if isinstance(document, dict) else None
            return f"{where}{f' ({kind})' if kind else ''} {self.kind.value}"
        if self.kind is ChangeKind.MOVED:
            return f"{where} moved on the canvas"
        setting = field_words(self.field)
        if self.before is None and isinstance(self.after, dict):  # an entry added to a list setting
            return f"{where}: {setting} added: {show(self.after)}"
        if self.after is None and isinstance(self.before, dict):
            return f"{where}: {setting} removed: {show(self.before)}"
        if self.segments and _long(self.before, self.after):
            return f"{where}: {setting} {snippet(self.segments)}"
        return f"{where}: {setting} {show(self.before)} → {show(self.after)}"

    def as_dict(self) -> dict[str, Any]:
        """The change as JSON data, with its description."""
        return {
            "part": self.part.value, "kind": self.kind.value, "element_id": self.element_id, "label": self.label,
            "item": self.item, "item_kind": self.item_kind, "item_label": self.item_label, "field": self.field,
            "before": self.before, "after": self.after,
            "segments": [segment.as_dict() for segment in self.segments],
            "description": self.describe(),
        }


#: Which kind wins when one element has several changes, for colouring it (strongest first).
_STRENGTH = [ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.CHANGED, ChangeKind.REORDERED, ChangeKind.MOVED]


@dataclass(frozen=True)
class BundleDiff:
    """Every change between two bundles, parts in `Part` order, each part in model order."""

    changes: tuple[Change, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def of(self, part: Part) -> list[Change]:
        """The changes in one part."""
        return [change for change in self.changes if change.part is part]

    def by_part(self) -> dict[Part, list[Change]]:
        """The changes grouped by part, in `Part` order; parts without changes are left out."""
        grouped: dict[Part, list[Change]] = {}
        for change in self.changes:
            grouped.setdefault(change.part, []).append(change)
        return {part: grouped[part] for part in Part if part in grouped}

    def status(self, part: Part) -> dict[str, ChangeKind]:
        """Element id -> its strongest change in `part`, e.g. to colour the nodes of a diagram.

        An element with an item added, removed or reordered inside (a form field) is CHANGED.
        """
        return _strongest((change.element_id, ChangeKind.CHANGED if change.item else change.kind)
                          for change in self.of(part))

    def item_status(self, part: Part, element_id: str) -> dict[str, ChangeKind]:
        """Item id -> its strongest change inside one element: the fields of a form, the languages of a
        letter, the rules and columns of a table, e.g. to highlight them side by side."""
        return _strongest((change.item, change.kind) for change in self.of(part)
                          if change.element_id == element_id and change.item)

    def as_dict(self) -> dict[str, Any]:
        """The diff as JSON data: the number of changes per part, and every change."""
        return {"counts": {part.value: len(changes) for part, changes in self.by_part().items()},
                "changes": [change.as_dict() for change in self.changes]}


def _strongest(changes: Iterable[tuple[str, ChangeKind]]) -> dict[str, ChangeKind]:
    """Per id, the strongest of its kinds of change (`_STRENGTH`)."""
    status: dict[str, ChangeKind] = {}
    for identifier, kind in changes:
        known = status.get(identifier)
        if known is None or _STRENGTH.index(kind) < _STRENGTH.index(known):
            status[identifier] = kind
    return status


def _long(*texts: Any) -> bool:
    """Whether a text is too long to show before and after on one line (then only its changed words are)."""
    return any(isinstance(text, str) and (len(text) > SHOWN_LENGTH or "\n" in text) for text in texts)


def field_words(path: str) -> str:
    """A setting's dotted path in words: "sla.target" -> "sla target", "text_body" -> "plain-text body"."""
    return " ".join(FIELD_WORDS.get(part, part.replace("_", " ")) for part in path.split(".") if part)


def show(value: Any) -> str:
    """A setting's value as a description shows it: short, on one line, quoted when it has spaces.

    >>> show(None), show(True), show(""), show("5 working days"), show(["phone", "email"])
    ('(none)', 'yes', '(empty)', "'5 working days'", 'phone, email')
    """
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        text = " ".join(value.split())
        if not text:
            return "(empty)"
        if len(text) > SHOWN_LENGTH:
            text = text[:SHOWN_LENGTH - 1] + "…"
        return f"'{text}'" if " " in text else text
    if isinstance(value, list):
        separator = "; " if any(isinstance(item, dict) for item in value) else ", "
        return separator.join(show(item) for item in value) if value else "(none)"
    if isinstance(value, dict):
        if set(value) == {"x", "y"}:
            return f"({show(value['x'])}, {show(value['y'])})"
        shown = [f"{field_words(key)} {show(item)}" for key, item in value.items() if item not in (None, "", [])]
        return ", ".join(shown) or "(empty)"
    return str(value)
