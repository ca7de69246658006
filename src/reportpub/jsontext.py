"""JSON text exactly as `json.dumps(value, ensure_ascii=False, indent=2)` writes it, made faster
for documents that repeat large parts.

With an indent, the standard library serialises in pure Python, and a package descriptor carries
ten Table Schemas that are the same in every package: their text is made once (`indented`) and
spliced in wherever that very object occurs (`known`: id(object) -> its text). JSON text holds
no raw newline inside a string, so indenting a spliced part is adding spaces after each newline.
"""

from __future__ import annotations

import json

_dumps = json.JSONEncoder(ensure_ascii=False).encode  # scalars and empty containers: one line


def indented(value, known: dict[int, str] | None = None, indent: str = "") -> str:
    """value -> its JSON text with two-space indentation, at nesting `indent`; a value whose id is
    in `known` is written as that text (made by this function from the same, unchanged object)."""
    if known and (text := known.get(id(value))) is not None:
        return text.replace("\n", "\n" + indent) if indent else text
    if isinstance(value, dict) and value:
        if not all(type(k) is str for k in value):  # json's own key coercion (True -> "true", 1 -> "1")
            return _reindent(value, indent)
        inner = indent + "  "
        return "{\n" + ",\n".join(f"{inner}{_dumps(k)}: {indented(v, known, inner)}" for k, v in value.items()) \
            + "\n" + indent + "}"
    if isinstance(value, (list, tuple)) and value:
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + indented(v, known, inner) for v in value) + "\n" + indent + "]"
    return _dumps(value)


def _reindent(value, indent: str) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text.replace("\n", "\n" + indent) if indent else text
