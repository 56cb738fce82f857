"""The comparisons every part's differ is built from: matching by id, settings, order.

Elements are matched by their id (stable between versions of a bundle), never
by position or content. Settings are compared on their JSON form with every
default written out, so a setting put back to its default shows its old value.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from codegen.diff.changes import Change, ChangeKind, Part
from codegen.diff.text import TextSegment, word_diff

T = TypeVar("T")


@dataclass(frozen=True)
class Matched(Generic[T]):
    """Two lists of elements matched by id: gone (old order), kept pairs (old order), new (new order)."""

    removed: list[T]
    kept: list[tuple[T, T]]
    added: list[T]

    @property
    def changed(self) -> list[tuple[T, T]]:
        """The kept pairs that differ at all: comparing models is cheaper than comparing their settings."""
        return [(before, after) for before, after in self.kept if before != after]


def match(old: Sequence[T], new: Sequence[T], key: Callable[[T], Hashable]) -> Matched[T]:
    """Match the elements of two versions of a list by `key`.

    >>> m = match(["a", "b"], ["b", "c"], key=str)
    >>> m.removed, m.kept, m.added
    (['a'], [('b', 'b')], ['c'])
    """
    new_by_key = {key(element): element for element in new}
    old_keys = {key(element) for element in old}
    return Matched(removed=[e for e in old if key(e) not in new_by_key],
                   kept=[(e, new_by_key[key(e)]) for e in old if key(e) in new_by_key],
                   added=[e for e in new if key(e) not in old_keys])


def settings(element: BaseModel | None) -> Any:
    """An element's settings as JSON data with every default written out (None stays None)."""
    return None if element is None else element.model_dump(mode="json")


def authored(element: BaseModel) -> dict[str, Any]:
    """An element as its author wrote it (defaults left out), for showing what was added or removed."""
    return element.model_dump(mode="json", exclude_defaults=True)


#: Keys by which the entries of a list setting are matched, when every entry has one (checklist items by id).
_ENTRY_KEYS = ("id", "name")


def setting_changes(before: Mapping[str, Any], after: Mapping[str, Any], skip: Collection[str] = (),
                    prefix: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(dotted path, old value, new value) for every setting that differs, nested settings one by one.

    Lists of entries with ids (a checklist) are compared entry by entry, their
    order as `path.order`; other lists (options, escalations) as a whole.

    >>> list(setting_changes({"queue": "a", "sla": {"target": "1 days"}}, {"queue": "b", "sla": {"target": "2 days"}}))
    [('queue', 'a', 'b'), ('sla.target', '1 days', '2 days')]
    >>> list(setting_changes({"checklist": [{"id": "x", "text": "old"}]}, {"checklist": [{"id": "x", "text": "new"}]}))
    [('checklist.x.text', 'old', 'new')]
    >>> list(setting_changes({"checklist": [{"id": "a"}, {"id": "b"}]}, {"checklist": [{"id": "b"}, {"id": "a"}]}))
    [('checklist.order', ['a', 'b'], ['b', 'a'])]
    """
    for name in [*before, *(name for name in after if name not in before)]:
        if name in skip:
            continue
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        path = f"{prefix}{name}"
        if isinstance(old, dict) and isinstance(new, dict):
            yield from setting_changes(old, new, prefix=f"{path}.")
        elif (entry_key := _entry_key(old, new)) is not None:
            yield from _entry_changes(old, new, entry_key, path)
        else:
            yield path, old, new


def _entry_key(old: Any, new: Any) -> str | None:
    """The key that identifies every entry of both lists, if there is one."""
    if not (isinstance(old, list) and isinstance(new, list) and (old or new)):
        return None
    entries = [*old, *new]
    return next((key for key in _ENTRY_KEYS
                 if all(isinstance(entry, dict) and isinstance(entry.get(key), str) for entry in entries)), None)


def _entry_changes(old: list[dict[str, Any]], new: list[dict[str, Any]], key: str,
                   path: str) -> Iterator[tuple[str, Any, Any]]:
    matched = match(old, new, key=lambda entry: entry[key])
    for entry in matched.removed:
        yield f"{path}.{entry[key]}", entry, None
    for before, after in matched.kept:
        yield from setting_changes(before, after, prefix=f"{path}.{before[key]}.")
    for entry in matched.added:
        yield f"{path}.{entry[key]}", None, entry
    old_order = [before[key] for before, _ in matched.kept]
    kept = set(old_order)
    new_order = [entry[key] for entry in new if entry[key] in kept]
    if old_order != new_order:
        yield f"{path}.order", old_order, new_order


def out_of_order(old: Sequence[Hashable], new: Sequence[Hashable]) -> list[Hashable]:
    """The ids in both lists that changed place, as few as possible (those outside a longest common order).

    Moving one entry reports that one; swapping two neighbours reports one of them.

    >>> out_of_order(["a", "b", "c", "d"], ["a", "c", "d", "b"])
    ['b']
    >>> out_of_order(["a", "b"], ["a", "x", "b"])
    []
    """
    in_new = set(new)
    common = [element for element in old if element in in_new]
    in_old = set(common)
    place = {element: index for index, element in enumerate(e for e in new if e in in_old)}
    stay = _longest_increasing([place[element] for element in common])
    return [element for index, element in enumerate(common) if index not in stay]


def _longest_increasing(values: list[int]) -> set[int]:
    """Indexes of one longest strictly increasing subsequence of `values` (patience sorting, n log n)."""
    tails: list[int] = []  # tails[k]: value ending the best subsequence of length k + 1
    tail_index: list[int] = []
    previous = [-1] * len(values)
    for index, value in enumerate(values):
        length = bisect_left(tails, value)
        if length == len(tails):
            tails.append(value)
            tail_index.append(index)
        else:
            tails[length] = value
            tail_index[length] = index
        previous[index] = tail_index[length - 1] if length else -1
    chosen, index = set(), tail_index[-1] if tail_index else -1
    while index != -1:
        chosen.add(index)
        index = previous[index]
    return chosen


def changed_settings(part: Part, element_id: str, label: str, before: Mapping[str, Any], after: Mapping[str, Any],
                     skip: Collection[str] = (), **item: str) -> Iterator[Change]:
    """One CHANGED change per setting that differs between two versions of an element (or of an item in it)."""
    for path, old, new in setting_changes(before, after, skip):
        yield Change(part, ChangeKind.CHANGED, element_id, label, path, old, new,
                     segments=text_segments(old, new), **item)


def text_segments(before: Any, after: Any) -> tuple[TextSegment, ...]:
    """The word-level difference when both values are texts of words; else none."""
    if isinstance(before, str) and isinstance(after, str) and (" " in before or " " in after):
        return word_diff(before, after)
    return ()


def list_changes(part: Part, old: Sequence[BaseModel], new: Sequence[BaseModel], key: Callable[[Any], str],
                 label: Callable[[Any], str], skip: Collection[str] = ()) -> Iterator[Change]:
    """Added, removed and changed elements of a list matched by `key` (its order has no meaning)."""
    matched = match(old, new, key)
    for element in matched.removed:
        yield Change(part, ChangeKind.REMOVED, key(element), label(element), before=authored(element))
    for before, after in matched.changed:
        yield from changed_settings(part, key(after), label(after), settings(before), settings(after), skip)
    for element in matched.added:
        yield Change(part, ChangeKind.ADDED, key(element), label(element), after=authored(element))
