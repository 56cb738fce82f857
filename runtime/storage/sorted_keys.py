"""A sorted list of keys that stays cheap to change at 100,000 keys.

`bisect.insort` into one Python list moves half the list on every insert:
at 100,000 work items that is 400 kB per list and step, tens of
microseconds each. Keeping the keys in blocks of at most a few thousand,
plus the last key of every block to find the right one by bisection, bounds
the move to one block. Iteration and positional slices walk the blocks in
order. Keys must be unique and mutually comparable (the indexes end every
key with the document id).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import Any

_BLOCK = 1_000  # a block is split in two when it reaches twice this size


class SortedKeys:
    """Unique keys in ascending order, in blocks of up to 2 × 1,000."""

    def __init__(self, keys: Iterable[Any] = ()) -> None:
        ordered = sorted(keys)
        self._blocks: list[list[Any]] = [ordered[i:i + _BLOCK] for i in range(0, len(ordered), _BLOCK)]
        self._lasts: list[Any] = [block[-1] for block in self._blocks]
        self._length = len(ordered)

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[Any]:
        return chain.from_iterable(self._blocks)

    def add(self, key: Any) -> None:
        if not self._blocks:
            self._blocks.append([key])
            self._lasts.append(key)
        else:
            at = min(bisect_left(self._lasts, key), len(self._blocks) - 1)
            block = self._blocks[at]
            insort(block, key)
            self._lasts[at] = block[-1]
            if len(block) >= 2 * _BLOCK:
                self._blocks[at:at + 1] = [block[:_BLOCK], block[_BLOCK:]]
                self._lasts[at:at + 1] = [block[_BLOCK - 1], block[-1]]
        self._length += 1

    def remove(self, key: Any) -> None:
        """Remove `key`; ValueError if it is not there."""
        at = bisect_left(self._lasts, key)
        block = self._blocks[at] if at < len(self._blocks) else []
        position = bisect_left(block, key)
        if position == len(block) or block[position] != key:
            raise ValueError(f"{key!r} is not in the sorted keys")
        del block[position]
        if block:
            self._lasts[at] = block[-1]
        else:
            del self._blocks[at]
            del self._lasts[at]
        self._length -= 1

    def slice(self, start: int, stop: int) -> list[Any]:
        """The keys at positions start..stop-1, skipping whole blocks to reach `start`."""
        for at, block in enumerate(self._blocks):
            if start < len(block):
                rest = chain(block[start:], chain.from_iterable(self._blocks[at + 1:]))
                return list(islice(rest, max(stop - start, 0)))
            start -= len(block)
            stop -= len(block)
        return []

    def below(self, bound: Any) -> Iterator[Any]:
        """The keys less than `bound`, in order."""
        for block in self._blocks:
            if block[-1] < bound:
                yield from block
            else:
                yield from block[:bisect_left(block, bound)]
                return
