"""jsontext.indented writes what json.dumps(indent=2, ensure_ascii=False) writes, parts spliced in included."""

import json

from reportpub.jsontext import indented
from reportpub.pipeline import build_package

from .conftest import SEED

VALUES = [
    {}, [], "", 0, -1.5, 1e300, True, None, "引号\"与\n换行\\ 和 \u2028",
    {"a": [], "b": {}, "c": [1, [2, [3, {}]]], "d": {"e": {"f": None}}, "g": (1, "x")},
    {True: 1, 2: "two", None: [], 1.5: {"k": "v"}},  # keys json coerces to text
    [{"name": "facts", "schema": {"fields": [{"name": "value", "type": "number"}]}}, 3.0, False],
]


def test_same_text_as_json_dumps():
    for value in VALUES:
        assert indented(value) == json.dumps(value, ensure_ascii=False, indent=2), value


def test_a_known_part_is_spliced_in_at_its_depth():
    schema = {"fields": [{"name": "fact_id", "type": "string"}], "primaryKey": ["fact_id"]}
    descriptor = {"resources": [{"name": "facts", "schema": schema}, {"name": "again", "schema": schema}]}
    known = {id(schema): indented(schema)}
    assert indented(descriptor, known) == json.dumps(descriptor, ensure_ascii=False, indent=2)


def test_a_built_descriptor_is_the_text_json_dumps_writes(tmp_path):
    text = (build_package([SEED], tmp_path / "pkg").path / "datapackage.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"
