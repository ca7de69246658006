"""A document whose one list grows with the portal -> its text piece by piece, the same bytes as
the whole document dumped at once.

The catalogues list every dataset: built as one object, catalog.jsonld alone is tens of megabytes
of Python objects at 1,000 datasets, and dumping it with an indent (Python's slow encoder) costs
tens of milliseconds per dataset at every render. Here each item is dumped once, on its own (`dumps`),
when its dataset is rendered; the document is dumped with a marker in place of the list, and the
items are indented to the marker's depth (a JSON string holds no raw newline, so indenting after
each newline is exact).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

ITEMS = "\x00items\x00"  # stands for the streamed list inside the document


def dumps(obj, *, indent: int, sort_keys: bool = False) -> str:
    """Object -> its JSON text as the portal writes it (UTF-8 kept, indented)."""
    return json.dumps(obj, ensure_ascii=False, indent=indent, sort_keys=sort_keys)


def json_chunks(doc, items: Iterable[str], *, indent: int, sort_keys: bool = False,
                escape: Callable[[str], str] = str) -> Iterator[str]:
    """(document holding ITEMS once, its items each as dumps(item) with the same indent and
    sort_keys) -> the text of dumps(document with the items), in pieces; `escape` is applied to each."""
    head, tail = dumps(doc, indent=indent, sort_keys=sort_keys).split(dumps(ITEMS, indent=indent))
    line = head[head.rfind("\n") + 1:]
    outer = " " * (len(line) - len(line.lstrip(" ")))
    inner = outer + " " * indent
    yield escape(head + "[")
    empty = True
    for item in items:
        yield escape(("\n" if empty else ",\n") + inner + item.replace("\n", "\n" + inner))
        empty = False
    yield escape(("]" if empty else "\n" + outer + "]") + tail)
