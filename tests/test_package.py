"""Build: the package is valid for stock Frictionless, CSV and Parquet agree, builds are repeatable."""

import csv
import json

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from frictionless import Package

from reportpub.pipeline import build_package

from .conftest import SEED

TABLES = ("reports", "paragraphs", "facts", "units", "indicator_codes")


def test_stock_frictionless_validation_passes(seed_package):
    report = Package(str(seed_package / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_descriptor_is_complete(seed_package):
    d = json.loads((seed_package / "datapackage.json").read_text(encoding="utf-8"))
    for key in ("name", "title", "description", "version", "created", "licenses", "sources", "contributors",
                "keywords", "language"):
        assert d.get(key), key
    assert d["sources"][0]["sha256"] and len(d["sources"][0]["sha256"]) == 64
    names = {r["name"] for r in d["resources"]}
    assert names == set(TABLES) | {f"{t}-parquet" for t in TABLES}
    for r in d["resources"]:
        if r["format"] == "csv":
            assert r["bytes"] > 0 and r["hash"].startswith("sha256:")


def test_csv_and_parquet_hold_the_same_rows(seed_package):
    for table in TABLES:
        with open(seed_package / f"data/{table}.csv", encoding="utf-8", newline="") as f:
            csv_rows = list(csv.DictReader(f))
        pq_rows = pq.read_table(seed_package / f"data/{table}.parquet").to_pylist()
        assert len(csv_rows) == len(pq_rows) > 0
        for a, b in zip(csv_rows, pq_rows):
            assert list(a) == list(b)
            for k in a:
                v = b[k]
                if v is None:
                    assert a[k] == ""
                elif isinstance(v, float):
                    assert float(a[k]) == v
                else:
                    assert a[k] == str(v)


def test_same_input_gives_byte_identical_files(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    build_package([SEED], a)
    build_package([SEED], b)
    for table in TABLES:
        for ext in ("csv", "parquet"):
            assert (a / f"data/{table}.{ext}").read_bytes() == (b / f"data/{table}.{ext}").read_bytes()
    assert (a / "checksums.sha256").read_text() == (b / "checksums.sha256").read_text()


def test_manifest_lists_every_data_file(seed_package):
    lines = (seed_package / "checksums.sha256").read_text().splitlines()
    assert sorted(line.split()[1] for line in lines) == sorted(
        f"data/{t}.{e}" for t in TABLES for e in ("csv", "parquet"))


def test_formula_like_text_is_defused_in_csv(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("=HYPERLINK(\"x\")报告\n\n=1+2 全市新增企业5家。\n", encoding="utf-8")
    build_package([report], tmp_path / "pkg", metadata={"year": 2026})  # a report with no year is blocked
    text = (tmp_path / "pkg/data/paragraphs.csv").read_text(encoding="utf-8")
    assert "'=1+2" in text and "\n=1+2" not in text
    facts = pacsv.read_csv(tmp_path / "pkg/data/facts.csv").to_pylist()
    assert facts[0]["value"] == 5
    paragraphs = pq.read_table(tmp_path / "pkg/data/paragraphs.parquet").column("text").to_pylist()
    assert "=1+2全市新增企业5家。" in paragraphs  # Parquet keeps the exact text
    from reportpub.validate import validate

    assert validate(tmp_path / "pkg").valid


def test_setting_the_version_gives_the_descriptor_a_full_rewrite_would(tmp_path):
    """A descriptor this process wrote has its version line replaced, any other is written anew;
    both end as json.dumps with two-space indent writes the descriptor with the new version."""
    from reportpub.package import set_version

    pkg = tmp_path / "pkg"
    build_package([SEED], pkg)
    ours = pkg / "datapackage.json"
    original = json.loads(ours.read_text(encoding="utf-8"))
    foreign = tmp_path / "foreign.json"  # the same descriptor, written compact by some other tool
    foreign.write_text(json.dumps(original), encoding="utf-8")
    expected = json.dumps({**original, "version": "2.3.4"}, ensure_ascii=False, indent=2) + "\n"
    for path in (ours, foreign):
        set_version(path, "2.3.4")
        assert path.read_text(encoding="utf-8") == expected, path.name
    set_version(ours, "2.3.5")  # again, on the text the first call wrote
    assert json.loads(ours.read_text(encoding="utf-8"))["version"] == "2.3.5"
