"""Forms, field by field: fields, sections and repeating groups added, removed, changed or reordered.

A field is matched by its id anywhere in its form. Its place is the section or
group it sits in and its position there: a field that changed section reports
`section` (old → new container id, None for the form itself); within one
container the fewest fields that changed place report `place` (1-based). A
removed section or group is one change, the fields in it go with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from codegen.diff.changes import Change, ChangeKind, Part
from codegen.diff.compare import authored, changed_settings, match, out_of_order, settings
from models.bundle import Bundle
from models.forms import Form, InputField, RepeatingGroup, Section

FormElement = InputField | Section | RepeatingGroup


@dataclass(frozen=True)
class _Placed:
    """A form element and where it sits: its container's id (None: the form) and its index there."""

    element: FormElement
    container: str | None
    index: int


def diff_forms(old: Bundle, new: Bundle) -> Iterator[Change]:
    """Forms added, removed or renamed; per form kept, its fields added, removed, changed and reordered."""
    matched = match(old.forms, new.forms, key=_form_id)
    for form in matched.removed:
        yield Change(Part.FORMS, ChangeKind.REMOVED, form.id, _form_label(form), before=authored(form))
    for before, after in matched.changed:
        yield from changed_settings(Part.FORMS, after.id, _form_label(after), settings(before), settings(after),
                                    skip=("fields",))
        yield from _field_changes(before, after)
    for form in matched.added:
        yield Change(Part.FORMS, ChangeKind.ADDED, form.id, _form_label(form), after=authored(form))


def _field_changes(old_form: Form, new_form: Form) -> Iterator[Change]:
    old, new = _places(old_form), _places(new_form)
    gone, came = set(old) - set(new), set(new) - set(old)
    form_id, label = new_form.id, _form_label(new_form)

    def item(placed: _Placed) -> dict[str, str]:
        element = placed.element
        return {"item": element.id, "item_kind": _item_kind(element), "item_label": element.label or element.id}

    for element_id in (e for e in old if e in gone):
        if old[element_id].container not in gone:  # a field inside a removed section goes with it
            yield Change(Part.FORMS, ChangeKind.REMOVED, form_id, label, before=authored(old[element_id].element),
                         **item(old[element_id]))
    for element_id, placed in new.items():
        if element_id in came:
            continue
        before = old[element_id]
        if before.element != placed.element:
            yield from changed_settings(Part.FORMS, form_id, label, settings(before.element), settings(placed.element),
                                        skip=("fields",), **item(placed))
        if before.container != placed.container:
            yield Change(Part.FORMS, ChangeKind.REORDERED, form_id, label, "section", before.container,
                         placed.container, **item(placed))
    for element_id in _reordered(old, new):
        yield Change(Part.FORMS, ChangeKind.REORDERED, form_id, label, "place", old[element_id].index + 1,
                     new[element_id].index + 1, **item(new[element_id]))
    for element_id in (e for e in new if e in came):
        if new[element_id].container not in came:
            yield Change(Part.FORMS, ChangeKind.ADDED, form_id, label, after=authored(new[element_id].element),
                         **item(new[element_id]))


def _reordered(old: dict[str, _Placed], new: dict[str, _Placed]) -> list[str]:
    """Fields that stayed in their container but changed place among the others that stayed, in new display order."""
    by_container: dict[str | None, list[str]] = {}
    for element_id, placed in old.items():  # display order, so each container's list is in its old order
        if element_id in new and new[element_id].container == placed.container:
            by_container.setdefault(placed.container, []).append(element_id)
    moved = set()
    for stayed in by_container.values():
        moved.update(out_of_order(stayed, sorted(stayed, key=lambda element_id: new[element_id].index)))
    return [element_id for element_id in new if element_id in moved]


def _places(form: Form) -> dict[str, _Placed]:
    """Every element of the form by id, depth first in display order, with its container and index."""
    placed: dict[str, _Placed] = {}

    def visit(elements: list[FormElement], container: str | None) -> None:
        for index, element in enumerate(elements):
            placed[element.id] = _Placed(element, container, index)
            if isinstance(element, (Section, RepeatingGroup)):
                visit(element.fields, element.id)

    visit(form.fields, None)
    return placed


def _item_kind(element: FormElement) -> str:
    return element.kind if isinstance(element, (Section, RepeatingGroup)) else "field"


def _form_label(form: Form) -> str:
    return form.name or form.id


def _form_id(form: Form) -> str:
    return form.id
