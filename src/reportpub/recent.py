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
            self._values.move_to_end(key)
            return self._values[key]
        value = self._values[key] = make()  # an error is raised, never kept
        if len(self._values) > self.size:
            self._values.popitem(last=False)
        return value
