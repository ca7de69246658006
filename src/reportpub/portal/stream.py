"""A document whose one list grows with the portal -> its text piece by piece, the same bytes as
the whole document dumped at once.

The catalogues list every dataset: built as one object, catalog.jsonld alone is tens of megabytes
of Python objects at 1,000 datasets, and dumping it with an indent (Python's slow encoder) costs
tens of milliseconds per dataset at every render. Here each item is dumped once, on its own (`dumps`),
when its dataset is rendered; the document is dumped with a marker in place of the list, and the
items are indented to the marker's depth (a JSON string holds no raw newline, so indenting after
each newline is exact).

Python's json module indents only in its pure-Python encoder; `dumps` writes the same text for the
plain JSON types (dict with str keys, list, str, int, float, bool, None) in a third less time, and
hands anything else to json.dumps (tests/portal/test_stream.py compares them).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring as _string  # the C encoder json.dumps(ensure_ascii=False) uses

ITEMS = "\x00items\x00"  # stands for the streamed list inside the document


def dumps(obj, *, indent: int, sort_keys: bool = False) -> str:
    """Object -> its JSON text as the portal writes it (UTF-8 kept, indented): the text of
    json.dumps(obj, ensure_ascii=False, indent=indent, sort_keys=sort_keys)."""
    try:
        return _indented(obj, indent, sort_keys)
    except (_NotPlain, IndexError, RecursionError, TypeError):
        return json.dumps(obj, ensure_ascii=False, indent=indent, sort_keys=sort_keys)


class _NotPlain(Exception):
    """A value json.dumps writes by rules _indented does not copy (NaN, int keys, subclasses of the types)."""


_float, _int, _INF = float.__repr__, int.__repr__, float("inf")


def _indented(obj, indent: int, sort_keys: bool) -> str:
    out: list[str] = []
    append = out.append
    pads = ["\n" + " " * (indent * depth) for depth in range(64)]  # deeper: IndexError, json.dumps

    def value(o, depth: int) -> None:
        kind = o.__class__
        if kind is str:
            append(_string(o))
        elif kind is dict:
            if not o:
                append("{}")
                return
            sep, inner = "{" + pads[depth + 1], "," + pads[depth + 1]
            for k, v in (sorted(o.items()) if sort_keys else o.items()):
                if k.__class__ is not str:
                    raise _NotPlain
                append(f"{sep}{_string(k)}: ")
                sep = inner
                value(v, depth + 1)
            append(pads[depth] + "}")
        elif kind is list or kind is tuple:
            if not o:
                append("[]")
                return
            sep, inner = "[" + pads[depth + 1], "," + pads[depth + 1]
            for v in o:
                append(sep)
                sep = inner
                value(v, depth + 1)
            append(pads[depth] + "]")
        elif o is None:
            append("null")
        elif o is True:
            append("true")
        elif o is False:
            append("false")
        elif kind is int:
            append(_int(o))
        elif kind is float and o == o and o not in (_INF, -_INF):
            append(_float(o))
        else:
            raise _NotPlain

    value(obj, 0)
    return "".join(out)


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
