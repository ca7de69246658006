"""portal/stream.py's `dumps` writes the text of json.dumps(ensure_ascii=False, indent=...), byte for byte."""

from __future__ import annotations

import json
import math
from collections import OrderedDict

import pytest

from reportpub.portal.stream import dumps


class Text(str):
    pass


DOCUMENTS = [
    {}, [], "", 0, None, True,
    {"@context": "https://schema.org/", "name": "北京市2022年政府工作报告", "keywords": ["统计", "open data"],
     "empty": {}, "none": [], "nested": [[], [{}], [[1, 2], {"a": None}]], "flags": [True, False, None]},
    {"numbers": [0, -1, 10**20, 0.1 + 0.2, 1e16, 1e-7, -0.0, 29.8, 1 / 3, 5e-324, 1.7976931348623157e308]},
    {"escapes": "quote \" backslash \\ newline \n tab \t control \x01 \x1f del \x7f ls \u2028 ps \u2029 😀 </script>"},
    {"b": 1, "a": {"d": [1], "c": "x"}, "中": "文", "A": 2, "_": 3},
    ({"tuple": (1, "two", (3,))}),
    {"int keys": {1: "a", 2: "b"}},  # json writes the keys as text
    {"mixed": {"a": 1, 2: "b"}},
    {"nan": [math.nan, math.inf, -math.inf]},
    {"subclass": Text("text"), Text("key"): 1},
    {"ordered": OrderedDict([("z", 1), ("a", 2)])},
    {"bool keys": {True: 1, None: 2, 1.5: 3}},
    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
]


@pytest.mark.parametrize("indent", [1, 2, 4])
@pytest.mark.parametrize("sort_keys", [False, True])
@pytest.mark.parametrize("doc", DOCUMENTS, ids=range(len(DOCUMENTS)))
def test_dumps_is_json_dumps(doc, indent, sort_keys):
    try:
        expected = json.dumps(doc, ensure_ascii=False, indent=indent, sort_keys=sort_keys)
    except TypeError:  # json cannot sort keys of mixed types: neither can dumps
        with pytest.raises(TypeError):
            dumps(doc, indent=indent, sort_keys=sort_keys)
        return
    assert dumps(doc, indent=indent, sort_keys=sort_keys) == expected


def test_a_circular_document_is_refused_as_json_refuses_it():
    doc: dict = {}
    doc["self"] = doc
    with pytest.raises(ValueError, match="Circular"):
        dumps(doc, indent=2)
