"""A bounded cache of the values most recently used, for what a batch computes again and again
from the same content (code lists, workbook frames): kept per process, the oldest go first."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Recent(Generic[T]):
    """make() once per key while the key is among the `size` most recently used."""

    def __init__(self, size: int):
        self.size = size
        self._values: OrderedDict[Hashable, T] = OrderedDict()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        if key in self._values:
            return self.find(key)
        value = make()  # an error is raised, never kept
        self.put(key, value)
        return value

    def find(self, key: Hashable) -> T | None:
        """The value kept for key (now the most recently used), or None."""
        if key in self._values:
            self._values.move_to_end(key)
            return self._values[key]
        return None

    def put(self, key: Hashable, value: T) -> None:
        """Keep value for key, in place of any kept before, as the most recently used."""
        self._values[key] = value
        self._values.move_to_end(key)
        if len(self._values) > self.size:
            self._values.popitem(last=False)
