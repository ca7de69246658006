"""The CKAN publisher's rules without CKAN: names, licence, tags, version bumps, the facts changelog
and the files of a release. These run even when the CKAN stack is down."""

from __future__ import annotations

import json

import pytest

from reportpub.ckan import ckan_name, version_name
from reportpub.ckan.metadata import license_id, resource_fields, tags
from reportpub.ckan.release import (ReleaseFile, classify, facts_changelog, meta_file, next_version,
                                    release_files)
from reportpub.diff import ReleaseDiff
from reportpub.files import sha256_file


@pytest.mark.parametrize("text, expected", [
    ("bda-2022-work-summary", "bda-2022-work-summary"),
    ("Daqing_2016H1 Economy!", "daqing_2016h1-economy"),
    ("--a--b--", "a-b"),
    ("x" * 300, "x" * 80),
])
def test_ckan_name_follows_ckan_rules(text, expected):
    assert ckan_name(text) == expected


def test_a_name_with_nothing_usable_gets_a_stable_hash_name():
    name = ckan_name("北京市政府工作报告")
    assert name == ckan_name("北京市政府工作报告") != ckan_name("上海市政府工作报告")
    assert name.startswith("dataset-") and 2 <= len(name) <= 100
    assert ckan_name("a").startswith("dataset-")


def test_version_dataset_names_stay_within_100_characters():
    assert version_name("abc", "1.2.3") == "abc-v1-2-3"
    assert len(version_name(ckan_name("x" * 300), "999.999.999")) <= 100


def test_licence_and_tags():
    assert license_id({"licenses": [{"name": "CC-BY-4.0"}]}) == "cc-by"
    assert license_id({"licenses": [{"name": "Some-Licence"}]}) == "notspecified"
    assert tags({"keywords": ["政府工作报告", "open data", "open data", "a", "统计/statistics"]}) == \
        ["政府工作报告", "open data", "统计 statistics"]


SCHEMA = {"fields": [{"name": "fact_id", "type": "string"}, {"name": "value", "type": "number"}]}


def _files(facts=b"fact_id,value\nf1,1\n", schema=SCHEMA, descriptor=b"{}", validation=b"{}"):
    table = ReleaseFile.from_bytes("facts", facts, filename="facts.csv", package_path="data/facts.csv",
                                   format="CSV", mediatype="text/csv", description="d", schema=schema)
    return [table, meta_file("datapackage.json", descriptor), meta_file("validation.json", validation)]


def _previous(files):
    return {f.name: {"hash": f.hash, "schema": json.dumps(f.schema) if f.schema else None} for f in files}


def test_version_bump_rules():
    before = _previous(_files())
    assert classify(before, _files()) == (None, [], [])
    assert classify(before, _files(validation=b'{"x": 1}')) == (None, [], [])  # reports are not compared
    assert classify(before, _files(descriptor=b'{"title": "new"}')) == ("patch", [], ["datapackage.json"])
    assert classify(before, _files(facts=b"fact_id,value\nf1,2\n"))[:1] == ("minor",)
    changed_schema = {"fields": [*SCHEMA["fields"], {"name": "unit", "type": "string"}]}
    assert classify(before, _files(schema=changed_schema))[:2] == ("major", ["facts"])
    assert classify({**before, "units": {"hash": "sha256:0", "schema": "{}"}}, _files())[:2] == ("major", ["units"])
    assert [next_version("1.4.2", b) for b in ("major", "minor", "patch")] == ["2.0.0", "1.5.0", "1.4.3"]


def test_the_changelog_groups_reportpub_diff_by_fact(tmp_path):
    diff = ReleaseDiff(added=({"fact_id": "d"},), removed=({"fact_id": "c"},),
                       changed=({"fact_id": "b", "subject": "收入", "field": "value", "old": 5.0, "new": 6.0},
                                {"fact_id": "b", "subject": "收入", "field": "unit", "old": "亿元", "new": "万元"}))
    assert facts_changelog(diff, None) == {
        "added": ["d"], "removed": ["c"],
        "changed": [{"fact_id": "b", "subject": "收入", "changes": {"value": [5.0, 6.0], "unit": ["亿元", "万元"]}}]}
    first = tmp_path / "facts.csv"
    first.write_text("fact_id,value\nb,1\na,2\n", encoding="utf-8")
    assert facts_changelog(None, first) == {"added": ["a", "b"], "removed": [], "changed": []}


def test_release_files_of_a_package(package_copy):
    for name in ("validation.json", "validation.html"):
        (package_copy / name).write_text("{}", encoding="utf-8")
    files = release_files(package_copy, json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8")),
                          version="3.1.4", created="2020-01-01T00:00:00Z")
    assert [f.name for f in files] == ["reports", "reports-parquet", "paragraphs", "paragraphs-parquet", "facts",
                                       "facts-parquet", "units", "units-parquet", "indicator_codes",
                                       "indicator_codes-parquet", "datapackage.json", "validation.html",
                                       "validation.json"]  # the package's own order (reportpub.tables)
    facts = files[4]
    assert facts.sha256 == sha256_file(package_copy / "data" / "facts.csv") and facts.schema["primaryKey"]
    assert json.loads(resource_fields(facts)["schema"]) == facts.schema
    descriptor = json.loads(files[10].data)
    assert (descriptor["version"], descriptor["created"]) == ("3.1.4", "2020-01-01T00:00:00Z")
    assert "schema" not in resource_fields(files[10])
