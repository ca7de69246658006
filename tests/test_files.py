"""files.json_depth reads nesting from JSON text: the depth a walk of the parsed value finds."""

import json

from reportpub.files import json_depth


def _walked(value) -> int:  # the definition: a scalar is 0, a container one more than its deepest child
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return 1 + max((_walked(v) for v in value), default=0)
    return 0


def test_depth_from_text_is_the_depth_of_the_value():
    values = [0, "x", "[{\"}]\\\"", [], {}, [[]], [[], [[]]], {"a": {"b": [1, {"c": "]]]}}}"}]}, "d": []},
              [{"s": "\\" + "[" * 5}, [[[[[]]]]]], {"k[": "{", "v": [[{"w": None}], 2.5]},
              {"数量[": "段落\n}", "e": ["\\\n\"[", {"f": "\t{{"}]}, ["年\u2028{", [["\\"]]]]
    for value in values:
        text = json.dumps(value, ensure_ascii=False)
        assert json_depth(text, 64) == _walked(value), text
        assert json_depth(json.dumps(value, indent=2), 64) == _walked(value), text
        assert json_depth(text.encode("utf-8"), 64) == _walked(value), text  # read_json passes the file's bytes


def test_counting_stops_past_the_limit():
    assert json_depth("[" * 1000 + "]" * 1000, 10) == 11
